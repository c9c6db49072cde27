"""Staff at work in Chromium (issue 16): a scanner's next read lands in the scan field on every
rotation page, each role sees only the tools it may open, tables fit a 1366 px screen."""
from __future__ import annotations

from catalog.rotation import batches
from catalog.db import utcnow
from catalog.libraries import get_library_by_code
from tests.browser.test_staff_journeys import sign_in

COPIES = {state: [f"TTVH{n:05d}1" for n in range(first, first + 3)]  # the centre's first copies
          for state, first in (("draft", 1), ("dispatched", 4), ("returning", 7))}


def scanner_reads(page, code: str) -> str:
    """What a USB scanner does: type into whatever has the focus, then Enter; no click first."""
    assert page.evaluate("document.activeElement.id") == "barcode", page.url
    with page.expect_navigation():
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    return page.locator(".flash").last.inner_text()


def _batch(demo, state: str) -> int:
    """A batch from the centre to the primary school, taken to `state` through the services."""
    with demo.extensions["session_factory"].begin() as session:
        centre, school = get_library_by_code(session, "TTVH"), get_library_by_code(session, "TH-CATBA")
        batch = batches.create_batch(session, origin=centre, stops=[(school, 30)], now=utcnow())
        if state != "draft":
            for code in COPIES[state]:
                batches.add_copy(session, batch, code, now=utcnow())
            batches.dispatch(session, batch, now=utcnow())
        if state == "returning":
            for code in COPIES[state]:
                batches.receive_copy(session, batch, code, library=school, now=utcnow())
            batches.finish_receipt(session, batch, library=school, now=utcnow())
            batches.send_back(session, batch, now=utcnow())
        session.flush()
        return batch.id


def test_every_rotation_scan_page_keeps_the_cursor_in_the_scan_field(demo, live_server, page):
    sign_in(page, live_server, "thuthu")
    for state, done in (("draft", "Đã thêm {code}."), ("dispatched", "Đã nhận {code}."),
                        ("returning", "Đã nhận {code}.")):
        batch_id = _batch(demo, state)
        page.goto(f"{live_server}/staff/rotation/{batch_id}")
        page.click("#barcode")  # the first read after opening the page: the librarian clicks once
        codes = COPIES[state]
        first = scanner_reads(page, codes[0])
        second = scanner_reads(page, codes[1])  # no click: the focus must still be in the field
        third = scanner_reads(page, codes[2])
        assert (state, first, second, third) == (state, *(done.format(code=c) for c in codes))


CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = el;
  while (back && (getComputedStyle(back).backgroundColor === 'rgba(0, 0, 0, 0)')) back = back.parentElement;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(back ? getComputedStyle(back).backgroundColor : 'rgb(255,255,255)'));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _hold_for_the_demo_reader(demo) -> None:
    from sqlalchemy import select

    from catalog.circulation.lending import place_hold
    from catalog.records.models import Record
    from catalog.accounts.users import find_user

    with demo.extensions["session_factory"].begin() as session:
        record = session.scalars(select(Record).order_by(Record.id)).first()
        place_hold(session, reader=find_user(session, "bandoc"), record=record,
                   library=get_library_by_code(session, "TTVH"), now=utcnow())


def test_the_cancel_hold_button_can_be_read_on_the_account_page_and_at_the_desk(demo, live_server, desktop_page):
    page = desktop_page
    _hold_for_the_demo_reader(demo)
    sign_in(page, live_server, "bandoc")
    page.goto(live_server + "/account")
    mine = page.get_by_role("button", name="Hủy", exact=True).first.evaluate(CONTRAST)
    page.click("header button:has-text('Đăng xuất')")
    sign_in(page, live_server, "thuthu")
    page.goto(live_server + "/staff/circulation?card=BD000001")
    desk = page.get_by_role("button", name="Hủy", exact=True).first.evaluate(CONTRAST)
    assert (round(mine, 1) >= 4.5, round(desk, 1) >= 4.5) == (True, True), (mine, desk)


def test_report_and_plan_tables_fit_a_1366_px_screen(demo, live_server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    sign_in(page, live_server, "admin")
    clipped = {}
    for path in ("/staff/reports/", "/staff/reports/plan", "/staff/reports/?group=type",
                 "/staff/reports/events", "/staff/reports/visits"):
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        widths = page.eval_on_selector_all(
            "main table", "ts => ts.map(t => { const box = t.closest('.scroll') || t.parentElement;"
            " return [box.scrollWidth, box.clientWidth, t.scrollWidth]; })")
        assert widths, path
        clipped.update({f"{path} table {n}": w for n, w in enumerate(widths) if w[0] > w[1] or w[2] > w[1]})
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
    context.close()
    assert clipped == {}
