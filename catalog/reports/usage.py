"""Anonymous daily counters of online use (searches, record views, reads and downloads of digital
objects, sessions). No personal data: a count per day, kind and subject only."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, UniqueConstraint, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base

USAGE_KINDS = ("session", "search", "record_view", "read", "download")


class UsageCount(Base):
    __tablename__ = "usage_count"
    __table_args__ = (UniqueConstraint("day", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What was used: "" for site-wide counts, "object:12", "record:5", "library:TTVH".
    subject: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


def count_use(session: Session, kind: str, day: dt.date, subject: str = "", n: int = 1) -> None:
    """Add n to the day's counter (one atomic upsert, safe under concurrent requests)."""
    if kind not in USAGE_KINDS:
        raise ValueError(f"unknown usage kind {kind!r}")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(UsageCount).values(day=day, kind=kind, subject=subject, count=n)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "kind", "subject"], set_={"count": UsageCount.count + n}
    )
    session.execute(statement)


def commit_without_waiting_for_disk(session: Session) -> None:
    """This transaction's commit does not wait for the disk (PostgreSQL; SQLite's WAL mode already
    does not). Every search adds to the same counter row, and a commit that waits for the disk while
    it holds the row's lock let one search through per flush (about 30 a second on a busy disk,
    whatever the number of server processes). A count lost in a crash is an acceptable price."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def usage_total(session: Session, kind: str, start: dt.date, end: dt.date, subject: str | None = None) -> int:
    """Sum of a counter over [start, end], for one subject or all."""
    query = select(func.coalesce(func.sum(UsageCount.count), 0)).where(
        UsageCount.kind == kind, UsageCount.day >= start, UsageCount.day <= end
    )
    if subject is not None:
        query = query.where(UsageCount.subject == subject)
    return int(session.scalar(query))
