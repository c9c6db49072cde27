"""Staff MARC import: upload a file, run it as a background job, read the report."""
from __future__ import annotations

import uuid
from urllib.parse import quote
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from app.web.auth import roles_required
from app.db import get_session
from app.errors import translate_error
from app.background.jobs import job_type, submit
from app.background.marc_runs import run_import
from app.web.params import page_arg
from catalog.db import utcnow
from catalog.records.imports import count_problems, get_problem, get_run, recent_runs, run_problems, start_run
from catalog.jobs.models import create_job, get_job
from catalog.libraries import list_libraries
from catalog.accounts.users import Role
from catalog.errors import N_
from ingest.marc.errors import MarcFileError, MarcStorageError
from ingest.harvest.files import sniff as sniff_dc
from ingest.harvest.pipeline import check_files as check_dc_files
from ingest.marc.reader import detect_format
from ingest.marc.report import is_kind, warning_group, warning_groups

bp = Blueprint("marc_import", __name__, url_prefix="/staff/import")
ROLES = (Role.CATALOGUER,)
SECTIONS = ("rejected", "conflict", "updated")
SHOWN = 20  # lines per section and per kind of warning on the report; the rest a page away
PER_PAGE = 100


class UploadForm(FlaskForm):
    file = FileField(_l("MARC file (ISO 2709 .mrc/.dat or MARCXML .xml), or Dublin Core (OAI-PMH response, DC XML, "
                        "CSV)"), validators=[FileRequired()])
    library = SelectField(_l("Library for copies whose holdings name none"), choices=[], default="")
    strict = BooleanField(_l("Strict: write nothing if any record is bad"))


def _form() -> UploadForm:
    form = UploadForm()
    form.library.choices = [("", _("— none —"))] + [(lib.code, f"{lib.code} — {lib.name}")
                                                     for lib in list_libraries(get_session())]
    return form


@bp.route("", methods=["GET", "POST"])
@roles_required(*ROLES)
def upload():
    form = _form()
    if form.validate_on_submit():
        name = Path(form.file.data.filename or "upload.marc").name
        try:
            path = _save_upload(form.file.data)
        except OSError as exc:
            message = _("The file {name} could not be saved: the data folder cannot be written ({reason}). Nothing was "
                        "imported; ask the administrator to make the data folder writable, then try again.").format(
                name=name, reason=exc.strerror or type(exc).__name__)
            return render_template("marc/upload.html", form=form, runs=recent_runs(get_session()),
                                   error=message), 503
        is_dc = sniff_dc(path, name) is not None  # by content: OAI-PMH responses, DC XML, DC CSV
        try:  # a file that is neither MARC nor DC is refused here, with its reason
            check_dc_files([path], [name]) if is_dc else detect_format(path, name)
        except MarcFileError as refused:  # shown on the form, with the choices made kept
            path.unlink()
            form.file.errors.append(translate_error(refused))
            return render_template("marc/upload.html", form=form, runs=recent_runs(get_session())), 400
        if is_dc:
            return _queue_dc(path, name)
        session = get_session()
        run = start_run(session, files=[name], library_code=form.library.data or "", is_strict=form.strict.data,
                        user_id=current_user.id, now=utcnow())
        job = create_job(session, "marc_import", label=_("MARC import: {name}").format(name=name), user_id=current_user.id,
                         params={"path": str(path), "name": name, "run_id": run.id, "library": form.library.data or "",
                                 "strict": bool(form.strict.data), "report_endpoint": "marc_import.report"})
        session.commit()
        submit(job.id)
        return redirect(url_for("jobs.job_page", job_id=job.id))
    return render_template("marc/upload.html", form=form, runs=recent_runs(get_session())), 400 if form.errors else 200


def _queue_dc(path: Path, name: str):
    """A Dublin Core upload: its own job kind (app/views/harvest.py), the same report page."""
    session = get_session()
    run = start_run(session, files=[name], user_id=current_user.id, now=utcnow())
    job = create_job(session, "dc_import", label=_("Dublin Core import: {name}").format(name=name),
                     user_id=current_user.id, params={"path": str(path), "name": name, "run_id": run.id,
                                                      "report_endpoint": "marc_import.report"})
    session.commit()
    submit(job.id)
    return redirect(url_for("jobs.job_page", job_id=job.id))


def _save_upload(storage) -> Path:
    """Keep the uploaded bytes under DATA_DIR/uploads for the job; OSError when it cannot be written."""
    upload_dir = Path(current_app.config["DATA_DIR"]) / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / f"{uuid.uuid4().hex}.marc"
    try:
        storage.save(path)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path


@job_type("marc_import", unit="records")
def run_marc_import(session_factory, job_id: int, report) -> dict:
    """The background side of an upload: the same pipeline as import-marc. A failure is said by
    the file's own name, without the upload's path or a traceback, on the job and its report."""
    with session_factory() as session:
        params = dict(get_job(session, job_id).params)
    if not Path(params["path"]).is_file():
        _fail(session_factory, params["run_id"], MarcStorageError(
            N_("The uploaded file {name} is no longer in the data folder; upload it again."), name=params["name"]))
    try:
        summary = run_import(
            current_app._get_current_object(), [Path(params["path"])], names=[params["name"]],
            library_code=params["library"] or None, strict=params["strict"], run_id=params["run_id"],
            progress=lambda read: report(read.records, read.expected),  # more than read until exact
        )
    except OSError as exc:
        _fail(session_factory, params["run_id"], MarcStorageError(
            N_("The import of {name} stopped: the data folder could not be read or written ({reason}). Records "
               "imported before this point are kept; ask the administrator to check the data folder, then import "
               "the file again."), name=params["name"], reason=exc.strerror or type(exc).__name__))
    return {"run_id": params["run_id"], **summary.as_json(), "refused": summary.refused}


def _fail(session_factory, run_id: int, error: MarcStorageError) -> None:
    """Mark the import run failed with the error's words (default locale: no request here), then raise it."""
    with session_factory.begin() as session, force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        run = get_run(session, run_id)
        run.status, run.finished_at, run.message = "failed", utcnow(), translate_error(error)
    raise error


@bp.get("/job/<int:job_id>")
@roles_required(*ROLES)
def report(job_id: int):
    job = get_job(get_session(), job_id)
    return redirect(url_for("marc_import.run_report", run_id=job.params["run_id"]))


@bp.get("/runs/<int:run_id>")
@roles_required(*ROLES)
def run_report(run_id: int):
    """Counts, then each section and each kind of warning with its first lines ("and N more")."""
    session = get_session()
    run = get_run(session, run_id)
    lines = {kind: run_problems(session, run_id, kind, limit=SHOWN) for kind in SECTIONS}
    return render_template("marc/report.html", run=run, lines=lines, totals=count_problems(session, run_id),
                           groups=warning_groups(session, run_id, examples=SHOWN))


@bp.get("/runs/<int:run_id>/lines/<any(rejected, conflict, updated):section>")
@roles_required(*ROLES)
def run_lines(run_id: int, section: str):
    """Every line of one section of a report, a page at a time."""
    session = get_session()
    run, page = get_run(session, run_id), page_arg(PER_PAGE)
    total = count_problems(session, run_id).get(section, 0)
    problems = run_problems(session, run_id, section, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template("marc/lines.html", run=run, section=section, problems=problems, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), start=(page - 1) * PER_PAGE + 1, group=None)


@bp.get("/runs/<int:run_id>/warnings/<code>")
@roles_required(*ROLES)
def run_warnings(run_id: int, code: str):
    """Every warning of one kind, a page at a time."""
    if not is_kind(code):
        abort(404)
    session = get_session()
    run, page = get_run(session, run_id), page_arg(PER_PAGE)
    group = warning_group(session, run_id, code, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template("marc/lines.html", run=run, section="warning", problems=group.problems, total=group.count,
                           page=page, pages=max(1, -(-group.count // PER_PAGE)), start=(page - 1) * PER_PAGE + 1,
                           group=group)


@bp.app_template_global()
def problem_text(problem) -> str:
    """A report line's reason in the reader's language."""
    return _(problem.template).format(**problem.params)


@bp.get("/problems/<int:problem_id>.bin")
@roles_required(*ROLES)
def quarantine(problem_id: int):
    problem = get_problem(get_session(), problem_id)
    path = Path(current_app.config["DATA_DIR"]) / problem.raw_path
    if not problem.raw_path or not path.is_file():
        return render_template("error.html", status=404, message=_("The quarantined bytes are gone.")), 404
    name = f"{Path(problem.file_name).stem}-record-{problem.ordinal}.bin"
    return Response(path.read_bytes(), mimetype="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
