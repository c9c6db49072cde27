"""How fast the desk and rotation services answer a scan as the library grows: on SQLite (or
LIBRARY_DATABASE_URL) builds a centre and a school with N copies, then times, per scan, with a
commit per scan as the desk does: adding copies to a batch of 250 (first 25 scans vs last 25),
receiving them at the school, lending and returning at the school's desk, and the return check at
the centre. Run at two sizes; ratios within one run show whether a scan slows as data grows.

Usage: .venv/bin/python bench/circ_desk.py [--copies 2000 20000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from app.schema import upgrade  # noqa: E402
from catalog.rotation import batches
from catalog.circulation import lending  # noqa: E402
from catalog.db import make_engine, make_session_factory  # noqa: E402
from catalog.copies.items import Item  # noqa: E402
from catalog.libraries import Library, LibraryKind  # noqa: E402
from catalog.records.models import Record  # noqa: E402
from catalog.accounts.users import Role, User  # noqa: E402

NOW = dt.datetime(2026, 3, 2, 9, 0)
BATCH = 250


def build(factory, copies: int) -> None:
    with factory.begin() as session:
        centre = Library(code="TT", name="Trung tâm", kind=LibraryKind.CULTURAL_CENTRE)
        school = Library(code="TH", name="Trường", kind=LibraryKind.SCHOOL)
        session.add_all([centre, school])
        session.flush()
        session.execute(insert(Record), [{"id": n + 1, "title": f"Sách {n}", "title_sort": f"sach {n}"}
                                         for n in range(copies // 2)])
        session.execute(insert(Item), [{"barcode": f"C{n:07d}", "record_id": n // 2 + 1, "home_library_id": centre.id,
                                        "current_library_id": centre.id} for n in range(copies)])
        session.execute(insert(User), [{"username": f"r{n}", "role": Role.READER, "card_barcode": f"R{n:06d}"}
                                       for n in range(200)])


def timed(factory, codes, action) -> float:
    """Seconds per scan, one transaction per scan."""
    start = time.perf_counter()
    for code in codes:
        with factory.begin() as session:
            action(session, code)
    return (time.perf_counter() - start) / len(codes)


def run(url: str, copies: int) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    build(factory, copies)
    with factory.begin() as session:
        centre, school = session.scalars(select(Library).order_by(Library.id)).all()
        batch = batches.create_batch(session, origin=centre, stops=[(school, 30)], now=NOW)
        batch_id, centre_id, school_id = batch.id, centre.id, school.id
    codes = [f"C{n:07d}" for n in range(0, copies, copies // BATCH)][:BATCH]

    def get(session):
        return batches.get_batch(session, batch_id), session.get(Library, centre_id), session.get(Library, school_id)

    figures = {}
    figures["add to batch, first 25"] = timed(factory, codes[:25], lambda s, c: batches.add_copy(s, get(s)[0], c, now=NOW))
    timed(factory, codes[25:-25], lambda s, c: batches.add_copy(s, get(s)[0], c, now=NOW))
    figures["add to batch, last 25"] = timed(factory, codes[-25:], lambda s, c: batches.add_copy(s, get(s)[0], c, now=NOW))
    with factory.begin() as session:
        batches.dispatch(session, get(session)[0], now=NOW)
    figures["receive at school"] = timed(factory, codes, lambda s, c: batches.receive_copy(
        s, get(s)[0], c, library=get(s)[2], now=NOW))
    with factory.begin() as session:
        batches.finish_receipt(session, get(session)[0], library=get(session)[2], now=NOW)
    readers = iter(range(10_000))
    figures["checkout at school"] = timed(factory, codes[:200], lambda s, c: lending.checkout(
        s, reader=lending.find_reader(s, f"R{next(readers) % 200:06d}"), barcode=c, library=get(s)[2], now=NOW))
    figures["checkin at school"] = timed(factory, codes[:200], lambda s, c: lending.checkin(
        s, barcode=c, library=get(s)[2], now=NOW))
    with factory.begin() as session:
        batches.send_back(session, get(session)[0], now=NOW)
    figures["return check at centre"] = timed(factory, codes, lambda s, c: batches.return_copy(
        s, get(s)[0], c, library=get(s)[1], now=NOW))
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs=2, default=[2000, 20000])
    args = parser.parse_args()
    results = []
    for copies in args.copies:
        url = os.environ.get("LIBRARY_DATABASE_URL")
        if not url or not url.startswith("postgresql"):
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        else:
            from tests.conftest import create_database
            url = create_database(url)
        results.append(run(url, copies))
    print(f"| scan (ms, one commit each) | {args.copies[0]} copies | {args.copies[1]} copies | ratio |")
    print("|---|---:|---:|---:|")
    for key in results[0]:
        small, large = results[0][key] * 1000, results[1][key] * 1000
        print(f"| {key} | {small:.1f} | {large:.1f} | {large / small:.2f} |")


if __name__ == "__main__":
    main()
