"""Loans, renewals and rotation figures for the yearly report, read from circulation and rotation
records (catalog/circulation/models.py, catalog/rotation/models.py).

Definitions:
- A loan is a copy lent (a Loan row), counted in the year and at the library where it was lent.
- A renewal or a return is a circulation event (renew, checkin) of the year at that library.
- A borrower (active reader) lent or renewed at least once in the year in the scope.
- Rotation, for a scope, counts what moved from or to its libraries in the year: batches sent
  (dispatch or pass-on events), copies sent (listed on those handovers), copies received at a stop
  (receipt), copies returned to the origin (return_received) and copies declared lost.
- Loans made at schools from rotated books: loans at a school library of a copy that was in a
  rotation batch at that moment (Loan.batch_id).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import clock
from catalog.circulation.models import CirculationEvent, EventKind, Loan
from catalog.libraries import Library, LibraryKind
from catalog.rotation.models import DiscrepancyKind, RotationBatch, RotationDiscrepancy, RotationEvent

SENT_EVENTS = ("dispatch", "pass_on")
RECEIVED_EVENTS = ("receipt",)
RETURNED_EVENTS = ("return_received",)


@dataclasses.dataclass
class CirculationYear:
    loans: int
    renewals: int
    returns: int
    borrowers: int
    batches: int
    copies_sent: int
    copies_received: int
    copies_returned: int
    copies_lost: int
    school_loans_from_rotation: int
    # library id -> [loans, renewals]; month -> [loans, renewals]
    by_library: dict[int, list[int]]
    by_month: dict[int, list[int]]


def _month(value: dt.datetime | str, tz: str | None) -> int:
    """The library's month of a stored time."""
    value = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return clock.local(value, tz).month


def _between(year: int, tz: str | None) -> tuple[dt.datetime, dt.datetime]:
    """The library's year as stored times: [its 1 January, the next 1 January)."""
    return clock.day_starts(dt.date(year, 1, 1), tz), clock.day_starts(dt.date(year + 1, 1, 1), tz)


def circulation_year(session: Session, scope: set[int] | None, year: int, tz: str | None = None) -> CirculationYear:
    """Loans, renewals, returns, borrowers and rotation movements of one year in a scope; the year
    and its months are the library's (`tz`, catalog/clock.py), not UTC's."""
    start, end = _between(year, tz)
    inside = (lambda library_id: True) if scope is None else (lambda library_id: library_id in scope)
    schools = set(session.scalars(select(Library.id).where(Library.kind == LibraryKind.SCHOOL)))
    by_library: dict[int, list[int]] = {}
    by_month: dict[int, list[int]] = {m: [0, 0] for m in range(1, 13)}
    borrowers: set[int] = set()
    loans = school_rotation_loans = 0
    query = select(Loan.library_id, Loan.reader_id, Loan.checked_out_at, Loan.batch_id).where(
        Loan.checked_out_at >= start, Loan.checked_out_at < end)
    if scope is not None:
        query = query.where(Loan.library_id.in_(scope))
    for library_id, reader_id, at, batch_id in session.execute(query):
        loans += 1
        borrowers.add(reader_id)
        by_library.setdefault(library_id, [0, 0])[0] += 1
        by_month[_month(at, tz)][0] += 1
        if batch_id is not None and library_id in schools:
            school_rotation_loans += 1
    counts: Counter = Counter()
    query = select(CirculationEvent.kind, CirculationEvent.library_id, CirculationEvent.reader_id,
                   CirculationEvent.at).where(CirculationEvent.kind.in_([EventKind.RENEW, EventKind.CHECKIN]),
                                              CirculationEvent.at >= start, CirculationEvent.at < end)
    if scope is not None:
        query = query.where(CirculationEvent.library_id.in_(scope))
    for kind, library_id, reader_id, at in session.execute(query):
        counts[EventKind(kind)] += 1
        if EventKind(kind) == EventKind.RENEW:
            if reader_id is not None:
                borrowers.add(reader_id)
            by_library.setdefault(library_id, [0, 0])[1] += 1
            by_month[_month(at, tz)][1] += 1
    moved, batches = _rotation_moves(session, inside, start, end)
    return CirculationYear(
        loans=loans, renewals=counts[EventKind.RENEW], returns=counts[EventKind.CHECKIN], borrowers=len(borrowers),
        batches=len(batches), copies_sent=moved["sent"], copies_received=moved["received"],
        copies_returned=moved["returned"], copies_lost=_lost(session, inside, start, end),
        school_loans_from_rotation=school_rotation_loans, by_library=by_library, by_month=by_month,
    )


def _rotation_moves(session: Session, inside, start: dt.datetime, end: dt.datetime) -> tuple[Counter, set[int]]:
    moved: Counter = Counter()
    batches: set[int] = set()
    for batch_id, kind, from_id, to_id, item_ids in session.execute(
        select(RotationEvent.batch_id, RotationEvent.kind, RotationEvent.from_library_id,
               RotationEvent.to_library_id, RotationEvent.item_ids)
        .where(RotationEvent.at >= start, RotationEvent.at < end,
               RotationEvent.kind.in_(SENT_EVENTS + RECEIVED_EVENTS + RETURNED_EVENTS))
    ):
        if not (inside(from_id) or inside(to_id)):
            continue
        copies = len(item_ids or [])
        if kind in SENT_EVENTS:
            moved["sent"] += copies
            batches.add(batch_id)
        elif kind in RECEIVED_EVENTS:
            moved["received"] += copies
        else:
            moved["returned"] += copies
    return moved, batches


def _lost(session: Session, inside, start: dt.datetime, end: dt.datetime) -> int:
    """Copies declared lost in the year, where recorded or for a batch sent from or to the scope."""
    found = set()
    for item_id, barcode, library_id, origin_id, destination_id in session.execute(
        select(RotationDiscrepancy.item_id, RotationDiscrepancy.barcode, RotationDiscrepancy.library_id,
               RotationBatch.origin_library_id, RotationBatch.destination_library_id)
        .join(RotationBatch, RotationBatch.id == RotationDiscrepancy.batch_id)
        .where(RotationDiscrepancy.kind == DiscrepancyKind.LOST,
               RotationDiscrepancy.recorded_at >= start, RotationDiscrepancy.recorded_at < end)
    ):
        if inside(library_id) or inside(origin_id) or inside(destination_id):
            found.add(item_id if item_id is not None else barcode)
    return len(found)
