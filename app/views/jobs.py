"""A background job's page for staff: progress (HTML and JSON for the page's polling), and retry.
Only its creator, the staff of the creator's library and admins see a job (catalog's require_job)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from app.background.jobs import JOB_UNITS, PROGRESS_TEXTS, submit
from app.db import get_session
from app.display.labels import label
from app.web.auth import roles_required
from catalog.accounts.permissions import require_job
from catalog.accounts.users import STAFF_ROLES
from catalog.jobs.models import GAVE_UP, RESTARTED, Job, JobStatus, get_job, retry_job

bp = Blueprint("jobs", __name__, url_prefix="/staff/jobs")


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


def progress_text(job: Job) -> str:
    """'12.000 / khoảng 30.000 biểu ghi' for a job counting in a unit (the total an estimate while it is
    larger than the progress); else 'progress / total' as numbers."""
    done, total = format_decimal(job.progress), format_decimal(job.total) if job.total else ""
    texts = PROGRESS_TEXTS.get(JOB_UNITS.get(job.kind, ""))
    if texts is None:
        return f"{done} / {total}" if total else done
    if not job.total:
        return _(texts[2]).format(done=done)
    return _(texts[0] if job.progress < job.total else texts[1]).format(done=done, total=total)


def report_url(job: Job) -> str | None:
    """The page of a job's report, once the job has one (its endpoint is ours, named at submit)."""
    endpoint = (job.params or {}).get("report_endpoint")
    if not job.is_finished or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, job_id=job.id)


@bp.get("/<int:job_id>")
@roles_required(*STAFF_ROLES)
def job_page(job_id: int):
    """The job while it runs (refreshing); `?follow=1`, the refresh's address, goes on to the
    report once the job is done. A failed job stays here, with its reason and the retry button."""
    job = visible_job(job_id)
    if request.args.get("follow") and job.status == JobStatus.DONE and report_url(job):
        return redirect(report_url(job), 303)
    return render_template("job.html", job=job, report_url=report_url(job))


@bp.get("/<int:job_id>.json")
@roles_required(*STAFF_ROLES)
def job_json(job_id: int):
    job = visible_job(job_id)
    result = {k: v for k, v in (job.result or {}).items() if k != "traceback"} if job.is_finished else None
    return jsonify(
        id=job.id, kind=job.kind, status=job.status.value, progress=job.progress, total=job.total,
        percent=job.percent, message=public_message(job), result=result, progress_text=progress_text(job),
        finished=job.is_finished, report_url=report_url(job), status_label=label("work_status", job.status),
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
    return {"job_message": public_message, "job_progress": progress_text}
