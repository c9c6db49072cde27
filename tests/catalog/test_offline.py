"""Offline desks, through the services: enabling devices, what the pack holds (and never holds),
and sync: each action once, in order, with its original time, every conflict kind kept with a
suggestion, resolutions, signatures, expired and revoked devices, visits."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from catalog.reports import activity
from catalog.rotation import batches
from catalog.circulation import lending
from catalog.audit import AuditEntry
from catalog.circulation.models import Loan
from catalog.errors import PermissionDenied
from catalog.offline import devices, sync
from catalog.offline.devices import DeviceNotUsable
from catalog.offline.models import ActionStatus, ConflictKind, OfflineAction
from catalog.offline.queue import QueueInvalid
from catalog.rotation.models import RotationDiscrepancy
from catalog.accounts.users import Role, create_user
from tests.catalog.offline_support import action, device_for, queue
from tests.catalog.test_circulation_support import NOW, build_world

LATER = NOW + dt.timedelta(hours=30)  # the sync, a day and a bit after the desk worked offline


@pytest.fixture
def w(session):
    world = build_world(session, copies=8)
    world.reader.library = world.pupil.library = world.blocked.library = world.centre
    session.commit()
    return world


def apply(session, device, actions, staff, now=LATER, **kwargs):
    report = sync.apply_queue(session, queue(device, actions), staff=staff, now=now, **kwargs)
    session.commit()
    return report


def test_a_librarian_enables_a_device_for_their_library_only(session, w):
    device = device_for(session, w.centre, w.librarian)
    assert device.expires_at == NOW + dt.timedelta(days=7) and len(device.key) == 64
    with pytest.raises(PermissionDenied):
        devices.enable_device(session, library=w.school, staff=w.librarian, now=NOW)
    with pytest.raises(PermissionDenied):
        devices.enable_device(session, library=w.centre, staff=w.reader, now=NOW)
    district = create_user(session, "district", role=Role.DISTRICT, password="long enough")
    with pytest.raises(PermissionDenied, match="reads reports only"):
        devices.enable_device(session, library=w.centre, staff=district, now=NOW)


def test_the_pack_holds_the_desk_and_nothing_else(session, w):
    outsider = create_user(session, "outsider", role=Role.READER, password="secret words", card_barcode="OUT1",
                           library=w.school, display_name="Học sinh trường khác")
    lending.checkout(session, reader=w.reader, barcode="C0001", library=w.centre, now=NOW)
    session.commit()
    pack = devices.build_pack(session, device_for(session, w.centre, w.librarian), staff=w.librarian, now=NOW)
    text = json.dumps(pack, ensure_ascii=False)
    assert {row[0] for row in pack["readers"]} == {"BD1", "HS1", "BD9"}
    assert outsider.card_barcode not in text and "scrypt" not in text and "password" not in text
    copies = {row[0]: row for row in pack["copies"]}
    assert set(copies) == {f"C{n:04d}" for n in range(8)}  # not the school's S0001, not the point's P0001
    assert copies["C0001"][3:6] == ["on_loan", "BD1", (NOW + dt.timedelta(days=21)).isoformat() + "Z"]
    assert pack["titles"][copies["C0001"][1]] == "Sách số 1"
    assert pack["rules"]["book"] == [21, 2, 5]
    assert next(row for row in pack["readers"] if row[0] == "BD9")[2:] == [1, "sách quá hạn 3 tháng"]


def test_the_pack_of_a_school_includes_a_batch_on_its_way(session, w):
    batch = batches.create_batch(session, origin=w.centre, stops=[(w.school, 30)], prepared_by=w.librarian, now=NOW)
    batches.add_copy(session, batch, "C0005", user=w.librarian, now=NOW)
    batches.dispatch(session, batch, user=w.librarian, now=NOW)
    school_librarian = create_user(session, "schoollib", role=Role.LIBRARIAN, password="long enough",
                                   library=w.school)
    session.commit()
    pack = devices.build_pack(session, device_for(session, w.school, school_librarian), staff=school_librarian,
                              now=NOW)
    copies = {row[0]: row for row in pack["copies"]}
    assert set(copies) == {"S0001", "C0005"}
    assert copies["C0005"][6] == batch.code and copies["C0005"][7] == 0


def test_actions_apply_once_in_order_with_their_original_times(session, w):
    device = device_for(session, w.centre, w.librarian)
    t1, t2, t3 = NOW + dt.timedelta(minutes=5), NOW + dt.timedelta(minutes=9), NOW + dt.timedelta(minutes=20)
    actions = [action("checkin", t3, w.librarian, 3, barcode="C0002"),  # listed out of order: seq decides
               action("checkout", t1, w.librarian, 1, card="BD1", barcode="C0001"),
               action("checkout", t2, w.librarian, 2, card="HS1", barcode="C0002")]
    report = apply(session, device, actions, w.librarian)
    assert (report.received, report.applied, report.conflicts, report.duplicates) == (3, 3, 0, 0)
    loans = {loan.item.barcode: loan for loan in session.scalars(select(Loan))}
    assert loans["C0001"].checked_out_at == t1 and loans["C0001"].due_at == t1 + dt.timedelta(days=21)
    assert loans["C0001"].returned_at is None
    assert loans["C0002"].checked_out_at == t2 and loans["C0002"].returned_at == t3
    again = apply(session, device, actions, w.librarian)  # the same queue again (a retried sync, a file)
    assert (again.applied, again.conflicts, again.duplicates) == (0, 0, 3)
    assert session.scalar(select(func.count()).select_from(Loan)) == 2
    audit = list(session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "offline_action")))
    assert len(audit) == 3 and all(device.uid in entry.note and entry.after["device"] == device.uid
                                   for entry in audit)
    assert device.last_sync_at == LATER


def test_a_copy_lent_elsewhere_meanwhile_is_a_conflict(session, w):
    device = device_for(session, w.centre, w.librarian)
    lending.checkout(session, reader=w.pupil, barcode="C0003", library=w.centre, now=NOW + dt.timedelta(hours=2))
    session.commit()
    report = apply(session, device, [action("checkout", NOW + dt.timedelta(hours=3), w.librarian, 1, card="BD1",
                                            barcode="C0003")], w.librarian)
    assert (report.applied, report.conflicts) == (0, 1)
    row = sync.report_actions(session, report)[0]
    assert row.status == ActionStatus.CONFLICT and row.conflict == ConflictKind.LENT_ELSEWHERE
    assert "on loan to another reader" in row.message.format(**row.message_params)
    assert "check it in" in sync.SUGGESTIONS[row.conflict]


def test_a_reader_blocked_meanwhile_is_a_conflict_resolved_after_unblocking(session, w):
    device = device_for(session, w.centre, w.librarian)
    w.reader.is_blocked, w.reader.blocked_reason = True, "mất sách"
    session.commit()
    at = NOW + dt.timedelta(hours=1)
    report = apply(session, device, [action("checkout", at, w.librarian, 1, card="BD1", barcode="C0004")],
                   w.librarian)
    row = sync.report_actions(session, report)[0]
    assert row.conflict == ConflictKind.READER_BLOCKED
    with pytest.raises(lending.ReaderBlocked):
        sync.resolve(session, row, how="apply", staff=w.librarian, now=LATER)
    session.rollback()
    w.reader.is_blocked = False
    session.commit()
    sync.resolve(session, row, how="apply", staff=w.librarian, now=LATER)
    session.commit()
    loan = session.scalar(select(Loan).where(Loan.item_id == w.item("C0004").id))
    assert row.status == ActionStatus.RESOLVED and loan.checked_out_at == at
    assert loan.due_at == at + dt.timedelta(days=21)
    with pytest.raises(lending.CirculationRefused, match="already resolved"):
        sync.resolve(session, row, how="apply", staff=w.librarian, now=LATER)


def test_a_copy_already_back_is_a_conflict_dismissed_with_a_note(session, w):
    device = device_for(session, w.centre, w.librarian)
    report = apply(session, device, [action("checkin", NOW, w.librarian, 1, barcode="C0006")], w.librarian)
    row = sync.report_actions(session, report)[0]
    assert row.conflict == ConflictKind.ALREADY_BACK
    with pytest.raises(QueueInvalid, match="why this action is dismissed"):
        sync.resolve(session, row, how="dismiss", staff=w.librarian, now=LATER, note="  ")
    sync.resolve(session, row, how="dismiss", staff=w.librarian, now=LATER, note="đã trả ở quầy")
    session.commit()
    assert row.status == ActionStatus.DISMISSED and row.resolved_by == w.librarian
    assert row.resolution_note == "đã trả ở quầy"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "offline_dismiss")) is not None


def test_two_offline_devices_lending_the_same_copy(session, w):
    first, second = device_for(session, w.centre, w.librarian), device_for(session, w.centre, w.librarian)
    one = apply(session, first, [action("checkout", NOW, w.librarian, 1, card="BD1", barcode="C0007")], w.librarian)
    two = apply(session, second, [action("checkout", NOW + dt.timedelta(minutes=1), w.librarian, 1, card="HS1",
                                         barcode="C0007")], w.librarian)
    assert one.applied == 1 and two.conflicts == 1
    assert sync.report_actions(session, two)[0].conflict == ConflictKind.TWO_DEVICES
    assert [c.barcode for c in sync.open_conflicts(session, w.librarian)] == ["C0007"]
    assert session.scalar(select(Loan).where(Loan.returned_at.is_(None))).reader == w.reader


def test_a_forged_or_changed_queue_applies_nothing(session, w):
    device = device_for(session, w.centre, w.librarian)
    good = queue(device, [action("checkout", NOW, w.librarian, 1, card="BD1", barcode="C0001")])
    changed = dict(good, body=good["body"].replace("BD1", "HS1"))
    with pytest.raises(QueueInvalid, match="signature of this queue does not match"):
        sync.apply_queue(session, changed, staff=w.librarian, now=LATER)
    other = device_for(session, w.centre, w.librarian)
    with pytest.raises(QueueInvalid, match="signature"):
        sync.apply_queue(session, dict(good, device=other.uid), staff=w.librarian, now=LATER)
    for raw, message in [(b"\xff\xfe", "not JSON"), ("[]", "not an offline queue"),
                         (json.dumps(dict(good, version=2)), "version 2"),
                         (json.dumps(dict(good, hmac="")), "lacks its device id")]:
        with pytest.raises(QueueInvalid, match=message):
            sync.apply_queue(session, raw, staff=w.librarian, now=LATER)
    bad = queue(device, [dict(action("checkout", NOW, w.librarian, 1, card="BD1", barcode="C0001"), at="yesterday")])
    with pytest.raises(QueueInvalid, match="Action 1 of the queue is not valid \\(at\\)"):
        sync.apply_queue(session, bad, staff=w.librarian, now=LATER)
    assert session.scalar(select(func.count()).select_from(OfflineAction)) == 0
    assert session.scalar(select(func.count()).select_from(Loan)) == 0


def test_expired_and_revoked_devices_cannot_sync(session, w):
    device = device_for(session, w.centre, w.librarian, days=1)
    actions = [action("checkout", NOW, w.librarian, 1, card="BD1", barcode="C0001")]
    with pytest.raises(DeviceNotUsable, match="expired"):
        sync.apply_queue(session, queue(device, actions), staff=w.librarian, now=NOW + dt.timedelta(days=2))
    devices.extend_device(session, device, staff=w.librarian, now=NOW + dt.timedelta(days=2))
    assert apply(session, device, actions, w.librarian, now=NOW + dt.timedelta(days=2)).applied == 1
    devices.revoke_device(session, device, staff=w.librarian, now=LATER)
    session.commit()
    with pytest.raises(DeviceNotUsable, match="revoked"):
        sync.apply_queue(session, queue(device, actions), staff=w.librarian, now=LATER)
    with pytest.raises(DeviceNotUsable, match="cannot be extended"):
        devices.extend_device(session, device, staff=w.librarian, now=LATER)


def test_another_librarys_staff_cannot_sync_the_device(session, w):
    device = device_for(session, w.centre, w.librarian)
    school_librarian = create_user(session, "schoollib", role=Role.LIBRARIAN, password="long enough",
                                   library=w.school)
    with pytest.raises(PermissionDenied):
        sync.apply_queue(session, queue(device, []), staff=school_librarian, now=LATER)


def test_visits_add_to_the_days_tally(session, w):
    device = device_for(session, w.centre, w.librarian)
    day_time = NOW + dt.timedelta(hours=1)  # 16:00 in Hà Nội
    report = apply(session, device, [action("visit", day_time, w.librarian, 1, count=3, group="children"),
                                     action("visit", day_time, w.librarian, 2, count=2, group="adults"),
                                     action("visit", day_time, w.librarian, 3, count=1, group="children")],
                   w.librarian, tz="Asia/Ho_Chi_Minh")
    assert report.applied == 3
    tally = activity.get_tally(session, w.centre.id, day_time.date())
    assert tally.total == 6 and tally.groups == {"children": 4, "adults": 2}
    report = apply(session, device, [action("visit", day_time, w.librarian, 4, count=5)], w.librarian)
    assert sync.report_actions(session, report)[0].conflict == ConflictKind.REFUSED  # a split day needs a group
    assert activity.get_tally(session, w.centre.id, day_time.date()).total == 6


def test_a_rotation_batch_received_offline_with_one_copy_missing(session, w):
    batch = batches.create_batch(session, origin=w.centre, stops=[(w.school, 30)], prepared_by=w.librarian, now=NOW)
    for code in ("C0001", "C0002", "C0003"):
        batches.add_copy(session, batch, code, user=w.librarian, now=NOW)
    batches.dispatch(session, batch, user=w.librarian, now=NOW)
    school_librarian = create_user(session, "schoollib", role=Role.LIBRARIAN, password="long enough",
                                   library=w.school)
    create_user(session, "schoolpupil", role=Role.READER, password="long enough", card_barcode="SCH1",
                library=w.school)
    session.commit()
    device = device_for(session, w.school, school_librarian)
    pack = devices.build_pack(session, device, staff=school_librarian, now=NOW)
    assert pack["batches"] == [[batch.code, "Trung tâm", ["C0001", "C0002", "C0003"]]]
    at = NOW + dt.timedelta(days=1)
    report = apply(session, device, [
        action("receive", at, school_librarian, 1, barcode="C0001", batch=batch.code),
        action("receive", at, school_librarian, 2, barcode="C0003", batch=batch.code),
        action("receive", at, school_librarian, 3, barcode="C0003", batch=batch.code),  # scanned twice
        action("finish_receipt", at + dt.timedelta(minutes=5), school_librarian, 4, batch=batch.code),
        action("checkout", at + dt.timedelta(minutes=9), school_librarian, 5, card="SCH1", barcode="C0001"),
    ], school_librarian, now=NOW + dt.timedelta(days=2))
    assert (report.applied, report.conflicts) == (4, 1)
    assert sync.report_actions(session, report)[2].conflict == ConflictKind.REFUSED
    session.expire_all()
    batch = batches.get_batch(session, batch.id)
    assert batch.status.value == "at_school" and batch.received_at == at + dt.timedelta(minutes=5)
    found = session.scalars(select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch.id))
    assert [(d.kind.value, d.item.barcode) for d in found] == [("missing", "C0002")]
    loan = session.scalar(select(Loan))
    assert loan.item.barcode == "C0001" and loan.batch_id == batch.id


def test_a_batch_sent_back_is_checked_in_offline_at_the_centre(session, w):
    batch = batches.create_batch(session, origin=w.centre, stops=[(w.school, 30)], prepared_by=w.librarian, now=NOW)
    for code in ("C0001", "C0002", "C0003"):
        batches.add_copy(session, batch, code, user=w.librarian, now=NOW)
    batches.dispatch(session, batch, user=w.librarian, now=NOW)
    for code in ("C0001", "C0002", "C0003"):
        batches.receive_copy(session, batch, code, library=w.school, user=w.librarian, now=NOW)
    batches.finish_receipt(session, batch, library=w.school, user=w.librarian, now=NOW)
    batches.send_back(session, batch, user=w.librarian, now=NOW)
    session.commit()
    device = device_for(session, w.centre, w.librarian)
    pack = devices.build_pack(session, device, staff=w.librarian, now=NOW)
    assert pack["returns"] == [[batch.code, w.school.name, ["C0001", "C0002", "C0003"]]]
    assert {"C0001", "C0002", "C0003"} <= {row[0] for row in pack["copies"]}  # titles for the scans
    at = NOW + dt.timedelta(days=1)
    report = apply(session, device, [
        action("batch_return", at, w.librarian, 1, barcode="C0001", batch=batch.code),
        action("batch_return", at, w.librarian, 2, barcode="C0003", batch=batch.code),
        action("batch_return", at, w.librarian, 3, barcode="C0003", batch=batch.code),  # scanned twice
        action("finish_return", at + dt.timedelta(minutes=5), w.librarian, 4, batch=batch.code),
    ], w.librarian, now=NOW + dt.timedelta(days=2))
    assert (report.applied, report.conflicts) == (3, 1)
    assert sync.report_actions(session, report)[2].conflict == ConflictKind.REFUSED
    session.expire_all()
    batch = batches.get_batch(session, batch.id)
    assert batch.returned_at == at + dt.timedelta(minutes=5)
    assert {e.item.barcode: e.state.value for e in batch.items} == {"C0001": "returned", "C0002": "missing",
                                                                    "C0003": "returned"}
    found = session.scalars(select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch.id))
    assert [(d.kind.value, d.stage, d.item.barcode) for d in found] == [("missing", "return", "C0002")]
    assert devices.build_pack(session, device, staff=w.librarian, now=NOW)["returns"] == []
