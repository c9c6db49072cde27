"""Indexing beside a bulk import: a second process keeps the index up with a long import.

A big MARC file spends about as long in the search index as in the database. On two cores the
import writes the database while this process indexes what each committed batch changed, so the
two costs overlap instead of adding up.

The database stays the truth: records are marked stale when written; this process reads them back
(catalog.records.indexing.index_rows), writes them with one Whoosh writer (committed every COMMIT_EVERY
documents and at the end) and clears the stale flags only after each commit, for rows not changed
meanwhile. If it fails, the records stay stale and the next sync indexes them.

    indexer = BackgroundIndexer(database_url, index_dir)
    indexer.start()
    ... indexer.add(record_ids) after each committed batch ...
    report = indexer.finish()
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import queue as queue_module
import time
import traceback
from pathlib import Path
from typing import Callable

from catalog.jobs.bulk import fewer_collections
from catalog.db import make_engine, make_session_factory
from catalog.records.indexing import index_rows, mark_indexed_versions
from catalog.jobs.processes import die_with_parent
from search_index.writer import COMMIT_EVERY, LOCK_TIMEOUT, open_index, open_writer, write_document

# Record ids read from the database at a time.
READ_BATCH = 1000


@dataclasses.dataclass
class BackgroundReport:
    indexed: int = 0
    removed: int = 0
    commits: int = 0
    seconds: float = 0.0
    error: str = ""


class BackgroundIndexer:
    """A child process (spawned, so safe from threaded servers) fed with changed record ids."""

    def __init__(self, database_url: str, index_dir: Path | str, *, commit_every: int = COMMIT_EVERY,
                 lock_timeout: float = LOCK_TIMEOUT) -> None:
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._results = context.Queue()
        self._done = context.Value("q", 0)
        self._sent = 0
        self._process = context.Process(
            target=_run, name="hoclieu-indexer", daemon=True,
            args=(database_url, str(index_dir), self._queue, self._results, self._done, commit_every, lock_timeout,
                  os.getpid()),
        )

    def start(self) -> BackgroundIndexer:
        self._process.start()
        return self

    def add(self, record_ids: list[int]) -> None:
        """Index these records (their changes are committed)."""
        if record_ids:
            self._sent += len(record_ids)
            self._queue.put(list(record_ids))

    @property
    def sent(self) -> int:
        return self._sent

    @property
    def indexed(self) -> int:
        """Records indexed so far (live ones added, others removed)."""
        return self._done.value

    def finish(self, *, progress: Callable[[int, int], None] | None = None,
               timeout: float | None = None) -> BackgroundReport:
        """Wait until everything sent is indexed and committed; `progress(done, sent)` while waiting."""
        self._queue.put(None)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                report = self._results.get(timeout=0.25)
                break
            except queue_module.Empty:
                if progress:
                    progress(min(self.indexed, self._sent), self._sent)
                if not self._process.is_alive():
                    report = BackgroundReport(error=f"the indexer process stopped (exit code {self._process.exitcode})")
                    break
                if deadline is not None and time.monotonic() > deadline:
                    self._process.terminate()
                    report = BackgroundReport(error="the indexer process did not finish in time")
                    break
        self._process.join(timeout=10)
        if progress:
            progress(min(self.indexed, self._sent), self._sent)
        return report

    def abort(self) -> None:
        """Stop without waiting (records not committed to the index stay stale)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)


def _run(database_url, index_dir, ids_queue, results, done, commit_every, lock_timeout, parent_pid) -> None:
    die_with_parent(parent_pid, close_sockets=False)  # an orphan would hold the index lock for ever
    started = time.perf_counter()
    report = BackgroundReport()
    engine = make_engine(database_url)
    try:
        with fewer_collections():
            _index(make_session_factory(engine), index_dir, ids_queue, report, done, commit_every, lock_timeout)
    except BaseException as exc:  # process edge: reported to the parent; records stay stale
        report.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    finally:
        engine.dispose()
        report.seconds = time.perf_counter() - started
        results.put(report)


def _next_ids(ids_queue, pending: list[int]) -> bool:
    """Wait for ids, then take whatever else is already queued; False once the parent is done."""
    item = ids_queue.get()
    if item is None:
        return False
    pending.extend(item)
    while len(pending) < READ_BATCH:
        try:
            item = ids_queue.get_nowait()
        except queue_module.Empty:
            break
        if item is None:
            ids_queue.put(None)  # seen again by the next wait
            break
        pending.extend(item)
    return True


class _Writing:
    """One Whoosh writer between commits, with the ids it has written (Whoosh cannot replace a
    document added by the same writer, so a record seen twice commits first)."""

    def __init__(self, ix, lock_timeout: float) -> None:
        self.ix = ix
        self.lock_timeout = lock_timeout
        self.writer = open_writer(ix, lock_timeout)
        self.reader = ix.reader()
        self.written: set[int] = set()
        self.versions: list[tuple[int, object]] = []

    def commit(self, session_factory, report: BackgroundReport) -> None:
        """Commit the writer, then clear the stale flags of the rows it wrote (unless changed since)."""
        self.reader.close()
        self.writer.commit()
        report.commits += 1
        with session_factory.begin() as session:
            mark_indexed_versions(session, self.versions)

    def close(self) -> None:
        """Give up: what this writer held is not committed (its records stay stale)."""
        self.reader.close()
        if not self.writer.is_closed:
            self.writer.cancel()

    def reopen(self) -> None:
        self.writer = open_writer(self.ix, self.lock_timeout)
        self.reader = self.ix.reader()
        self.written = set()
        self.versions = []


def _index(session_factory, index_dir, ids_queue, report, done, commit_every, lock_timeout) -> None:
    ix = open_index(index_dir)
    state = _Writing(ix, lock_timeout)
    since_commit = 0
    try:
        pending: list[int] = []
        more = True
        while more or pending:
            if more and len(pending) < READ_BATCH:
                more = _next_ids(ids_queue, pending)
                continue
            ids = list(dict.fromkeys(pending[:READ_BATCH]))
            del pending[:READ_BATCH]
            with session_factory() as session:
                rows = index_rows(session, ids)
            for row in rows:
                if row.id in state.written:
                    state.commit(session_factory, report)
                    state.reopen()
                    since_commit = 0
                write_document(state.writer, row, exists=("id", str(row.id)) in state.reader)
                state.written.add(row.id)
                state.versions.append((row.id, row.stale_since))
                if row.is_live:
                    report.indexed += 1
                else:
                    report.removed += 1
                since_commit += 1
            with done.get_lock():
                done.value += len(rows)
            if since_commit >= commit_every:
                state.commit(session_factory, report)
                state.reopen()
                since_commit = 0
    except BaseException:
        state.close()
        ix.close()
        raise
    state.commit(session_factory, report)
    ix.close()
