"""Offline desks: the devices enabled for a library, every action they queued (applied or a
conflict waiting for a decision), and the report of each sync or file import.

An OfflineAction's `action_uid` is the id the device gave the action: the database allows it once,
so a queue sent twice (a retried sync, a file imported after the device synced) applies nothing
twice, even when two syncs of it run at the same moment."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base, string_enum
from catalog.libraries import Library
from catalog.accounts.users import User


class OfflineDevice(Base):
    """A browser a librarian or admin prepared to work one library's desk without a connection."""

    __tablename__ = "offline_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The device's public id (a UUID), carried by every queue it sends.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    # The per-device secret the queue's HMAC is computed with; given to the device once, at prepare time.
    key: Mapped[str] = mapped_column(String(64))
    enabled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    enabled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    library: Mapped[Library] = relationship()
    enabled_by: Mapped[User | None] = relationship(foreign_keys=[enabled_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_usable(self, now: dt.datetime) -> bool:
        """True while the device is neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > now


class ActionKind(str, enum.Enum):
    CHECKOUT = "checkout"
    CHECKIN = "checkin"
    VISIT = "visit"
    RECEIVE = "receive"  # a copy of a rotation batch scanned at its receipt
    FINISH_RECEIPT = "finish_receipt"  # the receipt closed: copies not scanned are missing
    BATCH_RETURN = "batch_return"  # a copy of a batch sent back, checked in at its origin (the centre)
    FINISH_RETURN = "finish_return"  # the return check closed: copies not scanned are missing


class ActionStatus(str, enum.Enum):
    APPLIED = "applied"  # went through the services at sync time
    CONFLICT = "conflict"  # could not apply: waits for the librarian's decision
    RESOLVED = "resolved"  # a conflict applied later on the librarian's say
    DISMISSED = "dismissed"  # a conflict the librarian decided not to apply (with a note)


class ConflictKind(str, enum.Enum):
    LENT_ELSEWHERE = "lent_elsewhere"  # the copy was lent to someone else meanwhile
    TWO_DEVICES = "two_devices"  # another offline device lent the same copy
    READER_BLOCKED = "reader_blocked"
    ALREADY_BACK = "already_back"  # a return of a copy that is not on loan
    ALREADY_DONE = "already_done"  # the same loan was made meanwhile (at the online desk)
    UNKNOWN = "unknown"  # the barcode or card names nothing (any more)
    REFUSED = "refused"  # any other refusal of the services (the message says which)


class SyncReport(Base):
    """One sync of a device's queue, or one imported queue file: what was applied, what needs a decision."""

    __tablename__ = "offline_sync_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("offline_device.id", ondelete="CASCADE"), index=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    # "sync" (the device, over the link) or "file" (a queue carried by hand and imported).
    source: Mapped[str] = mapped_column(String(8))
    received: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    # Actions already applied by an earlier sync or import (sent again: nothing done twice).
    duplicates: Mapped[int] = mapped_column(Integer, default=0)

    device: Mapped[OfflineDevice] = relationship()
    library: Mapped[Library] = relationship()
    by: Mapped[User | None] = relationship()


class OfflineAction(Base):
    """One action a device queued: lend, return or count visitors, with its original time."""

    __tablename__ = "offline_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_uid: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("offline_device.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("offline_sync_report.id", ondelete="CASCADE"), index=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    # The librarian at the device when it was queued.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ActionKind] = mapped_column(string_enum(ActionKind, 16))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    card: Mapped[str] = mapped_column(String(64), default="")
    barcode: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    batch_code: Mapped[str] = mapped_column(String(32), default="")
    age_group: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[ActionStatus] = mapped_column(string_enum(ActionStatus, 16), index=True)
    conflict: Mapped[ConflictKind | None] = mapped_column(string_enum(ConflictKind, 16))
    # Why it could not apply: the services' message template and its parameters (translated when shown).
    message: Mapped[str] = mapped_column(Text, default="")
    message_params: Mapped[dict] = mapped_column(JSON, default=dict)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id", ondelete="SET NULL"), index=True)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    device: Mapped[OfflineDevice] = relationship()
    report: Mapped[SyncReport] = relationship()
    library: Mapped[Library] = relationship()
    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
