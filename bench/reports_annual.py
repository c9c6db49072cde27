"""How long the yearly report takes as a district grows: builds a synthetic network on SQLite (or
LIBRARY_DATABASE_URL) at two sizes, then times annual_report (all libraries, one library),
plan_progress over ten years, the CSV and the PDF. Ratios between the sizes show how it scales.

Usage: .venv/bin/python bench/reports_annual.py [--copies 20000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.schema import upgrade  # noqa: E402
from catalog.reports.activity import Event, VisitTally  # noqa: E402
from catalog.circulation.models import CirculationEvent, EventKind, Loan  # noqa: E402
from catalog.copies.items import Item  # noqa: E402
from catalog.libraries import Library, LibraryKind  # noqa: E402
from catalog.records.models import Record  # noqa: E402
from catalog.reports.usage import UsageCount  # noqa: E402
from catalog.accounts.users import Role, User  # noqa: E402

YEARS = (2025, 2026)


def build(session, copies: int, rng: random.Random) -> None:
    """A centre with 20 points and 10 schools; `copies` copies of copies/3 titles; a reader per 10 copies;
    a tally per library and day, an event per library and fortnight, a loan per copy and year."""
    libraries = [Library(code="TT", name="Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)]
    session.add(libraries[0])
    session.flush()
    for n in range(20):
        libraries.append(Library(code=f"PD{n}", name=f"Điểm đọc {n}", kind=LibraryKind.VILLAGE_READING_ROOM,
                                 parent_id=libraries[0].id))
    for n in range(10):
        libraries.append(Library(code=f"TH{n}", name=f"Trường {n}", kind=LibraryKind.SCHOOL))
    session.add_all(libraries[1:])
    session.flush()
    ids = [library.id for library in libraries]
    now = dt.datetime(2027, 1, 1)
    titles = max(copies // 3, 1)
    session.execute(insert(Record), [dict(title=f"Sách {n}", languages=["vie" if n % 5 else "eng"],
                                          record_type="book", created_at=now, updated_at=now) for n in range(titles)])
    record_ids = [r for (r,) in session.execute(Record.__table__.select().with_only_columns(Record.id))]
    session.execute(insert(Item), [dict(barcode=f"B{n:07d}", record_id=rng.choice(record_ids),
                                        home_library_id=(lib := rng.choice(ids)), current_library_id=lib,
                                        status="available", item_type="book",
                                        acquired_on=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 4300)),
                                        created_at=now, updated_at=now) for n in range(copies)])
    session.execute(insert(User), [dict(username=f"r{n}", role=Role.READER, library_id=rng.choice(ids),
                                        display_name="", email="", phone="", password_hash="", is_blocked=False,
                                        blocked_reason="", created_at=dt.datetime(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500)))
                                   for n in range(copies // 10)])
    reader_ids = [u for (u,) in session.execute(User.__table__.select().with_only_columns(User.id))]
    item_ids = [i for (i,) in session.execute(Item.__table__.select().with_only_columns(Item.id))]
    days = [dt.date(year, 1, 1) + dt.timedelta(days=d) for year in YEARS for d in range(365)]
    session.execute(insert(VisitTally), [dict(library_id=lib, day=day, total=rng.randint(0, 80), groups={},
                                              note="", recorded_at=now, updated_at=now) for lib in ids for day in days])
    session.execute(insert(Event), [dict(library_id=lib, day=day, kind="club", title="CLB", attendance=20,
                                         audience="children", notes="", recorded_at=now)
                                    for lib in ids for day in days[::14]])
    session.execute(insert(UsageCount), [dict(day=day, kind=kind, subject="", count=rng.randint(0, 500))
                                         for day in days for kind in ("session", "search", "record_view", "read")])
    loans = []
    for year in YEARS:
        for n, item_id in enumerate(item_ids):
            at = dt.datetime(year, 1, 1) + dt.timedelta(minutes=rng.randint(0, 525000))
            loans.append(dict(item_id=item_id, reader_id=rng.choice(reader_ids), library_id=rng.choice(ids),
                              checked_out_at=at, due_at=at + dt.timedelta(days=14), returned_at=at + dt.timedelta(days=7),
                              renewals=0))
    session.execute(insert(Loan), loans)
    session.execute(insert(CirculationEvent), [dict(kind=EventKind.CHECKIN, at=loan["returned_at"],
                                                    item_id=loan["item_id"], library_id=loan["library_id"], note="")
                                               for loan in loans])
    session.commit()


def timed(label: str, fn, results: dict) -> None:
    start = time.perf_counter()
    fn()
    results[label] = time.perf_counter() - start


def run(copies: int) -> dict:
    from app.display.report_labels import report_csv
    from app.pdf.report import annual_report_pdf
    from app.views.reports import plan_for
    from catalog.reports.annual import annual_report

    folder = tempfile.mkdtemp(prefix="bench-reports-")
    url = os.environ.get("LIBRARY_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "DATA_DIR": folder, "SECRET_KEY": "x" * 32,
                      "USAGE_COUNTING": False, "PLAN_FIRST_YEAR": 2017})
    upgrade(app.extensions["engine"])
    results: dict[str, float] = {}
    with app.extensions["session_factory"]() as session:
        timed("build", lambda: build(session, copies, random.Random(8)), results)
    with app.test_request_context("/?lang=vi"), app.extensions["session_factory"]() as session:
        from flask import g

        g.db_session = session
        timed("annual_report (all)", lambda: annual_report(session, 2026), results)
        timed("annual_report (TT subtree)", lambda: annual_report(session, 2026, "TT"), results)
        timed("plan_progress (2017-2026)", lambda: plan_for(None, 2026), results)
        report = annual_report(session, 2026)
        timed("csv", lambda: report_csv(report), results)
        plan = plan_for(None, 2026)
        timed("pdf", lambda: annual_report_pdf(report, plan, dt.date(2027, 1, 5)), results)
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20000)
    args = parser.parse_args()
    small, large = run(args.copies // 4), run(args.copies)
    print(f"{'step':<28} {args.copies // 4:>9} copies {args.copies:>9} copies   ratio")
    for step in large:
        print(f"{step:<28} {small[step]:>15.3f}s {large[step]:>15.3f}s {large[step] / max(small[step], 1e-9):>7.2f}")


if __name__ == "__main__":
    main()
