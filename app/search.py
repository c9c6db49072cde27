"""The search index inside the app: where it lives, keeping it in step with commits, health.

- CLI commands and jobs call app.hooks.after_commit(app), which runs sync_index.
- A web request indexes only the records it changed (an after_flush event notes them, after_commit
  hands them to the request), before its answer goes out; a failure is said in a flash message
  and logged. The request's own connection goes back to the pool first (a request never holds two
  pooled connections: see app.db). The stale backlog (a failed import, say) is left to `reindex`, CLI commands and jobs.
- A failed sync leaves the records marked stale; the next sync catches up.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from flask import Flask, Response, current_app, flash, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import event

from app import hooks
from app.db import release_connection
from app.ops.health import HealthProblem, register
from catalog.records.indexing import has_live_records
from catalog.records.models import Record
from search_index.background import BackgroundIndexer
from search_index.errors import IndexBusy
from search_index.writer import index_exists, index_records, open_index, sync

log = logging.getLogger(__name__)


def index_dir(app: Flask | None = None) -> Path:
    """<DATA_DIR>/index."""
    app = app or current_app
    return Path(app.config["DATA_DIR"]) / "index"


# A web request waits at most this long for another process's index writer; its records then stay
# stale and the next sync (any later commit, or `reindex`) indexes them.
REQUEST_LOCK_TIMEOUT = 1.5
# A request indexes at most this many records it changed; more (a bulk edit) go to a background sync.
REQUEST_INDEX_LIMIT = 200


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
    # Every change the index shows (fields, copies, pages) marks its record stale (mark_stale).
    changed = {obj.id for group in (session.new, session.dirty, session.deleted) for obj in group
               if isinstance(obj, Record) and obj.index_stale and obj.id is not None}
    if changed:
        session.info.setdefault("search_changed", set()).update(changed)


def _after_commit(session) -> None:
    changed = session.info.pop("search_changed", None)
    if changed and has_request_context():
        g.setdefault("search_changed", set()).update(changed)


def _after_rollback(session) -> None:
    session.info.pop("search_changed", None)


def _index_after_request(response: Response) -> Response:
    """Index what this request committed, before the answer goes out (so a failure can be said).
    Only its own records, and at most REQUEST_INDEX_LIMIT: a backlog is a sync's work, in the
    background, never a request's."""
    changed = g.pop("search_changed", None)
    if not changed:
        return response
    app = current_app._get_current_object()
    release_connection()
    if len(changed) > REQUEST_INDEX_LIMIT:
        app.extensions["job_pool"].submit(_sync_in_background, app)
        return response
    try:
        index_records(app.extensions["session_factory"], index_dir(app), list(changed),
                      lock_timeout=REQUEST_LOCK_TIMEOUT)
    except Exception as exc:  # process edge: the commit stands; the records stay stale for the next sync
        if isinstance(exc, IndexBusy):  # another writer for a while (an import): catch up once it is done
            log.info("index busy; records %s are indexed by a background sync", sorted(changed)[:20])
            app.extensions["job_pool"].submit(_sync_in_background, app)
            return response
        log.warning("indexing records %s after the request failed", sorted(changed)[:20], exc_info=True)
        if response.status_code in (301, 302, 303) or response.mimetype == "text/html":
            flash(_("Saved, but not yet searchable: the search index could not be written. The change stays marked "
                    "and is indexed once it can be (`flask --app app reindex`)."), "warning")
    return response


def _sync_in_background(app: Flask) -> None:
    try:
        with app.app_context():
            sync_index(app)
    except Exception:  # process edge (a worker thread): records stay stale for the next sync
        log.exception("background search index sync failed")


def init_app(app: Flask) -> None:
    register(app, "index", check_index_health)
    hooks.register(app, sync_index)
    factory = app.extensions["session_factory"]
    event.listen(factory, "after_flush", _note_changes)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
    app.after_request(_index_after_request)
