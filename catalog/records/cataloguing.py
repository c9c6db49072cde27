"""Cataloguing by staff: creating, editing and withdrawing bibliographic records, with the role
check and the audit trail. The MARC side (form <-> MARC) lives in ingest/marc/edit.py."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.audit import json_safe, log_change
from catalog.errors import N_, ValidationError
from catalog.copies.items import ItemStatus
from catalog.accounts.permissions import require_cataloguer
from catalog.records.models import Record, RecordDraft, RecordIdentifier, apply_draft, create_record, delete_record
from catalog.text import isbn_forms
from catalog.accounts.users import User


def _shown(record: Record) -> dict:
    return json_safe(dataclasses.asdict(record.draft()))


def save_record(
    session: Session,
    actor: User,
    draft: RecordDraft,
    *,
    marc: dict | None,
    record: Record | None = None,
    now: dt.datetime,
    note: str = "",
) -> Record:
    """Create a record, or write the draft and its MARC onto `record` (cataloguers and admins)."""
    require_cataloguer(actor)
    if record is None:
        record = create_record(session, draft, marc=marc, now=now)
        log_change(session, actor, "record", record.id, "create", None, _shown(record), now, note=note)
        return record
    if record.is_deleted:
        raise ValidationError(N_("Record {record_id} is deleted; it cannot be edited."), record_id=record.id)
    before = _shown(record)
    apply_draft(session, record, draft, marc=marc, now=now)
    session.flush()
    log_change(session, actor, "record", record.id, "update", before, _shown(record), now, note=note)
    return record


def withdraw_record(session: Session, actor: User, record: Record, *, reason: str, now: dt.datetime) -> Record:
    """Soft-delete a record (a tombstone stays); refused while it still has copies in use."""
    require_cataloguer(actor)
    live = [item.barcode for item in record.items if item.status != ItemStatus.WITHDRAWN]
    if live:
        raise ValidationError(
            N_("Record {record_id} still has {count} copies ({barcodes}); withdraw them first."),
            record_id=record.id, count=len(live), barcodes=", ".join(live[:5]), field="reason",
        )
    delete_record(session, record, now=now)
    log_change(session, actor, "record", record.id, "delete", _shown(record), None, now, note=reason)
    return record


def records_sharing_isbn(session: Session, isbns: list[str], *,
                         exclude_id: int | None = None) -> list[tuple[str, Record]]:
    """Live records already holding one of these ISBNs, as (ISBN typed, record); ISBN-10 and -13
    forms of one number match, hyphens and spaces ignored."""
    wanted: dict[str, str] = {}
    for isbn in isbns:
        for form in isbn_forms(isbn) or [isbn.replace("-", "").replace(" ", "").upper()]:
            wanted.setdefault(form, isbn)
    if not wanted:
        return []
    bare = func.upper(func.replace(func.replace(RecordIdentifier.value, "-", ""), " ", ""))
    rows = session.execute(
        select(bare, Record).join(Record, Record.id == RecordIdentifier.record_id)
        .where(RecordIdentifier.kind == "isbn", bare.in_(list(wanted)), Record.deleted_at.is_(None),
               Record.id != (exclude_id or 0)).order_by(Record.id)).all()
    found: dict[int, tuple[str, Record]] = {}
    for value, record in rows:
        found.setdefault(record.id, (wanted[value], record))
    return list(found.values())
