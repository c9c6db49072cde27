"""What rotation has done: batch lists, overdue batches, a batch's story, where a copy has been,
what a school has received and how often it was borrowed there, and handover records."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from catalog.circulation.models import Loan
from catalog.errors import N_, NotFound
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.rotation.models import (
    OPEN_BATCH_STATUSES, BatchStatus, RotationBatch, RotationDiscrepancy, RotationEvent, RotationItem,
)

HANDOVER_KINDS = ("dispatch", "receipt", "pass_on", "return_sent", "return_received")


def list_batches(session: Session, library_ids: set[int] | None, *, include_closed: bool = False) -> list[RotationBatch]:
    """Batches sent from or now at these libraries (None: all), newest first."""
    stmt = select(RotationBatch).order_by(RotationBatch.created_at.desc(), RotationBatch.id.desc())
    if library_ids is not None:
        stmt = stmt.where(or_(RotationBatch.origin_library_id.in_(library_ids),
                              RotationBatch.destination_library_id.in_(library_ids)))
    if not include_closed:
        stmt = stmt.where(RotationBatch.status.in_(OPEN_BATCH_STATUSES))
    return list(session.scalars(stmt))


def overdue_batches(session: Session, library_ids: set[int] | None, today: dt.date) -> list[RotationBatch]:
    """Batches still out after their due-back date, sent from these libraries (None: all)."""
    stmt = select(RotationBatch).where(
        RotationBatch.status.in_((BatchStatus.DISPATCHED, BatchStatus.AT_SCHOOL)),
        RotationBatch.due_back_on < today).order_by(RotationBatch.due_back_on)
    if library_ids is not None:
        stmt = stmt.where(RotationBatch.origin_library_id.in_(library_ids))
    return list(session.scalars(stmt))


@dataclasses.dataclass
class StoryLine:
    at: dt.datetime
    kind: str
    event: RotationEvent | None = None
    discrepancy: RotationDiscrepancy | None = None


def batch_story(session: Session, batch: RotationBatch) -> list[StoryLine]:
    """Every step and discrepancy of a batch, in order."""
    lines = [StoryLine(e.at, e.kind, event=e) for e in session.scalars(
        select(RotationEvent).where(RotationEvent.batch_id == batch.id))]
    lines += [StoryLine(d.recorded_at, d.kind.value, discrepancy=d) for d in session.scalars(
        select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch.id))]
    return sorted(lines, key=lambda line: (line.at, line.event.id if line.event else 0))


def discrepancies(session: Session, batch: RotationBatch) -> list[RotationDiscrepancy]:
    """The batch's discrepancies in the order they were recorded."""
    return list(session.scalars(select(RotationDiscrepancy).where(RotationDiscrepancy.batch_id == batch.id)
                                .order_by(RotationDiscrepancy.recorded_at, RotationDiscrepancy.id)))


def batch_loans(session: Session, batch: RotationBatch) -> list[Loan]:
    """Loans of the batch's copies made while they travelled with it."""
    return list(session.scalars(select(Loan).where(Loan.batch_id == batch.id).order_by(Loan.checked_out_at)))


def copy_batches(session: Session, item: Item) -> list[RotationItem]:
    """Every batch the copy travelled in, newest first."""
    return list(session.scalars(select(RotationItem).where(RotationItem.item_id == item.id)
                                .order_by(RotationItem.added_at.desc(), RotationItem.id.desc())))


@dataclasses.dataclass
class SchoolBatch:
    batch: RotationBatch
    received_at: dt.datetime
    copies: int
    loans: int


def school_history(session: Session, library: Library) -> list[SchoolBatch]:
    """Each batch a school or point received, how many copies, and how often they were lent there."""
    receipts = session.scalars(select(RotationEvent).where(
        RotationEvent.kind == "receipt", RotationEvent.to_library_id == library.id).order_by(RotationEvent.at.desc()))
    out = []
    for event in receipts:
        loans = session.scalar(select(func.count()).select_from(Loan).where(
            Loan.batch_id == event.batch_id, Loan.library_id == library.id))
        out.append(SchoolBatch(session.get(RotationBatch, event.batch_id), event.at, len(event.item_ids), loans))
    return out


@dataclasses.dataclass
class Handover:
    """A handover record (biên bản giao nhận): who gave which copies to whom, when."""

    batch: RotationBatch
    event: RotationEvent
    items: list[Item]


def handover(session: Session, batch: RotationBatch, event_id: int) -> Handover:
    """The handover record of one step of the batch (dispatch, receipt, pass on, return)."""
    event = session.get(RotationEvent, event_id)
    if event is None or event.batch_id != batch.id or event.kind not in HANDOVER_KINDS:
        raise NotFound(N_("Batch {code} has no handover record {event_id}."), code=batch.code, event_id=event_id)
    items = list(session.scalars(select(Item).where(Item.id.in_(event.item_ids or [-1])).order_by(Item.barcode)))
    return Handover(batch=batch, event=event, items=items)


def handovers(session: Session, batch: RotationBatch) -> list[RotationEvent]:
    """The batch's handover steps, in order."""
    return list(session.scalars(select(RotationEvent).where(
        RotationEvent.batch_id == batch.id, RotationEvent.kind.in_(HANDOVER_KINDS)).order_by(RotationEvent.at,
                                                                                              RotationEvent.id)))
