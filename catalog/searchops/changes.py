"""Which records changed since a moment: what a backend built beside the serving one must take
again before it serves (edits made while it was built)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.records.models import Record


def records_changed_since(session: Session, moment: dt.datetime) -> list[int]:
    """Ids of records edited, deleted, merged or marked stale (a copy or a page changed) at or
    after `moment` (naive UTC), live or not: the index takes the live ones and drops the others."""
    return list(session.scalars(select(Record.id).where(
        or_(Record.updated_at >= moment, Record.stale_since >= moment, Record.deleted_at >= moment))
        .order_by(Record.id)))
