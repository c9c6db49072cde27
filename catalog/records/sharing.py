"""What the catalogue offers other systems (SRU, unAPI, sitemaps): live records by number, and
the record and digital-object numbers a sitemap lists, in slices of the primary key (cheap at any
size: a range scan, never an OFFSET)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.digital.models import OPEN_LICENCES, DigitalObject
from catalog.records.models import Record


def live_records(session: Session, record_ids: list[int]) -> list[Record]:
    """The records with these numbers in the order given, leaving out deleted and merged ones
    (never shown to another system, even while the search index still holds them)."""
    if not record_ids:
        return []
    rows = session.scalars(
        select(Record).where(Record.id.in_(record_ids), Record.deleted_at.is_(None), Record.merged_into_id.is_(None))
    ).all()
    by_id = {record.id: record for record in rows}
    return [by_id[i] for i in dict.fromkeys(record_ids) if i in by_id]


def highest_record_id(session: Session) -> int:
    """The largest record number (0 for an empty catalogue): sitemap slices are ranges of it."""
    return session.scalar(select(func.max(Record.id))) or 0


def record_stamps(session: Session, first_id: int, last_id: int) -> list[tuple[int, dt.datetime | None]]:
    """(id, updated_at) of the live records numbered first_id..last_id, in order."""
    rows = session.execute(
        select(Record.id, Record.updated_at)
        .where(Record.id >= first_id, Record.id <= last_id, Record.deleted_at.is_(None),
               Record.merged_into_id.is_(None))
        .order_by(Record.id)
    )
    return [(record_id, changed) for record_id, changed in rows]


def latest_change(session: Session, first_id: int, last_id: int) -> dt.datetime | None:
    """When a live record numbered first_id..last_id last changed (a sitemap's lastmod)."""
    return session.scalar(select(func.max(Record.updated_at)).where(
        Record.id >= first_id, Record.id <= last_id, Record.deleted_at.is_(None), Record.merged_into_id.is_(None)))


def open_objects(session: Session, limit: int) -> list[tuple[int, dt.datetime | None]]:
    """(object id, when it or its record last changed) of digital objects anyone may read, at most `limit`."""
    rows = session.execute(
        select(DigitalObject.id, Record.updated_at).join(Record, DigitalObject.record_id == Record.id)
        .where(DigitalObject.licence.in_(sorted(OPEN_LICENCES)), Record.deleted_at.is_(None),
               Record.merged_into_id.is_(None))
        .order_by(DigitalObject.id).limit(limit)
    )
    return [(object_id, changed) for object_id, changed in rows]
