"""A small per-client rate limiter for the expensive anonymous endpoints (making page images and
download PDFs). Fixed windows: at most N derivations per client address per window.

LIBRARY_IMAGE_RATE_LIMIT is "N/SECONDS" (e.g. "120/60"; "" or "0" turns it off). The counts live
in memory (one process, the default), or, with LIBRARY_RATE_LIMIT_STORAGE=sqlite:///PATH, in a
small SQLite file that every worker process of the server shares.
"""
from __future__ import annotations

import sqlite3
import threading
import time

from flask import Flask, current_app, request

from catalog.errors import N_, CatalogError


class RateLimited(CatalogError):
    status = 429


class MemoryCounts:
    """Counts per (key, window) in this process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def add(self, key: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count


class SqliteCounts:
    """Counts per (key, window) in a SQLite file shared by the server's processes."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._connect() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT, window INTEGER, count INTEGER, "
                               "PRIMARY KEY (key, window))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5, isolation_level=None)

    def add(self, key: str, window: int) -> int:
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM hits WHERE window < ?", (window,))
            connection.execute("INSERT INTO hits VALUES (?, ?, 1) ON CONFLICT (key, window) "
                               "DO UPDATE SET count = count + 1", (key, window))
            count = connection.execute("SELECT count FROM hits WHERE key = ? AND window = ?",
                                       (key, window)).fetchone()[0]
            connection.execute("COMMIT")
            return count
        finally:
            connection.close()


class RateLimiter:
    """At most `limit` hits per key per `seconds`."""

    def __init__(self, limit: int, seconds: int, storage: str = "memory") -> None:
        self.limit, self.seconds = limit, max(1, seconds)
        self.counts = SqliteCounts(storage.removeprefix("sqlite:///")) if storage.startswith("sqlite:///") \
            else MemoryCounts()

    def hit(self, key: str) -> None:
        """Count one hit; RateLimited (429) past the limit, saying when to try again."""
        if self.limit <= 0:
            return
        now = time.time()
        window = int(now // self.seconds)
        if self.counts.add(key, window) > self.limit:
            raise RateLimited(N_("Too many page images asked for at once; try again in {seconds} seconds."),
                              seconds=max(1, int((window + 1) * self.seconds - now)))


def parse_limit(value: str) -> tuple[int, int]:
    """ "120/60" -> (120, 60); "" or "0" -> (0, 60), no limit."""
    text = str(value or "0").strip()
    count, _, seconds = text.partition("/")
    return int(count or 0), int(seconds or 60)


def init_app(app: Flask) -> None:
    limit, seconds = parse_limit(app.config.get("IMAGE_RATE_LIMIT", ""))
    app.extensions["image_rate_limiter"] = RateLimiter(limit, seconds,
                                                       str(app.config.get("RATE_LIMIT_STORAGE") or "memory"))


def count_derivation(is_exempt: bool) -> None:
    """Count an image or PDF about to be made for this client (staff and on-site are exempt)."""
    if not is_exempt:
        current_app.extensions["image_rate_limiter"].hit(request.remote_addr or "unknown")
