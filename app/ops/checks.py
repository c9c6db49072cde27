"""Operations: the health checks beyond the database's and the index's own (the data folder can be
written), and what /healthz?detail=1 tells a signed-in administrator."""
from __future__ import annotations

import logging
import os
import threading
import uuid
from pathlib import Path

from flask import Flask
from flask_login import current_user

from app.db import get_session
from app.ops.health import HealthProblem, register
from app.search import index_health, search_backend, search_backends
from catalog.db import utcnow
from catalog.jobs.operations import queue_state
from catalog.accounts.users import Role


def check_data_dir(app: Flask) -> None:
    """HealthProblem unless a file can be written in the data folder (scans, index, uploads)."""
    probe = Path(app.config["DATA_DIR"]) / f".healthz-{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise HealthProblem("the data folder cannot be written") from exc


def wants_detail() -> bool:
    """A signed-in administrator asked for the detail."""
    return bool(current_user.is_authenticated and current_user.role == Role.ADMIN)


def detail(app: Flask) -> dict:
    """Database, index, queue and data folder, for the administrator's /healthz?detail=1."""
    health = index_health(app)
    queue = queue_state(get_session())
    oldest = None
    if queue.oldest_id is not None:
        oldest = {"id": queue.oldest_id, "kind": queue.oldest_kind, "queued_at": queue.oldest_since.isoformat(),
                  "waiting_seconds": round((utcnow() - queue.oldest_since).total_seconds())}
    return {
        "database": {"backend": app.extensions["engine"].dialect.name},
        "index": {"backend": search_backend(app).name, "switch": _switch(app),
                  "status": health.status, "documents": health.documents,
                  "stale_records": health.stale_records,
                  "max_stale_records": int(app.config["HEALTH_MAX_STALE_RECORDS"]),
                  "schema_version": health.schema_version, "expected_schema_version": health.expected_schema_version,
                  "needs_rebuild": health.needs_rebuild},
        "queue": {"waiting": queue.waiting, "running": queue.running, "oldest_waiting": oldest},
        "data_dir": app.config["DATA_DIR"],
        "process": os.getpid(),  # which server process answered (each follows the recorded backend)
    }


def _switch(app: Flask) -> dict | None:
    """The switch under way (switch-search-backend): the backend written beside the answering one,
    and since when; None when there is none."""
    choice = search_backends(app).choice
    if choice.also_writing is None:
        return None
    started = choice.switch_started_at
    return {"also_writing": choice.also_writing, "started_at": started.isoformat() if started else None}


def init_app(app: Flask) -> None:
    register(app, "data", check_data_dir)


WARM_UP_PATHS = ("/healthz", "/login", "/search?q=sach", "/api/search?q=sach", "/digital")


def warm_up(app: Flask) -> None:
    """Make a new server process's first answers as quick as its later ones (a cold process took
    2 s for its first page): compile every template, then ask for the pages people open first,
    uncounted (no usage figures) and unlogged. Called by gunicorn before the worker takes requests."""
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)
    counting, quiet = app.config.get("USAGE_COUNTING", True), logging.getLogger("app.request")
    level = quiet.level
    app.config["USAGE_COUNTING"] = False
    quiet.setLevel(logging.WARNING)
    try:
        client = app.test_client()
        for path in WARM_UP_PATHS:
            client.get(path)
    finally:
        app.config["USAGE_COUNTING"] = counting
        quiet.setLevel(level)
