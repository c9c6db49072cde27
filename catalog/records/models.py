"""Bibliographic records: the full source MARC plus the fields the app shows and filters on;
creating, finding and withdrawing them, and marking them stale for the search index."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_modified

from catalog.db import Base, utcnow
from catalog.errors import N_, RecordNotFound, ValidationError
from catalog.text import normalise, sort_string

RECORD_TYPES = (
    "book", "serial", "map", "music", "sound", "video", "image", "kit", "manuscript",
    "computer_file", "mixed", "other",
)


@dataclasses.dataclass
class RecordDraft:
    """A record's shown fields, as a MARC mapping or a form produces them (all text NFC)."""

    title: str
    subtitle: str = ""
    responsibility: str = ""
    authors: list[str] = dataclasses.field(default_factory=list)
    subjects: list[str] = dataclasses.field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    languages: list[str] = dataclasses.field(default_factory=list)
    record_type: str = "book"
    isbns: list[str] = dataclasses.field(default_factory=list)
    issns: list[str] = dataclasses.field(default_factory=list)
    # [{"scheme": "ddc", "number": "895.9223", "edition": "23"}]
    classifications: list[dict[str, str]] = dataclasses.field(default_factory=list)
    call_number: str = ""
    summary: str = ""
    series: list[str] = dataclasses.field(default_factory=list)
    edition: str = ""
    physical_description: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    # [{"url": "...", "text": "..."}]
    links: list[dict[str, str]] = dataclasses.field(default_factory=list)
    control_number: str = ""
    control_source: str = ""
    system_numbers: list[str] = dataclasses.field(default_factory=list)

    def normalised(self) -> RecordDraft:
        """A copy with every text value NFC, canonical tones and single spaces."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, str):
                value = normalise(value)
            elif isinstance(value, list):
                value = [
                    {k: normalise(v) for k, v in item.items()} if isinstance(item, dict) else normalise(item)
                    for item in value
                    if item
                ]
            out[field.name] = value
        return RecordDraft(**out)


DRAFT_FIELDS = tuple(f.name for f in dataclasses.fields(RecordDraft))


class Record(Base):
    __tablename__ = "record"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    subtitle: Mapped[str] = mapped_column(Text, default="")
    responsibility: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list] = mapped_column(JSON, default=list)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    publisher: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    record_type: Mapped[str] = mapped_column(String(32), default="book")
    isbns: Mapped[list] = mapped_column(JSON, default=list)
    issns: Mapped[list] = mapped_column(JSON, default=list)
    classifications: Mapped[list] = mapped_column(JSON, default=list)
    call_number: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    series: Mapped[list] = mapped_column(JSON, default=list)
    edition: Mapped[str] = mapped_column(Text, default="")
    physical_description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[list] = mapped_column(JSON, default=list)
    links: Mapped[list] = mapped_column(JSON, default=list)
    control_number: Mapped[str] = mapped_column(String(64), default="", index=True)
    control_source: Mapped[str] = mapped_column(String(64), default="")
    system_numbers: Mapped[list] = mapped_column(JSON, default=list)

    # The whole source record as MARC-in-JSON (leader, control and data fields, in order):
    # export is lossless whatever the shown fields hold.
    marc: Mapped[dict | None] = mapped_column(JSON)
    title_sort: Mapped[str] = mapped_column(String(512), default="", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # A deleted record stays as a tombstone (OAI-PMH harvesters see the deletion).
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    # A record merged into another redirects to it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("record.id", ondelete="SET NULL"))
    # Set on every change; the search index clears it once the record is indexed.
    index_stale: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    stale_since: Mapped[dt.datetime | None] = mapped_column(DateTime)

    items: Mapped[list["Item"]] = relationship(  # noqa: F821
        back_populates="record", order_by="Item.barcode"
    )
    identifiers: Mapped[list[RecordIdentifier]] = relationship(
        back_populates="record", cascade="all, delete-orphan"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def draft(self) -> RecordDraft:
        """The shown fields as a draft (for forms and mappings)."""
        return RecordDraft(**{name: _copy(getattr(self, name)) for name in DRAFT_FIELDS})

    def __repr__(self) -> str:
        return f"<Record {self.id} {self.title[:30]!r}>"


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    return value if value is not None else None


class RecordIdentifier(Base):
    """Identifiers used to match incoming records: isbn, issn, system (035), control (003/001)."""

    __tablename__ = "record_identifier"
    __table_args__ = (UniqueConstraint("record_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255), index=True)

    record: Mapped[Record] = relationship(back_populates="identifiers")


def _identifiers(draft: RecordDraft) -> set[tuple[str, str]]:
    found = {("isbn", v) for v in draft.isbns} | {("issn", v) for v in draft.issns}
    found |= {("system", v) for v in draft.system_numbers}
    if draft.control_number:
        found.add(("control", f"{draft.control_source}|{draft.control_number}"))
    return {(kind, value[:255]) for kind, value in found if value}


def checked_draft(draft: RecordDraft) -> RecordDraft:
    """The draft as it is stored: normalised, with a title (ValidationError) and a known type."""
    draft = draft.normalised()
    if not draft.title:
        raise ValidationError(N_("A record needs a title (MARC 245 $a)."), field="title")
    if draft.record_type not in RECORD_TYPES:
        draft.record_type = "other"
    return draft


def apply_draft(
    session: Session, record: Record, draft: RecordDraft, *, marc: dict | None = None, now: dt.datetime | None = None
) -> Record:
    """Write a draft's fields (and, when given, the source MARC) onto a record; marks it stale."""
    draft = checked_draft(draft)
    for name in DRAFT_FIELDS:
        setattr(record, name, getattr(draft, name))
    if marc is not None:
        record.marc = marc
    record.title_sort = sort_string(draft.title)[:512]
    record.updated_at = now or utcnow()
    mark_stale(record, now=record.updated_at)
    wanted = _identifiers(draft)
    for identifier in list(record.identifiers):
        if (identifier.kind, identifier.value) not in wanted:
            record.identifiers.remove(identifier)
    present = {(i.kind, i.value) for i in record.identifiers}
    for kind, value in sorted(wanted - present):
        record.identifiers.append(RecordIdentifier(kind=kind, value=value))
    return record


def insert_records(session: Session, drafts: list[tuple[RecordDraft, dict | None]], *, now: dt.datetime) -> list[int]:
    """Add many new records at once (bulk imports): one statement for the records, one for their
    identifiers, no ORM objects. The drafts must come from checked_draft(). Returns the new ids,
    in order. The records are marked stale, like apply_draft's."""
    if not drafts:
        return []
    rows = []
    for draft, marc in drafts:
        row = {name: getattr(draft, name) for name in DRAFT_FIELDS}
        row.update(marc=marc, title_sort=sort_string(draft.title)[:512], created_at=now, updated_at=now,
                   index_stale=True, stale_since=now)
        rows.append(row)
    ids = list(session.scalars(insert(Record).returning(Record.id, sort_by_parameter_order=True), rows))
    identifiers = [{"record_id": record_id, "kind": kind, "value": value}
                   for record_id, (draft, _marc) in zip(ids, drafts) for kind, value in sorted(_identifiers(draft))]
    if identifiers:
        session.execute(insert(RecordIdentifier), identifiers)
    return ids


def create_record(
    session: Session, draft: RecordDraft, *, marc: dict | None = None, now: dt.datetime | None = None
) -> Record:
    """Add a record built from a draft; the caller commits."""
    record = Record(created_at=now or utcnow())
    session.add(record)
    apply_draft(session, record, draft, marc=marc, now=now)
    session.flush()
    return record


def get_record(session: Session, record_id: int, *, include_deleted: bool = False) -> Record:
    """The record with this id, or RecordNotFound (deleted ones only when asked)."""
    record = session.get(Record, record_id)
    if record is None or (record.is_deleted and not include_deleted):
        raise RecordNotFound(N_("No record with id {record_id}."), record_id=record_id)
    return record


def delete_record(session: Session, record: Record, *, now: dt.datetime | None = None) -> Record:
    """Soft-delete: the record becomes a tombstone and leaves the search index."""
    record.deleted_at = now or utcnow()
    record.updated_at = record.deleted_at
    mark_stale(record, now=record.deleted_at)
    return record


def mark_stale(record: Record, *, now: dt.datetime | None = None) -> None:
    """Flag the record for the index (its copies, pages or fields changed)."""
    record.index_stale = True
    record.stale_since = now or utcnow()
    # Write the flag even when this session already saw it set: a sync may have cleared it in the
    # database meanwhile, and an UPDATE without it would leave this change unindexed.
    flag_modified(record, "index_stale")


def stale_record_ids(session: Session, limit: int | None = None) -> list[int]:
    """Records whose index entry is missing or out of date."""
    query = select(Record.id).where(Record.index_stale.is_(True)).order_by(Record.id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def mark_indexed(session: Session, record_ids: list[int], *, as_of: dt.datetime) -> None:
    """Clear the stale flag of records not changed since `as_of` (a later change stays stale)."""
    for start in range(0, len(record_ids), 500):
        session.execute(
            update(Record)
            .where(Record.id.in_(record_ids[start:start + 500]), Record.stale_since <= as_of)
            .values(index_stale=False)
        )
