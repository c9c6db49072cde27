"""Usage counts added up in memory by each process and written every USAGE_FLUSH_SECONDS (the
served default); written at once with 0 (the tests' default, tests/app/test_operations.py)."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from app.web.usage import flush
from catalog.reports.usage import UsageCount, usage_total

EVER = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "USAGE_FLUSH_SECONDS": 0.3}


def searches(session_factory) -> int:
    with session_factory() as session:
        return usage_total(session, "search", *EVER)


def test_counts_reach_the_database_within_the_interval(app, client, session_factory):
    for query in ("lich su", "dia ly", "lich su"):
        assert client.get("/api/search", query_string={"q": query}).status_code == 200
    deadline = time.monotonic() + 5
    while searches(session_factory) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert searches(session_factory) == 3
    time.sleep(0.7)  # later flushes add nothing twice
    assert searches(session_factory) == 3


def test_counts_that_cannot_be_written_are_kept_for_the_next_flush(app, client, session_factory, engine, caplog):
    app.extensions["usage_tally"].interval = 3600  # only the flushes below
    assert client.get("/api/search", query_string={"q": "toan"}).status_code == 200
    UsageCount.__table__.drop(engine)  # the database refuses the write
    flush(app)
    assert "usage count failed; 1 counters kept" in caplog.text
    UsageCount.__table__.create(engine)
    assert searches(session_factory) == 0
    flush(app)
    assert searches(session_factory) == 1
