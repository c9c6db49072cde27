"""The yearly report's figures as plain dataclasses (computed in catalog/reports/annual.py)."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Breakdown:
    key: str
    titles: int
    copies: int


@dataclasses.dataclass
class CollectionFigures:
    titles: int
    copies: int
    by_type: list[Breakdown]
    by_language: list[Breakdown]
    new_titles: int
    new_copies: int


@dataclasses.dataclass
class ReaderFigures:
    registered: int
    new: int
    active: int  # borrowed or renewed in the year


@dataclasses.dataclass
class VisitFigures:
    in_person: int
    by_age_group: dict[str, int]
    days_recorded: int
    online_sessions: int | None  # None for one library's report (online use is network-wide)
    searches: int | None
    record_views: int | None


@dataclasses.dataclass
class LoanFigures:
    loans: int
    renewals: int
    returns: int
    borrowers: int


@dataclasses.dataclass
class RotationFigures:
    batches: int
    copies_sent: int
    copies_received: int
    copies_returned: int
    copies_lost: int
    school_loans_from_rotation: int


@dataclasses.dataclass
class DigitalFigures:
    objects: int
    pages: int
    reads: int
    downloads: int


@dataclasses.dataclass
class EventFigures:
    events: int
    attendance: int
    by_kind: dict[str, list[int]]  # kind -> [events, attendance]
    libraries_with_events: int


@dataclasses.dataclass
class MonthFigures:
    month: int
    visits: int
    online_sessions: int | None
    loans: int
    renewals: int
    new_copies: int
    new_readers: int
    events: int
    attendance: int


@dataclasses.dataclass
class LibraryRow:
    code: str
    name: str
    kind: str
    depth: int
    titles: int
    copies: int
    new_copies: int
    readers: int
    visits: int
    loans: int
    renewals: int
    events: int
    attendance: int


@dataclasses.dataclass
class YearReport:
    year: int
    library_code: str | None
    library_name: str | None
    collection: CollectionFigures
    readers: ReaderFigures
    visits: VisitFigures
    loans: LoanFigures
    rotation: RotationFigures
    digital: DigitalFigures | None
    events: EventFigures
    library_use: int
    previous_library_use: int
    growth: float | None  # None: no basis (nothing recorded the year before)
    months: list[MonthFigures]
    libraries: list[LibraryRow]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
