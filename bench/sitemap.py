"""Sitemap benchmark: /sitemap.xml and one full /sitemaps/records-N.xml (50,000 URLs) on a
catalogue of N records (default 100,000), through the Flask test client, on SQLite (or the
database LIBRARY_DATABASE_URL names, which must be empty and migrated).

Usage: .venv/bin/python bench/sitemap.py [--records 100000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import insert

    from app import create_app
    from app.schema import upgrade
    from catalog.db import make_engine
    from catalog.records.models import Record

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = create_app({"TESTING": True, "DATABASE_URL": url, "DATA_DIR": f"{tmp}/data",
                          "SECRET_KEY": "bench-secret-key-long-enough", "SRU_RATE_LIMIT": ""})
        started = time.perf_counter()
        base = dt.datetime(2020, 1, 1)
        with app.extensions["session_factory"].begin() as session:
            for first in range(0, args.records, 10_000):
                session.execute(insert(Record), [
                    {"title": f"Sách {n}", "updated_at": base + dt.timedelta(minutes=n), "index_stale": False,
                     "deleted_at": base if n % 50 == 0 else None}
                    for n in range(first, min(first + 10_000, args.records))])
        print(f"{args.records} records written in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        for path in ("/sitemap.xml", "/sitemaps/records-1.xml"):
            times, size = [], 0
            for _ in range(args.rounds):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                size = len(response.data)
                assert response.status_code == 200, response.status_code
            print(f"{path}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
