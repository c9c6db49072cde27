"""The audit trail: who changed what, when, with the values before and after.

Every change to records, copies, readers and accounts goes through log_change (other areas may
call it too); refused attempts (tampered form fields) are logged with the action "denied"."""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The actor's id and name at the time (the name stays readable if the account goes).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return [(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)]


def json_safe(value: Any) -> Any:
    """A value JSON can store: enums by value, dates ISO, decimals as text, dataclasses as dicts."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a model, JSON-safe (for before/after)."""
    return {name: json_safe(getattr(obj, name)) for name in fields}


def log_change(
    session: Session,
    actor: Any,
    entity_type: str,
    entity_id: int | None,
    action: str,
    before: dict | None,
    after: dict | None,
    now: dt.datetime | None = None,
    note: str = "",
) -> AuditEntry:
    """Keep one change (actor is a User or None for the system); the caller commits."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        at=now or utcnow(),
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=json_safe(before) if before is not None else None,
        after=json_safe(after) if after is not None else None,
        note=note[:2000],
    )
    session.add(entry)
    return entry


def history(session: Session, entity_type: str, entity_id: int, *, limit: int = 200) -> list[AuditEntry]:
    """The changes to one entity, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def entries(session: Session, *, action: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """The latest entries (optionally one action, such as "denied"), newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query))
