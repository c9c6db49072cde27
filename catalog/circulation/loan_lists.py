"""Lists for the desk, the reader's page and the record page: overdue loans, a reader's loans,
holds and (if kept) history, availability per library, a desk's latest events."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.circulation.models import OPEN_HOLD_STATUSES, CirculationEvent, Hold, HoldStatus, Loan, LoanRule, ReaderPreference
from catalog.errors import N_, RecordNotFound
from catalog.copies.items import Item, ItemStatus, normalise_barcode
from catalog.circulation.lending import find_reader, open_loan
from catalog.accounts.permissions import managed_library_ids, require_reader
from catalog.libraries import Library
from catalog.records.models import Record
from catalog.accounts.users import User


def overdue_loans(session: Session, library_ids: set[int] | None, now: dt.datetime) -> list[Loan]:
    """Open loans past due, lent at these libraries (None: everywhere), most overdue first."""
    stmt = select(Loan).where(Loan.returned_at.is_(None), Loan.due_at < now).order_by(Loan.due_at)
    if library_ids is not None:
        stmt = stmt.where(Loan.library_id.in_(library_ids))
    return list(session.scalars(stmt))


def reader_loans(session: Session, reader: User, library_ids: set[int] | None = None) -> list[Loan]:
    """The reader's open loans (lent at these libraries; None: everywhere), soonest due first."""
    stmt = select(Loan).where(Loan.reader_id == reader.id, Loan.returned_at.is_(None)).order_by(Loan.due_at)
    if library_ids is not None:
        stmt = stmt.where(Loan.library_id.in_(library_ids))
    return list(session.scalars(stmt))


def reader_history(session: Session, reader: User, limit: int = 100) -> list[Loan]:
    """Returned loans, newest first, if the reader keeps a history (else empty)."""
    if not keeps_history(session, reader):
        return []
    return list(session.scalars(select(Loan).where(Loan.reader_id == reader.id, Loan.returned_at.is_not(None))
                                .order_by(Loan.returned_at.desc()).limit(limit)))


def reader_holds(session: Session, reader: User, library_ids: set[int] | None = None) -> list[Hold]:
    """The reader's open holds (collected at these libraries; None: everywhere), oldest first."""
    stmt = select(Hold).where(Hold.reader_id == reader.id, Hold.status.in_(OPEN_HOLD_STATUSES)).order_by(Hold.placed_at)
    if library_ids is not None:
        stmt = stmt.where(Hold.library_id.in_(library_ids))
    return list(session.scalars(stmt))


def open_hold_on(session: Session, reader: User, record: Record) -> Hold | None:
    """The reader's open hold on this title, if any (one at most)."""
    return session.scalar(select(Hold).where(Hold.reader_id == reader.id, Hold.record_id == record.id,
                                             Hold.status.in_(OPEN_HOLD_STATUSES)))


def copies_on_shelf(session: Session, record: Record, library: Library) -> list[Item]:
    """Copies of the title available on this library's shelf and not set aside for a hold."""
    set_aside = select(Hold.item_id).where(Hold.status == HoldStatus.READY, Hold.item_id.is_not(None))
    return list(session.scalars(select(Item).where(
        Item.record_id == record.id, Item.current_library_id == library.id, Item.status == ItemStatus.AVAILABLE,
        Item.id.not_in(set_aside)).order_by(Item.barcode)))


@dataclasses.dataclass
class DeskReader:
    """A reader opened at the desk, with the loans and holds of the librarian's libraries."""

    reader: User
    loans: list[Loan]
    holds: list[Hold]


def desk_reader(session: Session, card: str, *, staff: User) -> DeskReader:
    """Open a reader at the desk by card: refused for a reader of another library; a reader
    registered nowhere shows only the loans and holds of the staff member's own libraries."""
    reader = find_reader(session, card)
    require_reader(session, staff, reader)
    managed = managed_library_ids(session, staff)
    return DeskReader(reader, reader_loans(session, reader, managed), reader_holds(session, reader, managed))


def keeps_history(session: Session, reader: User) -> bool:
    """True when the reader chose to see the history of their past loans."""
    pref = session.get(ReaderPreference, reader.id)
    return bool(pref and pref.keeps_history)


def set_keeps_history(session: Session, reader: User, value: bool, *, now: dt.datetime) -> None:
    """Record the reader's choice about keeping a loan history on their page."""
    pref = session.get(ReaderPreference, reader.id) or ReaderPreference(user_id=reader.id)
    pref.keeps_history, pref.updated_at = bool(value), now
    session.add(pref)
    session.flush()


def record_availability(session: Session, record: Record) -> list[dict]:
    """Per library: copies available, on loan (with the soonest due date), elsewhere."""
    rows: dict[int, dict] = {}
    for item in record.items:
        row = rows.setdefault(item.current_library_id, {"library": item.current_library, "available": 0,
                                                        "on_loan": 0, "other": 0, "due": None})
        if item.status == ItemStatus.AVAILABLE:
            row["available"] += 1
        elif item.status == ItemStatus.ON_LOAN:
            row["on_loan"] += 1
            loan = open_loan(session, item)
            if loan is not None and (row["due"] is None or loan.due_at < row["due"]):
                row["due"] = loan.due_at
        else:
            row["other"] += 1
    return sorted(rows.values(), key=lambda r: r["library"].name)


def item_loans(session: Session, item: Item) -> list[Loan]:
    """Every loan of a copy, newest first."""
    return list(session.scalars(select(Loan).where(Loan.item_id == item.id).order_by(Loan.checked_out_at.desc())))


def recent_events(session: Session, library_id: int, limit: int = 20) -> list[CirculationEvent]:
    """The desk's latest events, newest first."""
    return list(session.scalars(select(CirculationEvent).where(CirculationEvent.library_id == library_id)
                                .order_by(CirculationEvent.at.desc(), CirculationEvent.id.desc()).limit(limit)))


def desk_summary(session: Session, library_ids: set[int] | None, now: dt.datetime) -> dict:
    """Open and overdue loans and open holds at these libraries (None: everywhere)."""
    def count(stmt, column):
        if library_ids is not None:
            stmt = stmt.where(column.in_(library_ids))
        return session.scalar(stmt)

    open_loans = select(func.count()).select_from(Loan).where(Loan.returned_at.is_(None))
    return {
        "open_loans": count(open_loans, Loan.library_id),
        "overdue": count(open_loans.where(Loan.due_at < now), Loan.library_id),
        "holds": count(select(func.count()).select_from(Hold).where(Hold.status.in_(OPEN_HOLD_STATUSES)),
                       Hold.library_id),
        "overdue_loans": overdue_loans(session, library_ids, now)[:10],
    }


def record_for_hold(session: Session, text: str) -> Record:
    """The title a hold is for, given a copy barcode or a record number typed at the desk."""
    value = normalise_barcode(text)
    item = session.scalar(select(Item).where(Item.barcode == value)) if value else None
    if item is not None:
        return item.record
    record = session.get(Record, int(value)) if value.isdigit() else None
    if record is None or record.deleted_at is not None:
        raise RecordNotFound(N_("No copy or record matches {value}: scan a copy of the title, or type its record "
                                "number."), value=value, field="title")
    return record


def loan_rules(session: Session, library_ids: set[int] | None) -> list[LoanRule]:
    """The rules for these libraries (None: every rule, the district-wide ones first)."""
    stmt = select(LoanRule).order_by(LoanRule.library_id.is_not(None), LoanRule.library_id, LoanRule.item_type)
    if library_ids is not None:
        stmt = stmt.where(LoanRule.library_id.in_(library_ids) | LoanRule.library_id.is_(None))
    return list(session.scalars(stmt))
