"""Staff journeys in Chromium: a cataloguer catalogues a book, adds two copies and prints their
labels; a school librarian cannot change the centre's copy; five wrong passwords lock sign-in."""
from __future__ import annotations

import re

from sqlalchemy import select

from catalog.copies.items import Item, ItemStatus
from catalog.libraries import Library
from tests.app.staff_helpers import pdf_text


def sign_in(page, base: str, username: str, password: str = "hoclieu-demo") -> None:
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_cataloguer_creates_a_record_adds_two_copies_and_prints_labels(live_server, page, tmp_path):
    sign_in(page, live_server, "bienmuc")
    page.get_by_role("link", name="Nghiệp vụ", exact=True).click()  # the staff menu entry
    page.get_by_role("link", name="Biểu ghi mới (biểu mẫu)").click()
    page.get_by_label("Nhan đề chính").fill("Cẩm nang nghề biển Cát Hải")
    page.get_by_label("Tác giả (mỗi dòng một người)").fill("Vũ Thị Lan")
    page.get_by_label("Nhà xuất bản").fill("Nxb. Hải Phòng")
    page.get_by_label("Năm").fill("2024")
    page.get_by_label("ISBN (mỗi dòng một số)").fill("978-604-0000-00-2")
    page.get_by_label("Chỉ số phân loại").fill("639.2")
    page.get_by_label("Ký hiệu xếp giá", exact=True).fill("639.2 VU")
    page.screenshot(path=str(tmp_path / "record-form.png"), full_page=True)
    page.get_by_role("button", name="Lưu").click()
    assert page.get_by_role("heading", name="Cẩm nang nghề biển Cát Hải").is_visible()
    page.wait_for_load_state("load")  # the stylesheet decides the width; measure after it applies
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Mã vạch (gõ hoặc quét, mỗi dòng một mã)").fill("CH-0001\nCH-0002")
    page.get_by_role("button", name="Thêm bản sách").click()
    assert page.get_by_role("link", name="CH-0001").is_visible()
    assert page.get_by_role("link", name="CH-0002").is_visible()
    page.screenshot(path="/tmp/staff-copies.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="In nhãn (PDF)").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.name == "labels.pdf"
    text = pdf_text(saved.read_bytes())
    assert "CH-0001" in text and "CH-0002" in text and "639.2" in text and "Cẩm nang nghề biển" in text


def test_school_librarian_cannot_edit_the_centres_copy(live_server, page, demo):
    with demo.extensions["session_factory"]() as session:
        copy = session.scalars(select(Item).join(Library, Item.home_library_id == Library.id)
                               .where(Library.code == "TTVH").order_by(Item.id)).first()
        copy_id, barcode = copy.id, copy.barcode
    sign_in(page, live_server, "thuvien.tieuhoc")
    page.goto(f"{live_server}/staff/copies?barcode={barcode}")
    assert page.get_by_role("heading", name=re.compile(barcode)).is_visible()
    assert page.get_by_text("Bản sách này thuộc thư viện khác").is_visible()
    assert page.get_by_role("button", name="Lưu").count() == 0
    # Editing the request by hand is refused too.
    response = page.request.post(f"{live_server}/staff/copies/{copy_id}",
                                 form={"status": "lost", "location_id": "2", "call_number": "X", "notes": ""})
    assert response.status == 403
    assert "Bạn chỉ được sửa bản sách của thư viện mình" in response.text()
    with demo.extensions["session_factory"]() as session:
        assert session.get(Item, copy_id).status == ItemStatus.AVAILABLE


def test_five_wrong_passwords_lock_sign_in_with_a_message(live_server, page):
    for n in range(5):
        sign_in(page, live_server, "thuthu", f"sai-mat-khau-{n}")
    message = page.get_by_text("Đăng nhập sai quá nhiều lần")
    assert message.is_visible() and "15 phút" in message.inner_text()
    page.screenshot(path="/tmp/staff-locked.png", full_page=True)
    sign_in(page, live_server, "thuthu", "hoclieu-demo")  # the right password is refused while locked
    assert page.get_by_text("Đăng nhập sai quá nhiều lần").is_visible()
    assert page.get_by_role("button", name=re.compile("Đăng xuất")).count() == 0
