"""What every rotation step shares: the refusal, a scan's result, the batch's story and
discrepancies, and the batch's copies by state. The steps themselves are in catalog/rotation/batches.py."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import N_, NotFound
from catalog.copies.items import Item
from catalog.circulation.lending import CirculationRefused
from catalog.libraries import Library
from catalog.rotation.models import (
    BatchStatus, DiscrepancyKind, ItemState, RotationBatch, RotationDiscrepancy, RotationEvent, RotationItem,
)
from catalog.text import normalise
from catalog.accounts.users import User


class RotationRefused(CirculationRefused):
    """The batch cannot do this now; the message says why and what to do."""


@dataclasses.dataclass
class ScanResult:
    """What a scan at receipt or return did: the copy checked in, or a discrepancy recorded."""

    barcode: str
    item: Item | None = None
    discrepancy: RotationDiscrepancy | None = None
    # Set when the copy came back damaged from an earlier stop: the note written then.
    damage_note: str | None = None


def get_batch(session: Session, batch_id: int) -> RotationBatch:
    """The batch with this id, or NotFound."""
    batch = session.get(RotationBatch, batch_id)
    if batch is None:
        raise NotFound(N_("No rotation batch with id {batch_id}."), batch_id=batch_id)
    return batch


def log_step(session: Session, batch: RotationBatch, kind: str, *, now: dt.datetime, user: User | None,
             from_library: Library | None = None, to_library: Library | None = None,
             item_ids: list[int] | None = None, note: str = "") -> RotationEvent:
    """Add one step to the batch's story (a handover step lists its copies)."""
    event = RotationEvent(batch_id=batch.id, kind=kind, at=now, from_library=from_library, to_library=to_library,
                          user=user, item_ids=item_ids or [], note=note)
    session.add(event)
    return event


def require_status(batch: RotationBatch, *allowed: BatchStatus) -> None:
    """Refuse a step the batch's status does not allow, saying what to do first."""
    if batch.status in allowed:
        return
    if batch.status == BatchStatus.DRAFT:
        raise RotationRefused(N_("Batch {code} has not been dispatched yet (it is still being prepared): dispatch "
                                 "it first."), code=batch.code)
    if batch.status == BatchStatus.CLOSED:
        raise RotationRefused(N_("Batch {code} is closed: nothing more can be done with it."), code=batch.code)
    raise RotationRefused(N_("Batch {code} is {status}: this step is not possible now."),
                          code=batch.code, status=batch.status.value)


def entry_of(session: Session, batch: RotationBatch, item: Item) -> RotationItem | None:
    """The copy's place in this batch, if it is in it."""
    return session.scalar(select(RotationItem).where(RotationItem.batch_id == batch.id, RotationItem.item_id == item.id))


def entries_in(batch: RotationBatch, *states: ItemState) -> list[RotationItem]:
    """The batch's copies in these states."""
    return [entry for entry in batch.items if entry.state in states]


def record_discrepancy(session: Session, batch: RotationBatch, kind: DiscrepancyKind, stage: str, *,
                       library: Library, now: dt.datetime, user: User | None, item: Item | None = None,
                       barcode: str = "", note: str = "") -> RotationDiscrepancy:
    """Keep something that did not match the manifest at a handover."""
    row = RotationDiscrepancy(batch_id=batch.id, item=item, barcode=item.barcode if item else barcode, kind=kind,
                              stage=stage, library=library, note=normalise(note), recorded_by=user, recorded_at=now)
    session.add(row)
    session.flush()
    return row
