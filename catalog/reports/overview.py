"""Figures for the home page: records, and copies per library."""
from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.copies.items import Item
from catalog.libraries import Library, LibraryKind, list_libraries
from catalog.records.models import Record


@dataclasses.dataclass
class LibraryFigures:
    id: int
    code: str
    name: str
    kind: LibraryKind
    depth: int
    copies: int
    titles: int


@dataclasses.dataclass
class Overview:
    records: int
    copies: int
    libraries: list[LibraryFigures]


def overview(session: Session) -> Overview:
    """Counts of live records and copies, and per library the copies and titles held there."""
    records = session.scalar(select(func.count()).select_from(Record).where(Record.deleted_at.is_(None))) or 0
    rows = session.execute(
        select(Item.home_library_id, func.count(), func.count(func.distinct(Item.record_id)))
        .group_by(Item.home_library_id)
    ).all()
    per_library = {library_id: (copies, titles) for library_id, copies, titles in rows}
    libraries = list_libraries(session)
    depth: dict[int, int] = {}
    figures = []
    for library in libraries:
        depth[library.id] = depth.get(library.parent_id, -1) + 1 if library.parent_id else 0
        copies, titles = per_library.get(library.id, (0, 0))
        figures.append(LibraryFigures(library.id, library.code, library.name, library.kind,
                                      depth[library.id], copies, titles))
    return Overview(records=records, copies=sum(f.copies for f in figures), libraries=figures)


def database_answers(session: Session) -> bool:
    """True when the database answers a trivial query."""
    return session.execute(select(1)).scalar() == 1


__all__ = ["overview", "Overview", "LibraryFigures", "Library"]
