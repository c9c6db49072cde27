"""The search backends inside the app: built once, followed, kept in step with commits, their health.

- init_app builds the backends this database can carry (search_index.backend) and refuses to
  start on an unknown LIBRARY_SEARCH_BACKEND; every part of the app reaches the one answering
  through search_backend(). Which one answers is recorded in the database once
  `switch-search-backend` has run (it then wins over LIBRARY_SEARCH_BACKEND), and each process
  follows that record without a restart (app.ops.search_choice). The app never sees an index object,
  a path or HTML from a backend.
- During a switch both backends are written: the postgresql one inside each transaction, the
  Whoosh one after each request's commit (its own records, passed by id: the other backend may
  already have cleared their stale flags) and by sync_index (the stale records, and the records
  committed outside requests, by id, for the same reason).
- CLI commands and jobs call app.hooks.after_commit(app), which runs sync_index.
- A web request indexes only the records it changed (an after_flush event notes them, after_commit
  hands them to the request), before its answer goes out; a failure is said in a flash message
  and logged. The request's own connection goes back to the pool first (a request never holds two
  pooled connections: see app.db). The stale backlog (a failed import, say) is left to `reindex`, CLI commands and jobs.
- A failed sync leaves the records marked stale; the next sync catches up.
- A backend that keeps its index inside the database's transactions (postgresql:
  index_in_transactions) needs none of the after-commit indexing of requests: a request's
  records are searchable once its commit is.
- Snippets come as (text, is_match) spans; snippet_html() makes the JSON's string, escaped.
"""
from __future__ import annotations

import logging
import os
from typing import Callable

from flask import Flask, Response, current_app, flash, g, has_app_context, has_request_context
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import event

from app import hooks
from app.db import pool_options, release_connection
from app.ops.search_choice import SearchBackends
from catalog.db import make_engine, make_session_factory
from app.ops.health import HealthProblem, register
from catalog.records.models import Record, stale_record_ids
from search_index.backend import BackgroundIndexing, Health, SearchBackend, Snippet, backend_names, create_backend
from search_index.errors import IndexBusy

log = logging.getLogger(__name__)


def search_backends(app: Flask | None = None) -> SearchBackends:
    """The app's backends: the one answering, the ones written, the recorded choice."""
    return (app or current_app).extensions["search_backends"]


def search_backend(app: Flask | None = None) -> SearchBackend:
    """The backend answering now (the recorded one, looked at every few seconds: see
    app.ops.search_choice; a web request looks before it begins)."""
    backends = search_backends(app)
    if not has_request_context() and backends.is_due():
        backends.refresh()
    return backends.primary


def snippet_html(snippet: Snippet | None) -> Markup:
    """The spans as HTML: text escaped, matched words in <mark> (the only markup)."""
    return Markup("").join(Markup("<mark>{}</mark>").format(text) if is_match else escape(text)
                           for text, is_match in snippet or ())


# A web request waits at most this long for another process's index writer; its records then stay
# stale and the next sync (any later commit, or `reindex`) indexes them.
REQUEST_LOCK_TIMEOUT = 1.5
# A request indexes at most this many records it changed; more (a bulk edit) go to a background sync.
REQUEST_INDEX_LIMIT = 200


def sync_index(app: Flask, *, lock_timeout: float | None = None) -> None:
    """Index every stale record now (an after-commit hook). During a switch each written backend
    takes them by id first (the first to index a record clears its flag), with the records
    committed outside requests that an after-commit backend still lacks; a failure of the backend
    not answering is logged (the switch's catch-up takes its records again)."""
    primary = search_backend(app)
    backends = search_backends(app)
    if backends.others():
        pending = backends.take_pending()
        with app.extensions["session_factory"]() as session:
            stale = set(stale_record_ids(session))
        for backend in (*backends.others(), primary):
            ids = stale if backends.in_transactions.get(backend.name) else stale | pending
            if not ids:
                continue
            try:
                backend.index_records(sorted(ids), lock_timeout=lock_timeout)
            except Exception:  # process edge: the answering backend's sync below still runs
                if backend is primary:
                    raise
                log.warning("indexing records into the %s backend (written beside %s) failed", backend.name,
                            primary.name, exc_info=True)
    primary.sync(lock_timeout=lock_timeout)


def is_bulk(app: Flask, size: int) -> bool:
    """Whether an import of `size` bytes gets the bulk set-up (decode worker, background indexer)."""
    return size >= int(app.config["MARC_BULK_FROM_BYTES"]) and (os.cpu_count() or 1) > 1


class _IndexingBeside:
    """The answering backend's indexer, noting the ids it takes while another backend is
    written too (a switch began, or ended on the other one, during the import): those go to the
    other written backends at the end."""

    def __init__(self, backends: SearchBackends, indexer: BackgroundIndexing) -> None:
        self.backends, self.indexer, self.name = backends, indexer, backends.primary.name
        self.noted: set[int] = set()

    def add(self, record_ids: list[int]) -> None:
        self.indexer.add(record_ids)
        if self.backends.choice.writers != (self.name,):
            self.noted.update(record_ids)

    def finish(self, *, progress: Callable[[int, int], None] | None = None):
        report = self.indexer.finish(progress=progress)
        self.backends.refresh()
        for backend in self.backends.writers() if self.noted else ():
            if backend.name != self.name:
                try:
                    backend.index_records(sorted(self.noted))
                except Exception:  # process edge: the import stands; the switch's catch-up takes them again
                    log.warning("indexing the import's records into the %s backend failed", backend.name,
                                exc_info=True)
        return report

    def abort(self) -> None:
        self.indexer.abort()


def start_background_indexer(app: Flask) -> BackgroundIndexing:
    """A process indexing the records a bulk import commits, while it goes on."""
    search_backend(app)  # the recorded choice, looked at
    backends = search_backends(app)
    return _IndexingBeside(backends, backends.primary.background_indexer())


def finish_background_indexer(app: Flask, indexer: BackgroundIndexing,
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


def index_health(app: Flask) -> Health:
    """The backend's health, asked once per request (the /healthz checks share it)."""
    if not has_app_context():
        return search_backend(app).health()
    if "search_health" not in g:
        if has_request_context():
            release_connection()  # the backend reads the database with a session of its own
        g.search_health = search_backend(app).health()
    return g.search_health


def check_index_health(app: Flask) -> None:
    """HealthProblem when the index cannot be opened, or is empty (or missing) while the
    catalogue has records: every search would then find nothing."""
    health = index_health(app)
    if health.status == "unavailable":
        raise HealthProblem("the search index cannot be opened")
    if health.status == "empty":
        raise HealthProblem("the search index is empty while the catalogue has records")


def check_index_backlog(app: Flask) -> None:
    """HealthProblem when more records wait for the index than LIBRARY_HEALTH_MAX_STALE_RECORDS:
    searches then miss them (a sync or `reindex` catches up)."""
    stale = index_health(app).stale_records
    if stale is not None and stale > int(app.config["HEALTH_MAX_STALE_RECORDS"]):
        raise HealthProblem("the search index is far behind the catalogue")


def _note_changes(session, _flush_context) -> None:
    # Every change the index shows (fields, copies, pages) marks its record stale (mark_stale).
    changed = {obj.id for group in (session.new, session.dirty, session.deleted) for obj in group
               if isinstance(obj, Record) and obj.index_stale and obj.id is not None}
    if changed:
        session.info.setdefault("search_changed", set()).update(changed)


def _after_commit(session) -> None:
    changed = session.info.pop("search_changed", None)
    if not changed:
        return
    if has_request_context():
        g.setdefault("search_changed", set()).update(changed)
    elif has_app_context() and search_backends().others():
        search_backends().note_pending(changed)  # for sync_index: flags may be cleared already


def _after_rollback(session) -> None:
    session.info.pop("search_changed", None)


def _index_after_request(response: Response) -> Response:
    """Index what this request committed, before the answer goes out (so a failure can be said).
    Only its own records, and at most REQUEST_INDEX_LIMIT: a backlog is a sync's work, in the
    background, never a request's. Into each written backend indexed after commits (during a
    switch a failure is kept by id for the next sync: the other backend cleared the flags)."""
    changed = g.pop("search_changed", None)
    app = current_app._get_current_object()
    backends = search_backends(app)
    targets = backends.after_commit_writers()
    if not changed or not targets:
        return response
    release_connection()
    if len(changed) > REQUEST_INDEX_LIMIT:
        if backends.others():
            backends.note_pending(changed)
        app.extensions["job_pool"].submit(_sync_in_background, app)
        return response
    for backend in targets:
        try:
            backend.index_records(list(changed), lock_timeout=REQUEST_LOCK_TIMEOUT)
        except Exception as exc:  # process edge: the commit stands; the records stay stale for the next sync
            if backends.others():
                backends.note_pending(changed)
            if isinstance(exc, IndexBusy):  # another writer for a while (an import): catch up once it is done
                log.info("index busy; records %s are indexed by a background sync", sorted(changed)[:20])
                app.extensions["job_pool"].submit(_sync_in_background, app)
                continue
            log.warning("indexing records %s after the request failed", sorted(changed)[:20], exc_info=True)
            if backend is backends.primary and (response.status_code in (301, 302, 303)
                                                or response.mimetype == "text/html"):
                flash(_("Saved, but not yet searchable: the search index could not be written. The change stays "
                        "marked and is indexed once it can be (`flask --app app reindex`)."), "warning")
    return response


def _sync_in_background(app: Flask) -> None:
    try:
        with app.app_context():
            sync_index(app)
    except Exception:  # process edge (a worker thread): records stay stale for the next sync
        log.exception("background search index sync failed")


def check_backend_name(app: Flask) -> str:
    """The backend LIBRARY_SEARCH_BACKEND names, lower case; start-up refuses another (create_app
    asks before anything is opened)."""
    name = str(app.config.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if name not in backend_names():
        from app import ConfigurationError  # the package is loaded: create_app is running

        raise ConfigurationError(f"LIBRARY_SEARCH_BACKEND must be one of: {', '.join(backend_names())} "
                                 f"(the default is whoosh), not {app.config.get('SEARCH_BACKEND')!r}.")
    return name


def _read_through_replica(app: Flask, backends: SearchBackends) -> None:
    """With LIBRARY_DATABASE_REPLICA_URL, the backend that reads through sessions of its own
    (read_factory: postgresql) gets sessions on an engine of the replica for its searches; its
    writes keep session_factory. Whoosh reads its own folder: the setting is refused when Whoosh
    answers at start-up."""
    url = str(app.config.get("DATABASE_REPLICA_URL") or "").strip()
    if not url:
        return
    if not hasattr(backends.primary, "read_factory"):
        from app import ConfigurationError  # the package is loaded: create_app is running

        raise ConfigurationError(f"LIBRARY_DATABASE_REPLICA_URL needs LIBRARY_SEARCH_BACKEND=postgresql "
                                 f"(the {backends.primary.name} backend does not read from the database).")
    engine = make_engine(url, **pool_options({**app.config, "DATABASE_URL": url}))
    app.extensions["replica_engine"] = engine
    for backend in backends.available.values():
        if hasattr(backend, "read_factory"):
            backend.read_factory = make_session_factory(engine)


def _follow_recorded_choice() -> None:
    """Before a request opens its session: the recorded backend, looked at when due (its own
    short session, so the request never holds two connections)."""
    backends = search_backends()
    if backends.is_due() and "db_session" not in g:
        backends.refresh()


def init_app(app: Flask) -> None:
    """Build the backends this database can carry, follow the recorded choice (or
    LIBRARY_SEARCH_BACKEND), and keep the written ones in step with commits."""
    name = check_backend_name(app)
    factory = app.extensions["session_factory"]
    available, unavailable = {}, {}
    for candidate in backend_names():
        try:
            available[candidate] = create_backend(
                candidate, session_factory=factory, database_url=app.config["DATABASE_URL"],
                data_dir=app.config["DATA_DIR"], max_stale=int(app.config["HEALTH_MAX_STALE_RECORDS"]))
        except ValueError as exc:  # a backend this database cannot carry (postgresql on SQLite)
            if candidate == name:
                from app import ConfigurationError  # the package is loaded: create_app is running

                raise ConfigurationError(str(exc)) from exc
            unavailable[candidate] = str(exc)
    backends = SearchBackends(factory, name, available, unavailable,
                              float(app.config.get("SEARCH_BACKEND_CHECK_SECONDS", 2.0)))
    app.extensions["search_backends"] = backends
    # Listeners now, before any session (never added while others commit), in this order: the
    # look at the record first, so that the backends' own listeners see the current choice.
    event.listen(factory, "after_flush", lambda session, _context: backends.refresh(
        connection=session.connection()) if backends.is_due() else None)
    for candidate in available:
        backends.attach(candidate)
    backends.refresh(force=True)
    app.extensions["search_backend"] = backends.primary  # the one answering at start-up (scripts)
    _read_through_replica(app, backends)
    register(app, "index", check_index_health)
    register(app, "index_backlog", check_index_backlog)
    hooks.register(app, sync_index)  # records flagged by bulk statements (imports, `reindex`)
    app.before_request_funcs.setdefault(None, []).insert(0, _follow_recorded_choice)
    event.listen(factory, "after_flush", _note_changes)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", lambda session, _tx: _after_rollback(session))
    app.after_request(_index_after_request)
