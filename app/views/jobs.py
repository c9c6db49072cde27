"""A background job's page for staff: progress (HTML and JSON for the page's polling), and retry.
Only its creator, the staff of the creator's library and admins see a job (catalog's require_job)."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.background.jobs import submit
from app.db import get_session
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
