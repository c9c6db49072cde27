"""Circulation: loan rules, loans, holds, transits between libraries, and the dated events that
reports count. Services live in catalog/circulation/lending.py; this module holds the tables.

States and what they mean:
- Loan: open while `returned_at` is NULL. The database allows one open loan per copy.
- Hold (a reader's request for a title, collected at a pickup library):
  waiting (no copy set aside yet) -> ready (a copy is set aside at the pickup library, `item_id`)
  -> collected (the reader borrowed it); or cancelled / expired. One ready hold per copy, and one
  open (waiting or ready) hold per reader and title.
- Transit: a copy travelling to `to_library_id` (back home after a return elsewhere, or to the
  school holding its rotation batch); open while `received_at` is NULL, one open transit per copy.
- CirculationEvent kinds: checkout, renew, checkin, hold_placed, hold_filled (a copy set aside),
  hold_cancelled, hold_collected, transit_sent, transit_received. `batch_id` is the rotation
  batch the copy was in at that moment (NULL for the library's own stock).
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base, string_enum, utcnow
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.records.models import Record
from catalog.accounts.users import User



class LoanRule(Base):
    """Loan period, renewals and maximum loans per reader, per library and copy type.

    The most specific rule wins: (library, type), (library, any type), (any library, type),
    (any library, any type), then DEFAULT_RULE. A rule's library also covers the points under it."""

    __tablename__ = "loan_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="CASCADE"), index=True)
    item_type: Mapped[str | None] = mapped_column(String(32))
    loan_days: Mapped[int] = mapped_column(Integer)
    renewals_allowed: Mapped[int] = mapped_column(Integer)
    max_loans: Mapped[int] = mapped_column(Integer)

    library: Mapped[Library | None] = relationship()


class Loan(Base):
    """A copy lent to a reader. Open while returned_at is NULL (one open loan per copy)."""

    __tablename__ = "loan"
    __table_args__ = (
        Index(
            "uq_loan_open_item", "item_id", unique=True,
            sqlite_where=text("returned_at IS NULL"), postgresql_where=text("returned_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="RESTRICT"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    # Where it was lent.
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    checked_out_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returned_library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    # The rotation batch the copy was in when lent (loans at schools from rotated books).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_batch.id", ondelete="SET NULL"), index=True)

    item: Mapped[Item] = relationship()
    reader: Mapped[User] = relationship()
    library: Mapped[Library] = relationship(foreign_keys=[library_id])
    returned_library: Mapped[Library | None] = relationship(foreign_keys=[returned_library_id])

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def is_overdue(self, now: dt.datetime) -> bool:
        """True when the loan is open and past its due time."""
        return self.returned_at is None and self.due_at < now


class HoldStatus(str, enum.Enum):
    WAITING = "waiting"  # placed; no copy set aside yet
    READY = "ready"  # a copy is set aside at the pickup library for this reader
    COLLECTED = "collected"  # the reader borrowed the copy set aside
    CANCELLED = "cancelled"  # cancelled by the reader or the staff
    EXPIRED = "expired"  # not collected before expires_at


OPEN_HOLD_STATUSES = (HoldStatus.WAITING, HoldStatus.READY)


class Hold(Base):
    """A reader's request for a title, to collect at a pickup library."""

    __tablename__ = "hold"
    __table_args__ = (
        Index(
            "uq_hold_ready_item", "item_id", unique=True,
            sqlite_where=text("status = 'ready'"), postgresql_where=text("status = 'ready'"),
        ),
        # One open hold per reader and title, even when two desks place it at the same moment.
        Index(
            "uq_hold_open_reader_record", "reader_id", "record_id", unique=True,
            sqlite_where=text("status IN ('waiting', 'ready')"),
            postgresql_where=text("status IN ('waiting', 'ready')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    # The copy set aside, once the hold is filled (status ready).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Pickup library.
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    filled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Until when a ready copy waits for the reader.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[HoldStatus] = mapped_column(string_enum(HoldStatus, 16), default=HoldStatus.WAITING, index=True)

    record: Mapped[Record] = relationship()
    item: Mapped[Item | None] = relationship()
    reader: Mapped[User] = relationship()
    library: Mapped[Library] = relationship()


class Transit(Base):
    """A copy travelling between libraries; open while received_at is NULL (one per copy)."""

    __tablename__ = "transit"
    __table_args__ = (
        Index(
            "uq_transit_open_item", "item_id", unique=True,
            sqlite_where=text("received_at IS NULL"), postgresql_where=text("received_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    from_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"))
    to_library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_batch.id", ondelete="SET NULL"))

    item: Mapped[Item] = relationship()
    from_library: Mapped[Library] = relationship(foreign_keys=[from_library_id])
    to_library: Mapped[Library] = relationship(foreign_keys=[to_library_id])


class EventKind(str, enum.Enum):
    CHECKOUT = "checkout"
    RENEW = "renew"
    CHECKIN = "checkin"
    HOLD_PLACED = "hold_placed"
    HOLD_FILLED = "hold_filled"
    HOLD_CANCELLED = "hold_cancelled"
    HOLD_COLLECTED = "hold_collected"
    TRANSIT_SENT = "transit_sent"
    TRANSIT_RECEIVED = "transit_received"


class CirculationEvent(Base):
    """One dated fact for reports: a loan, renewal, return, hold or transit."""

    __tablename__ = "circulation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id", ondelete="SET NULL"))
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Where it happened.
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_batch.id", ondelete="SET NULL"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item | None] = relationship()
    reader: Mapped[User | None] = relationship(foreign_keys=[reader_id])
    library: Mapped[Library] = relationship()


class ReaderPreference(Base):
    """A reader's circulation choices: whether their page keeps the history of past loans."""

    __tablename__ = "reader_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    keeps_history: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
