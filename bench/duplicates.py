"""How fast the duplicates queue answers as the catalogue grows: on SQLite (or LIBRARY_DATABASE_URL)
builds N records (demo-like titles, subtitles, authors, years and ISBNs, with about 3 % true
duplicates: a copy with the ISBN written the other way, or the same title, author and year without
an ISBN; and generic titles shared by hundreds), then times the first refresh of the signatures and
keys, the first page, a page deep in the queue, a comparison, a refresh after 200 edits, and a queue
view with nothing changed.

Usage: .venv/bin/python bench/duplicates.py [--records 10000 100000]
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

from sqlalchemy import select, update  # noqa: E402

from app.schema import upgrade  # noqa: E402
from catalog.db import make_engine, make_session_factory  # noqa: E402
from catalog.demo import FAMILY, GIVEN, MIDDLE, QUALIFIERS, TOPICS, isbn13  # noqa: E402
from catalog.records.duplicate_keys import refresh_duplicate_keys  # noqa: E402
from catalog.records.duplicates import candidate_pairs, compare_pair  # noqa: E402
from catalog.records.models import Record, RecordDraft, checked_draft, insert_records  # noqa: E402
from catalog.accounts.users import Role, User  # noqa: E402

NOW = dt.datetime(2026, 12, 1, 9, 0)


def drafts(count: int, seed: int = 16) -> list[RecordDraft]:
    rng = random.Random(seed)
    out: list[RecordDraft] = []
    while len(out) < count:
        stem = rng.choice(TOPICS)[0]
        author = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        draft = RecordDraft(title=f"{stem} {rng.choice(QUALIFIERS)}".strip(), subtitle=rng.choice(["", "", "tập 1",
                            "tập 2", "sách tham khảo", "dành cho học sinh"]), authors=[author],
                            year=rng.randint(1990, 2025), isbns=[isbn13(rng)] if rng.random() < 0.6 else [],
                            languages=["vie"], publisher="Nxb. Giáo dục")
        out.append(draft)
        roll = rng.random()
        if roll < 0.015 and draft.isbns:  # the same book again, its ISBN written as ISBN-10 with hyphens
            isbn = draft.isbns[0]
            out.append(RecordDraft(title=draft.title, authors=[author.replace(" ", ", ", 1)], year=draft.year,
                                   isbns=[f"{isbn[3:4]}-{isbn[4:7]}-{isbn[7:12]}-X"], languages=["vie"]))
        elif roll < 0.03:  # the same title, author and year, no ISBN
            out.append(RecordDraft(title=draft.title, subtitle=draft.subtitle, authors=[author], year=draft.year,
                                   languages=["vie"]))
        elif roll < 0.035:  # a generic title shared by many
            out.append(RecordDraft(title="Báo cáo tổng kết", year=rng.randint(1990, 2025), languages=["vie"]))
    return out[:count]


def timed(label: str, action, figures: dict) -> object:
    start = time.perf_counter()
    result = action()
    figures[label] = time.perf_counter() - start
    return result


def run(url: str, count: int) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        rows = [(checked_draft(d), None) for d in drafts(count)]
        for start in range(0, len(rows), 5000):
            insert_records(session, rows[start:start + 5000], now=NOW)
        user = User(username="bienmuc", role=Role.CATALOGUER)
        session.add(user)
    figures: dict[str, float] = {}
    with factory() as session:
        user = session.scalar(select(User).where(User.username == "bienmuc"))
        timed("first refresh (every record)", lambda: (refresh_duplicate_keys(session), session.commit()), figures)
        listing = timed("queue page 1 (keys up to date)", lambda: candidate_pairs(session, user), figures)
        session.commit()
        figures["pairs (likely)"] = listing.total
        weak = timed("queue page 1 with weak pairs", lambda: candidate_pairs(session, user, include_weak=True),
                     figures)
        session.commit()
        figures["pairs (with weak)"] = weak.total
        timed("queue page 50", lambda: candidate_pairs(session, user, page=50), figures)
        session.commit()
        pair = listing.pairs[0]
        timed("compare one pair", lambda: compare_pair(session, user, pair.low.id, pair.high.id), figures)
        session.commit()
        session.execute(update(Record).where(Record.id <= 200).values(updated_at=NOW + dt.timedelta(hours=1)))
        session.commit()
        timed("queue page 1 after 200 edits", lambda: candidate_pairs(session, user), figures)
        session.commit()
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    server = os.environ.get("LIBRARY_DATABASE_URL", "")
    for count in args.records:
        if server.startswith("postgresql"):
            from tests.conftest import create_database, drop_database

            url = create_database(server)
            try:
                figures = run(url, count)
            finally:
                drop_database(url)
        else:
            with tempfile.TemporaryDirectory() as folder:
                figures = run(f"sqlite:///{folder}/bench.db", count)
        print(f"{count} records ({'postgresql' if server.startswith('postgresql') else 'sqlite'}):")
        for label, value in figures.items():
            print(f"  {label}: {value:.3f} s" if isinstance(value, float) else f"  {label}: {value}")


if __name__ == "__main__":
    main()
