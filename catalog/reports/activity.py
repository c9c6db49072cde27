"""What the libraries count by hand: the desk tally of visits (people who came in, per library and
day, optionally split by age group) and activities and events (reading days, clubs, classes) with
their attendance.

A tally is one row per library and day. Recording a day again is a correction: the old figures
are kept in a revision row with who changed them and when, so a late correction never erases
what was reported before.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from catalog import clock
from catalog.db import Base
from catalog.errors import N_, ValidationError
from catalog.libraries import Library, list_libraries
from catalog.accounts.permissions import managed_library_ids, require_library
from catalog.text import normalise
from catalog.accounts.users import User

# Default age groups of the desk tally (config.py AGE_GROUPS may change them).
AGE_GROUPS = ("children", "youth", "adults", "elderly")

# Kinds of activity; the first five are the dated observances of DOMAIN.md.
EVENT_KINDS = (
    "reading_culture_day",      # Ngày Sách và Văn hóa đọc Việt Nam, 21 April
    "world_book_day",           # World Book and Copyright Day, 23 April
    "lifelong_learning_week",   # Tuần lễ học tập suốt đời, early October
    "museum_day",               # International Museum Day, 18 May
    "heritage_day",             # Vietnam Cultural Heritage Day, 23 November
    "club",
    "class",
    "exhibition",
    "storytelling",
    "competition",
    "other",
)

# The observance that falls on a given (month, day): suggested as the kind of an event that day.
OBSERVANCES = {(4, 21): "reading_culture_day", (4, 23): "world_book_day", (5, 18): "museum_day",
               (11, 23): "heritage_day"}

MAX_DAILY_COUNT = 100_000


class VisitTally(Base):
    """People who came in to one library on one day (the desk tally)."""

    __tablename__ = "visit_tally"
    __table_args__ = (
        UniqueConstraint("library_id", "day"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # {"children": 12, "adults": 30}; empty when the day was not split by age group.
    groups: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    library: Mapped[Library] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[VisitTallyRevision]] = relationship(
        back_populates="tally", order_by="VisitTallyRevision.id", cascade="all, delete-orphan"
    )


class VisitTallyRevision(Base):
    """A correction of a tally: the figures before and after, who changed them and when."""

    __tablename__ = "visit_tally_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    tally_id: Mapped[int] = mapped_column(ForeignKey("visit_tally.id", ondelete="CASCADE"), index=True)
    old_total: Mapped[int] = mapped_column(Integer)
    old_groups: Mapped[dict] = mapped_column(JSON, default=dict)
    new_total: Mapped[int] = mapped_column(Integer)
    new_groups: Mapped[dict] = mapped_column(JSON, default=dict)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    tally: Mapped[VisitTally] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()


class Event(Base):
    """An activity or event held by a library: a reading day, a club meeting, a class."""

    __tablename__ = "library_event"
    __table_args__ = (CheckConstraint("attendance >= 0", name="attendance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("library.id", ondelete="RESTRICT"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    attendance: Mapped[int] = mapped_column(Integer, default=0)
    # The age group the activity was for ("" = everyone).
    audience: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    library: Mapped[Library] = relationship()
    recorded_by: Mapped[User | None] = relationship()


def _count(value: object, label: str) -> int:
    """A whole number of people, 0 to MAX_DAILY_COUNT, or ValidationError naming the field."""
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationError(N_("{label}: “{value}” is not a whole number."), label=label, value=value,
                              field=label) from None
    if number < 0 or number > MAX_DAILY_COUNT:
        raise ValidationError(N_("{label}: {value} is out of range (0 to {limit})."), label=label, value=number,
                              limit=MAX_DAILY_COUNT, field=label)
    return number


def _check_day(day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationError(N_("{day} is in the future: record a day once it has happened."),
                              day=day.isoformat(), field="day")


def _visit_figures(total: int | str | None, groups: Mapping[str, object] | None,
                   age_groups: Iterable[str]) -> tuple[int, dict[str, int]]:
    allowed = tuple(age_groups)
    split: dict[str, int] = {}
    for name, value in (groups or {}).items():
        if value is None or str(value).strip() == "":
            continue
        if name not in allowed:
            raise ValidationError(N_("Unknown age group {group}; use one of {groups}."), group=name,
                                  groups=", ".join(allowed), field="groups")
        split[name] = _count(value, name)
    given = None if total is None or str(total).strip() == "" else _count(total, "total")
    if split:
        added = sum(split.values())
        if given is not None and given != added:
            raise ValidationError(N_("The age groups add up to {added}, not the total {total}."),
                                  added=added, total=given, field="total")
        return added, split
    if given is None:
        raise ValidationError(N_("Give the number of visitors (a total, or the count per age group)."),
                              field="total")
    return given, {}


def recordable_libraries(session: Session, user: User) -> list[Library]:
    """Libraries whose visits and events this user may record, in tree order."""
    managed = managed_library_ids(session, user)
    return [entry for entry in list_libraries(session) if managed is None or entry.id in managed]


def get_tally(session: Session, library_id: int, day: dt.date) -> VisitTally | None:
    """The tally of one library for one day, if recorded."""
    return session.scalar(select(VisitTally).where(VisitTally.library_id == library_id, VisitTally.day == day))


def record_visits(
    session: Session,
    *,
    library: Library,
    day: dt.date,
    user: User,
    now: dt.datetime,
    total: int | str | None = None,
    groups: Mapping[str, object] | None = None,
    age_groups: Iterable[str] = AGE_GROUPS,
    note: str = "",
    today: dt.date | None = None,
) -> tuple[VisitTally, bool]:
    """Record (or correct) a day's visits; returns the tally and whether anything changed.

    A correction keeps the old figures in a VisitTallyRevision with the user and time. `now` is
    stored (UTC); `today` is the library's local date (default: now in the default zone, catalog/clock.py):
    later days are refused."""
    require_library(session, user, library.id)
    _check_day(day, today or clock.today(None, now))
    new_total, new_groups = _visit_figures(total, groups, age_groups)
    note = normalise(note)[:1000]
    tally = get_tally(session, library.id, day)
    if tally is None:
        tally = VisitTally(library=library, day=day, total=new_total, groups=new_groups, note=note,
                           recorded_by=user, recorded_at=now, updated_by=user, updated_at=now)
        session.add(tally)
        session.flush()
        return tally, True
    if tally.total == new_total and (tally.groups or {}) == new_groups:
        return tally, False
    tally.revisions.append(VisitTallyRevision(
        old_total=tally.total, old_groups=dict(tally.groups or {}), new_total=new_total, new_groups=new_groups,
        changed_by=user, changed_at=now, note=note,
    ))
    tally.total, tally.groups, tally.updated_by, tally.updated_at = new_total, new_groups, user, now
    if note:
        tally.note = note
    session.flush()
    return tally, True


def recent_tallies(session: Session, library_ids: set[int] | None, *, limit: int = 20) -> list[VisitTally]:
    """The latest recorded days (for the desk form), newest first."""
    query = select(VisitTally).order_by(VisitTally.day.desc(), VisitTally.id.desc()).limit(limit)
    if library_ids is not None:
        query = query.where(VisitTally.library_id.in_(library_ids))
    return list(session.scalars(query))


def record_event(
    session: Session,
    *,
    library: Library,
    day: dt.date,
    kind: str,
    title: str,
    attendance: int | str,
    user: User,
    now: dt.datetime,
    audience: str = "",
    age_groups: Iterable[str] = AGE_GROUPS,
    notes: str = "",
    today: dt.date | None = None,
) -> Event:
    """Record an activity or event held by a library, with how many people took part."""
    require_library(session, user, library.id)
    _check_day(day, today or clock.today(None, now))
    if kind not in EVENT_KINDS:
        raise ValidationError(N_("Unknown kind of activity {kind}."), kind=kind, field="kind")
    title = normalise(title)
    if not title:
        raise ValidationError(N_("An activity needs a title."), field="title")
    if len(title) > 500:
        raise ValidationError(N_("The title is too long (500 characters at most)."), field="title")
    if audience and audience not in tuple(age_groups):
        raise ValidationError(N_("Unknown age group {group}; use one of {groups}."), group=audience,
                              groups=", ".join(age_groups), field="audience")
    event = Event(library=library, day=day, kind=kind, title=title,
                  attendance=_count(attendance, "attendance"), audience=audience,
                  notes=normalise(notes)[:2000], recorded_by=user, recorded_at=now)
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, library_ids: set[int] | None, start: dt.date, end: dt.date) -> list[Event]:
    """Events held in [start, end] at these libraries (None: all), newest first."""
    query = select(Event).where(Event.day >= start, Event.day <= end).order_by(Event.day.desc(), Event.id.desc())
    if library_ids is not None:
        query = query.where(Event.library_id.in_(library_ids))
    return list(session.scalars(query))


def suggested_kind(day: dt.date) -> str:
    """The observance that falls on this day, or "" (the lifelong-learning week moves each year)."""
    return OBSERVANCES.get((day.month, day.day), "")
