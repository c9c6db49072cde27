"""A served instance with a small connection pool under concurrent requests (issue 12, item 4).

Counting a use used to take a second pooled connection in after_request while the request still
held its own: with every pooled connection held by a request waiting for another, the site froze
until the pool timed out, and the counts were lost."""
from __future__ import annotations

import concurrent.futures
import logging
import time
import urllib.request

import pytest

from catalog.reports.usage import usage_total
from tests.app.staff_helpers import denied_entries, item_of
from tests.conftest import login

CLIENTS = 32
POOL_TIMEOUT = 10  # a wait this long is a deadlock; a busy machine's queue for a connection is shorter


@pytest.fixture
def pool_size() -> int:
    return 2


@pytest.fixture
def app_overrides(app_overrides, pool_size):
    return {**app_overrides, "DATABASE_POOL_SIZE": pool_size, "DATABASE_MAX_OVERFLOW": 0,
            "DATABASE_POOL_TIMEOUT": POOL_TIMEOUT}


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def test_a_small_pool_serves_many_concurrent_readers_fast_and_counts_every_view(demo, live_server, session, caplog):
    from app.display.dates import library_today as today

    with demo.app_context():
        record_ids = [hit["id"] for hit in demo.test_client().get("/api/search?q=&per_page=8").get_json()["hits"]]
        day = today()
    assert len(record_ids) == 8
    urls = [f"{live_server}/records/{record_ids[n % 8]}" for n in range(CLIENTS * 2)]
    caplog.set_level(logging.ERROR)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(_get, urls))
    elapsed = time.monotonic() - started
    assert statuses == [200] * len(urls)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert elapsed < POOL_TIMEOUT, f"{len(urls)} requests took {elapsed:.1f} s"
    assert usage_total(session, "record_view", day, day) == len(urls)


@pytest.mark.parametrize("pool_size", [1])
def test_a_refused_change_is_logged_within_one_connection(demo, client, session):
    """The refusal's audit entry used a second session while the request's own one reloaded the
    signed-in user: with every connection in use, the refusal waited for the pool and failed."""
    copy = item_of(session, "TTVH")
    login(client, "thuvien.tieuhoc")
    started = time.monotonic()
    response = client.post(f"/staff/copies/{copy.id}", data={
        "status": "lost", "location_id": copy.current_library_id, "call_number": "X", "notes": ""})
    assert response.status_code == 403
    assert time.monotonic() - started < POOL_TIMEOUT
    denied = denied_entries(session)
    assert denied and denied[-1].actor_name == "thuvien.tieuhoc" and f"/staff/copies/{copy.id}" in denied[-1].after["path"]

