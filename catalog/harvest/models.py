"""OAI-PMH sources, their harvest runs, and the link of each harvested record to its source.

A link (source, OAI identifier) is unique: a record harvested again is updated in place, and a
deleted one withdrawn, only through its own source's link, never another source's."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base, utcnow

PREFIXES = ("oai_dc", "marc21")
SCHEDULES = ("manual", "daily", "weekly")


class HarvestSource(Base):
    __tablename__ = "harvest_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(1000))
    metadata_prefix: Mapped[str] = mapped_column(String(32), default="oai_dc")
    set_spec: Mapped[str] = mapped_column(String(200), default="")
    schedule: Mapped[str] = mapped_column(String(16), default="manual")
    # The library that owns copies described in harvested MARC holdings (none: no copies made).
    library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id", ondelete="SET NULL"))
    # From the partner's Identify: "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ".
    granularity: Mapped[str] = mapped_column(String(32), default="")
    repository_name: Mapped[str] = mapped_column(String(500), default="")
    # The responseDate of the first page of the last harvest that finished: the next one's "from".
    harvested_until: Mapped[str] = mapped_column(String(32), default="")
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    library: Mapped["Library | None"] = relationship()  # noqa: F821


class HarvestRun(Base):
    """One harvest of a source: where it is in the list (resumptionToken), so that a harvest
    stopped half-way goes on from there; the report is the import run beside it."""

    __tablename__ = "harvest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"), index=True)
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    from_value: Mapped[str] = mapped_column(String(32), default="")
    resumption_token: Mapped[str] = mapped_column(Text, default="")
    response_date: Mapped[str] = mapped_column(String(32), default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    list_size: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    source: Mapped[HarvestSource] = relationship()


class HarvestLink(Base):
    """This record came from this source under this OAI identifier."""

    __tablename__ = "harvest_link"
    __table_args__ = (UniqueConstraint("source_id", "oai_identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("harvest_source.id", ondelete="CASCADE"), index=True)
    oai_identifier: Mapped[str] = mapped_column(String(500))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    datestamp: Mapped[str] = mapped_column(String(32), default="")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
