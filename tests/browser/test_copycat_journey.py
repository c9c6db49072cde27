"""A cataloguer copies a record with a barcode scanner alone: the ISBN field has the focus, the
scan ends with Enter, the focus is back in the field with the results shown; she opens a
candidate, edits it in the MARC view, saves it and finds the new record with its 035."""
from __future__ import annotations

from catalog.copycat.services import TargetDraft, save_target
from catalog.db import utcnow
from catalog.accounts.users import find_user
from tests.browser.test_staff_journeys import sign_in
from tests.copycat_servers import closed_port, yaz_ztest


def test_cataloguer_scans_an_isbn_picks_a_candidate_edits_and_saves(live_server, desktop_page, session, tmp_path):
    page = desktop_page
    with yaz_ztest(tmp_path) as port:
        admin = find_user(session, "admin")
        save_target(session, admin, TargetDraft(name="Máy thử YAZ", protocol="z3950", host="127.0.0.1", port=port,
                                                database="Default", org_code="ZTEST", timeout=3), now=utcnow())
        save_target(session, admin, TargetDraft(name="Không chạy", protocol="z3950", host="127.0.0.1",
                                                port=closed_port(), timeout=2), now=utcnow())
        session.commit()
        sign_in(page, live_server, "bienmuc")
        page.goto(live_server + "/staff/")
        page.get_by_role("link", name="Biên mục sao chép (Z39.50 / SRU)").click()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'copycat-q'")
        page.keyboard.type("9791234567896")  # what a scanner types, then Enter
        page.keyboard.press("Enter")
        page.wait_for_selector("li.candidate")
        # ready for the next scan: the field has the focus again
        page.wait_for_function("document.activeElement && document.activeElement.id === 'copycat-q'")
        assert page.input_value("#copycat-q") == ""
        assert "Không kết nối được với nguồn" in page.locator("section.copycat-target").nth(0).inner_text()
        page.screenshot(path=str(tmp_path / "copycat-results.png"), full_page=True)
        page.locator("li.candidate").first.get_by_role("button", name="Mở trong dạng MARC").click()
    marc = page.locator("textarea#marc")
    text = marc.input_value()
    assert "035 ## $a(ZTEST)11224466" in text and "003 ZTEST" in text
    marc.fill(text.replace("$aHow to program a computer", "$aHow to program a computer : for beginners"))
    page.get_by_role("button", name="Lưu thành biểu ghi mới").click()
    page.wait_for_url("**/staff/records/*/marc")
    assert "từ Máy thử YAZ" in page.locator(".flash").first.inner_text()
    saved = page.locator("textarea#marc").input_value()
    assert "035 ## $a(ZTEST)11224466" in saved and "for beginners" in saved
    record_id = page.url.rstrip("/").split("/")[-2]
    page.goto(f"{live_server}/staff/records/{record_id}/history")
    assert "copy cataloguing from Máy thử YAZ" in page.locator("main").inner_text()
