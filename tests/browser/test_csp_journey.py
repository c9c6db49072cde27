"""Issue 13.3 in Chromium: the Content-Security-Policy blocks nothing the pages need (scripts are
static files), the handover record's Print button still prints, and a hostile 856 link on a
record page is plain text a reader cannot click."""
from __future__ import annotations

from catalog.rotation import batches
from catalog.db import utcnow
from catalog.libraries import get_library_by_code
from tests.ingest.marc_fixtures import book, df, iso

PASSWORD = "hoclieu-demo"


def dispatched_batch(app) -> tuple[int, int]:
    """A batch of two copies sent to the primary school: (batch id, dispatch event id)."""
    with app.extensions["session_factory"].begin() as session:
        batch = batches.create_batch(session, origin=get_library_by_code(session, "TTVH"),
                                     stops=[(get_library_by_code(session, "TH-CATBA"), 30)], now=utcnow())
        for code in ("TTVH000011", "TTVH000021"):
            batches.add_copy(session, batch, code, now=utcnow())
        event = batches.dispatch(session, batch, now=utcnow())
        return batch.id, event.id


def test_pages_run_under_the_policy_and_print_still_prints(demo, live_server, desktop_page, tmp_path):
    page = desktop_page
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    batch_id, event_id = dispatched_batch(demo)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "thuthu")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    for path in ("/", "/search?q=t%C3%B4m", "/records/1", "/staff/", "/staff/rotation"):
        page.goto(live_server + path)
    page.goto(f"{live_server}/staff/rotation/{batch_id}/handover/{event_id}")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1
    assert violations == []


def test_a_hostile_record_link_cannot_be_clicked(demo, live_server, page, tmp_path):
    path = tmp_path / "x.mrc"
    path.write_bytes(iso(book("EVIL2", "Liên kết độc", extra=[
        df("856", "40", "u", "JaVaScRiPt:document.title='hacked'", "y", "Đọc ngay"),
        df("856", "40", "u", "https://thuvien.example.vn/", "y", "Trang thư viện")])))
    assert demo.test_cli_runner().invoke(args=["import-marc", str(path)]).exit_code == 0
    page.goto(f"{live_server}/search?q=li%C3%AAn+k%E1%BA%BFt+%C4%91%E1%BB%99c")
    page.click("h2 a:has-text('Liên kết độc')")
    assert page.locator("a:has-text('Đọc ngay')").count() == 0
    assert page.locator("dd:has-text('Đọc ngay')").count() == 1
    assert page.locator("a:has-text('Trang thư viện')").get_attribute("href") == "https://thuvien.example.vn/"
