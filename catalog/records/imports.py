"""Import runs (counts, per-record problems, quarantined bytes) and the keys used to match records.

A record's match key is its folded title, first author and year ("thu vien xa|nguyen van an|2019"):
the last of the duplicate rules (control number + source, 035, ISBN, then this key).
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, delete, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog.db import Base, utcnow
from catalog.records.duplicate_keys import store_duplicate_keys
from catalog.errors import N_, NotFound
from catalog.records.models import Record
from catalog.text import fold

RULES = ("control", "system", "isbn", "title")


class ImportRun(Base):
    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | refused | failed
    files: Mapped[list] = mapped_column(JSON, default=list)
    library_code: Mapped[str] = mapped_column(String(32), default="")
    is_strict: Mapped[bool] = mapped_column(Boolean, default=False)
    # read, created, updated, unchanged, rejected, warnings, copies
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    problems: Mapped[list[ImportProblem]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ImportProblem.id"
    )


class ImportProblem(Base):
    """One line of a run's report: a rejected record, a warning, or an update and its rule."""

    __tablename__ = "import_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # rejected | warning | updated
    file_name: Mapped[str] = mapped_column(String(500), default="")
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    byte_offset: Mapped[int] = mapped_column(Integer, default=0)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id", ondelete="SET NULL"))
    rule: Mapped[str] = mapped_column(String(16), default="")
    # The reason as an English template and its parameters (translated when shown).
    template: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Quarantined raw bytes, relative to the data directory.
    raw_path: Mapped[str] = mapped_column(String(500), default="")

    run: Mapped[ImportRun] = relationship(back_populates="problems")

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


class RecordMatchKey(Base):
    """The title/author/year key of a record, kept beside it (refreshed when the record changes)."""

    __tablename__ = "record_match_key"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    record_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


def match_key(title: str, authors: list[str], year: int | None) -> str:
    """Folded title + first author (any word order punctuation) + year; '' without a title."""
    words = " ".join(re.findall(r"\w+", fold(title)))
    if not words:
        return ""
    author = " ".join(re.findall(r"\w+", fold(authors[0]))) if authors else ""
    return f"{words[:180]}|{author[:60]}|{year or ''}"


def refresh_match_keys(session: Session, *, batch: int = 2000) -> int:
    """Compute keys of records without one or changed since (staff edits, demo data); returns how many."""
    done = 0
    while True:
        rows = session.execute(
            select(Record.id, Record.title, Record.authors, Record.year, Record.updated_at)
            .outerjoin(RecordMatchKey, RecordMatchKey.record_id == Record.id)
            .where((RecordMatchKey.record_id.is_(None)) | (RecordMatchKey.record_updated_at != Record.updated_at))
            .limit(batch)
        ).all()
        if not rows:
            return done
        for record_id, title, authors, year, updated_at in rows:
            session.merge(RecordMatchKey(record_id=record_id, key=match_key(title, authors or [], year),
                                         record_updated_at=updated_at))
        session.flush()
        done += len(rows)


def store_match_keys(session: Session, records: list[Record]) -> None:
    """Store the keys of records just written (ids known: flush first), two statements per batch."""
    rows = [{"record_id": r.id, "key": match_key(r.title, r.authors or [], r.year), "record_updated_at": r.updated_at}
            for r in records]
    ids = [row["record_id"] for row in rows]
    for start in range(0, len(ids), 500):
        session.execute(delete(RecordMatchKey).where(RecordMatchKey.record_id.in_(ids[start:start + 500])))
    if rows:
        session.execute(insert(RecordMatchKey), rows)
    store_duplicate_keys(session, records)


def start_run(session: Session, *, files: list[str], library_code: str = "", is_strict: bool = False,
              user_id: int | None = None, now: dt.datetime | None = None) -> ImportRun:
    """Open a run; the caller commits."""
    run = ImportRun(files=files, library_code=library_code, is_strict=is_strict, user_id=user_id,
                    created_at=now or utcnow(), counts={})
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> ImportRun:
    """The run with this id, or NotFound."""
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(N_("No import with id {run_id}."), run_id=run_id)
    return run


def get_problem(session: Session, problem_id: int) -> ImportProblem:
    """One report line, or NotFound."""
    problem = session.get(ImportProblem, problem_id)
    if problem is None:
        raise NotFound(N_("No import problem with id {problem_id}."), problem_id=problem_id)
    return problem


def run_problems(session: Session, run_id: int, kind: str, *, limit: int = 500, offset: int = 0,
                 templates: list[str] | None = None) -> list[ImportProblem]:
    """A run's report lines of one kind, in file order (only those of these templates, if given)."""
    query = select(ImportProblem).where(ImportProblem.run_id == run_id, ImportProblem.kind == kind)
    if templates is not None:
        query = query.where(ImportProblem.template.in_(templates))
    return list(session.scalars(query.order_by(ImportProblem.id).offset(offset).limit(limit)))


def count_templates(session: Session, run_id: int, kind: str) -> dict[str, int]:
    """How many report lines of one kind a run has per reason template (the reason's kind)."""
    rows = session.execute(
        select(ImportProblem.template, func.count()).where(ImportProblem.run_id == run_id, ImportProblem.kind == kind)
        .group_by(ImportProblem.template)
    ).all()
    return {template: count for template, count in rows}


def count_problems(session: Session, run_id: int) -> dict[str, int]:
    """How many report lines of each kind a run has."""
    rows = session.execute(
        select(ImportProblem.kind, func.count()).where(ImportProblem.run_id == run_id).group_by(ImportProblem.kind)
    ).all()
    return {kind: count for kind, count in rows}


def recent_runs(session: Session, limit: int = 20) -> list[ImportRun]:
    """The latest import runs, newest first."""
    return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
