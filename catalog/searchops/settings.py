"""Which search backend answers, recorded in the database (one row), so that every process of an
instance follows a switch without a restart (app.ops.search_choice reads it every few seconds).

- No row: LIBRARY_SEARCH_BACKEND decides (a new install, or one that never switched).
- backend: the backend searches answer from. also_writing: during a switch, the other backend,
  kept up to date too by every process (edits reach both); NULL otherwise.
- switch_started_at: when the switch under way began (its catch-up takes the records changed
  since then); NULL when none is under way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, Connection, DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.db import Base

ROW_ID = 1


class SearchSetting(Base):
    __tablename__ = "search_setting"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("also_writing IS NULL OR also_writing <> backend", name="two_backends"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backend: Mapped[str] = mapped_column(String(24))
    also_writing: Mapped[str | None] = mapped_column(String(24))
    switch_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class BackendChoice:
    """What a process should do: answer from `backend`, and write `also_writing` too (or None)."""

    backend: str
    also_writing: str | None = None
    switch_started_at: dt.datetime | None = None
    is_recorded: bool = False

    @property
    def writers(self) -> tuple[str, ...]:
        return (self.backend,) if self.also_writing is None else (self.backend, self.also_writing)


def read_choice(session: Session | Connection, default: str) -> BackendChoice:
    """The recorded choice, or `default` (LIBRARY_SEARCH_BACKEND) when none is recorded."""
    row = session.execute(select(SearchSetting.backend, SearchSetting.also_writing, SearchSetting.switch_started_at)
                          .where(SearchSetting.id == ROW_ID)).first()
    if row is None:
        return BackendChoice(default)
    return BackendChoice(row.backend, row.also_writing, row.switch_started_at, is_recorded=True)


def record_choice(session: Session, *, backend: str, also_writing: str | None, switch_started_at: dt.datetime | None,
                  now: dt.datetime) -> None:
    """Record what every process should do from its next check on (the row locked while written)."""
    row = session.execute(select(SearchSetting).where(SearchSetting.id == ROW_ID).with_for_update()).scalar()
    if row is None:
        row = SearchSetting(id=ROW_ID)
        session.add(row)
    row.backend, row.also_writing, row.switch_started_at, row.changed_at = backend, also_writing, switch_started_at, now
