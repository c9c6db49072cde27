"""Background jobs: registered job functions, run by the task queue's workers (app/background/queue.py).

A job function has the signature fn(session_factory, job_id, report) where report(progress, total,
message) stores progress; it returns a JSON-able result (or app.background.tasks.PENDING when parts queued on
other workers finish it). Failures are stored on the job and logged, never lost. A job is claimed
under a lease its worker renews; one whose worker died is queued again or marked failed.
A job's page (progress, retry) is app/views/jobs.py.
"""
from __future__ import annotations

import logging
import traceback
from typing import Callable

from flask import Flask, current_app
from flask_babel import force_locale

from app.hooks import after_commit
from app.ops.logs import job_context
from app.errors import translate_error
from catalog.db import utcnow
from catalog.errors import N_, CatalogError
from catalog.jobs.models import Job, JobStatus, claim_job, end_job, get_job

log = logging.getLogger(__name__)
JOB_TYPES: dict[str, Callable] = {}
# What a kind of job counts its progress in, when it says ("records": a MARC import).
JOB_UNITS: dict[str, str] = {}
PROGRESS_TEXTS = {
    "records": (N_("{done} of ~{total} records"), N_("{done} of {total} records"), N_("{done} records")),
}


def job_type(kind: str, *, unit: str = ""):
    """Register a function as the runner of jobs of this kind (its progress counted in `unit`:
    a total larger than the progress of a running job is then shown as an estimate, "~")."""

    def decorator(fn):
        JOB_TYPES[kind] = fn
        if unit:
            JOB_UNITS[kind] = unit
        return fn

    return decorator


def submit(job_id: int) -> None:
    """Queue a committed job for a worker (run now, when JOBS_SYNCHRONOUS is set)."""
    current_app.extensions["queue_tasks"]["run_job"](job_id)


def _end(factory, job_id: int, attempt: int, **values) -> bool:
    """Record the outcome, unless the job was taken back meanwhile (its lease expired)."""
    with factory.begin() as session:
        return end_job(session, job_id, attempt=attempt, now=utcnow(), **values)


def run_job(app: Flask, job_id: int) -> None:
    """Claim one job and execute it with its own sessions; record the outcome whatever happens."""
    from app.background.queue import Heartbeat, job_lease
    from app.background.tasks import PENDING

    factory = app.extensions["session_factory"]
    with factory.begin() as session:
        if not claim_job(session, job_id, now=utcnow(), lease=job_lease(app)):
            log.info("job %s: already taken or finished; nothing to do", job_id)
            return
        job = get_job(session, job_id)
        kind, attempt = job.kind, job.attempts

    def report(progress: int, total: int | None = None, message: str = "") -> None:
        with factory.begin() as session:
            job = session.get(Job, job_id)
            job.progress, job.total = progress, total if total is not None else job.total
            if message:
                job.message = message

    with job_context(job_id, kind, attempt=attempt) as outcome:
        with Heartbeat(app, job_id), app.app_context():
            try:
                result = JOB_TYPES[kind](factory, job_id, report)
            except Exception as exc:  # process edge: record the failure and go on
                log.exception("job %s failed", job_id)
                if isinstance(exc, CatalogError):  # a message for the librarian: no class name, no traceback
                    _end(factory, job_id, attempt, status=JobStatus.FAILED, message=_job_message(app, exc))
                else:
                    _end(factory, job_id, attempt, status=JobStatus.FAILED, message=f"{type(exc).__name__}: {exc}",
                         result={"traceback": traceback.format_exc()[-4000:]})
                return
        if result is PENDING:  # its parts (OCR pages) run as tasks of their own
            outcome["status"] = "waiting for its parts"
            return
        if _end(factory, job_id, attempt, status=JobStatus.DONE, result=result):
            outcome["status"] = "done"
    with app.app_context():
        after_commit(app)


def _job_message(app: Flask, exc: Exception) -> str:
    """What the job page says of a failure (a job runs outside any request: the default locale)."""
    if not isinstance(exc, CatalogError):
        return f"{type(exc).__name__}: {exc}"
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        return translate_error(exc)


def init_app(app: Flask) -> None:
    from app.background import queue

    queue.init_app(app)
