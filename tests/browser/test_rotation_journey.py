"""A rotation batch's whole life in Chromium, on a 360 px phone, in Vietnamese: the centre scans
30 copies into a batch, dispatches it and prints the handover record; the primary school receives
it with one copy missing; a pupil borrows and returns a book there; the batch is passed on to a
second school, comes back to the centre copy by copy and is closed with the missing copy declared
lost."""
from __future__ import annotations

import re

from catalog.rotation import batches
from catalog.db import utcnow
from catalog.libraries import get_library_by_code
from catalog.accounts.users import Role, create_user

COPIES = [f"TTVH{n:05d}1" for n in range(1, 31)]  # the centre's first copy of each demo title
MISSING = COPIES[7]
PASSWORD = "hoclieu-demo"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_load_state()


def scan(page, selector: str, code: str) -> str:
    """Type a barcode the way a scanner does (characters then Enter); returns the newest message."""
    page.fill(selector, code)
    with page.expect_navigation():
        page.press(selector, "Enter")
    return page.locator(".flash").last.inner_text()


def receive_at_second_school(app, batch_url: str) -> None:
    with app.extensions["session_factory"].begin() as session:
        batch = batches.get_batch(session, int(batch_url.rstrip("/").rsplit("/", 1)[1]))
        for code in COPIES:
            if code != MISSING:
                batches.receive_copy(session, batch, code, library=batch.destination_library, now=utcnow())
        batches.finish_receipt(session, batch, library=batch.destination_library, now=utcnow())


def test_rotation_journey(demo, live_server, page):
    with demo.extensions["session_factory"].begin() as session:
        create_user(session, "thuvien.thcs", role=Role.LIBRARIAN, password=PASSWORD,
                    library=get_library_by_code(session, "THCS-CATHAI"), display_name="Vũ Thị Lan")
        create_user(session, "hocsinh", role=Role.READER, password=PASSWORD, card_barcode="HS000123",
                    library=get_library_by_code(session, "TH-CATBA"), display_name="Phạm Gia Bảo")

    # the centre prepares the batch by scanning 30 copies
    sign_in(page, live_server, "thuthu")
    page.click("nav.menu a:has-text('Luân chuyển')")
    page.select_option("#stop0", label="Thư viện Trường Tiểu học Cát Bà (TH-CATBA)")
    page.select_option("#stop1", label="Thư viện Trường THCS Cát Hải (THCS-CATHAI)")
    page.fill("#days0", "30")
    page.fill("#days1", "20")
    page.fill("#notes", "Tủ sách luân chuyển học kỳ II")
    page.click("button:has-text('Tạo đợt sách')")
    assert "Đã tạo đợt LC-" in page.locator(".flash").last.inner_text()
    batch_url = page.url.split("#")[0]
    for code in COPIES:
        assert scan(page, "#barcode", code.lower()) == f"Đã thêm {code}."
    assert "quét hai lần" in scan(page, "#barcode", COPIES[0])
    assert page.locator("#copy-count").inner_text() == "30"
    page.click("button:has-text('Xuất đợt sách')")
    assert "Đã xuất đợt sách" in page.locator(".flash").last.inner_text()
    page.click("#handovers a:has-text('in')")
    assert "BIÊN BẢN GIAO NHẬN: XUẤT ĐỢT SÁCH LUÂN CHUYỂN" in page.locator("h1").inner_text().upper()
    assert page.locator(".paper tbody tr").count() == 30
    assert "Tổng cộng: 30 bản." in page.content() and "Đại diện bên nhận" in page.content()
    page.screenshot(path="/tmp/rotation-handover.png", full_page=True)
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    sign_out(page)

    # the primary school receives it, one copy short
    sign_in(page, live_server, "thuvien.tieuhoc")
    page.goto(batch_url)
    for code in COPIES:
        if code != MISSING:
            assert scan(page, "#barcode", code) == f"Đã nhận {code}."
    page.click("button:has-text('Hoàn tất nhận sách')")
    assert "đợt sách đang ở trường" in page.locator(".flash").last.inner_text()
    row = page.locator("#copies tr", has_text=MISSING)
    assert "thiếu" in row.inner_text()

    # a pupil borrows a rotated book at the school's desk and brings it back
    page.click("nav.menu a:has-text('Quầy mượn trả')")
    assert "Thư viện Trường Tiểu học Cát Bà" in page.locator("h1").inner_text()
    page.fill("#card", "HS000123")
    with page.expect_navigation():
        page.press("#card", "Enter")
    assert "Phạm Gia Bảo" in page.content()
    assert f"Đã cho Phạm Gia Bảo mượn {COPIES[0]}" in scan(page, "#checkout-barcode", COPIES[0])
    assert f"Đã nhận trả {COPIES[0]}" in scan(page, "#checkin-barcode", COPIES[0])
    page.screenshot(path="/tmp/rotation-desk.png", full_page=True)

    # passed on to the lower secondary school, which receives it
    page.goto(batch_url)
    page.click("button:has-text('Chuyển tiếp đến Thư viện Trường THCS Cát Hải')")
    assert "Đã chuyển tiếp" in page.locator(".flash").last.inner_text()
    sign_out(page)
    receive_at_second_school(demo, batch_url)  # scanning there is the same as above
    sign_in(page, live_server, "thuvien.thcs")
    page.goto(batch_url)
    assert "đang ở trường" in page.locator("h1").inner_text()
    page.click("button:has-text('Gửi trả về')")
    assert "Đã gửi trả đợt sách" in page.locator(".flash").last.inner_text()
    sign_out(page)

    # back at the centre: checked in copy by copy, the missing copy declared lost, closed
    sign_in(page, live_server, "thuthu")
    page.goto(batch_url)
    for code in COPIES:
        if code != MISSING:
            assert scan(page, "#barcode", code) == f"Đã nhận {code}."
    page.click("button:has-text('Hoàn tất kiểm nhận sách trả về')")
    page.click("button:has-text('Đóng đợt sách')")
    refusal = page.locator(".flash").last.inner_text()
    assert f"1 bản sách của đợt" in refusal and MISSING in refusal and "khai báo mất" in refusal
    page.select_option("#declare-barcode", MISSING)
    page.select_option("#declare-kind", "lost")
    page.fill("#declare-note", "Trường Tiểu học Cát Bà báo không nhận được khi mở thùng")
    page.click("#declare button:has-text('Khai báo')")
    page.click("button:has-text('Đóng đợt sách')")
    assert "Đã đóng đợt luân chuyển." in page.locator(".flash").last.inner_text()
    assert "đã đóng" in page.locator("h1").inner_text()
    story = page.locator("#story").inner_text()
    for step in ("Đã xuất", "Đã nhận", "Đã chuyển tiếp", "Đã gửi trả", "Khai báo mất", "Đã đóng"):
        assert step in story
    assert re.search(r"Thư viện Trường THCS Cát Hải", story)
    page.screenshot(path="/tmp/rotation-closed.png", full_page=True)
