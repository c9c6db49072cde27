"""The offline desk in Chromium: a school librarian prepares the desk, the link drops (Playwright's
offline mode), the page is reloaded with no connection, 20 copies are lent, visitors counted and a
rotation batch received with one copy missing;
meanwhile the same copy the device lends last is lent at the centre's desk. Back online, the desk
syncs by itself and the loans are in the database with their original times and due dates, the
conflict listed for a decision. Then the same kind of queue carried as a file to the centre."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from catalog.reports import activity
from catalog.rotation import batches
from catalog import clock
from catalog.circulation import lending
from catalog.circulation.models import Loan
from catalog.db import utcnow
from catalog.copies.items import add_item
from catalog.libraries import get_library_by_code
from catalog.offline.models import ActionStatus, ConflictKind, OfflineAction, OfflineDevice
from catalog.rotation.models import RotationBatch, RotationDiscrepancy
from catalog.records.models import RecordDraft, create_record
from catalog.accounts.users import Role, create_user, find_user

PASSWORD = "hoclieu-demo"
READERS = [f"HS{n:03d}" for n in range(6)]
COPIES = [f"OFF{n:03d}" for n in range(24)]
BATCH = [f"TTVH{n:05d}1" for n in range(1, 6)]  # the centre's first copy of five demo titles


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def school_desk(demo) -> None:
    with demo.extensions["session_factory"].begin() as session:
        school = get_library_by_code(session, "TH-CATBA")
        for n, card in enumerate(READERS):
            create_user(session, f"hocsinh{n}", role=Role.READER, password=PASSWORD, card_barcode=card,
                        library=school, display_name=f"Phạm Gia Bảo {n}")
        for n, code in enumerate(COPIES):
            record = create_record(session, RecordDraft(title=f"Truyện đọc lớp {n % 5 + 1} tập {n}"))
            add_item(session, record, barcode=code, library=school)
        batch = batches.create_batch(session, origin=get_library_by_code(session, "TTVH"), stops=[(school, 30)],
                                     now=utcnow())
        for code in BATCH:
            batches.add_copy(session, batch, code, now=utcnow())
        batches.dispatch(session, batch, now=utcnow())


def prepare_and_go_offline(page, base: str, app, username: str = "thuvien.tieuhoc") -> list[str]:
    """Prepare the desk of the librarian's library (the school's by default), cut the link and
    reload; returns the paths the server is asked for from then on (nothing, while offline)."""
    sign_in(page, base, username)
    page.goto(f"{base}/staff/circulation")
    page.click("button:has-text('Chuẩn bị thiết bị này để làm việc ngoại tuyến')")
    page.wait_for_url("**/staff/offline/desk")
    page.wait_for_selector("#offline-work:not([hidden])")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    asked: list[str] = []
    served = app.wsgi_app

    def counting(environ, start_response):
        # The browser's own update check of the service worker script escapes Playwright's offline
        # emulation; any page, data or sync request would show here.
        if environ["PATH_INFO"] != "/staff/sw.js":
            asked.append(environ["PATH_INFO"])
        return served(environ, start_response)

    app.wsgi_app = counting
    page.reload()  # the service worker answers with the page it keeps
    page.wait_for_selector("#offline-work:not([hidden])")
    page.wait_for_function("() => document.querySelector('#offline-status').textContent.includes('Ngoại tuyến')")
    assert page.evaluate("() => fetch('/healthz').then(() => 'up', () => 'down')") == "down"
    return asked


def lend(page, card: str, barcode: str) -> str:
    if page.input_value("#offline-card") != card:
        page.fill("#offline-card", card)
        page.press("#offline-card", "Enter")
    assert page.evaluate("document.activeElement.id") == "offline-lend"
    page.fill("#offline-lend", barcode)
    page.press("#offline-lend", "Enter")
    page.wait_for_function("(code) => document.querySelector('#offline-log li')?.textContent.includes(code)",
                           arg=barcode)
    assert page.evaluate("document.activeElement.id") == "offline-lend"  # the scanner's next copy goes there
    return page.inner_text("#offline-log li:first-child")


def test_an_offline_school_desk_lends_counts_and_syncs(demo, live_server, desktop_page):
    page = desktop_page
    school_desk(demo)
    asked = prepare_and_go_offline(page, live_server, demo)
    started = utcnow().replace(microsecond=0)
    for n, barcode in enumerate(COPIES[:20]):
        assert "Đã cho" in lend(page, READERS[n // 5], barcode)
    assert "mức tối đa" in lend(page, READERS[3], COPIES[21])  # a sixth copy for HS003: refused on the device
    page.fill("#offline-visit-count", "3")
    page.select_option("#offline-visit-group", "children")
    page.press("#offline-visit-count", "Enter")
    assert "Đã cho" in lend(page, READERS[4], COPIES[20])
    for code in BATCH[:4]:  # the rotation batch arrives with one copy missing
        page.fill("#offline-receive", code)
        page.press("#offline-receive", "Enter")
        page.wait_for_function("(code) => document.querySelector('#offline-log li')?.textContent.includes(code)",
                               arg=code)
        assert page.evaluate("document.activeElement.id") == "offline-receive"
    assert "4/5" in page.inner_text("#offline-receipt-count")
    page.click("#offline-finish")
    page.wait_for_function("() => document.querySelector('#offline-receipt').hidden")
    assert "1 bản chưa quét" in page.inner_text("#offline-log li:first-child")
    assert "27 thao tác đang chờ đồng bộ" in page.inner_text("#offline-waiting")
    page.reload()  # still offline: the queue and the desk survive a reload
    page.wait_for_function("() => document.querySelector('#offline-waiting').textContent.includes('27 thao tác')")
    assert asked == []  # everything above ran on the device alone
    finished = utcnow().replace(microsecond=0) + dt.timedelta(seconds=1)
    with demo.extensions["session_factory"].begin() as session:  # meanwhile, at another desk
        school = get_library_by_code(session, "TH-CATBA")
        lending.checkout(session, reader=find_user(session, "hocsinh5"), barcode=COPIES[20], library=school,
                         now=utcnow())

    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelector('#offline-waiting').textContent.includes('Không có thao tác')",
                           timeout=30_000)
    assert "26 đã áp dụng, 1 cần quyết định" in page.inner_text("#offline-report")
    with demo.extensions["session_factory"]() as session:
        loans = {loan.item.barcode: loan for loan in session.scalars(select(Loan))}
        for n, barcode in enumerate(COPIES[:20]):
            loan = loans[barcode]
            assert loan.reader.card_barcode == READERS[n // 5]
            assert started - dt.timedelta(seconds=1) <= loan.checked_out_at <= finished
            assert loan.due_at == loan.checked_out_at + dt.timedelta(days=21)
        assert loans[COPIES[20]].reader.card_barcode == READERS[5]
        conflict = session.scalar(select(OfflineAction).where(OfflineAction.barcode == COPIES[20]))
        assert conflict.status == ActionStatus.CONFLICT and conflict.conflict == ConflictKind.LENT_ELSEWHERE
        school = get_library_by_code(session, "TH-CATBA")
        tally = activity.get_tally(session, school.id, clock.today("Asia/Ho_Chi_Minh"))
        assert tally.total == 3 and tally.groups == {"children": 3}
        batch = session.scalar(select(RotationBatch))
        assert batch.status.value == "at_school" and started <= batch.received_at <= finished
        missing = session.scalars(select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch.id))
        assert [(d.kind.value, d.item.barcode) for d in missing] == [("missing", BATCH[4])]
    page.click("#offline-report a")
    assert "cần quyết định" in page.inner_text("main") and COPIES[20] in page.inner_text("main")


def test_the_queue_carried_as_a_file_to_the_centre(demo, live_server, desktop_page, browser, tmp_path):
    page = desktop_page
    school_desk(demo)
    asked = prepare_and_go_offline(page, live_server, demo)
    lend(page, READERS[0], COPIES[0])
    lend(page, READERS[1], COPIES[1])
    with page.expect_download() as download:
        page.click("#offline-export")
    path = tmp_path / "queue.json"
    download.value.save_as(path)
    assert asked == []
    assert json.loads(path.read_text())["format"] == "hoclieu-offline-queue"

    centre = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = centre.new_page()
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/staff/offline/")
    admin.set_input_files("#queue-file", str(path))
    admin.click("form[action$='/staff/offline/import'] button")
    admin.wait_for_load_state()
    assert "Đã nhập: 2 đã áp dụng, 0 cần quyết định" in admin.inner_text("main")
    centre.close()

    page.context.set_offline(False)  # the device syncs later: nothing is applied twice
    page.wait_for_function("() => document.querySelector('#offline-waiting').textContent.includes('Không có thao tác')",
                           timeout=30_000)
    assert "2 đã áp dụng từ trước" in page.inner_text("#offline-report")
    with demo.extensions["session_factory"]() as session:
        assert sorted(loan.item.barcode for loan in session.scalars(select(Loan))) == COPIES[:2]
    # signing out wipes the device: its data, its kept pages, and the server no longer trusts it
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_url(f"{live_server}/")
    assert "hoclieu-offline" not in page.evaluate("indexedDB.databases().then((d) => d.map((x) => x.name))")
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    with demo.extensions["session_factory"]() as session:
        assert session.scalar(select(OfflineDevice)).revoked_at is not None


EXPIRE = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open("hoclieu-offline", 1); r.onsuccess = () => ok(r.result); });
  await new Promise((ok) => {
    const tx = db.transaction("kv", "readwrite");
    const store = tx.objectStore("kv");
    store.get("device").onsuccess = (e) => store.put({ ...e.target.result, expires_at: "2020-01-01T00:00:00Z" }, "device");
    tx.oncomplete = ok;
  });
  db.close();
}"""
KEPT = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open("hoclieu-offline", 1); r.onsuccess = () => ok(r.result); });
  const keys = await new Promise((ok) => { const r = db.transaction("kv").objectStore("kv").getAllKeys(); r.onsuccess = () => ok(r.result); });
  db.close();
  return keys.sort();
}"""


def test_expired_offline_data_is_wiped_but_waiting_actions_are_kept(demo, live_server, desktop_page):
    page = desktop_page
    school_desk(demo)
    prepare_and_go_offline(page, live_server, demo)
    lend(page, READERS[0], COPIES[0])
    page.evaluate(EXPIRE)  # as if the device's days had run out
    page.reload()
    page.wait_for_selector("#offline-unprepared:not([hidden])")
    text = page.inner_text("#offline-unprepared-text")
    assert "đã hết hạn" in text and "Vẫn còn giữ 1 thao tác" in text
    assert page.is_hidden("#offline-work")
    kept = page.evaluate(KEPT)
    assert "pack" not in kept and "local" not in kept and {"device", "queue"} <= set(kept)


SUBMIT_HELD = """() => { const form = document.querySelector('form[action$="/logout"]');
  const event = new Event('submit', {cancelable: true}); form.dispatchEvent(event); return event.defaultPrevented; }"""


def test_signing_out_without_offline_data_goes_at_once(demo, live_server, desktop_page):
    """Only a browser holding offline desk data waits at sign-out (to sync and wipe); any other
    sign-out is the plain form post. Held every time, it raced the next navigation (a test's goto
    right after signing out was aborted)."""
    page = desktop_page
    sign_in(page, live_server, "thuvien.tieuhoc")
    page.goto(f"{live_server}/staff/circulation")
    assert page.evaluate(SUBMIT_HELD) is False
    page.get_by_role("button", name="Đăng xuất (thuvien.tieuhoc)").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/login")
    assert page.locator("input[name=username]").count() == 1
