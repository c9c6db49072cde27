"""One engine per app, one session per request (closed at teardown; routes commit).

A request never holds two pooled connections: work that needs its own session at the end of a
request (usage counts, the search index sync) registers with after_release() and runs once the
request's session is closed and its connection is back in the pool. (A second connection taken
while the first is held deadlocks a busy server: every thread holds one and waits for another.)
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from catalog.db import make_engine, make_session_factory

ReleaseHook = Callable[[BaseException | None], None]


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], **pool_options(app.config))
    app.extensions["engine"] = engine
    app.extensions["session_factory"] = make_session_factory(engine)
    app.extensions["after_release_hooks"] = []
    app.teardown_request(_release)
    app.teardown_appcontext(_close_session)


def pool_options(config) -> dict:
    """Connection pool size, overflow and wait from LIBRARY_DATABASE_POOL_SIZE, _MAX_OVERFLOW and
    _POOL_TIMEOUT (SQLAlchemy's defaults where unset; an in-memory SQLite database has no pool)."""
    url = str(config["DATABASE_URL"])
    if url in ("sqlite://", "sqlite:///") or ":memory:" in url:
        return {}
    options = {}
    for key, option, kind in (("DATABASE_POOL_SIZE", "pool_size", int), ("DATABASE_MAX_OVERFLOW", "max_overflow", int),
                              ("DATABASE_POOL_TIMEOUT", "pool_timeout", float)):
        if config.get(key) not in (None, ""):
            options[option] = kind(config[key])
    return options


def session_factory() -> sessionmaker:
    """The app's session factory, for jobs and CLI commands that own their transactions."""
    return current_app.extensions["session_factory"]


def get_session() -> Session:
    """The request's session; the route (or CLI command) commits."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def release_connection() -> None:
    """Give the request's connection back to the pool before end-of-request work that opens a
    session of its own. Called once the route has committed: it only drops what was read since."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def after_release(app: Flask, hook: ReleaseHook) -> None:
    """Run hook(exc) at the end of every request, after the request's session is closed; a hook
    logs its own failure (the response is already made)."""
    app.extensions["after_release_hooks"].append(hook)


def _release(exc: BaseException | None) -> None:
    _close_session(exc)
    for hook in current_app.extensions["after_release_hooks"]:
        hook(exc)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
