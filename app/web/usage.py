"""Online use counted without personal data (catalog.reports.usage daily counters).

- session: once per browser session, marked by a flag in the signed Flask session cookie (no id,
  no IP address, nothing about the person is stored);
- search and record_view: after a successful request to the endpoints in USAGE_ENDPOINTS.
Reads and downloads of digital objects are counted where they are served (the scans area).
Counting never breaks a page: a failed count is logged and the response goes out. The uses are
noted in after_request (the session flag must reach the cookie) and handed over once the request's
own session is closed (app.db.after_release), so a request never holds two pooled connections.

Each process adds its uses up in memory and writes them every USAGE_FLUSH_SECONDS (5 by default)
from one thread, and at exit (gunicorn's worker_exit, atexit): one upsert per counter for many
requests instead of a transaction per search (about a sixth of a search's CPU). A process killed
with -9 loses at most that many seconds of counts. USAGE_FLUSH_SECONDS = 0 writes each request's
uses at once (the tests' default).
"""
from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
from collections import Counter

from flask import Flask, current_app, g, request, session

from app.display.dates import library_today
from app.db import after_release
from catalog.reports.usage import commit_without_waiting_for_disk, count_use

log = logging.getLogger(__name__)
FLAG = "counted"
# Endpoint -> usage kind (config.py USAGE_ENDPOINTS overrides).
ENDPOINTS = {"opac.search": "search", "opac.api_search": "search", "opac.record_detail": "record_view"}
# Never counted as a visit to the site: machines and assets.
SKIPPED = ("static", "main.healthz")


def _uses(response) -> list[tuple[str, str]]:
    if request.method != "GET" or response.status_code >= 400 or request.endpoint in (None, *SKIPPED):
        return []
    uses = []
    if response.mimetype == "text/html" and not session.get(FLAG):
        session[FLAG] = True
        uses.append(("session", ""))
    kind = current_app.config.get("USAGE_ENDPOINTS", ENDPOINTS).get(request.endpoint)
    if kind:
        record_id = (request.view_args or {}).get("record_id")
        uses.append((kind, f"record:{record_id}" if kind == "record_view" and record_id else ""))
    return uses


def _note(response):
    if current_app.config.get("USAGE_COUNTING", True):
        g.usage_pending = _uses(response)
    return response


def _write(session_factory, counts: dict[tuple[dt.date, str, str], int]) -> None:
    with session_factory.begin() as db:
        commit_without_waiting_for_disk(db)
        for (day, kind, subject), n in sorted(counts.items()):
            count_use(db, kind, day, subject, n)


class Tally:
    """The uses this process noted and has not written yet; a thread writes them every
    `interval` seconds (started on first use in each process: a forked worker starts its own)."""

    def __init__(self, session_factory, interval: float) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self.counts: Counter[tuple[dt.date, str, str]] = Counter()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.pid: int | None = None

    def add(self, day: dt.date, uses: list[tuple[str, str]]) -> None:
        with self.lock:
            for kind, subject in uses:
                self.counts[(day, kind, subject)] += 1
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._run, name="usage-tally", daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while self.pid == pid:
            self.wake.wait(self.interval)
            self.wake.clear()
            self.flush()

    def flush(self) -> None:
        """Write what was noted; on failure the counts are kept for the next flush."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
        if not counts:
            return
        try:
            _write(self.session_factory, counts)
        except Exception:  # process edge: a count that cannot be written now is tried again later
            log.exception("usage count failed; %d counters kept for the next try", len(counts))
            with self.lock:
                self.counts.update(counts)


def flush(app: Flask) -> None:
    """Write this process's pending counts now (at exit; tests)."""
    tally = app.extensions.get("usage_tally")
    if tally is not None:
        tally.flush()


def _count(_exc: BaseException | None) -> None:
    uses = g.pop("usage_pending", None)
    if not uses:
        return
    tally = current_app.extensions.get("usage_tally")
    if tally is not None:
        tally.add(library_today(), uses)
        return
    try:
        _write(current_app.extensions["session_factory"], {(library_today(), kind, subject): 1 for kind, subject in uses})
    except Exception:  # process edge: a lost count must not cost the reader the page
        log.exception("usage count failed")


def init_app(app: Flask) -> None:
    app.after_request(_note)
    after_release(app, _count)
    interval = float(app.config.get("USAGE_FLUSH_SECONDS") or 0)
    if interval > 0:
        app.extensions["usage_tally"] = Tally(app.extensions["session_factory"], interval)
        atexit.register(flush, app)
