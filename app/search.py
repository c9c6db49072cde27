"""The search index inside the app: where it lives, keeping it in step with commits, health.

- CLI commands and jobs call app.hooks.after_commit(app), which runs sync_index.
- Web requests whose session committed changes to records, copies or pages sync at teardown
  (an after_flush event notes the change, after_commit turns it into a per-request flag).
- A failed sync is logged; the records stay marked stale and the next sync catches up.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event

from app import hooks
from app.health import HealthProblem, register
from catalog.digital import DigitalObject, Page
from catalog.items import Item
from catalog.indexing import has_live_records
from catalog.records import Record
from search_index.background import BackgroundIndexer
from search_index.writer import index_exists, open_index, sync

log = logging.getLogger(__name__)
WATCHED = (Record, Item, DigitalObject, Page)


def index_dir(app: Flask | None = None) -> Path:
    """<DATA_DIR>/index."""
    app = app or current_app
    return Path(app.config["DATA_DIR"]) / "index"


# A web request waits at most this long for another process's index writer; its records then stay
# stale and the next sync (any later commit, or `reindex`) indexes them.
REQUEST_LOCK_TIMEOUT = 5.0


def sync_index(app: Flask, *, lock_timeout: float | None = None) -> None:
    """Index every stale record now (an after-commit hook)."""
    options = {"lock_timeout": lock_timeout} if lock_timeout is not None else {}
    sync(app.extensions["session_factory"], index_dir(app), **options)


def is_bulk(app: Flask, size: int) -> bool:
    """Whether an import of `size` bytes gets the bulk set-up (decode worker, background indexer)."""
    return size >= int(app.config["MARC_BULK_FROM_BYTES"]) and (os.cpu_count() or 1) > 1


def start_background_indexer(app: Flask) -> BackgroundIndexer:
    """A process indexing the records a bulk import commits, while it goes on."""
    return BackgroundIndexer(app.config["DATABASE_URL"], index_dir(app)).start()


def finish_background_indexer(app: Flask, indexer: BackgroundIndexer,
                              progress: Callable[[int, int], None] | None = None) -> None:
    """Wait for the indexer, then sync whatever it left stale (its failure is logged; the sync
    indexes its records instead)."""
    report = indexer.finish(progress=progress)
    if report.error:
        log.warning("background indexer failed; a sync indexes its records instead: %s", report.error)
    else:
        log.info("background indexer: %d indexed, %d removed, %d commits in %.1f s", report.indexed, report.removed,
                 report.commits, report.seconds)
    hooks.after_commit(app)


def check_index_health(app: Flask) -> None:
    """HealthProblem when the index cannot be opened, or is empty (or missing) while the
    catalogue has records: every search would then find nothing."""
    path = index_dir(app)
    documents = 0
    try:
        if index_exists(path):
            ix = open_index(path, create=False)
            try:
                with ix.searcher() as searcher:
                    documents = searcher.doc_count()
            finally:
                ix.close()
        elif path.exists() and not path.is_dir():
            raise HealthProblem("the search index cannot be opened")
    except HealthProblem:
        raise
    except Exception as exc:  # a health check is a process edge: any failure is the answer
        raise HealthProblem("the search index cannot be opened") from exc
    if not documents:
        with app.extensions["session_factory"]() as session:
            if has_live_records(session):
                raise HealthProblem("the search index is empty while the catalogue has records")


def _note_changes(session, _flush_context) -> None:
    if any(isinstance(obj, WATCHED) for group in (session.new, session.dirty, session.deleted) for obj in group):
        session.info["search_dirty"] = True


def _after_commit(session) -> None:
    if session.info.pop("search_dirty", False) and has_request_context():
        g.search_sync_needed = True


def _after_rollback(session) -> None:
    session.info.pop("search_dirty", None)


def _sync_after_request(_exc: BaseException | None) -> None:
    if not g.pop("search_sync_needed", False):
        return
    try:
        sync_index(current_app._get_current_object(), lock_timeout=REQUEST_LOCK_TIMEOUT)
    except Exception:  # process edge: the commit stands; the records stay stale for the next sync
        log.exception("search index sync after request failed")


def init_app(app: Flask) -> None:
    register(app, "index", check_index_health)
    hooks.register(app, sync_index)
    factory = app.extensions["session_factory"]
    event.listen(factory, "after_flush", _note_changes)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
    app.teardown_request(_sync_after_request)
