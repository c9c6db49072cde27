"""The yearly figures the district reports (DOMAIN.md, "Figures the district reports"), computed
from recorded holdings and events. Plain dataclasses; the app renders them, the CLI prints them.

Definitions (also written on the reports page):
- A copy is held by its home library; it counts for a year when acquired (or, lacking an
  acquisition date, entered) on or before 31 December of that year and not withdrawn or lost
  today. A title is a live bibliographic record with at least one such copy.
- A new acquisition is a copy whose acquisition date (or entry date) falls in the year.
- A registered reader is a reader account created on or before 31 December, belonging to a
  library in the scope; an active reader borrowed or renewed at least once in the year there.
- A visit is one person coming in, as counted at the desk (the daily tally); an online session
  is one browser session on the website (counted once, without personal data).
- Library use = visits in person + online sessions (the plan's "library users" indicator).
- A loan is one copy lent (checkout); a renewal extends a loan. Loans are counted where lent.
- Online use and digital resources belong to the whole district's website, so they are reported
  only for the whole network (no --library), never split by library.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import clock
from catalog.reports.activity import Event, VisitTally
from catalog.digital.models import DigitalObject, Page
from catalog.errors import N_, PermissionDenied
from catalog.copies.items import Item, ItemStatus
from catalog.libraries import Library, get_library_by_code, list_libraries, subtree_ids
from catalog.records.models import Record
from catalog.reports.figures import (
    Breakdown, CollectionFigures, DigitalFigures, EventFigures, LibraryRow, LoanFigures, MonthFigures, ReaderFigures,
    RotationFigures, VisitFigures, YearReport,
)
from catalog.reports.loans import circulation_year
from catalog.reports.usage import UsageCount
from catalog.accounts.users import Role, User

GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST)
MONTHS = tuple(range(1, 13))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """1 January and 31 December of the year."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def growth_rate(current: int, previous: int) -> float | None:
    """(current - previous) / previous, or None when there is no basis (previous is zero)."""
    if previous <= 0:
        return None
    return (current - previous) / previous


def _as_date(value: dt.date | dt.datetime | str | None, tz: str | None = None) -> dt.date | None:
    """A date as it is; a stored time as the library's day (`tz`)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return clock.local_date(value, tz)
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _in_scope(column, scope: set[int] | None):
    return column.in_(scope) if scope is not None else True


# Collection -------------------------------------------------------------------------------------

def _collection(session: Session, scope: set[int] | None, year: int,
                tz: str | None) -> tuple[CollectionFigures, dict, Counter]:
    """Collection figures, plus per library (titles set, copies, new copies) and new copies per month."""
    _start, end = year_bounds(year)
    rows = session.execute(
        select(Item.home_library_id, Item.record_id, Item.acquired_on, Item.created_at, Item.status,
               Record.record_type, Record.languages)
        .join(Record, Record.id == Item.record_id)
        .where(Record.deleted_at.is_(None), _in_scope(Item.home_library_id, scope))
    ).all()
    titles: set[int] = set()
    copies = new_copies = 0
    new_titles: set[int] = set()
    by_type: dict[str, list] = defaultdict(lambda: [set(), 0])
    by_language: dict[str, list] = defaultdict(lambda: [set(), 0])
    per_library: dict[int, list] = defaultdict(lambda: [set(), 0, 0])
    per_month: Counter = Counter()
    for library_id, record_id, acquired_on, created_at, status, record_type, languages in rows:
        acquired = _as_date(acquired_on) or _as_date(created_at, tz)
        if acquired is None or acquired > end or ItemStatus(status) in GONE:
            continue
        language = (languages or ["und"])[0] or "und"
        titles.add(record_id)
        copies += 1
        for table, key in ((by_type, record_type or "other"), (by_language, language)):
            table[key][0].add(record_id)
            table[key][1] += 1
        library = per_library[library_id]
        library[0].add(record_id)
        library[1] += 1
        if acquired.year == year:
            new_copies += 1
            new_titles.add(record_id)
            library[2] += 1
            per_month[acquired.month] += 1

    def breakdown(table: dict) -> list[Breakdown]:
        return sorted((Breakdown(key, len(t), c) for key, (t, c) in table.items()), key=lambda b: (-b.copies, b.key))

    figures = CollectionFigures(len(titles), copies, breakdown(by_type), breakdown(by_language),
                                len(new_titles), new_copies)
    return figures, per_library, per_month


# Readers, visits, events ------------------------------------------------------------------------

def _readers(session: Session, scope: set[int] | None, year: int, tz: str | None) -> tuple[int, int, Counter, Counter]:
    """Registered readers by the year's end, new ones in the year, per library, new per month."""
    _start, end = year_bounds(year)
    query = select(User.library_id, User.created_at).where(User.role == Role.READER)
    if scope is not None:
        query = query.where(User.library_id.in_(scope))
    registered = new = 0
    per_library: Counter = Counter()
    per_month: Counter = Counter()
    for library_id, created_at in session.execute(query):
        created = _as_date(created_at, tz)
        if created is None or created > end:
            continue
        registered += 1
        per_library[library_id] += 1
        if created.year == year:
            new += 1
            per_month[created.month] += 1
    return registered, new, per_library, per_month


def visits_in_person(session: Session, scope: set[int] | None, start: dt.date, end: dt.date) -> int:
    """People counted at the desk in [start, end]."""
    query = select(func.coalesce(func.sum(VisitTally.total), 0)).where(
        VisitTally.day >= start, VisitTally.day <= end, _in_scope(VisitTally.library_id, scope))
    return int(session.scalar(query))


def _visits(session: Session, scope: set[int] | None, year: int) -> tuple[int, dict, int, Counter, Counter]:
    start, end = year_bounds(year)
    rows = session.execute(
        select(VisitTally.library_id, VisitTally.day, VisitTally.total, VisitTally.groups)
        .where(VisitTally.day >= start, VisitTally.day <= end, _in_scope(VisitTally.library_id, scope))
    ).all()
    total, groups = 0, Counter()
    per_library: Counter = Counter()
    per_month: Counter = Counter()
    for library_id, day, count, split in rows:
        total += count
        groups.update(split or {})
        per_library[library_id] += count
        per_month[_as_date(day).month] += count
    return total, dict(groups), len(rows), per_library, per_month


def _events(session: Session, scope: set[int] | None, year: int) -> tuple[EventFigures, dict, dict]:
    start, end = year_bounds(year)
    rows = session.execute(
        select(Event.library_id, Event.day, Event.kind, Event.attendance)
        .where(Event.day >= start, Event.day <= end, _in_scope(Event.library_id, scope))
    ).all()
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_library: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_month: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for library_id, day, kind, attendance in rows:
        for table, key in ((by_kind, kind), (per_library, library_id), (per_month, _as_date(day).month)):
            table[key][0] += 1
            table[key][1] += attendance
    figures = EventFigures(len(rows), sum(r.attendance for r in rows), dict(sorted(by_kind.items())),
                           len(per_library))
    return figures, per_library, per_month


# Online use and digital resources (network-wide) ------------------------------------------------

def usage_by_month(session: Session, kind: str, start: dt.date, end: dt.date) -> Counter:
    """A usage counter summed per month over [start, end]."""
    rows = session.execute(
        select(UsageCount.day, func.sum(UsageCount.count))
        .where(UsageCount.kind == kind, UsageCount.day >= start, UsageCount.day <= end)
        .group_by(UsageCount.day)
    ).all()
    months: Counter = Counter()
    for day, count in rows:
        months[_as_date(day).month] += int(count)
    return months


def online_sessions(session: Session, start: dt.date, end: dt.date) -> int:
    """Browser sessions on the website in [start, end]."""
    return sum(usage_by_month(session, "session", start, end).values())


def _digital(session: Session, year: int, tz: str | None) -> DigitalFigures:
    start, end = year_bounds(year)
    next_year = clock.day_starts(end + dt.timedelta(days=1), tz)
    objects = session.scalar(select(func.count()).select_from(DigitalObject)
                             .where(DigitalObject.created_at < next_year)) or 0
    pages = session.scalar(select(func.count()).select_from(Page).join(DigitalObject)
                           .where(DigitalObject.created_at < next_year)) or 0
    reads = sum(usage_by_month(session, "read", start, end).values())
    downloads = sum(usage_by_month(session, "download", start, end).values())
    return DigitalFigures(int(objects), int(pages), reads, downloads)


def library_use(session: Session, scope: set[int] | None, year: int) -> int:
    """The plan's indicator: visits in person plus (for the whole network) online sessions."""
    start, end = year_bounds(year)
    use = visits_in_person(session, scope, start, end)
    if scope is None:
        use += online_sessions(session, start, end)
    return use


# The report ------------------------------------------------------------------------------------

def resolve_scope(session: Session, library: Library | str | None) -> tuple[Library | None, set[int] | None]:
    """The library (by object or code) and the ids of its subtree; (None, None) for the network."""
    if library is None:
        return None, None
    if isinstance(library, str):
        library = get_library_by_code(session, library)
    return library, subtree_ids(session, library.id)


def report_scope(session: Session, user: User, code: str | None) -> Library | None:
    """The library whose report the user asked for (None: the whole network), within their rights.

    Admins and the district office read every library; a librarian reads their own library and
    the points under it (their own library when no code is given); nobody else reads reports."""
    if user.role in (Role.ADMIN, Role.DISTRICT):
        return get_library_by_code(session, code) if code else None
    if user.role == Role.LIBRARIAN and user.library_id is not None:
        if not code:
            return session.get(Library, user.library_id)
        library = get_library_by_code(session, code)
        if library.id in subtree_ids(session, user.library_id):
            return library
    raise PermissionDenied(N_("You can only read the reports of your own library and the points under it."))


def readable_libraries(session: Session, user: User) -> list[tuple[Library, int]]:
    """Libraries whose reports the user may read, in tree order with their depth."""
    if user.role in (Role.ADMIN, Role.DISTRICT):
        return _libraries_in_scope(session, None)
    if user.role == Role.LIBRARIAN and user.library_id is not None:
        return _libraries_in_scope(session, subtree_ids(session, user.library_id))
    return []


def annual_report(session: Session, year: int, library: Library | str | None = None, *,
                  tz: str | None = None) -> YearReport:
    """Every figure of one year, for one library and its subtree or (None) the whole network. The
    year and its months are the library's (`tz`: LIBRARY_TIMEZONE, catalog/clock.py): a reader
    registered at 00:30 on 1 January counts in the new year, though it is still 31 December in UTC."""
    library, scope = resolve_scope(session, library)
    start, end = year_bounds(year)
    collection, collection_by_library, acquisitions_by_month = _collection(session, scope, year, tz)
    registered, new_readers, readers_by_library, readers_by_month = _readers(session, scope, year, tz)
    visits, groups, days, visits_by_library, visits_by_month = _visits(session, scope, year)
    events, events_by_library, events_by_month = _events(session, scope, year)
    network = scope is None
    sessions_by_month = usage_by_month(session, "session", start, end) if network else None
    loans, rotation, active, loans_by_library, loans_by_month = circulation_figures(session, scope, year, tz)
    use = library_use(session, scope, year)
    previous = library_use(session, scope, year - 1)
    months = [
        MonthFigures(
            month=m,
            visits=visits_by_month[m],
            online_sessions=sessions_by_month[m] if network else None,
            loans=loans_by_month[m][0],
            renewals=loans_by_month[m][1],
            new_copies=acquisitions_by_month[m],
            new_readers=readers_by_month[m],
            events=events_by_month[m][0] if m in events_by_month else 0,
            attendance=events_by_month[m][1] if m in events_by_month else 0,
        )
        for m in MONTHS
    ]
    rows = []
    for entry, depth in _libraries_in_scope(session, scope):
        held = collection_by_library.get(entry.id, [set(), 0, 0])
        held_events = events_by_library.get(entry.id, [0, 0])
        lent = loans_by_library.get(entry.id, [0, 0])
        rows.append(LibraryRow(
            code=entry.code, name=entry.name, kind=entry.kind.value, depth=depth,
            titles=len(held[0]), copies=held[1], new_copies=held[2], readers=readers_by_library[entry.id],
            visits=visits_by_library[entry.id], loans=lent[0], renewals=lent[1], events=held_events[0], attendance=held_events[1],
        ))
    return YearReport(
        year=year,
        library_code=library.code if library else None,
        library_name=library.name if library else None,
        collection=collection,
        readers=ReaderFigures(registered, new_readers, active),
        visits=VisitFigures(
            in_person=visits, by_age_group=groups, days_recorded=days,
            online_sessions=sum(sessions_by_month.values()) if network else None,
            searches=sum(usage_by_month(session, "search", start, end).values()) if network else None,
            record_views=sum(usage_by_month(session, "record_view", start, end).values()) if network else None,
        ),
        loans=loans,
        rotation=rotation,
        digital=_digital(session, year, tz) if network else None,
        events=events,
        library_use=use,
        previous_library_use=previous,
        growth=growth_rate(use, previous),
        months=months,
        libraries=rows,
    )


def _libraries_in_scope(session: Session, scope: set[int] | None) -> list[tuple[Library, int]]:
    """Libraries in tree order with their depth (0 for a root or the report's own library)."""
    depth: dict[int, int] = {}
    found = []
    for entry in list_libraries(session):
        depth[entry.id] = depth[entry.parent_id] + 1 if entry.parent_id in depth else 0
        if scope is None or entry.id in scope:
            found.append((entry, depth[entry.id]))
    if found:
        base = min(d for _e, d in found)
        found = [(e, d - base) for e, d in found]
    return found


def circulation_figures(session: Session, scope: set[int] | None, year: int, tz: str | None = None):
    """(loans, rotation, active readers, per library [loans, renewals], per month [loans, renewals])."""
    year_figures = circulation_year(session, scope, year, tz)
    loans = LoanFigures(year_figures.loans, year_figures.renewals, year_figures.returns, year_figures.borrowers)
    rotation = RotationFigures(year_figures.batches, year_figures.copies_sent, year_figures.copies_received,
                               year_figures.copies_returned, year_figures.copies_lost,
                               year_figures.school_loans_from_rotation)
    return loans, rotation, year_figures.borrowers, year_figures.by_library, year_figures.by_month
