"""One clock: stored times are UTC, pages show them in the library's zone (LIBRARY_TIMEZONE,
default Asia/Ho_Chi_Minh). 17:30 UTC on 1 December is 00:30 on 2 December in Vietnam."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from catalog import clock
from catalog.circulation import lending
from catalog.audit import log_change
from catalog.libraries import Library
from catalog.records.models import Record
from catalog.accounts.users import User
from tests.conftest import login

JUST_AFTER_MIDNIGHT = dt.datetime(2026, 12, 1, 17, 30)  # UTC, naive as stored


def test_the_library_day_starts_at_midnight_in_its_zone():
    assert clock.today("Asia/Ho_Chi_Minh", at=JUST_AFTER_MIDNIGHT) == dt.date(2026, 12, 2)
    assert clock.today("UTC", at=JUST_AFTER_MIDNIGHT) == dt.date(2026, 12, 1)


def _sample(app):
    with app.extensions["session_factory"].begin() as session:
        reader = session.scalar(select(User).where(User.username == "bandoc"))
        record = session.scalars(select(Record).order_by(Record.id)).first()
        centre = session.scalar(select(Library).where(Library.code == "TTVH"))
        lending.place_hold(session, reader=reader, record=record, library=centre, now=JUST_AFTER_MIDNIGHT)
        log_change(session, None, "record", record.id, "update", {"title": "Cũ"}, {"title": record.title},
                   JUST_AFTER_MIDNIGHT)
        return record.id, centre.id


def test_a_hold_placed_just_after_midnight_is_dated_that_day(demo):
    record_id, centre_id = _sample(demo)
    client = demo.test_client()
    login(client, "bandoc")
    page = client.post("/holds", data={"record": record_id, "library": centre_id, "next": "/account"},
                       follow_redirects=True).get_data(as_text=True)
    assert "02/12/2026" in page and "01/12/2026" not in page


def test_a_change_just_after_midnight_shows_the_library_date_and_time(demo):
    record_id, _centre = _sample(demo)
    client = demo.test_client()
    login(client, "bienmuc")
    page = client.get(f"/staff/records/{record_id}/history").get_data(as_text=True)
    assert "02/12/2026 00:30" in page
    assert "2026-12-01" not in page and "01/12/2026" not in page


def test_the_time_zone_is_a_setting(app_overrides, tmp_path):
    from app import create_app

    app = create_app({**app_overrides, "TIMEZONE": "UTC"})
    try:
        with app.test_request_context():
            from app.display.dates import show_time

            assert show_time(JUST_AFTER_MIDNIGHT) == "01/12/2026 17:30"
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_the_annual_report_is_dated_the_formal_way(demo):
    from app.display.dates import library_today
    from tests.app.staff_helpers import pdf_text

    client = demo.test_client()
    login(client, "admin")
    response = client.get("/staff/reports/annual.pdf")
    with demo.test_request_context():
        today = library_today()
    text = " ".join(pdf_text(response.data).split())
    assert f"Lập ngày {today:%d} tháng {today:%m} năm {today:%Y} từ số liệu" in text


def test_the_handover_record_is_dated_the_formal_way_in_the_library_zone(demo):
    from catalog.rotation import batches
    from catalog.copies.items import Item, ItemStatus
    from tests.app.staff_helpers import pdf_text

    with demo.extensions["session_factory"].begin() as session:
        centre = session.scalar(select(Library).where(Library.code == "TTVH"))
        school = session.scalar(select(Library).where(Library.code == "TH-CATBA"))
        copy = session.scalars(select(Item).where(Item.current_library_id == centre.id,
                                                  Item.status == ItemStatus.AVAILABLE).order_by(Item.id)).first()
        batch = batches.create_batch(session, origin=centre, stops=[(school, 30)], now=JUST_AFTER_MIDNIGHT,
                                     due_back_on=dt.date(2027, 1, 5))
        batches.add_copy(session, batch, copy.barcode, now=JUST_AFTER_MIDNIGHT)
        event = batches.dispatch(session, batch, now=JUST_AFTER_MIDNIGHT)
        session.flush()
        batch_id, event_id = batch.id, event.id
    client = demo.test_client()
    login(client, "thuthu")
    response = client.get(f"/staff/rotation/{batch_id}/handover/{event_id}.pdf")
    text = " ".join(pdf_text(response.data).split())
    assert "Ngày 02 tháng 12 năm 2026, 00:30" in text
    assert "ngày 05 tháng 01 năm 2027" in text  # due back
