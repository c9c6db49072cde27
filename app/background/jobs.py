"""Background jobs: registered job functions, run by the task queue's workers (app/background/queue.py).

A job function has the signature fn(session_factory, job_id, report) where report(progress, total,
message) stores progress; it returns a JSON-able result (or app.background.tasks.PENDING when parts queued on
other workers finish it). Failures are stored on the job and logged, never lost. A job is claimed
under a lease its worker renews; one whose worker died is queued again or marked failed.
"""
from __future__ import annotations

import logging
import traceback
from typing import Callable

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.web.auth import roles_required
from app.hooks import after_commit
from app.db import get_session
from app.ops.logs import job_context
from app.errors import translate_error
from catalog.db import utcnow
from catalog.errors import CatalogError
from catalog.jobs.models import GAVE_UP, RESTARTED, Job, JobStatus, claim_job, end_job, get_job, retry_job
from catalog.accounts.permissions import require_job
from catalog.accounts.users import STAFF_ROLES

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


def visible_job(job_id: int) -> Job:
    """The job, if the signed-in staff member may see it (its creator, the staff of the creator's
    library, an admin); else PermissionDenied, a logged 403."""
    job = get_job(get_session(), job_id)
    require_job(get_session(), current_user, job)
    return job


def public_message(job: Job) -> str:
    """What a job page says: its progress message, or for a failed job a plain sentence (the
    exception and its traceback stay in the server log). A job stopped by a CatalogError keeps the
    librarian's message it was given (the data folder cannot be written, say)."""
    if job.status == JobStatus.FAILED and (not job.message or "traceback" in (job.result or {})):
        return _("The job stopped on an unexpected error. An administrator can find the details in the server "
                 "log (job {id}).").format(id=job.id)
    if job.message in (RESTARTED, GAVE_UP):  # set by the lease rules, in English
        return _(job.message)
    return job.message


@bp.get("/<int:job_id>")
@roles_required(*STAFF_ROLES)
def job_page(job_id: int):
    return render_template("job.html", job=visible_job(job_id))


@bp.get("/<int:job_id>.json")
@roles_required(*STAFF_ROLES)
def job_json(job_id: int):
    job = visible_job(job_id)
    result = {k: v for k, v in (job.result or {}).items() if k != "traceback"} if job.is_finished else None
    return jsonify(
        id=job.id, kind=job.kind, status=job.status.value, progress=job.progress, total=job.total,
        percent=job.percent, message=public_message(job), result=result,
    )


@bp.post("/<int:job_id>/retry")
@roles_required(*STAFF_ROLES)
def retry(job_id: int):
    retry_job(get_session(), visible_job(job_id).id)
    get_session().commit()
    submit(job_id)
    flash(_("The job is queued again."), "info")
    return redirect(url_for("jobs.job_page", job_id=job_id))


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"job_message": public_message}


def init_app(app: Flask) -> None:
    from app.background import queue

    queue.init_app(app)
    app.register_blueprint(bp)
