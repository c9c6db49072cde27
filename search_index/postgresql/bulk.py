"""A bulk import's indexer on PostgreSQL: a thread writing the documents of each committed batch
(the records still marked stale: a record's own transaction may have written it already) in
transactions of its own, while the import goes on. Its failure leaves the records stale for the
sync that follows (app.search.finish_background_indexer)."""
from __future__ import annotations

import dataclasses
import queue as queue_module
import threading
import time
from typing import Callable

from search_index.results import IndexReport


@dataclasses.dataclass
class BackgroundReport:
    indexed: int = 0
    removed: int = 0
    commits: int = 0
    seconds: float = 0.0
    error: str = ""


class InlineIndexer:
    """A bulk import's indexer: a thread writing the documents of each committed batch (those
    still marked stale) in transactions of its own, while the import goes on."""

    def __init__(self, index_stale_among: Callable[[list[int]], IndexReport]) -> None:
        self.index_stale_among = index_stale_among
        self._queue: queue_module.Queue = queue_module.Queue()
        self._report = BackgroundReport()
        self._thread = threading.Thread(target=self._run, name="hoclieu-pg-indexer", daemon=True)
        self._sent = 0
        self._done = 0
        self._stop = False

    def start(self) -> InlineIndexer:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def add(self, record_ids: list[int]) -> None:
        if record_ids:
            self._sent += len(record_ids)
            self._queue.put(list(record_ids))

    def _run(self) -> None:
        try:
            while not self._stop:
                ids = self._queue.get()
                if ids is None:
                    return
                report = self.index_stale_among(ids)
                self._report.indexed += report.indexed
                self._report.removed += report.removed
                self._report.commits += 1
                self._done += len(ids)
        except BaseException as exc:  # a thread's edge: reported by finish(); the records stay stale
            self._report.error = f"{type(exc).__name__}: {exc}"

    def finish(self, *, progress=None, timeout: float | None = None) -> BackgroundReport:
        self._queue.put(None)
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._thread.is_alive():
            self._thread.join(timeout=0.25)
            if progress:
                progress(min(self._done, self._sent), self._sent)
            if deadline is not None and time.monotonic() > deadline:
                self._stop = True
                self._report.error = "the indexer did not finish in time"
                break
        if progress:
            progress(min(self._done, self._sent), self._sent)
        self._report.seconds = time.perf_counter() - self._started
        return self._report

    def abort(self) -> None:
        self._stop = True
        self._queue.put(None)
        self._thread.join(timeout=10)
