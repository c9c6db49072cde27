"""Probable duplicate records and merging two of them (the loser becomes a redirect tombstone)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from catalog.digital.models import DigitalObject
from catalog.errors import N_, ValidationError
from catalog.records.imports import RecordMatchKey, refresh_match_keys
from catalog.copies.items import Item
from catalog.records.models import Record, RecordIdentifier, mark_stale


@dataclasses.dataclass
class DuplicateGroup:
    reason: str  # "title" (same title/author/year key) or "isbn"
    value: str
    records: list[Record]


def find_duplicates(session: Session, *, limit: int = 50) -> list[DuplicateGroup]:
    """Groups of live records sharing a title/author/year key or an ISBN, largest first."""
    refresh_match_keys(session)
    live = Record.deleted_at.is_(None)
    groups: list[DuplicateGroup] = []
    keys = session.execute(
        select(RecordMatchKey.key).join(Record, Record.id == RecordMatchKey.record_id)
        .where(live, RecordMatchKey.key != "").group_by(RecordMatchKey.key)
        .having(func.count() > 1).order_by(func.count().desc(), RecordMatchKey.key).limit(limit)
    ).scalars().all()
    for key in keys:
        records = session.scalars(
            select(Record).join(RecordMatchKey, RecordMatchKey.record_id == Record.id)
            .where(live, RecordMatchKey.key == key).order_by(Record.id)
        ).all()
        groups.append(DuplicateGroup("title", key, list(records)))
    isbns = session.execute(
        select(RecordIdentifier.value).join(Record, Record.id == RecordIdentifier.record_id)
        .where(live, RecordIdentifier.kind == "isbn").group_by(RecordIdentifier.value)
        .having(func.count() > 1).order_by(RecordIdentifier.value).limit(limit)
    ).scalars().all()
    seen = {tuple(r.id for r in g.records) for g in groups}
    for isbn in isbns:
        records = session.scalars(
            select(Record).join(RecordIdentifier, RecordIdentifier.record_id == Record.id)
            .where(live, RecordIdentifier.kind == "isbn", RecordIdentifier.value == isbn).order_by(Record.id)
        ).all()
        if tuple(r.id for r in records) not in seen:
            groups.append(DuplicateGroup("isbn", isbn, list(records)))
    return groups


def merge_records(session: Session, survivor: Record, loser: Record, now: dt.datetime) -> Record:
    """Move the loser's copies and digital objects to the survivor; the loser becomes a tombstone
    that redirects (merged_into_id) and leaves the index. Both are re-indexed."""
    if survivor.id == loser.id:
        raise ValidationError(N_("A record cannot be merged into itself."), field="loser")
    if survivor.is_deleted or loser.is_deleted:
        raise ValidationError(N_("Only live records can be merged (record {record_id} is deleted)."),
                              record_id=loser.id if loser.is_deleted else survivor.id, field="loser")
    session.execute(update(Item).where(Item.record_id == loser.id).values(record_id=survivor.id, updated_at=now))
    session.execute(update(DigitalObject).where(DigitalObject.record_id == loser.id)
                    .values(record_id=survivor.id, updated_at=now))
    session.execute(update(Record).where(Record.merged_into_id == loser.id).values(merged_into_id=survivor.id))
    loser.merged_into_id = survivor.id
    loser.deleted_at = now
    loser.updated_at = now
    survivor.updated_at = now
    mark_stale(loser, now=now)
    mark_stale(survivor, now=now)
    session.flush()
    session.expire(survivor, ["items"])
    return survivor


def merge_two(session: Session, survivor_id: int, loser_id: int, *, now: dt.datetime) -> Record:
    """Merge record `loser_id` into `survivor_id` (both looked up; see merge_records)."""
    from catalog.records.models import get_record

    return merge_records(session, get_record(session, survivor_id), get_record(session, loser_id), now)
