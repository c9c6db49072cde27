"""Book rotation (luân chuyển sách): batches of copies the centre sends to schools and points,
tracked copy by copy. Services live in catalog/rotation/batches.py; this module holds the tables.

Batch lifecycle (RotationBatch.status):
- draft: being prepared at the origin; copies are added by scanning (status in_rotation).
- dispatched: handed to the carrier for `destination_library_id`; its copies are in_transit.
- at_school: received at the destination (received_at), copies checked in one by one; pupils
  borrow them through ordinary circulation there. From here the batch is passed on to the next
  stop of its route (back to dispatched) or sent back to the origin.
- returning: sent back to the origin; the origin checks each copy in (state returned).
- closed: every copy accounted for (returned, or declared lost/damaged with a note).

A copy in a batch (RotationItem.state):
- packed: in a draft batch, at the origin.
- in_transit: dispatched (to a stop or back to the origin), not yet checked in.
- received: checked in at the batch's current stop (it may be on loan there).
- missing: not found when a stop received the batch or the origin got it back (a discrepancy).
- returned: checked in back at the origin; the copy is free again (is_open false).
- lost / damaged: declared so with a note; accounted for (is_open false).
`is_open` is true while the batch holds the copy; the database allows one open batch per copy.

Discrepancies (RotationDiscrepancy.kind): missing, damaged, unexpected (scanned but not in the
batch), lost (declared); `stage` is dispatch, receipt, return or close.
RotationEvent is the batch's story; the dispatch, receipt, pass_on, return_sent and
return_received events list their copies (`item_ids`) and are the handover records (biên bản).
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base, string_enum, utcnow
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.accounts.users import User



class BatchStatus(str, enum.Enum):
    DRAFT = "draft"
    DISPATCHED = "dispatched"
    AT_SCHOOL = "at_school"
    RETURNING = "returning"
    CLOSED = "closed"


OPEN_BATCH_STATUSES = (BatchStatus.DRAFT, BatchStatus.DISPATCHED, BatchStatus.AT_SCHOOL, BatchStatus.RETURNING)


class RotationBatch(Base):
    """A tracked delivery of copies from the origin to a route of schools or points."""

    __tablename__ = "rotation_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    origin_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    # Where the batch is going (dispatched) or is now (at_school); the current stop of the route.
    destination_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    status: Mapped[BatchStatus] = mapped_column(string_enum(BatchStatus, 16), default=BatchStatus.DRAFT, index=True)
    planned_dispatch_on: Mapped[dt.date | None] = mapped_column(Date)
    due_back_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Position in `stops` of the current destination; the route starts again after its last
    # stop when `route_repeats` is true.
    current_stop: Mapped[int] = mapped_column(Integer, default=0)
    route_repeats: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    origin_library: Mapped[Library] = relationship(foreign_keys=[origin_library_id])
    destination_library: Mapped[Library] = relationship(foreign_keys=[destination_library_id])
    prepared_by: Mapped[User | None] = relationship()
    stops: Mapped[list[RotationStop]] = relationship(
        back_populates="batch", order_by="RotationStop.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[RotationItem]] = relationship(back_populates="batch", order_by="RotationItem.id")

    @property
    def is_open(self) -> bool:
        return self.status != BatchStatus.CLOSED

    def is_overdue(self, today: dt.date) -> bool:
        """True when the batch is still out after its due-back date."""
        return (
            self.status in (BatchStatus.DISPATCHED, BatchStatus.AT_SCHOOL)
            and self.due_back_on is not None and self.due_back_on < today
        )


class RotationStop(Base):
    """One stop of a batch's route: a school or point and how many days the batch stays there."""

    __tablename__ = "rotation_stop"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("rotation_batch.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    days: Mapped[int] = mapped_column(Integer, default=30)

    batch: Mapped[RotationBatch] = relationship(back_populates="stops")
    library: Mapped[Library] = relationship()


class ItemState(str, enum.Enum):
    PACKED = "packed"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    MISSING = "missing"
    RETURNED = "returned"
    LOST = "lost"
    DAMAGED = "damaged"


ACCOUNTED_STATES = (ItemState.RETURNED, ItemState.LOST, ItemState.DAMAGED)


class RotationItem(Base):
    """A copy in a batch; `is_open` while the batch holds it (one open batch per copy)."""

    __tablename__ = "rotation_item"
    __table_args__ = (
        UniqueConstraint("batch_id", "item_id"),
        Index(
            "uq_rotation_item_open_item", "item_id", unique=True,
            sqlite_where=text("is_open"), postgresql_where=text("is_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("rotation_batch.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="RESTRICT"), index=True)
    state: Mapped[ItemState] = mapped_column(string_enum(ItemState, 16), default=ItemState.PACKED, index=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Damage noted on the way (at a school's receipt, or the copy left a stop damaged): it stays
    # on the copy until the origin checks it in, which keeps the copy marked damaged.
    is_damaged: Mapped[bool] = mapped_column(Boolean, default=False)

    batch: Mapped[RotationBatch] = relationship(back_populates="items")
    item: Mapped[Item] = relationship()


class DiscrepancyKind(str, enum.Enum):
    MISSING = "missing"
    DAMAGED = "damaged"
    UNEXPECTED = "unexpected"
    LOST = "lost"


class RotationDiscrepancy(Base):
    """Something that did not match the manifest, recorded at a handover."""

    __tablename__ = "rotation_discrepancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("rotation_batch.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"), index=True)
    # As scanned (an unexpected barcode may match no copy at all).
    barcode: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[DiscrepancyKind] = mapped_column(string_enum(DiscrepancyKind, 16), index=True)
    # dispatch | receipt | return | close
    stage: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    item: Mapped[Item | None] = relationship()
    library: Mapped[Library] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class RotationEvent(Base):
    """One step of a batch's story (created, dispatch, receipt, pass_on, return_sent,
    return_received, closed, ...). Handover steps list their copies in `item_ids`."""

    __tablename__ = "rotation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("rotation_batch.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    from_library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    to_library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    from_library: Mapped[Library | None] = relationship(foreign_keys=[from_library_id])
    to_library: Mapped[Library | None] = relationship(foreign_keys=[to_library_id])
    user: Mapped[User | None] = relationship()
