"""The centre's offline desk in Chromium: a rotation batch a school sent back is checked in with
no connection (one copy missing), the rotation page's address opens the offline desk; meanwhile
the librarian's sessions are ended, so the sync that follows says plainly to sign in again and
keeps the queue; after signing in the sync goes on and the return is in the database."""
from __future__ import annotations

from sqlalchemy import select

from catalog.accounts.users import end_sessions, find_user
from catalog.db import utcnow
from catalog.libraries import get_library_by_code
from catalog.rotation import batches
from catalog.rotation.models import RotationBatch, RotationDiscrepancy
from tests.browser.test_offline_journey import BATCH, PASSWORD, prepare_and_go_offline

SENT_BACK = BATCH[:3]


def batch_sent_back(app) -> int:
    """A batch the centre sent to the primary school, received there and sent back."""
    with app.extensions["session_factory"].begin() as session:
        school = get_library_by_code(session, "TH-CATBA")
        batch = batches.create_batch(session, origin=get_library_by_code(session, "TTVH"), stops=[(school, 30)],
                                     now=utcnow())
        for code in SENT_BACK:
            batches.add_copy(session, batch, code, now=utcnow())
        batches.dispatch(session, batch, now=utcnow())
        for code in SENT_BACK:
            batches.receive_copy(session, batch, code, library=school, now=utcnow())
        batches.finish_receipt(session, batch, library=school, now=utcnow())
        batches.send_back(session, batch, now=utcnow())
        return batch.id


def scan_back(page, code: str) -> None:
    page.fill("#offline-back-scan", code)
    page.press("#offline-back-scan", "Enter")
    page.wait_for_function("(code) => document.querySelector('#offline-log li')?.textContent.includes(code)",
                           arg=code)
    assert page.evaluate("document.activeElement.id") == "offline-back-scan"


def test_the_centre_checks_a_batch_in_offline_and_syncs_after_signing_in_again(demo, live_server, desktop_page):
    page = desktop_page
    batch_id = batch_sent_back(demo)
    asked = prepare_and_go_offline(page, live_server, demo, "thuthu")
    page.goto(f"{live_server}/staff/rotation/{batch_id}")  # the batch's page, offline: the desk opens
    page.wait_for_selector("#offline-back:not([hidden])")
    started = utcnow().replace(microsecond=0)
    scan_back(page, SENT_BACK[0])
    scan_back(page, SENT_BACK[2])
    assert "2/3" in page.inner_text("#offline-back-count")
    page.click("#offline-back-finish")
    page.wait_for_function("() => document.querySelector('#offline-back').hidden")
    assert "1 bản chưa quét" in page.inner_text("#offline-log li:first-child")
    assert "3 thao tác đang chờ đồng bộ" in page.inner_text("#offline-waiting")
    assert asked == []
    with demo.extensions["session_factory"].begin() as session:  # the session ends while the device is away
        end_sessions(find_user(session, "thuthu"))

    page.context.set_offline(False)
    page.wait_for_selector("#offline-signin:not([hidden])", timeout=30_000)
    banner = page.inner_text("#offline-signin")
    assert "hãy đăng nhập lại để đồng bộ" in banner and "3 thao tác đang chờ vẫn được giữ" in banner
    assert "3 thao tác đang chờ đồng bộ" in page.inner_text("#offline-waiting")
    with demo.extensions["session_factory"]() as session:
        assert session.get(RotationBatch, batch_id).returned_at is None

    page.click("#offline-signin a")
    page.fill("input[name=username]", "thuthu")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/staff/offline/desk")
    page.wait_for_function("() => document.querySelector('#offline-waiting').textContent.includes('Không có thao tác')",
                           timeout=30_000)
    assert page.is_hidden("#offline-signin")
    assert "3 đã áp dụng, 0 cần quyết định" in page.inner_text("#offline-report")
    with demo.extensions["session_factory"]() as session:
        batch = session.get(RotationBatch, batch_id)
        assert batch.returned_at is not None and batch.returned_at >= started
        assert {e.item.barcode: e.state.value for e in batch.items} == {
            SENT_BACK[0]: "returned", SENT_BACK[1]: "missing", SENT_BACK[2]: "returned"}
        found = session.scalars(select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch_id))
        assert [(d.kind.value, d.stage, d.item.barcode) for d in found] == [("missing", "return", SENT_BACK[1])]
