"""The task queue (Huey): background jobs, OCR pages and schedules run in worker processes.

The broker is SQLite at DATA_DIR/queue.sqlite3 by default (nothing to install), Redis when
QUEUE_URL is redis://… (then workers may run on several machines sharing the database and the
data directory). JOBS_SYNCHRONOUS (the quick tests) is Huey's immediate mode: a task runs inside
the call that queues it. Workers are `flask --app app worker` (app/cli/worker.py).
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Callable

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

from catalog.db import utcnow
from catalog.jobs.models import expire_leases, oldest_waiting, renew_lease

log = logging.getLogger(__name__)


def make_huey(app: Flask) -> Huey:
    """The queue for this app's configuration."""
    name = app.config["QUEUE_NAME"]
    if app.config["JOBS_SYNCHRONOUS"]:
        return Huey(name, immediate=True, results=False)
    url = app.config["QUEUE_URL"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url and not url.startswith("sqlite:///"):
        raise RuntimeError(f"LIBRARY_QUEUE_URL must be redis://… or sqlite:///path, not {url!r}")
    path = Path(url.removeprefix("sqlite:///")) if url else Path(app.config["DATA_DIR"]) / "queue.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False)


def job_lease(app: Flask) -> dt.timedelta:
    """How long a worker holds a job without renewing it before the job is taken back."""
    return dt.timedelta(seconds=float(app.config["JOB_LEASE_SECONDS"]))


class Heartbeat:
    """Renews a job's lease from a side thread while the work runs (a long step reports nothing)."""

    def __init__(self, app: Flask, job_id: int):
        self.app, self.job_id, self._stop = app, job_id, threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def _run(self) -> None:
        factory, lease = self.app.extensions["session_factory"], job_lease(self.app)
        while not self._stop.wait(lease.total_seconds() / 4):
            try:
                with factory.begin() as session:
                    renew_lease(session, self.job_id, now=utcnow(), lease=lease)
            except Exception:  # process edge: a missed renewal is retried at the next beat
                log.exception("could not renew the lease of job %s", self.job_id)

    def __enter__(self) -> "Heartbeat":
        if not self.app.config["JOBS_SYNCHRONOUS"]:
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def recover_jobs(app: Flask, now: dt.datetime) -> tuple[list[int], list[int]]:
    """Jobs whose worker died: queue them again or mark them failed (see catalog.jobs.models)."""
    with app.extensions["session_factory"].begin() as session:
        again, failed = expire_leases(session, now=now, max_attempts=int(app.config["JOB_MAX_ATTEMPTS"]))
    for job_id in again:
        log.warning("job %s: its worker stopped; queued again", job_id)
        app.extensions["queue_tasks"]["run_job"](job_id)
    for job_id in failed:
        log.warning("job %s: its worker stopped too many times; marked failed", job_id)
    return again, failed


def queue_status(app: Flask) -> dict:
    """For /healthz?detail=1: the broker, tasks waiting in it and the oldest job not started."""
    huey = app.extensions["huey"]
    with app.extensions["session_factory"]() as session:
        oldest = oldest_waiting(session)
    return {"broker": type(huey.storage).__name__, "pending_tasks": huey.pending_count(),
            "oldest_waiting_job": oldest.isoformat() if oldest else None}


class QueueClient:
    """What the web side holds under the old "job_pool" name: the Huey instance, and one thread
    for small in-process catch-ups after a request (app/search.py's index sync), which are no
    jobs: they need no worker and are lost harmlessly with the process (records stay stale)."""

    def __init__(self, huey: Huey):
        self.huey = huey
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-request")

    def submit(self, fn: Callable, *args) -> concurrent.futures.Future:
        """Run fn(*args) on the in-process thread (not through the queue)."""
        return self._threads.submit(fn, *args)

    def shutdown(self, wait: bool = True) -> None:
        """Finish the in-process work and close the broker connection (tests and benches)."""
        self._threads.shutdown(wait=wait)
        storage = self.huey.storage
        if hasattr(storage, "close"):
            storage.close()


def init_app(app: Flask) -> None:
    """Make the queue and register its tasks (the same names in the web process and the workers)."""
    from app.background import schedules, tasks

    huey = make_huey(app)
    app.extensions["huey"] = huey
    app.extensions["job_pool"] = QueueClient(huey)
    app.extensions["queue_tasks"] = tasks.register(app, huey)
    schedules.register(app, huey)
