"""Circulation services: check out, renew, check in (with transit home or to the rotation
school), holds. Every function takes the session first and `now`; none commits. The acting
staff member (`staff`) is checked against the desk's library, the reader's library and the
loan's library (catalog/accounts/permissions.py); None is the system itself (CLI, demo data).

Concurrency: the copy's row is locked (SELECT ... FOR UPDATE on PostgreSQL) before any rule is
checked, and the database allows one open loan per copy, so two desks lending the same copy at
the same moment cannot both succeed: the second gets ItemNotAvailable with a clear message.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.circulation.models import (
    OPEN_HOLD_STATUSES, CirculationEvent, EventKind, Hold, HoldStatus, Loan, Transit,
)
from catalog.errors import N_, CatalogError, NotFound, PermissionDenied
from catalog.copies.items import Item, ItemStatus, normalise_barcode, set_item_status
from catalog.libraries import Library
from catalog.circulation.loan_rules import DEFAULT_RULE, Rule, loan_rule, set_loan_rule  # noqa: F401 (part of this API)
from catalog.accounts.permissions import DISTRICT_READ_ONLY, require_desk, require_reader
from catalog.records.models import Record
from catalog.rotation.models import BatchStatus, RotationItem
from catalog.accounts.users import Role, User

HOLD_PICKUP_DAYS = 7


class CirculationRefused(CatalogError):
    """The desk cannot do this; the message says why and what to do."""

    status = 409


class ItemNotAvailable(CirculationRefused):
    pass


class ReaderBlocked(CirculationRefused):
    status = 403


class ReaderNotFound(NotFound):
    pass


class UnknownBarcode(NotFound):
    pass


@dataclasses.dataclass
class CheckinResult:
    """What a check-in did, for the desk to say."""

    item: Item
    loan: Loan | None = None
    transit: Transit | None = None
    received_transit: Transit | None = None
    hold: Hold | None = None


def _event(session: Session, kind: EventKind, *, now: dt.datetime, library_id: int, item: Item | None = None,
           reader_id: int | None = None, loan: Loan | None = None, batch_id: int | None = None,
           record_id: int | None = None, staff: User | None = None, note: str = "") -> None:
    session.add(CirculationEvent(
        kind=kind, at=now, library_id=library_id, item_id=item.id if item else None,
        record_id=record_id or (item.record_id if item else None), reader_id=reader_id,
        loan_id=loan.id if loan else None, batch_id=batch_id, staff_id=staff.id if staff else None, note=note,
    ))


def lock_item(session: Session, barcode: str) -> Item:
    """The copy with this barcode, its row locked until the transaction ends (fresh values)."""
    code = normalise_barcode(barcode)
    if not code:
        raise UnknownBarcode(N_("Scan or type a copy barcode."), field="barcode")
    stmt = select(Item).where(Item.barcode == code).with_for_update().execution_options(populate_existing=True)
    item = session.scalar(stmt)
    if item is None:
        raise UnknownBarcode(
            N_("No copy has the barcode {barcode}. Check the label (or type it by hand); a copy without a "
               "record in the catalogue must be added by a cataloguer first."),
            barcode=code, field="barcode",
        )
    return item


def find_reader(session: Session, card: str) -> User:
    """The reader with this card barcode, or ReaderNotFound saying what to do."""
    code = normalise_barcode(card)
    reader = session.scalar(select(User).where(User.card_barcode == code)) if code else None
    if reader is None:
        raise ReaderNotFound(
            N_("No reader has the card {card}. Check the card number, or register the reader first."),
            card=code, field="card",
        )
    return reader


def require_not_blocked(reader: User) -> None:
    """Refuse a blocked reader, with the reason recorded on the account."""
    if reader.is_blocked:
        raise ReaderBlocked(
            N_("{name}'s card is blocked ({reason}). Nothing can be lent or held until the block is lifted "
               "on the reader's page."),
            name=reader.display_name or reader.username, reason=reader.blocked_reason or "—", field="card",
        )


def open_loan(session: Session, item: Item) -> Loan | None:
    """The copy's open loan, if it is lent."""
    return session.scalar(select(Loan).where(Loan.item_id == item.id, Loan.returned_at.is_(None)))


def open_rotation(session: Session, item: Item) -> RotationItem | None:
    """The copy's place in an open rotation batch, if any."""
    return session.scalar(select(RotationItem).where(RotationItem.item_id == item.id, RotationItem.is_open))


def ready_hold(session: Session, item: Item, now: dt.datetime | None = None) -> Hold | None:
    """The hold this copy is set aside for, if any; given `now`, a hold not collected in time
    expires here and the copy is free again."""
    hold = session.scalar(select(Hold).where(Hold.item_id == item.id, Hold.status == HoldStatus.READY))
    if hold is not None and now is not None and hold.expires_at is not None and hold.expires_at < now:
        hold.status, hold.item = HoldStatus.EXPIRED, None
        _event(session, EventKind.HOLD_CANCELLED, now=now, library_id=hold.library_id, item=item,
               reader_id=hold.reader_id, note="expired")
        session.flush()
        return None
    return hold


def _refuse_unlendable(session: Session, item: Item, reader: User, library: Library, now: dt.datetime) -> None:
    loan = open_loan(session, item)
    if loan is not None and loan.reader_id == reader.id:
        raise ItemNotAvailable(N_("Copy {barcode} is already lent to this reader (scanned twice?): nothing to do."),
                               barcode=item.barcode, field="barcode")
    if loan is not None:
        raise ItemNotAvailable(
            N_("Copy {barcode} is on loan to another reader (due {due}). If it is in your hands, check it in "
               "first, then lend it."), barcode=item.barcode, due=loan.due_at, field="barcode")
    if item.current_library_id != library.id:
        raise ItemNotAvailable(
            N_("Copy {barcode} belongs at {place}, not at this desk ({desk}). Check it in here to send it there, "
               "or lend it at its own desk."),
            barcode=item.barcode, place=item.current_library.name, desk=library.name, field="barcode")
    if item.status == ItemStatus.IN_ROTATION:
        raise ItemNotAvailable(N_("Copy {barcode} is packed in a rotation batch being prepared: remove it from "
                                  "the batch before lending it."), barcode=item.barcode, field="barcode")
    if item.status == ItemStatus.IN_TRANSIT:
        raise ItemNotAvailable(N_("Copy {barcode} is in transit: check it in to receive it here first."),
                               barcode=item.barcode, field="barcode")
    if item.status != ItemStatus.AVAILABLE:
        raise ItemNotAvailable(N_("Copy {barcode} is marked {status}: it cannot be lent. Check it in if it "
                                  "was found or repaired."), barcode=item.barcode, status=item.status.value,
                               field="barcode")
    hold = ready_hold(session, item, now)
    if hold is not None and hold.reader_id != reader.id:
        raise ItemNotAvailable(N_("Copy {barcode} is set aside for another reader's hold: lend another copy."),
                               barcode=item.barcode, field="barcode")


def checkout(session: Session, *, reader: User, barcode: str, library: Library, now: dt.datetime,
             staff: User | None = None) -> Loan:
    """Lend a copy to a reader at a library's desk; the due date comes from the loan rules."""
    require_desk(session, staff, library.id)
    require_reader(session, staff, reader)
    item = lock_item(session, barcode)
    require_not_blocked(reader)
    _refuse_unlendable(session, item, reader, library, now)
    rule = loan_rule(session, library.id, item.item_type)
    count = session.scalar(select(func.count()).select_from(Loan).where(
        Loan.reader_id == reader.id, Loan.returned_at.is_(None)))
    if count >= rule.max_loans:
        raise CirculationRefused(
            N_("{name} already has {count} copies on loan, the most allowed here ({limit}). A copy must be "
               "returned first."), name=reader.display_name, count=count, limit=rule.max_loans, field="barcode")
    rotation = open_rotation(session, item)
    batch_id = rotation.batch_id if rotation is not None else None
    loan = Loan(item=item, reader=reader, library=library, checked_out_at=now,
                due_at=now + dt.timedelta(days=rule.loan_days), renewals=0, batch_id=batch_id)
    session.add(loan)
    code = item.barcode  # the failed flush below expires the session's objects
    try:
        session.flush()
    except IntegrityError:  # the transaction is spoiled; the caller rolls back
        raise ItemNotAvailable(N_("Copy {barcode} was lent at another desk at the same moment: it is no longer "
                                  "available."), barcode=code, field="barcode") from None
    hold = ready_hold(session, item)
    if hold is not None:
        hold.status, hold.item = HoldStatus.COLLECTED, None
        _event(session, EventKind.HOLD_COLLECTED, now=now, library_id=library.id, item=item,
               reader_id=reader.id, batch_id=batch_id, staff=staff)
    set_item_status(session, item, ItemStatus.ON_LOAN, now=now)
    _event(session, EventKind.CHECKOUT, now=now, library_id=library.id, item=item, reader_id=reader.id,
           loan=loan, batch_id=batch_id, staff=staff)
    session.flush()
    return loan


def renew(session: Session, *, barcode: str, library: Library, now: dt.datetime, staff: User | None = None) -> Loan:
    """Extend an open loan by the rule's loan period, within the renewals allowed (by the staff of
    the library that lent it)."""
    require_desk(session, staff, library.id)
    item = lock_item(session, barcode)
    loan = open_loan(session, item)
    if loan is None:
        raise CirculationRefused(N_("Copy {barcode} is not on loan: there is nothing to renew."),
                                 barcode=item.barcode, field="barcode")
    require_desk(session, staff, loan.library_id)
    require_not_blocked(loan.reader)
    rule = loan_rule(session, loan.library_id, item.item_type)
    if loan.renewals >= rule.renewals_allowed:
        raise CirculationRefused(
            N_("Copy {barcode} has been renewed {count} times, the most allowed ({limit}). The reader must "
               "return it."), barcode=item.barcode, count=loan.renewals, limit=rule.renewals_allowed, field="barcode")
    waiting = session.scalar(select(func.count()).select_from(Hold).where(
        Hold.record_id == item.record_id, Hold.status == HoldStatus.WAITING, Hold.reader_id != loan.reader_id))
    if waiting:
        raise CirculationRefused(N_("Another reader is waiting for “{title}”: this loan cannot be renewed."),
                                 title=item.record.title, field="barcode")
    loan.renewals += 1
    loan.due_at = max(now, loan.due_at) + dt.timedelta(days=rule.loan_days)
    _event(session, EventKind.RENEW, now=now, library_id=library.id, item=item, reader_id=loan.reader_id,
           loan=loan, batch_id=loan.batch_id, staff=staff)
    session.flush()
    return loan


def _destination(session: Session, item: Item) -> tuple[Library, int | None]:
    """Where a returned copy should be: its rotation school while its batch is there, else home."""
    rotation = open_rotation(session, item)
    if rotation is not None and rotation.batch.status == BatchStatus.AT_SCHOOL:
        return rotation.batch.destination_library, rotation.batch_id
    return item.home_library, rotation.batch_id if rotation is not None else None


def checkin(session: Session, *, barcode: str, library: Library, now: dt.datetime,
            staff: User | None = None) -> CheckinResult:
    """Take a copy back at any library: close its loan, receive or send it in transit, fill a hold."""
    require_desk(session, staff, library.id)
    item = lock_item(session, barcode)
    result = CheckinResult(item=item)
    rotation = open_rotation(session, item)
    if rotation is not None and rotation.batch.status in (BatchStatus.DISPATCHED, BatchStatus.RETURNING, BatchStatus.DRAFT):
        raise CirculationRefused(
            N_("Copy {barcode} travels with rotation batch {code}: check it in on that batch's page."),
            barcode=item.barcode, code=rotation.batch.code, field="barcode")
    target, batch_id = _destination(session, item)
    loan = open_loan(session, item)
    if loan is not None:
        loan.returned_at, loan.returned_library = now, library
        result.loan = loan
        _event(session, EventKind.CHECKIN, now=now, library_id=library.id, item=item, reader_id=loan.reader_id,
               loan=loan, batch_id=loan.batch_id, staff=staff)
    transit = session.scalar(select(Transit).where(Transit.item_id == item.id, Transit.received_at.is_(None)))
    if transit is not None:
        if transit.to_library_id != library.id and loan is None:
            raise CirculationRefused(
                N_("Copy {barcode} is in transit to {place}: it is received there, not here. Send it on."),
                barcode=item.barcode, place=transit.to_library.name, field="barcode")
        transit.received_at = now
        result.received_transit = transit
        _event(session, EventKind.TRANSIT_RECEIVED, now=now, library_id=library.id, item=item,
               batch_id=transit.batch_id, staff=staff)
    if loan is None and transit is None and item.status == ItemStatus.AVAILABLE and item.current_library_id == library.id:
        raise CirculationRefused(
            N_("Copy {barcode} is not on loan and is already here: nothing to check in (scanned twice?)."),
            barcode=item.barcode, field="barcode")
    if target.id != library.id:
        result.transit = Transit(item=item, from_library=library, to_library=target, sent_at=now, batch_id=batch_id)
        session.add(result.transit)
        set_item_status(session, item, ItemStatus.IN_TRANSIT, library=library, now=now)
        session.flush()
        _event(session, EventKind.TRANSIT_SENT, now=now, library_id=library.id, item=item, batch_id=batch_id,
               staff=staff, note=target.code)
    else:
        set_item_status(session, item, ItemStatus.AVAILABLE, library=library, now=now)
        result.hold = _trap_hold(session, item, library, now=now, staff=staff, batch_id=batch_id,
                                 returned_by=loan.reader_id if loan is not None else None)
    session.flush()
    return result


def _trap_hold(session: Session, item: Item, library: Library, *, now: dt.datetime, staff: User | None,
               batch_id: int | None, returned_by: int | None = None) -> Hold | None:
    """Set the copy aside for the oldest waiting hold on its title at this library, if any; never
    for the reader who has just returned it (they would carry it straight back out)."""
    if ready_hold(session, item) is not None:
        return None
    hold = session.scalar(select(Hold).where(
        Hold.record_id == item.record_id, Hold.library_id == library.id, Hold.status == HoldStatus.WAITING,
        Hold.reader_id != (returned_by or 0),
    ).order_by(Hold.placed_at, Hold.id).limit(1))
    if hold is None:
        return None
    hold.status, hold.item, hold.filled_at = HoldStatus.READY, item, now
    hold.expires_at = now + dt.timedelta(days=HOLD_PICKUP_DAYS)
    _event(session, EventKind.HOLD_FILLED, now=now, library_id=library.id, item=item, reader_id=hold.reader_id,
           batch_id=batch_id, staff=staff)
    return hold


def place_hold(session: Session, *, reader: User, record: Record, library: Library, now: dt.datetime,
               staff: User | None = None) -> Hold:
    """A reader asks for a title, to collect at a library; `staff` places it for them at the desk
    (None: the reader themselves)."""
    if reader.role == Role.DISTRICT:
        raise PermissionDenied(DISTRICT_READ_ONLY)
    if staff is not None and staff.id != reader.id:
        require_desk(session, staff, library.id)
        require_reader(session, staff, reader)
    require_not_blocked(reader)
    if not any(i.status not in (ItemStatus.LOST, ItemStatus.WITHDRAWN) for i in record.items):
        raise CirculationRefused(N_("“{title}” has no copy that can be lent: a hold cannot be placed."),
                                 title=record.title, field="record")
    existing = session.scalar(select(Hold).where(
        Hold.reader_id == reader.id, Hold.record_id == record.id, Hold.status.in_(OPEN_HOLD_STATUSES)))
    if existing is not None:
        raise CirculationRefused(N_("{name} already has a hold on “{title}” (placed {placed})."),
                                 name=reader.display_name, title=record.title,
                                 placed=existing.placed_at, field="record")
    hold = Hold(record=record, reader=reader, library=library, placed_at=now, status=HoldStatus.WAITING)
    session.add(hold)
    name, title = reader.display_name, record.title  # the failed flush below expires the session's objects
    try:
        session.flush()
    except IntegrityError:  # another desk placed it first (one open hold per reader and title); caller rolls back
        raise CirculationRefused(N_("{name} already has a hold on “{title}” (placed at another desk at the same "
                                    "moment)."), name=name, title=title, field="record") from None
    _event(session, EventKind.HOLD_PLACED, now=now, library_id=library.id, record_id=record.id,
           reader_id=reader.id, staff=staff)
    session.flush()
    return hold


def fill_hold(session: Session, *, barcode: str, library: Library, now: dt.datetime,
              staff: User | None = None) -> Hold:
    """Set a copy on the shelf here aside for the oldest reader waiting for its title here."""
    require_desk(session, staff, library.id)
    item = lock_item(session, barcode)
    if item.current_library_id != library.id or item.status != ItemStatus.AVAILABLE:
        raise CirculationRefused(N_("Copy {barcode} is not on the shelf here: only a copy available at this "
                                    "library can be set aside."), barcode=item.barcode, field="barcode")
    if ready_hold(session, item) is not None:
        raise CirculationRefused(N_("Copy {barcode} is already set aside for a hold (scanned twice?)."),
                                 barcode=item.barcode, field="barcode")
    rotation = open_rotation(session, item)
    hold = _trap_hold(session, item, library, now=now, staff=staff,
                      batch_id=rotation.batch_id if rotation else None)
    if hold is None:
        raise CirculationRefused(N_("No reader is waiting for “{title}” at this library: nothing to fill."),
                                 title=item.record.title, field="barcode")
    session.flush()
    return hold


def cancel_hold(session: Session, hold: Hold, *, now: dt.datetime, staff: User | None = None) -> Hold:
    """Cancel an open hold (the reader's own, or by the staff of its pickup library); a copy set
    aside goes back on the shelf."""
    if staff is not None and staff.id == hold.reader_id:
        staff = None  # the reader cancels their own hold
    require_desk(session, staff, hold.library_id)
    if hold.status not in OPEN_HOLD_STATUSES:
        raise CirculationRefused(N_("This hold is already {status}."), status=hold.status.value)
    hold.status, hold.cancelled_at, hold.item = HoldStatus.CANCELLED, now, None
    _event(session, EventKind.HOLD_CANCELLED, now=now, library_id=hold.library_id, record_id=hold.record_id,
           reader_id=hold.reader_id, staff=staff)
    session.flush()
    return hold


def get_hold(session: Session, hold_id: int) -> Hold:
    """The hold with this id, or NotFound."""
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(N_("No hold with id {hold_id}."), hold_id=hold_id)
    return hold
