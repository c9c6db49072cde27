"""Rotation services: prepare a batch by scanning, dispatch it, receive it at a school, pass it on
along its route or send it back, check it in at the origin, declare losses, close it.
Every function takes the session first and `now`; none commits. States: see catalog/rotation/models.py.
The acting librarian (`user`) is checked against the side of the batch the step belongs to (the
origin, or the school it is at: catalog/accounts/permissions.py); None is the system itself.

Concurrency: the copy's row is locked before the checks, and the database allows one open batch
per copy, so two librarians adding the same copy to two batches cannot both succeed.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.rotation.batch_steps import (  # noqa: F401 (RotationRefused, ScanResult and get_batch are part of this API)
    RotationRefused, ScanResult, entries_in, entry_of, get_batch, log_step, record_discrepancy, require_status,
)
from catalog import clock
from catalog.errors import N_
from catalog.copies.items import Item, ItemStatus, normalise_barcode, set_item_status
from catalog.circulation.lending import lock_item, open_loan, open_rotation, ready_hold
from catalog.libraries import Library
from catalog.accounts.permissions import require_batch_side, require_desk
from catalog.rotation.models import (
    ACCOUNTED_STATES, BatchStatus, DiscrepancyKind, ItemState, RotationBatch, RotationEvent, RotationItem, RotationStop,
)
from catalog.text import normalise
from catalog.accounts.users import User


def next_code(session: Session, year: int) -> str:
    """The next free batch code of the (library's) year: LC-2026-001, LC-2026-002, ..."""
    prefix = f"LC-{year}-"
    count = session.scalar(select(func.count()).select_from(RotationBatch).where(RotationBatch.code.like(prefix + "%")))
    n = count + 1
    while session.scalar(select(RotationBatch.id).where(RotationBatch.code == f"{prefix}{n:03d}")) is not None:
        n += 1
    return f"{prefix}{n:03d}"


def create_batch(session: Session, *, origin: Library, stops: list[tuple[Library, int]], now: dt.datetime,
                 prepared_by: User | None = None, code: str = "", planned_dispatch_on: dt.date | None = None,
                 due_back_on: dt.date | None = None, notes: str = "", route_repeats: bool = False,
                 today: dt.date | None = None) -> RotationBatch:
    """A draft batch going from `origin` along `stops` ((library, days) each). `today` is the
    library's date (catalog/clock.py; default: now in the default zone): the code's year and the
    due date count from it, never from the UTC day."""
    today = today or clock.today(None, now)
    require_desk(session, prepared_by, origin.id)
    if not stops:
        raise RotationRefused(N_("Choose at least one school or point to send the batch to."), field="stops")
    for library, days in stops:
        if library.id == origin.id:
            raise RotationRefused(N_("A batch cannot be sent to the library it comes from ({name})."),
                                  name=origin.name, field="stops")
        if days < 1:
            raise RotationRefused(N_("A stop lasts at least one day."), field="stops")
    code = normalise(code).upper() or next_code(session, today.year)
    if session.scalar(select(RotationBatch.id).where(RotationBatch.code == code)) is not None:
        raise RotationRefused(N_("The batch code {code} is already used: choose another."), code=code, field="code")
    start = planned_dispatch_on or today
    batch = RotationBatch(
        code=code, origin_library=origin, destination_library=stops[0][0], status=BatchStatus.DRAFT,
        planned_dispatch_on=planned_dispatch_on, notes=normalise(notes), prepared_by=prepared_by,
        route_repeats=route_repeats, current_stop=0, created_at=now,
        due_back_on=due_back_on or start + dt.timedelta(days=sum(days for _lib, days in stops)),
    )
    batch.stops = [RotationStop(position=n, library=library, days=days) for n, (library, days) in enumerate(stops)]
    session.add(batch)
    session.flush()
    log_step(session, batch, "created", now=now, user=prepared_by, from_library=origin, to_library=stops[0][0])
    session.flush()
    return batch


def add_copy(session: Session, batch: RotationBatch, barcode: str, *, now: dt.datetime,
             user: User | None = None) -> RotationItem:
    """Add a scanned copy to a draft batch; refuses copies that cannot travel, with the reason."""
    require_batch_side(session, user, batch, "origin")
    if batch.status != BatchStatus.DRAFT:
        raise RotationRefused(N_("Batch {code} has been dispatched: copies can only be added while it is being "
                                 "prepared. Prepare a new batch."), code=batch.code, field="barcode")
    item = lock_item(session, barcode)
    current = open_rotation(session, item)
    if current is not None and current.batch_id == batch.id:
        raise RotationRefused(N_("Copy {barcode} is already in this batch (scanned twice?)."),
                              barcode=item.barcode, field="barcode")
    if current is not None:
        raise RotationRefused(N_("Copy {barcode} is already in batch {code}, which is still open: it cannot be in "
                                 "two batches."), barcode=item.barcode, code=current.batch.code, field="barcode")
    loan = open_loan(session, item)
    if loan is not None:
        raise RotationRefused(N_("Copy {barcode} is on loan (due {due}): add it when it is back."),
                              barcode=item.barcode, due=loan.due_at, field="barcode")
    if ready_hold(session, item, now) is not None:
        raise RotationRefused(N_("Copy {barcode} is set aside for a reader's hold: choose another copy."),
                              barcode=item.barcode, field="barcode")
    if item.status != ItemStatus.AVAILABLE:
        raise RotationRefused(N_("Copy {barcode} is marked {status}: only copies on the shelf can travel."),
                              barcode=item.barcode, status=item.status.value, field="barcode")
    if item.current_library_id != batch.origin_library_id:
        raise RotationRefused(N_("Copy {barcode} is at {place}, not at {origin} where the batch is prepared."),
                              barcode=item.barcode, place=item.current_library.name,
                              origin=batch.origin_library.name, field="barcode")
    entry = RotationItem(batch=batch, item=item, state=ItemState.PACKED, is_open=True, added_at=now,
                         added_by_id=user.id if user else None)
    session.add(entry)
    code = item.barcode  # the failed flush below expires the session's objects
    try:
        session.flush()
    except IntegrityError:  # the transaction is spoiled; the caller rolls back
        raise RotationRefused(N_("Copy {barcode} was added to another batch at the same moment: it cannot be in "
                                 "two batches."), barcode=code, field="barcode") from None
    set_item_status(session, item, ItemStatus.IN_ROTATION, now=now)
    session.flush()
    return entry


def remove_copy(session: Session, batch: RotationBatch, barcode: str, *, now: dt.datetime,
                user: User | None = None) -> Item:
    """Take a copy out of a draft batch; it goes back on the shelf."""
    require_batch_side(session, user, batch, "origin")
    if batch.status != BatchStatus.DRAFT:
        raise RotationRefused(N_("Batch {code} has been dispatched: a copy leaves it only by being returned or "
                                 "declared lost."), code=batch.code, field="barcode")
    item = lock_item(session, barcode)
    entry = entry_of(session, batch, item)
    if entry is None:
        raise RotationRefused(N_("Copy {barcode} is not in batch {code}."), barcode=item.barcode, code=batch.code,
                              field="barcode")
    session.delete(entry)
    set_item_status(session, item, ItemStatus.AVAILABLE, now=now)
    session.flush()
    return item


def _send(session: Session, batch: RotationBatch, entries: list[RotationItem], now: dt.datetime) -> list[int]:
    for entry in entries:
        # A copy leaving a stop damaged stays damaged on the next receipt and on its return; one
        # repaired there (checked in at the desk) travels on as sound.
        entry.is_damaged = entry.item.status == ItemStatus.DAMAGED
        entry.state = ItemState.IN_TRANSIT
        set_item_status(session, entry.item, ItemStatus.IN_TRANSIT, now=now)
    return [entry.item_id for entry in entries]


def dispatch(session: Session, batch: RotationBatch, *, now: dt.datetime, user: User | None = None) -> RotationEvent:
    """Hand the draft batch to the carrier: its copies are in transit to the first stop."""
    require_batch_side(session, user, batch, "origin")
    require_status(batch, BatchStatus.DRAFT)
    packed = entries_in(batch, ItemState.PACKED)
    if not packed:
        raise RotationRefused(N_("Batch {code} has no copies yet: scan the copies to send before dispatching it."),
                              code=batch.code)
    ids = _send(session, batch, packed, now)
    batch.status, batch.dispatched_at = BatchStatus.DISPATCHED, now
    event = log_step(session, batch, "dispatch", now=now, user=user, from_library=batch.origin_library,
                 to_library=batch.destination_library, item_ids=ids)
    session.flush()
    return event


def _scan(session: Session, batch: RotationBatch, barcode: str, stage: str, *, library: Library,
          now: dt.datetime, user: User | None) -> tuple[ScanResult, RotationItem | None]:
    """Find a scanned copy in the batch; a copy not in it is recorded as unexpected."""
    code = normalise_barcode(barcode)
    if not code:
        raise RotationRefused(N_("Scan or type a copy barcode."), field="barcode")
    item = session.scalar(select(Item).where(Item.barcode == code))
    entry = entry_of(session, batch, item) if item is not None else None
    if entry is None:
        note = "" if item is not None else "unknown barcode"
        row = record_discrepancy(session, batch, DiscrepancyKind.UNEXPECTED, stage, library=library, now=now, user=user,
                           item=item, barcode=code, note=note)
        return ScanResult(barcode=code, item=item, discrepancy=row), None
    return ScanResult(barcode=code, item=item), entry


def receive_copy(session: Session, batch: RotationBatch, barcode: str, *, library: Library, now: dt.datetime,
                 user: User | None = None, damaged: bool = False, note: str = "") -> ScanResult:
    """The school checks in one copy of a dispatched batch (a damaged copy is noted as such)."""
    require_batch_side(session, user, batch, "school")
    require_status(batch, BatchStatus.DISPATCHED)
    if library.id != batch.destination_library_id:
        raise RotationRefused(N_("Batch {code} is going to {place}: it is received there, not at {here}."),
                              code=batch.code, place=batch.destination_library.name, here=library.name)
    result, entry = _scan(session, batch, barcode, "receipt", library=library, now=now, user=user)
    if entry is None:
        return result
    if entry.state == ItemState.RECEIVED:
        raise RotationRefused(N_("Copy {barcode} has already been checked in (scanned twice?)."),
                              barcode=result.barcode, field="barcode")
    if entry.state not in (ItemState.IN_TRANSIT, ItemState.MISSING):
        raise RotationRefused(N_("Copy {barcode} is {state} in this batch: it cannot be received."),
                              barcode=result.barcode, state=entry.state.value, field="barcode")
    entry.state = ItemState.RECEIVED
    result.damage_note = _carry_damage(entry, damaged, note)
    status = ItemStatus.DAMAGED if entry.is_damaged else ItemStatus.AVAILABLE
    set_item_status(session, entry.item, status, library=library, now=now)
    if damaged:
        result.discrepancy = record_discrepancy(session, batch, DiscrepancyKind.DAMAGED, "receipt", library=library,
                                          now=now, user=user, item=entry.item, note=note)
    session.flush()
    return result


def _carry_damage(entry: RotationItem, damaged: bool, note: str) -> str | None:
    """Mark the entry damaged when scanned so now; returns the earlier note when the damage was
    already noted on the way (so the desk can say so)."""
    earlier = entry.note if entry.is_damaged and not damaged else None
    if damaged:
        entry.is_damaged, entry.note = True, normalise(note)
    return earlier


def finish_receipt(session: Session, batch: RotationBatch, *, library: Library, now: dt.datetime,
                   user: User | None = None) -> RotationEvent:
    """Close the receipt: copies not scanned are recorded missing; the batch is at the school."""
    require_batch_side(session, user, batch, "school")
    require_status(batch, BatchStatus.DISPATCHED)
    if library.id != batch.destination_library_id:
        raise RotationRefused(N_("Batch {code} is going to {place}: it is received there, not at {here}."),
                              code=batch.code, place=batch.destination_library.name, here=library.name)
    received = [e for e in batch.items if e.state == ItemState.RECEIVED]
    if not received:
        raise RotationRefused(N_("No copy of batch {code} has been checked in yet: scan the copies that arrived "
                                 "first."), code=batch.code)
    for entry in entries_in(batch, ItemState.IN_TRANSIT):
        entry.state = ItemState.MISSING
        record_discrepancy(session, batch, DiscrepancyKind.MISSING, "receipt", library=library, now=now, user=user,
                     item=entry.item)
    batch.status, batch.received_at = BatchStatus.AT_SCHOOL, now
    event = log_step(session, batch, "receipt", now=now, user=user, from_library=batch.origin_library,
                 to_library=library, item_ids=[e.item_id for e in received])
    session.flush()
    return event


def _refuse_open_loans(session: Session, batch: RotationBatch) -> None:
    lent = [e.item.barcode for e in entries_in(batch, ItemState.RECEIVED) if open_loan(session, e.item) is not None]
    if lent:
        raise RotationRefused(
            N_("{count} copies of batch {code} are still on loan ({barcodes}): check them in before the batch "
               "leaves."), count=len(lent), code=batch.code, barcodes=", ".join(lent[:10]))


def next_stop(batch: RotationBatch) -> RotationStop | None:
    """The route's next stop after the current one (from the start again if the route repeats)."""
    position = batch.current_stop + 1
    if position >= len(batch.stops):
        if not batch.route_repeats or len(batch.stops) < 2:
            return None
        position = 0
    return batch.stops[position]


def pass_on(session: Session, batch: RotationBatch, *, now: dt.datetime, user: User | None = None) -> RotationEvent:
    """Send the batch from its school to the next stop of its route."""
    require_batch_side(session, user, batch, "school")
    require_status(batch, BatchStatus.AT_SCHOOL)
    stop = next_stop(batch)
    if stop is None:
        raise RotationRefused(N_("{place} is the last stop of batch {code}'s route: send it back to {origin}."),
                              place=batch.destination_library.name, code=batch.code, origin=batch.origin_library.name)
    _refuse_open_loans(session, batch)
    here = batch.destination_library
    ids = _send(session, batch, entries_in(batch, ItemState.RECEIVED), now)
    batch.status, batch.destination_library, batch.current_stop = BatchStatus.DISPATCHED, stop.library, stop.position
    event = log_step(session, batch, "pass_on", now=now, user=user, from_library=here, to_library=stop.library,
                 item_ids=ids)
    session.flush()
    return event


def send_back(session: Session, batch: RotationBatch, *, now: dt.datetime, user: User | None = None) -> RotationEvent:
    """Send the batch from its school back to the origin."""
    require_batch_side(session, user, batch, "school")
    require_status(batch, BatchStatus.AT_SCHOOL)
    _refuse_open_loans(session, batch)
    ids = _send(session, batch, entries_in(batch, ItemState.RECEIVED), now)
    here = batch.destination_library
    batch.status = BatchStatus.RETURNING
    event = log_step(session, batch, "return_sent", now=now, user=user, from_library=here,
                 to_library=batch.origin_library, item_ids=ids)
    session.flush()
    return event


def return_copy(session: Session, batch: RotationBatch, barcode: str, *, library: Library, now: dt.datetime,
                user: User | None = None, damaged: bool = False, note: str = "") -> ScanResult:
    """The origin checks in one copy of a batch sent back; the copy is free again."""
    require_batch_side(session, user, batch, "origin")
    require_status(batch, BatchStatus.RETURNING)
    if library.id != batch.origin_library_id:
        raise RotationRefused(N_("Batch {code} returns to {place}: its copies are checked in there."),
                              code=batch.code, place=batch.origin_library.name)
    result, entry = _scan(session, batch, barcode, "return", library=library, now=now, user=user)
    if entry is None:
        return result
    if entry.state == ItemState.RETURNED:
        raise RotationRefused(N_("Copy {barcode} has already been checked in (scanned twice?)."),
                              barcode=result.barcode, field="barcode")
    if entry.state not in (ItemState.IN_TRANSIT, ItemState.MISSING):
        raise RotationRefused(N_("Copy {barcode} is {state} in this batch: it cannot be checked in."),
                              barcode=result.barcode, state=entry.state.value, field="barcode")
    entry.state, entry.is_open = ItemState.RETURNED, False
    result.damage_note = _carry_damage(entry, damaged, note)
    set_item_status(session, entry.item, ItemStatus.DAMAGED if entry.is_damaged else ItemStatus.AVAILABLE,
                    library=library, now=now)
    if damaged:
        result.discrepancy = record_discrepancy(session, batch, DiscrepancyKind.DAMAGED, "return", library=library,
                                          now=now, user=user, item=entry.item, note=note)
    session.flush()
    return result


def finish_return(session: Session, batch: RotationBatch, *, library: Library, now: dt.datetime,
                  user: User | None = None) -> RotationEvent:
    """Close the return check: copies not scanned are recorded missing (declare them before closing)."""
    require_batch_side(session, user, batch, "origin")
    require_status(batch, BatchStatus.RETURNING)
    for entry in entries_in(batch, ItemState.IN_TRANSIT):
        entry.state = ItemState.MISSING
        record_discrepancy(session, batch, DiscrepancyKind.MISSING, "return", library=library, now=now, user=user,
                     item=entry.item)
    batch.returned_at = now
    event = log_step(session, batch, "return_received", now=now, user=user, from_library=batch.destination_library,
                 to_library=batch.origin_library, item_ids=[e.item_id for e in entries_in(batch, ItemState.RETURNED)])
    session.flush()
    return event


def declare(session: Session, batch: RotationBatch, barcode: str, kind: str, *, note: str, now: dt.datetime,
            user: User | None = None) -> RotationItem:
    """Declare a copy of the batch lost or damaged (a note is required); it is then accounted for."""
    require_batch_side(session, user, batch, "origin")
    require_status(batch, BatchStatus.AT_SCHOOL, BatchStatus.RETURNING)
    if kind not in ("lost", "damaged"):
        raise RotationRefused(N_("A copy is declared either lost or damaged."), field="kind")
    if not normalise(note):
        raise RotationRefused(N_("Write a note saying what happened to the copy (who reported it, when)."),
                              field="note")
    item = lock_item(session, barcode)
    entry = entry_of(session, batch, item)
    if entry is None or entry.state in ACCOUNTED_STATES:
        raise RotationRefused(N_("Copy {barcode} is not waiting to be accounted for in batch {code}."),
                              barcode=item.barcode, code=batch.code, field="barcode")
    if open_loan(session, item) is not None:
        raise RotationRefused(N_("Copy {barcode} is on loan: check it in, or wait for the reader."),
                              barcode=item.barcode, field="barcode")
    entry.state, entry.is_open, entry.note = ItemState(kind), False, normalise(note)
    set_item_status(session, item, ItemStatus.LOST if kind == "lost" else ItemStatus.DAMAGED, now=now)
    record_discrepancy(session, batch, DiscrepancyKind(kind), "close", library=batch.destination_library, now=now,
                 user=user, item=item, note=note)
    session.flush()
    return entry


def unaccounted(batch: RotationBatch) -> list[RotationItem]:
    """Copies not yet returned, nor declared lost or damaged."""
    return [entry for entry in batch.items if entry.state not in ACCOUNTED_STATES]


def close_batch(session: Session, batch: RotationBatch, *, now: dt.datetime, user: User | None = None) -> RotationBatch:
    """Close a batch whose every copy is accounted for (a draft batch is closed empty or unpacked)."""
    require_batch_side(session, user, batch, "origin")
    if batch.status == BatchStatus.DRAFT:
        for entry in list(batch.items):
            remove_copy(session, batch, entry.item.barcode, now=now, user=user)
    else:
        require_status(batch, BatchStatus.RETURNING, BatchStatus.AT_SCHOOL)
        left = unaccounted(batch)
        if left:
            raise RotationRefused(
                N_("{count} copies of batch {code} are not accounted for ({barcodes}): check them in, or declare "
                   "them lost or damaged with a note, then close the batch."),
                count=len(left), code=batch.code, barcodes=", ".join(e.item.barcode for e in left[:10]))
    batch.status, batch.closed_at = BatchStatus.CLOSED, now
    log_step(session, batch, "closed", now=now, user=user)
    session.flush()
    return batch
