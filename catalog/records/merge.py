"""Merging two records: the loser becomes a redirect tombstone (the duplicates queue, catalog/records/duplicates.py,
finds the pairs; catalog/records/duplicate_decisions.py checks the role and keeps the audit trail)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from catalog.digital.models import DigitalObject
from catalog.errors import N_, ValidationError
from catalog.copies.items import Item
from catalog.records.models import Record, mark_stale


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
