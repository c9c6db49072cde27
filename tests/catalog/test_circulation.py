"""Circulation services: loans with due dates from the rules, renewals, returns anywhere with
transit home, holds, refusals that say what to do, and events for every step."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from catalog.circulation import lending, loan_lists
from catalog.circulation.models import CirculationEvent, EventKind, HoldStatus, Transit
from catalog.copies.items import ItemStatus
from catalog.circulation.lending import CirculationRefused, ItemNotAvailable, ReaderBlocked, ReaderNotFound, UnknownBarcode
from tests.catalog.test_circulation_support import NOW, build_world


@pytest.fixture
def w(session):
    return build_world(session, copies=8)


def kinds(session):
    return [e.kind for e in session.scalars(select(CirculationEvent).order_by(CirculationEvent.id))]


def test_checkout_uses_the_most_specific_rule(session, w):
    lending.set_loan_rule(session, library=None, item_type=None, loan_days=30, renewals_allowed=1, max_loans=3)
    lending.set_loan_rule(session, library=w.centre, item_type="book", loan_days=14, renewals_allowed=2, max_loans=3)
    loan = lending.checkout(session, reader=w.reader, barcode="c0000 ", library=w.centre, now=NOW)
    assert loan.due_at == NOW + dt.timedelta(days=14)
    # the centre's rule covers its reading point too
    loan = lending.checkout(session, reader=w.reader, barcode="P0001", library=w.point, now=NOW)
    assert loan.due_at == NOW + dt.timedelta(days=14)
    # a school falls back to the rule for every library
    loan = lending.checkout(session, reader=w.pupil, barcode="S0001", library=w.school, now=NOW)
    assert loan.due_at == NOW + dt.timedelta(days=30)
    assert w.item("C0000").status == ItemStatus.ON_LOAN
    assert kinds(session) == [EventKind.CHECKOUT] * 3


def test_without_rules_the_default_applies(session, w):
    loan = lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    assert loan.due_at == NOW + dt.timedelta(days=lending.DEFAULT_RULE[0])


def test_max_loans_is_enforced(session, w):
    lending.set_loan_rule(session, library=w.centre, item_type=None, loan_days=7, renewals_allowed=0, max_loans=2)
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    lending.checkout(session, reader=w.reader, barcode="C0002", library=w.centre, now=NOW)
    with pytest.raises(CirculationRefused, match="the most allowed here \\(2\\)"):
        lending.checkout(session, reader=w.reader, barcode="C0003", library=w.centre, now=NOW)


def test_refusals_say_what_to_do(session, w):
    with pytest.raises(UnknownBarcode, match="No copy has the barcode NOPE"):
        lending.checkout(session, reader=w.reader, barcode="nope", library=w.centre, now=NOW)
    with pytest.raises(ReaderNotFound, match="register the reader first"):
        lending.find_reader(session, "XX99")
    with pytest.raises(ReaderBlocked, match="sách quá hạn 3 tháng.*block is lifted"):
        lending.checkout(session, reader=w.blocked, barcode="C0001", library=w.centre, now=NOW)
    with pytest.raises(ItemNotAvailable, match="belongs at Trường Tiểu học A, not at this desk"):
        lending.checkout(session, reader=w.reader, barcode="S0001", library=w.centre, now=NOW)
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    with pytest.raises(ItemNotAvailable, match="already lent to this reader \\(scanned twice\\?\\)"):
        lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    with pytest.raises(ItemNotAvailable, match="on loan to another reader .*check it in"):
        lending.checkout(session, reader=w.pupil, barcode="C0001", library=w.centre, now=NOW)
    assert kinds(session) == [EventKind.CHECKOUT]


def test_renewal_within_limits(session, w):
    lending.set_loan_rule(session, library=None, item_type=None, loan_days=10, renewals_allowed=1, max_loans=5)
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    later = NOW + dt.timedelta(days=8)
    loan = lending.renew(session, barcode="C0001", library=w.centre, now=later)
    assert loan.renewals == 1 and loan.due_at == NOW + dt.timedelta(days=20)
    with pytest.raises(CirculationRefused, match="renewed 1 times, the most allowed"):
        lending.renew(session, barcode="C0001", library=w.centre, now=later)
    with pytest.raises(CirculationRefused, match="nothing to renew"):
        lending.renew(session, barcode="C0002", library=w.centre, now=later)


def test_renewal_refused_when_another_reader_waits(session, w):
    lending.checkout(session, reader=w.reader, barcode="C0003", library=w.centre, now=NOW)
    lending.place_hold(session, reader=w.pupil, record=w.item("C0003").record, library=w.centre, now=NOW)
    with pytest.raises(CirculationRefused, match="Another reader is waiting"):
        lending.renew(session, barcode="C0003", library=w.centre, now=NOW)


def test_checkin_elsewhere_goes_in_transit_home_and_is_received_there(session, w):
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    result = lending.checkin(session, barcode="C0001", library=w.school, now=NOW + dt.timedelta(days=3))
    assert result.loan.returned_library_id == w.school.id
    assert result.transit.to_library_id == w.centre.id
    item = w.item("C0001")
    assert item.status == ItemStatus.IN_TRANSIT and item.current_library_id == w.school.id
    with pytest.raises(CirculationRefused, match="in transit to Trung tâm: it is received there"):
        lending.checkin(session, barcode="C0001", library=w.point, now=NOW)
    result = lending.checkin(session, barcode="C0001", library=w.centre, now=NOW + dt.timedelta(days=4))
    assert result.received_transit is not None and result.transit is None
    assert item.status == ItemStatus.AVAILABLE and item.current_library_id == w.centre.id
    assert session.scalar(select(Transit).where(Transit.received_at.is_(None))) is None
    with pytest.raises(CirculationRefused, match="nothing to check in \\(scanned twice\\?\\)"):
        lending.checkin(session, barcode="C0001", library=w.centre, now=NOW)
    assert kinds(session) == [EventKind.CHECKOUT, EventKind.CHECKIN, EventKind.TRANSIT_SENT,
                              EventKind.TRANSIT_RECEIVED]


def test_hold_is_filled_on_return_and_collected_by_its_reader(session, w):
    record = w.item("C0002").record
    lending.checkout(session, reader=w.reader, barcode="C0002", library=w.centre, now=NOW)
    hold = lending.place_hold(session, reader=w.pupil, record=record, library=w.centre, now=NOW)
    with pytest.raises(CirculationRefused, match="already has a hold"):
        lending.place_hold(session, reader=w.pupil, record=record, library=w.centre, now=NOW)
    result = lending.checkin(session, barcode="C0002", library=w.centre, now=NOW + dt.timedelta(days=1))
    assert result.hold is hold and hold.status == HoldStatus.READY and hold.item.barcode == "C0002"
    with pytest.raises(ItemNotAvailable, match="set aside for another reader's hold"):
        lending.checkout(session, reader=w.reader, barcode="C0002", library=w.centre, now=NOW)
    lending.checkout(session, reader=w.pupil, barcode="C0002", library=w.centre, now=NOW + dt.timedelta(days=2))
    assert hold.status == HoldStatus.COLLECTED
    assert EventKind.HOLD_FILLED in kinds(session) and EventKind.HOLD_COLLECTED in kinds(session)


def test_fill_and_cancel_hold_at_the_desk(session, w):
    record = w.item("C0004").record
    with pytest.raises(CirculationRefused, match="No reader is waiting"):
        lending.fill_hold(session, barcode="C0004", library=w.centre, now=NOW)
    hold = lending.place_hold(session, reader=w.reader, record=record, library=w.centre, now=NOW)
    assert lending.fill_hold(session, barcode="C0004", library=w.centre, now=NOW) is hold
    with pytest.raises(CirculationRefused, match="already set aside"):
        lending.fill_hold(session, barcode="C0004", library=w.centre, now=NOW)
    lending.cancel_hold(session, hold, now=NOW)
    assert hold.status == HoldStatus.CANCELLED and lending.ready_hold(session, w.item("C0004")) is None
    with pytest.raises(ReaderBlocked):
        lending.place_hold(session, reader=w.blocked, record=record, library=w.centre, now=NOW)


def test_overdue_list_per_library_and_reader_history_opt_in(session, w):
    lending.set_loan_rule(session, library=None, item_type=None, loan_days=7, renewals_allowed=0, max_loans=5)
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    lending.checkout(session, reader=w.pupil, barcode="S0001", library=w.school, now=NOW + dt.timedelta(days=5))
    later = NOW + dt.timedelta(days=8)
    assert [l.item.barcode for l in loan_lists.overdue_loans(session, {w.centre.id}, later)] == ["C0001"]
    assert [l.item.barcode for l in loan_lists.overdue_loans(session, None, later + dt.timedelta(days=5))] == ["C0001", "S0001"]
    lending.checkin(session, barcode="C0001", library=w.centre, now=later)
    assert loan_lists.reader_history(session, w.reader) == []
    loan_lists.set_keeps_history(session, w.reader, True, now=later)
    assert [l.item.barcode for l in loan_lists.reader_history(session, w.reader)] == ["C0001"]
    assert loan_lists.reader_loans(session, w.pupil)[0].item.barcode == "S0001"


def test_availability_per_library(session, w):
    lending.checkout(session, reader=w.reader, barcode="C0000", library=w.centre, now=NOW)
    rows = loan_lists.record_availability(session, w.item("C0000").record)
    by_code = {r["library"].code: r for r in rows}
    assert by_code["TTVH"]["on_loan"] == 1 and by_code["TTVH"]["due"] is not None
    assert by_code["TH-A"]["available"] == 1


def test_a_hold_not_collected_in_time_expires_and_frees_the_copy(session, w):
    record = w.item("C0005").record
    hold = lending.place_hold(session, reader=w.pupil, record=record, library=w.centre, now=NOW)
    lending.fill_hold(session, barcode="C0005", library=w.centre, now=NOW)
    with pytest.raises(ItemNotAvailable, match="set aside for another reader's hold"):
        lending.checkout(session, reader=w.reader, barcode="C0005", library=w.centre,
                         now=NOW + dt.timedelta(days=lending.HOLD_PICKUP_DAYS - 1))
    lending.checkout(session, reader=w.reader, barcode="C0005", library=w.centre,
                     now=NOW + dt.timedelta(days=lending.HOLD_PICKUP_DAYS + 1))
    assert hold.status == HoldStatus.EXPIRED
