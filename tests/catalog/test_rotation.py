"""Rotation services: a batch is prepared by scanning, dispatched, received with discrepancies,
lent at the school, passed on along its route, returned copy by copy and closed only when every
copy is accounted for."""
from __future__ import annotations

import datetime as dt

import pytest

from catalog.rotation import batches, history as rotation_history
from catalog.circulation import lending
from catalog.copies.items import ItemStatus
from catalog.circulation.lending import CirculationRefused, UnknownBarcode
from catalog.rotation.models import BatchStatus, DiscrepancyKind, ItemState
from tests.catalog.test_circulation_support import NOW, build_world

DAY = dt.timedelta(days=1)


@pytest.fixture
def w(session):
    return build_world(session, copies=12)


def new_batch(session, w, **kwargs):
    return batches.create_batch(session, origin=w.centre, stops=[(w.school, 30), (w.school2, 30)], now=NOW,
                                prepared_by=w.librarian, notes="Tủ sách luân chuyển", **kwargs)


def test_create_batch_codes_and_due_date(session, w):
    batch = new_batch(session, w, planned_dispatch_on=dt.date(2026, 3, 5))
    assert batch.code == "LC-2026-001" and batch.status == BatchStatus.DRAFT
    assert batch.destination_library_id == w.school.id
    assert batch.due_back_on == dt.date(2026, 5, 4)
    assert new_batch(session, w).code == "LC-2026-002"
    with pytest.raises(CirculationRefused, match="already used"):
        new_batch(session, w, code="lc-2026-001")
    with pytest.raises(CirculationRefused, match="cannot be sent to the library it comes from"):
        batches.create_batch(session, origin=w.centre, stops=[(w.centre, 5)], now=NOW)


def test_adding_copies_refuses_what_cannot_travel(session, w):
    batch = new_batch(session, w)
    other = new_batch(session, w)
    batches.add_copy(session, batch, "c0000", now=NOW, user=w.librarian)
    assert w.item("C0000").status == ItemStatus.IN_ROTATION
    with pytest.raises(CirculationRefused, match="already in this batch \\(scanned twice\\?\\)"):
        batches.add_copy(session, batch, "C0000", now=NOW)
    with pytest.raises(CirculationRefused, match=f"already in batch {batch.code}"):
        batches.add_copy(session, other, "C0000", now=NOW)
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    with pytest.raises(CirculationRefused, match="is on loan \\(due"):
        batches.add_copy(session, batch, "C0001", now=NOW)
    lending.place_hold(session, reader=w.pupil, record=w.item("C0002").record, library=w.centre, now=NOW)
    lending.fill_hold(session, barcode="C0002", library=w.centre, now=NOW)
    with pytest.raises(CirculationRefused, match="set aside for a reader's hold"):
        batches.add_copy(session, batch, "C0002", now=NOW)
    w.item("C0003").status = ItemStatus.LOST
    w.item("C0004").status = ItemStatus.WITHDRAWN
    with pytest.raises(CirculationRefused, match="marked lost"):
        batches.add_copy(session, batch, "C0003", now=NOW)
    with pytest.raises(CirculationRefused, match="marked withdrawn"):
        batches.add_copy(session, batch, "C0004", now=NOW)
    with pytest.raises(CirculationRefused, match="is at Trường Tiểu học A, not at Trung tâm"):
        batches.add_copy(session, batch, "S0001", now=NOW)
    with pytest.raises(UnknownBarcode):
        batches.add_copy(session, batch, "ZZZ", now=NOW)
    batches.remove_copy(session, batch, "C0000", now=NOW)
    assert w.item("C0000").status == ItemStatus.AVAILABLE
    batches.add_copy(session, other, "C0000", now=NOW)


def test_bad_order_of_steps_is_refused(session, w):
    batch = new_batch(session, w)
    with pytest.raises(CirculationRefused, match="no copies yet"):
        batches.dispatch(session, batch, now=NOW)
    batches.add_copy(session, batch, "C0000", now=NOW)
    with pytest.raises(CirculationRefused, match="has not been dispatched yet.*dispatch it first"):
        batches.receive_copy(session, batch, "C0000", library=w.school, now=NOW)
    batches.dispatch(session, batch, now=NOW)
    with pytest.raises(CirculationRefused, match="copies can only be added while it is being prepared"):
        batches.add_copy(session, batch, "C0001", now=NOW)
    with pytest.raises(CirculationRefused, match="is going to Trường Tiểu học A: it is received there"):
        batches.receive_copy(session, batch, "C0000", library=w.school2, now=NOW)
    with pytest.raises(CirculationRefused, match="travels with rotation batch"):
        lending.checkin(session, barcode="C0000", library=w.school, now=NOW)


def test_full_journey_with_discrepancies_route_and_close(session, w):
    batch = new_batch(session, w)
    for n in range(10):
        batches.add_copy(session, batch, f"C{n:04d}", now=NOW, user=w.librarian)
    dispatch = batches.dispatch(session, batch, now=NOW + DAY, user=w.librarian)
    assert batch.status == BatchStatus.DISPATCHED and len(dispatch.item_ids) == 10
    assert w.item("C0005").status == ItemStatus.IN_TRANSIT

    # receipt at the school: one copy missing, one damaged, one unexpected, one scanned twice
    for n in range(1, 10):
        batches.receive_copy(session, batch, f"C{n:04d}", library=w.school, now=NOW + 2 * DAY,
                             damaged=(n == 9), note="bìa rách")
    with pytest.raises(CirculationRefused, match="already been checked in \\(scanned twice\\?\\)"):
        batches.receive_copy(session, batch, "C0001", library=w.school, now=NOW + 2 * DAY)
    scan = batches.receive_copy(session, batch, "C0011", library=w.school, now=NOW + 2 * DAY)
    assert scan.discrepancy.kind == DiscrepancyKind.UNEXPECTED
    receipt = batches.finish_receipt(session, batch, library=w.school, now=NOW + 2 * DAY)
    assert batch.status == BatchStatus.AT_SCHOOL and len(receipt.item_ids) == 9
    assert {e.item.barcode: e.state for e in batch.items}["C0000"] == ItemState.MISSING
    assert w.item("C0001").current_library_id == w.school.id

    # a pupil borrows at the school through ordinary circulation; the loan carries the batch
    loan = lending.checkout(session, reader=w.pupil, barcode="C0001", library=w.school, now=NOW + 3 * DAY)
    assert loan.batch_id == batch.id
    with pytest.raises(CirculationRefused, match="still on loan \\(C0001\\)"):
        batches.pass_on(session, batch, now=NOW + 4 * DAY)
    # returned at the centre by mistake: it travels back to the school holding the batch
    result = lending.checkin(session, barcode="C0001", library=w.centre, now=NOW + 4 * DAY)
    assert result.transit.to_library_id == w.school.id
    lending.checkin(session, barcode="C0001", library=w.school, now=NOW + 5 * DAY)
    assert w.item("C0001").status == ItemStatus.AVAILABLE

    # passed on to the second school, which receives what arrived
    batches.pass_on(session, batch, now=NOW + 30 * DAY)
    assert batch.destination_library_id == w.school2.id and batch.status == BatchStatus.DISPATCHED
    for n in range(1, 10):
        batches.receive_copy(session, batch, f"C{n:04d}", library=w.school2, now=NOW + 31 * DAY)
    batches.finish_receipt(session, batch, library=w.school2, now=NOW + 31 * DAY)
    with pytest.raises(CirculationRefused, match="last stop.*send it back"):
        batches.pass_on(session, batch, now=NOW + 60 * DAY)

    # back to the centre, copy by copy
    batches.send_back(session, batch, now=NOW + 60 * DAY)
    with pytest.raises(CirculationRefused, match="returns to Trung tâm"):
        batches.return_copy(session, batch, "C0001", library=w.school, now=NOW + 61 * DAY)
    for n in range(1, 9):
        batches.return_copy(session, batch, f"C{n:04d}", library=w.centre, now=NOW + 61 * DAY)
    batches.finish_return(session, batch, library=w.centre, now=NOW + 61 * DAY)
    with pytest.raises(CirculationRefused, match="2 copies of batch .* not accounted for \\(C0000, C0009\\)"):
        batches.close_batch(session, batch, now=NOW + 62 * DAY)
    with pytest.raises(CirculationRefused, match="Write a note"):
        batches.declare(session, batch, "C0000", "lost", note=" ", now=NOW + 62 * DAY)
    batches.declare(session, batch, "C0000", "lost", note="Trường báo mất khi nhận", now=NOW + 62 * DAY)
    batches.declare(session, batch, "C0009", "damaged", note="Bìa rách, không sửa được", now=NOW + 62 * DAY)
    batches.close_batch(session, batch, now=NOW + 62 * DAY)
    assert batch.status == BatchStatus.CLOSED
    assert w.item("C0000").status == ItemStatus.LOST and w.item("C0002").status == ItemStatus.AVAILABLE
    assert w.item("C0002").current_library_id == w.centre.id
    # copies are free for a new batch
    batches.add_copy(session, new_batch(session, w), "C0002", now=NOW + 63 * DAY)

    # history
    story = [line.kind for line in rotation_history.batch_story(session, batch)]
    for kind in ("created", "dispatch", "receipt", "pass_on", "return_sent", "return_received", "closed",
                 "missing", "damaged", "unexpected", "lost"):
        assert kind in story
    schools = rotation_history.school_history(session, w.school)
    assert schools[0].copies == 9 and schools[0].loans == 1
    assert len(rotation_history.copy_batches(session, w.item("C0002"))) == 2
    assert [h.kind for h in rotation_history.handovers(session, batch)] == [
        "dispatch", "receipt", "pass_on", "receipt", "return_sent", "return_received"]
    record = rotation_history.handover(session, batch, dispatch.id)
    assert [i.barcode for i in record.items][:2] == ["C0000", "C0001"] and len(record.items) == 10


def test_overdue_batches(session, w):
    batch = new_batch(session, w, due_back_on=dt.date(2026, 3, 20))
    batches.add_copy(session, batch, "C0000", now=NOW)
    batches.dispatch(session, batch, now=NOW)
    assert rotation_history.overdue_batches(session, {w.centre.id}, dt.date(2026, 3, 20)) == []
    assert rotation_history.overdue_batches(session, {w.centre.id}, dt.date(2026, 3, 21)) == [batch]
    assert rotation_history.overdue_batches(session, {w.school.id}, dt.date(2026, 3, 21)) == []


def test_route_repeats(session, w):
    batch = batches.create_batch(session, origin=w.centre, stops=[(w.school, 10), (w.school2, 10)], now=NOW,
                                 route_repeats=True)
    batches.add_copy(session, batch, "C0000", now=NOW)
    batches.dispatch(session, batch, now=NOW)
    for library in (w.school, w.school2, w.school):
        batches.receive_copy(session, batch, "C0000", library=library, now=NOW)
        batches.finish_receipt(session, batch, library=library, now=NOW)
        batches.pass_on(session, batch, now=NOW)
    assert batch.destination_library_id == w.school2.id


def test_closing_a_draft_puts_copies_back(session, w):
    batch = new_batch(session, w)
    batches.add_copy(session, batch, "C0000", now=NOW)
    batches.close_batch(session, batch, now=NOW)
    assert batch.status == BatchStatus.CLOSED and w.item("C0000").status == ItemStatus.AVAILABLE


def test_damage_noted_at_receipt_stays_on_the_copy_until_it_is_back(session, w):
    """A copy received damaged at the first school travels on and comes back still marked damaged,
    with the note from the receipt, instead of going back on the shelf as available."""
    batch = new_batch(session, w)
    for code in ("C0000", "C0001"):
        batches.add_copy(session, batch, code, now=NOW)
    batches.dispatch(session, batch, now=NOW)
    batches.receive_copy(session, batch, "C0000", library=w.school, now=NOW + DAY, damaged=True, note="bìa rách")
    batches.receive_copy(session, batch, "C0001", library=w.school, now=NOW + DAY)
    batches.finish_receipt(session, batch, library=w.school, now=NOW + DAY)
    assert w.item("C0000").status == ItemStatus.DAMAGED
    batches.pass_on(session, batch, now=NOW + 30 * DAY)
    for code in ("C0000", "C0001"):  # the second school scans it without noticing
        batches.receive_copy(session, batch, code, library=w.school2, now=NOW + 31 * DAY)
    batches.finish_receipt(session, batch, library=w.school2, now=NOW + 31 * DAY)
    assert w.item("C0000").status == ItemStatus.DAMAGED
    batches.send_back(session, batch, now=NOW + 60 * DAY)
    back = batches.return_copy(session, batch, "C0000", library=w.centre, now=NOW + 61 * DAY)
    sound = batches.return_copy(session, batch, "C0001", library=w.centre, now=NOW + 61 * DAY)
    assert w.item("C0000").status == ItemStatus.DAMAGED and w.item("C0001").status == ItemStatus.AVAILABLE
    assert back.damage_note == "bìa rách" and sound.damage_note is None
    trip = rotation_history.copy_batches(session, w.item("C0000"))[0]
    assert trip.is_damaged and trip.note == "bìa rách"
    with pytest.raises(CirculationRefused, match="marked damaged: it cannot be lent"):
        lending.checkout(session, reader=w.reader, barcode="C0000", library=w.centre, now=NOW + 62 * DAY)


def test_a_copy_repaired_at_the_school_comes_back_available(session, w):
    batch = new_batch(session, w)
    batches.add_copy(session, batch, "C0000", now=NOW)
    batches.dispatch(session, batch, now=NOW)
    batches.receive_copy(session, batch, "C0000", library=w.school, now=NOW + DAY, damaged=True, note="gáy lỏng")
    batches.finish_receipt(session, batch, library=w.school, now=NOW + DAY)
    lending.checkin(session, barcode="C0000", library=w.school, now=NOW + 2 * DAY)  # repaired, back on the shelf
    batches.send_back(session, batch, now=NOW + 30 * DAY)
    back = batches.return_copy(session, batch, "C0000", library=w.centre, now=NOW + 31 * DAY)
    assert w.item("C0000").status == ItemStatus.AVAILABLE and back.damage_note is None
