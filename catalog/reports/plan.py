"""The district plan's targets, year by year (DOMAIN.md): growth of library use (10% a year up to
2025, 12-15% from 2026 to 2030) and the share of libraries and points that ran activities (70% by
2025, 100% by 2030), and the share of age groups the district centre runs activities for (80% by
2025, 100% by 2030). Targets are configuration (config.py PLAN_*), passed in by the caller.

A year whose previous year recorded no use has no basis for a growth rate: growth and "met" are
None, never a division by zero.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.reports.activity import Event
from catalog.libraries import Library, LibraryKind
from catalog.reports.annual import growth_rate, library_use, online_sessions, resolve_scope, visits_in_person, year_bounds


@dataclasses.dataclass
class UseYear:
    year: int
    in_person: int
    online: int | None
    library_use: int
    previous: int
    growth: float | None      # None: no basis
    target_low: float | None  # None: the plan sets no target for this year
    target_high: float | None
    met: bool | None          # None: no basis or no target


@dataclasses.dataclass
class ActivityYear:
    year: int
    points: int
    points_with_activity: int
    share: float | None       # None: no libraries or points of the counted kinds
    target: float | None
    met: bool | None


@dataclasses.dataclass
class AgeGroupYear:
    year: int
    groups: int
    supported: list[str]      # age groups the centres held at least one activity for
    share: float | None       # None: no age groups configured, or no centre in the scope
    target: float | None
    met: bool | None


@dataclasses.dataclass
class PlanProgress:
    library_code: str | None
    use: list[UseYear]
    activity: list[ActivityYear]
    activity_kinds: list[str]
    age_groups: list[AgeGroupYear] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def growth_target(year: int, targets: Sequence[Sequence[float]]) -> tuple[float, float] | None:
    """(lowest, highest) growth the plan asks of this year: the first period that covers it."""
    for last_year, low, high in sorted(targets):
        if year <= last_year:
            return float(low), float(high)
    return None


def activity_target(year: int, targets: Sequence[Sequence[float]]) -> float | None:
    """The share of points with activities the plan asks for by this year."""
    for last_year, share in sorted(targets):
        if year <= last_year:
            return float(share)
    return None


def plan_progress(
    session: Session,
    years: Sequence[int],
    *,
    growth_targets: Sequence[Sequence[float]],
    activity_targets: Sequence[Sequence[float]],
    activity_kinds: Sequence[str],
    library: Library | str | None = None,
    age_groups: Sequence[str] = (),
    age_group_targets: Sequence[Sequence[float]] = (),
) -> PlanProgress:
    """Library use, the share of points with activities and the age groups the cultural centres
    served, per year, against the plan's targets."""
    library, scope = resolve_scope(session, library)
    use_rows = []
    for year in years:
        start, end = year_bounds(year)
        in_person = visits_in_person(session, scope, start, end)
        online = online_sessions(session, start, end) if scope is None else None
        use = in_person + (online or 0)
        previous = library_use(session, scope, year - 1)
        growth = growth_rate(use, previous)
        target = growth_target(year, growth_targets)
        met = None if growth is None or target is None else growth >= target[0] - 1e-9
        use_rows.append(UseYear(year, in_person, online, use, previous, growth,
                                target[0] if target else None, target[1] if target else None, met))
    points = [entry.id for entry in session.scalars(select(Library))
              if entry.kind.value in activity_kinds and (scope is None or entry.id in scope)]
    activity_rows = []
    for year in years:
        start, end = year_bounds(year)
        active = set(session.scalars(select(Event.library_id).distinct().where(
            Event.day >= start, Event.day <= end, Event.library_id.in_(points or [-1]))))
        share = len(active) / len(points) if points else None
        target = activity_target(year, activity_targets)
        met = None if share is None or target is None else share >= target - 1e-9
        activity_rows.append(ActivityYear(year, len(points), len(active), share, target, met))
    return PlanProgress(library.code if library else None, use_rows, activity_rows, list(activity_kinds),
                        _age_groups(session, years, scope, age_groups, age_group_targets))


def _age_groups(session: Session, years: Sequence[int], scope: set[int] | None, groups: Sequence[str],
                targets: Sequence[Sequence[float]]) -> list[AgeGroupYear]:
    """Per year, the age groups the cultural centres held an activity for (Event.audience; an
    activity for everyone supports no group in particular)."""
    centres = [entry.id for entry in session.scalars(select(Library).where(Library.kind == LibraryKind.CULTURAL_CENTRE))
               if scope is None or entry.id in scope]
    rows = []
    for year in years:
        start, end = year_bounds(year)
        held = set(session.scalars(select(Event.audience).distinct().where(
            Event.day >= start, Event.day <= end, Event.library_id.in_(centres or [-1]))))
        supported = [group for group in groups if group in held]
        share = len(supported) / len(groups) if groups and centres else None
        target = activity_target(year, targets)
        met = None if share is None or target is None else share >= target - 1e-9
        rows.append(AgeGroupYear(year, len(groups), supported, share, target, met))
    return rows
