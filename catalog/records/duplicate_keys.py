"""What the duplicates queue compares, kept beside each live record and refreshed when it changes.

A record's *signature* holds its fields folded for comparison (title proper, subtitle, first
author, year, edition, part numbers, type, language, how many ISBNs). Its *blocking keys* say which
records may be duplicates of it at all: one per ISBN (as ISBN-13), its title proper, and its whole
work (title, subtitle, author and year). Only records sharing a key are ever compared, so the queue
never looks at all pairs of a large catalogue."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base
from catalog.records.models import Record
from catalog.text import fold, has_marks, isbn_forms, normalise

NO_TITLE = "[No title]"  # the import's stand-in for a record without one (never a key)
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
# "tập 2", "Vol. III", "Part iv", "quyển 1", "t. 3": the number of a volume or part.
_PART = re.compile(r"\b(?:tap|quyen|vol|volume|part|phan|book|bd|tome|t|q)\.?\s*([ivxlc]+|\d+)\b")


class DuplicateSignature(Base):
    """One live record's fields as the queue compares them (record_updated_at: as of which change)."""

    __tablename__ = "duplicate_signature"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    title_key: Mapped[str] = mapped_column(String(200), default="")
    # The title proper's first two words: two titles that differ from their start are other books.
    title_head: Mapped[str] = mapped_column(String(60), default="")
    # The title proper as written (marks kept) when it has Vietnamese marks, else "".
    title_exact: Mapped[str] = mapped_column(String(200), default="")
    subtitle_key: Mapped[str] = mapped_column(String(200), default="")
    author_key: Mapped[str] = mapped_column(String(100), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    edition_key: Mapped[str] = mapped_column(String(60), default="")
    part_key: Mapped[str] = mapped_column(String(60), default="")
    record_type: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    isbn_count: Mapped[int] = mapped_column(Integer, default=0)
    record_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DuplicateKey(Base):
    """A blocking key of a live record: kind "isbn", "title" (title proper), "author" (title and
    first author) or "work" (title, subtitle, first author, year)."""

    __tablename__ = "duplicate_key"
    __table_args__ = (Index("ix_duplicate_key_kind_value", "kind", "value"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)


def _folded(text: str, limit: int) -> str:
    return " ".join(_WORD.findall(fold(normalise(text))))[:limit]


def author_key(name: str) -> str:
    """A name's folded words without dates, in sorted order: "Lê, Văn Tám" and "Lê Văn Tám (1950-)"
    give the same key (Vietnamese names are never inverted, so only the punctuation differs)."""
    return " ".join(sorted(w for w in _WORD.findall(fold(normalise(name))) if not w.isdigit()))[:100]


def edition_key(edition: str) -> str:
    """The edition's numbers ("2nd ed.", "In lần thứ 2" -> "2"), else its folded words."""
    folded = fold(normalise(edition))
    numbers = _DIGITS.findall(folded)
    return " ".join(numbers)[:60] if numbers else " ".join(_WORD.findall(folded))[:60]


def part_key(title: str, subtitle: str) -> str:
    """Volume and part numbers in the title and subtitle (245 $a $n $p $b), in order."""
    folded = fold(normalise(f"{title} {subtitle}"))
    found = [m.group(1) for m in _PART.finditer(folded)]
    found += [n for n in _DIGITS.findall(folded) if n not in found]
    return " ".join(found)[:60]


def isbn13s(isbns: list[str]) -> list[str]:
    """The record's ISBNs as ISBN-13 (hyphens, qualifiers and the 10-digit form folded together)."""
    return sorted({forms[0] for forms in (isbn_forms(value) for value in isbns or []) if forms})


def signature_row(record_id: int, title: str, subtitle: str, authors: list, year: int | None, edition: str,
                  record_type: str, languages: list, isbns: list, updated_at: dt.datetime | None) -> dict:
    """The signature columns of one record."""
    title = "" if title == NO_TITLE else title
    title_key = _folded(title, 200)
    return {"record_id": record_id, "title_key": title_key, "title_head": " ".join(title_key.split()[:2])[:60],
            "title_exact": " ".join(w.lower() for w in _WORD.findall(normalise(title)))[:200] if has_marks(title)
            else "",
            "subtitle_key": _folded(subtitle, 200), "author_key": author_key(authors[0]) if authors else "",
            "year": year, "edition_key": edition_key(edition), "part_key": part_key(title, subtitle),
            "record_type": record_type or "", "language": (languages or [""])[0][:16],
            "isbn_count": len(isbn13s(isbns)), "record_updated_at": updated_at}


def key_rows(signature: dict, isbns: list) -> list[dict]:
    """The blocking keys of a record, from its signature."""
    rid, title = signature["record_id"], signature["title_key"]
    rows = [{"record_id": rid, "kind": "isbn", "value": isbn} for isbn in isbn13s(isbns)]
    if title:
        work = "|".join((title, signature["subtitle_key"], signature["author_key"], str(signature["year"] or "")))
        rows.append({"record_id": rid, "kind": "title", "value": title[:255]})
        if signature["subtitle_key"] or signature["author_key"] or signature["year"]:  # else: the title alone
            rows.append({"record_id": rid, "kind": "work", "value": work[:255]})
        if signature["author_key"]:
            rows.append({"record_id": rid, "kind": "author", "value": f"{title}|{signature['author_key']}"[:255]})
    return rows


def store_duplicate_keys(session: Session, records: list) -> None:
    """Store the signatures and keys of records just written (imports; ids known: flush first), so
    that the queue has nothing to catch up on after a large import."""
    ids = [r.id for r in records]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(DuplicateKey).where(DuplicateKey.record_id.in_(chunk)))
        session.execute(delete(DuplicateSignature).where(DuplicateSignature.record_id.in_(chunk)))
    signatures, keys = [], []
    for r in records:
        signature = signature_row(r.id, r.title, r.subtitle, r.authors or [], r.year, r.edition, r.record_type,
                                  r.languages or [], r.isbns or [], r.updated_at)
        signatures.append(signature)
        keys += key_rows(signature, r.isbns or [])
    _insert_new(session, DuplicateSignature, signatures)
    _insert_new(session, DuplicateKey, keys)


def refresh_duplicate_keys(session: Session, *, batch: int = 2000) -> int:
    """Bring signatures and keys up to date: records new or changed since, and records withdrawn
    or merged (their rows go). Safe when two requests refresh at once. Returns how many changed."""
    done, last = 0, 0
    while True:
        rows = session.execute(
            select(Record.id, Record.deleted_at, Record.title, Record.subtitle, Record.authors, Record.year,
                   Record.edition, Record.record_type, Record.languages, Record.isbns, Record.updated_at)
            .outerjoin(DuplicateSignature, DuplicateSignature.record_id == Record.id)
            .where(Record.id > last)
            .where((DuplicateSignature.record_id.is_(None) & Record.deleted_at.is_(None))
                   | (DuplicateSignature.record_id.is_not(None)
                      & (Record.deleted_at.is_not(None)
                         | Record.updated_at.is_distinct_from(DuplicateSignature.record_updated_at))))
            .order_by(Record.id).limit(batch)
        ).all()
        if not rows:
            return done
        ids = [row.id for row in rows]
        last = ids[-1]
        session.execute(delete(DuplicateKey).where(DuplicateKey.record_id.in_(ids)))
        session.execute(delete(DuplicateSignature).where(DuplicateSignature.record_id.in_(ids)))
        signatures, keys = [], []
        for row in rows:
            if row.deleted_at is None:
                signature = signature_row(row.id, row.title, row.subtitle, row.authors or [], row.year, row.edition,
                                          row.record_type, row.languages or [], row.isbns or [], row.updated_at)
                signatures.append(signature)
                keys += key_rows(signature, row.isbns or [])
        _insert_new(session, DuplicateSignature, signatures)
        _insert_new(session, DuplicateKey, keys)
        done += len(rows)


def _insert_new(session: Session, model, rows: list[dict]) -> None:
    """Insert rows, leaving any another transaction wrote meanwhile (same values: same records).
    One statement run for many rows (a statement of many VALUES costs more to build than to run)."""
    if rows:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(model.__table__).on_conflict_do_nothing(), rows)
