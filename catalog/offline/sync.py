"""Applying a device's queue: each action once (its id is unique in offline_action), in the
device's order, through the same services as the online desk (lending.checkout / checkin,
activity.record_visits) with the action's original time, so due dates run from the time of
lending. Each action runs in its own savepoint: one that can no longer apply (the copy was lent
elsewhere meanwhile, the reader was blocked, the copy is already back, another offline device lent
the same copy) rolls back alone and is kept as a conflict with a suggested resolution; nothing is
dropped. Every action, applied or not, is in the audit trail with its device.

The caller owns the transaction (one per sync or import) and commits."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.reports import activity
from catalog.rotation import batches
from catalog.circulation import lending
from catalog.audit import json_safe, log_change
from catalog.circulation.models import Loan
from catalog.clock import local_date, today
from catalog.errors import N_, CatalogError, NotFound, PermissionDenied, ValidationError
from catalog.copies.items import Item, normalise_barcode
from catalog.offline.devices import get_device, require_usable
from catalog.offline.models import (
    ActionKind, ActionStatus, ConflictKind, OfflineAction, OfflineDevice, SyncReport,
)
from catalog.offline.queue import QueuedAction, QueueInvalid, read_envelope, verify
from catalog.accounts.permissions import managed_library_ids, require_desk
from catalog.rotation.models import RotationBatch
from catalog.accounts.users import User

# What the librarian is advised to do, per kind of conflict (shown beside it, translated).
SUGGESTIONS = {
    ConflictKind.LENT_ELSEWHERE: N_("The copy was lent to another reader at the desk while this device was offline. "
                                    "Find out who has it: when it comes back, check it in, then Apply again; or "
                                    "Dismiss if the other loan is the right one."),
    ConflictKind.TWO_DEVICES: N_("Two offline devices lent this copy. Only one reader can have it: ask both, check "
                                 "the copy in when it is back and Apply again for the right reader, or Dismiss "
                                 "this one."),
    ConflictKind.READER_BLOCKED: N_("The reader's card was blocked before the sync. Ask for the copy back, or lift "
                                    "the block on the reader's page and Apply again."),
    ConflictKind.ALREADY_BACK: N_("The copy is not on loan any more (returned elsewhere, or twice): nothing is "
                                  "missing. Dismiss."),
    ConflictKind.ALREADY_DONE: N_("The same loan was already made at the desk: nothing is missing. Dismiss."),
    ConflictKind.UNKNOWN: N_("The barcode or card names nothing in the catalogue any more. Check the label or card; "
                             "register it and Apply again, or Dismiss."),
    ConflictKind.REFUSED: N_("The desk refused it for the reason given. Put right what it says, then Apply again, "
                             "or Dismiss with a note."),
}


class ActionNotFound(NotFound):
    pass


def apply_queue(session: Session, raw: bytes | str | dict, *, staff: User, now: dt.datetime, source: str = "sync",
                tz: str | None = None, age_groups: Iterable[str] = activity.AGE_GROUPS) -> SyncReport:
    """Check a signed queue (device enabled and unexpired, signature, every action), then apply it."""
    device_uid, body, mac = read_envelope(raw)
    device = get_device(session, device_uid)
    require_usable(session, device, staff, now)
    queue = verify(device.key, device.uid, body, mac)
    report = SyncReport(device=device, library_id=device.library_id, by=staff, at=now, source=source,
                        received=len(queue.actions))
    session.add(report)
    session.flush()
    staff_cache: dict[int, User | None] = {}
    seen = _already_applied(session, [queued.uid for queued in queue.actions])
    for queued in queue.actions:
        if queued.uid in seen:
            report.duplicates += 1
            continue
        _apply_one(session, device, report, queued, staff_cache, now=now, tz=tz, age_groups=tuple(age_groups))
    device.last_sync_at = now
    session.flush()
    return report


def _already_applied(session: Session, uids: list[str]) -> set[str]:
    """The ids among these that an earlier sync or import recorded (one query per 500)."""
    found: set[str] = set()
    for start in range(0, len(uids), 500):
        found.update(session.scalars(select(OfflineAction.action_uid).where(
            OfflineAction.action_uid.in_(uids[start:start + 500]))))
    return found


def _apply_one(session: Session, device: OfflineDevice, report: SyncReport, queued: QueuedAction,
               staff_cache: dict[int, User | None], *, now: dt.datetime, tz: str | None,
               age_groups: tuple[str, ...]) -> None:
    if queued.staff_id not in staff_cache:
        staff_cache[queued.staff_id] = session.get(User, queued.staff_id)
    staff = staff_cache[queued.staff_id]
    outer = session.begin_nested()
    row = OfflineAction(action_uid=queued.uid, device=device, report=report, library_id=device.library_id,
                        staff=staff, seq=queued.seq, kind=queued.kind, at=queued.at, card=queued.card[:64],
                        barcode=queued.barcode[:64], count=queued.count, age_group=queued.group[:32],
                        batch_code=queued.batch[:32],
                        status=ActionStatus.CONFLICT)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # recorded meanwhile by another sync of the same queue running at this moment
        outer.rollback()
        report.duplicates += 1
        session.flush()  # outside any savepoint: the next action's rollback must not take it
        return
    if _run(session, row, staff, now=now, tz=tz, age_groups=age_groups):
        report.applied += 1
    else:
        report.conflicts += 1
    _audit(session, row, device, staff, now)
    outer.commit()


def _run(session: Session, row: OfflineAction, staff: User | None, *, now: dt.datetime, tz: str | None,
         age_groups: tuple[str, ...]) -> bool:
    """Apply one action in a savepoint; True if it applied, else the row records the conflict."""
    inner = session.begin_nested()
    try:
        if staff is None:
            raise PermissionDenied(N_("The librarian who queued this action has no account here any more."))
        _service(session, row, staff, now=now, tz=tz, age_groups=age_groups)
        inner.commit()
    except CatalogError as error:
        inner.rollback()
        row.status, row.conflict = ActionStatus.CONFLICT, _classify(session, row, error)
        row.message, row.message_params = error.template, json_safe(error.params)
        return False
    row.status, row.conflict, row.message, row.message_params, row.applied_at = (
        ActionStatus.APPLIED, None, "", {}, now)
    return True


def _service(session: Session, row: OfflineAction, staff: User, *, now: dt.datetime, tz: str | None,
             age_groups: tuple[str, ...]) -> None:
    library = row.library
    if row.kind == ActionKind.CHECKOUT:
        reader = lending.find_reader(session, row.card)
        loan = lending.checkout(session, reader=reader, barcode=row.barcode, library=library, now=row.at, staff=staff)
        row.loan_id = loan.id
    elif row.kind == ActionKind.CHECKIN:
        result = lending.checkin(session, barcode=row.barcode, library=library, now=row.at, staff=staff)
        row.loan_id = result.loan.id if result.loan is not None else None
    elif row.kind == ActionKind.VISIT:
        _count_visits(session, row, staff, now=now, tz=tz, age_groups=age_groups)
    else:
        batch = _batch(session, row.batch_code)
        if row.kind == ActionKind.RECEIVE:
            batches.receive_copy(session, batch, row.barcode, library=library, now=row.at, user=staff)
        elif row.kind == ActionKind.FINISH_RECEIPT:
            batches.finish_receipt(session, batch, library=library, now=row.at, user=staff)
        elif row.kind == ActionKind.BATCH_RETURN:
            batches.return_copy(session, batch, row.barcode, library=library, now=row.at, user=staff)
        else:
            batches.finish_return(session, batch, library=library, now=row.at, user=staff)


def _batch(session: Session, code: str) -> RotationBatch:
    batch = session.scalar(select(RotationBatch).where(RotationBatch.code == code.strip().upper()))
    if batch is None:
        raise NotFound(N_("No rotation batch has the code {code}."), code=code, field="batch")
    return batch


def _count_visits(session: Session, row: OfflineAction, staff: User, *, now: dt.datetime, tz: str | None,
                  age_groups: tuple[str, ...]) -> None:
    """Add the action's visitors to its day's tally (a day split by age group stays split; a day
    counted only as a total gets the visitors in its total)."""
    day = local_date(row.at, tz)
    tally = activity.get_tally(session, row.library_id, day)
    total, groups = (tally.total, dict(tally.groups or {})) if tally is not None else (0, {})
    if row.age_group and (groups or total == 0):
        groups[row.age_group] = int(groups.get(row.age_group, 0)) + row.count
        activity.record_visits(session, library=row.library, day=day, user=staff, now=row.at, groups=groups,
                               age_groups=age_groups, today=today(tz, now), note="")
    elif groups:
        raise ValidationError(N_("{day} is counted per age group at this library, and this count of {count} has no "
                                 "group: record it on the visits page with its group, then Dismiss this one."),
                              day=day.isoformat(), count=row.count, field="group")
    else:
        activity.record_visits(session, library=row.library, day=day, user=staff, now=row.at,
                               total=total + row.count, age_groups=age_groups, today=today(tz, now))


def _classify(session: Session, row: OfflineAction, error: CatalogError) -> ConflictKind:
    if isinstance(error, lending.ReaderBlocked):
        return ConflictKind.READER_BLOCKED
    if isinstance(error, NotFound):
        return ConflictKind.UNKNOWN
    if isinstance(error, PermissionDenied) or row.kind not in (ActionKind.CHECKOUT, ActionKind.CHECKIN):
        return ConflictKind.REFUSED
    item = session.scalar(select(Item).where(Item.barcode == normalise_barcode(row.barcode)))
    loan = lending.open_loan(session, item) if item is not None else None
    if row.kind == ActionKind.CHECKIN:
        return ConflictKind.ALREADY_BACK if loan is None and "nothing to check in" in error.template \
            else ConflictKind.REFUSED
    if loan is None:
        return ConflictKind.REFUSED
    if loan.reader.card_barcode == normalise_barcode(row.card):
        return ConflictKind.ALREADY_DONE
    other = session.scalar(select(OfflineAction).where(OfflineAction.loan_id == loan.id,
                                                       OfflineAction.device_id != row.device_id))
    return ConflictKind.TWO_DEVICES if other is not None else ConflictKind.LENT_ELSEWHERE


def _audit(session: Session, row: OfflineAction, device: OfflineDevice, staff: User | None, now: dt.datetime,
           action: str | None = None) -> None:
    log_change(session, staff, "offline_action", row.id, action or f"offline_{row.kind.value}", None,
               {"device": device.uid, "action": row.action_uid, "seq": row.seq, "at": row.at, "card": row.card,
                "barcode": row.barcode, "count": row.count, "group": row.age_group, "batch": row.batch_code,
                "outcome": row.status,
                "conflict": row.conflict, "loan_id": row.loan_id},
               now, note=f"offline device {device.uid} ({device.library.code})")


def get_action(session: Session, action_id: int) -> OfflineAction:
    action = session.get(OfflineAction, action_id)
    if action is None:
        raise ActionNotFound(N_("No offline action {action_id}."), action_id=action_id)
    return action


def resolve(session: Session, action: OfflineAction, *, how: str, staff: User, now: dt.datetime, note: str = "",
            tz: str | None = None, age_groups: Iterable[str] = activity.AGE_GROUPS) -> OfflineAction:
    """Decide a conflict: "apply" runs it again through the services (with its original time);
    "dismiss" keeps it, not applied, with who decided, when and why. A failed apply stays a conflict
    and raises the services' refusal."""
    require_desk(session, staff, action.library_id)
    if action.status != ActionStatus.CONFLICT:
        raise lending.CirculationRefused(N_("This action is already {status}: nothing to decide."),
                                         status=action.status.value)
    if how == "dismiss":
        if not note.strip():
            raise QueueInvalid(N_("Say in a few words why this action is dismissed."), field="note")
        action.status = ActionStatus.DISMISSED
    elif how == "apply":
        savepoint = session.begin_nested()
        try:
            _service(session, action, staff, now=now, tz=tz, age_groups=tuple(age_groups))
        except CatalogError:
            savepoint.rollback()
            raise
        savepoint.commit()
        action.status, action.applied_at = ActionStatus.RESOLVED, now
    else:
        raise QueueInvalid(N_("Choose Apply again or Dismiss."), field="how")
    action.resolved_by, action.resolved_at, action.resolution_note = staff, now, note.strip()[:1000]
    session.flush()
    _audit(session, action, action.device, staff, now, action=f"offline_{how}")
    return action


def list_reports(session: Session, staff: User, *, limit: int = 50) -> list[SyncReport]:
    """Sync reports of the libraries the staff member works, newest first."""
    stmt = select(SyncReport).order_by(SyncReport.at.desc(), SyncReport.id.desc()).limit(limit)
    managed = managed_library_ids(session, staff)
    if managed is not None:
        stmt = stmt.where(SyncReport.library_id.in_(managed or {0}))
    return list(session.scalars(stmt))


def get_report(session: Session, report_id: int, *, staff: User) -> SyncReport:
    """A sync report the staff member may see (its library's desk), or NotFound / PermissionDenied."""
    report = session.get(SyncReport, report_id)
    if report is None:
        raise NotFound(N_("No sync report {report_id}."), report_id=report_id)
    require_desk(session, staff, report.library_id)
    return report


def report_actions(session: Session, report: SyncReport) -> list[OfflineAction]:
    """The actions a report brought, in the device's order."""
    return list(session.scalars(select(OfflineAction).where(OfflineAction.report_id == report.id)
                                .order_by(OfflineAction.seq, OfflineAction.id)))


def open_conflicts(session: Session, staff: User, *, limit: int = 200) -> list[OfflineAction]:
    """Conflicts still waiting for a decision at the staff member's libraries, oldest first."""
    stmt = select(OfflineAction).where(OfflineAction.status == ActionStatus.CONFLICT) \
        .order_by(OfflineAction.at, OfflineAction.id).limit(limit)
    managed = managed_library_ids(session, staff)
    if managed is not None:
        stmt = stmt.where(OfflineAction.library_id.in_(managed or {0}))
    return list(session.scalars(stmt))


def loans_from_offline(session: Session, device: OfflineDevice) -> int:
    """How many loans this device's queues made (for the devices page)."""
    return session.scalar(select(func.count()).select_from(OfflineAction).join(Loan, Loan.id == OfflineAction.loan_id)
                          .where(OfflineAction.device_id == device.id, OfflineAction.kind == ActionKind.CHECKOUT)) or 0
