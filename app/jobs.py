"""In-process background jobs: a small thread pool runs registered job functions.

A job function has the signature fn(session_factory, job_id, report) where report(progress, total,
message) stores progress; it returns a JSON-able result. Failures are stored on the job, never lost.
"""
from __future__ import annotations

import concurrent.futures
import logging
import traceback
from typing import Callable

from flask import Blueprint, Flask, current_app, jsonify, render_template

from app.auth import roles_required
from app.hooks import after_commit
from app.db import get_session
from app.errors import translate_error
from app.logs import job_context
from catalog.db import utcnow
from catalog.errors import CatalogError
from catalog.jobs import Job, JobStatus, get_job
from catalog.users import STAFF_ROLES

log = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__, url_prefix="/staff/jobs")
JOB_TYPES: dict[str, Callable] = {}


def job_type(kind: str):
    """Register a function as the runner of jobs of this kind."""

    def decorator(fn):
        JOB_TYPES[kind] = fn
        return fn

    return decorator


def submit(job_id: int) -> None:
    """Run a committed job in the background (or now, when JOBS_SYNCHRONOUS is set)."""
    app = current_app._get_current_object()
    if app.config["JOBS_SYNCHRONOUS"]:
        run_job(app, job_id)
    else:
        app.extensions["job_pool"].submit(run_job, app, job_id)


def run_job(app: Flask, job_id: int) -> None:
    """Execute one job with its own sessions; record the outcome whatever happens."""
    factory = app.extensions["session_factory"]
    with factory.begin() as session:
        job = get_job(session, job_id)
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        kind = job.kind

    def report(progress: int, total: int | None = None, message: str = "") -> None:
        with factory.begin() as session:
            job = session.get(Job, job_id)
            job.progress, job.total = progress, total if total is not None else job.total
            if message:
                job.message = message

    with job_context(job_id, kind) as outcome:
        with app.app_context():
            try:
                result = JOB_TYPES[kind](factory, job_id, report)
            except Exception as exc:  # process edge: record the failure and go on
                log.exception("job %s failed", job_id)
                with factory.begin() as session:
                    job = session.get(Job, job_id)
                    job.status, job.finished_at = JobStatus.FAILED, utcnow()
                    if isinstance(exc, CatalogError):  # a message for the librarian: no class name, no traceback
                        job.message = translate_error(exc)
                    else:
                        job.message = f"{type(exc).__name__}: {exc}"
                        job.result = {"traceback": traceback.format_exc()[-4000:]}
                return
        with factory.begin() as session:
            job = session.get(Job, job_id)
            job.status, job.finished_at, job.result = JobStatus.DONE, utcnow(), result
        outcome["status"] = "done"
        with app.app_context():
            after_commit(app)


@bp.get("/<int:job_id>")
@roles_required(*STAFF_ROLES)
def job_page(job_id: int):
    return render_template("job.html", job=get_job(get_session(), job_id))


@bp.get("/<int:job_id>.json")
@roles_required(*STAFF_ROLES)
def job_json(job_id: int):
    job = get_job(get_session(), job_id)
    return jsonify(
        id=job.id, kind=job.kind, status=job.status.value, progress=job.progress, total=job.total,
        percent=job.percent, message=job.message, result=job.result if job.is_finished else None,
    )


def init_app(app: Flask) -> None:
    app.extensions["job_pool"] = concurrent.futures.ThreadPoolExecutor(
        max_workers=int(app.config["JOB_WORKERS"]), thread_name_prefix="job"
    )
    app.register_blueprint(bp)
