"""Staff side of scans: upload (ingest as a background job with progress), the list of digital
objects with their OCR state, re-OCR, and correcting a page's text."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from werkzeug.utils import secure_filename
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.display import labels
from app.web.auth import roles_required
from app.cli.scans import scan_settings
from app.db import get_session
from app.web.params import page_arg
from app.background.jobs import job_type, submit
from app.views.jobs import visible_job
from app.background.tasks import ocr_in_parts, render_first_images
from app.views.staff.forms import attempt
from catalog.digital.models import LICENCES, correct_page_text, get_object, get_page, list_objects
from catalog.jobs.models import create_job, get_job
from catalog.records.models import get_record
from catalog.accounts.users import STAFF_ROLES
from ingest.scans.ocr import INSTALL_HINT, tesseract_status
from ingest.scans.pipeline import stage_scans, write_staged, writing_data

bp = Blueprint("scans", __name__, url_prefix="/staff/scans")


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("Page images, a PDF or a ZIP"))
    record_id = IntegerField(_l("Attach to record number (optional)"), validators=[Optional()])
    metadata = FileField(_l("Metadata: Dublin Core JSON/CSV or MARC (optional)"))
    label = StringField(_l("Label (optional)"), validators=[Length(max=500)])
    licence = SelectField(_l("Licence"), choices=labels.choices("licence", LICENCES), default="in-library")
    no_ocr = BooleanField(_l("Do not run OCR now"))


class TextForm(FlaskForm):
    text = TextAreaField(_l("Text of the page"), validators=[Length(max=200_000)])


def _save_uploads(form: UploadForm) -> tuple[Path, Path | None]:
    """Keep the uploaded files in DATA_DIR/uploads/<uuid>/ under safe names; return folder and metadata."""
    folder = Path(current_app.config["DATA_DIR"]) / "uploads" / uuid.uuid4().hex
    with writing_data():
        try:
            folder.mkdir(parents=True)
            for index, upload in enumerate(f for f in form.files.data or [] if f and f.filename):
                name = secure_filename(upload.filename) or f"file{index}"
                upload.save(folder / f"{index:04d}-{name}")
            metadata = None
            if form.metadata.data and form.metadata.data.filename:
                metadata = folder.parent / f"{folder.name}.metadata"
                form.metadata.data.save(metadata)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return folder, metadata


@bp.route("", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def upload():
    form = UploadForm()
    # an unknown record number goes next to its field, with the rest of the form kept
    if form.validate_on_submit() and (not form.record_id.data or attempt(
            form, lambda: get_record(get_session(), form.record_id.data)) is not None):
        folder, metadata = _save_uploads(form)
        params = {"path": str(folder), "metadata": str(metadata) if metadata else None,
                  "record_id": form.record_id.data, "licence": form.licence.data, "label": form.label.data,
                  "ocr": not form.no_ocr.data, "report_endpoint": "scans.job_report"}
        job = create_job(get_session(), "scans.ingest", label=_("Upload scans"), params=params,
                         user_id=current_user.id)
        get_session().commit()
        submit(job.id)
        return redirect(url_for("jobs.job_page", job_id=job.id))
    status = tesseract_status(current_app.config["TESSERACT_COMMAND"], current_app.config["OCR_LANGUAGES"])
    listing = list_objects(get_session(), page=page_arg(50), per_page=50)
    return render_template("scans/upload.html", form=form, listing=listing, ocr=status, install_hint=INSTALL_HINT), \
        400 if form.errors else 200


@bp.get("/jobs/<int:job_id>")
@roles_required(*STAFF_ROLES)
def job_report(job_id: int):
    return render_template("scans/job_report.html", job=visible_job(job_id))


@bp.get("/<int:object_id>")
@roles_required(*STAFF_ROLES)
def manage(object_id: int):
    status = tesseract_status(current_app.config["TESSERACT_COMMAND"], current_app.config["OCR_LANGUAGES"])
    return render_template("scans/object.html", obj=get_object(get_session(), object_id), ocr=status,
                           install_hint=INSTALL_HINT)


@bp.post("/<int:object_id>/ocr")
@roles_required(*STAFF_ROLES)
def reocr(object_id: int):
    obj = get_object(get_session(), object_id)
    obj.ocr_status = "queued"
    job = create_job(get_session(), "scans.ocr", label=_("OCR again"),
                     params={"object_id": obj.id, "again": True, "report_endpoint": "scans.job_report"},
                     user_id=current_user.id)
    get_session().commit()
    submit(job.id)
    return redirect(url_for("jobs.job_page", job_id=job.id))


@bp.route("/<int:object_id>/<int:number>/text", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def page_text(object_id: int, number: int):
    obj = get_object(get_session(), object_id)
    page = get_page(obj, number)
    form = TextForm(data={"text": page.text})
    if form.validate_on_submit():
        correct_page_text(get_session(), page, form.text.data or "", user_id=current_user.id)
        get_session().commit()
        flash(_("The text of page {number} is saved.").format(number=number), "info")
        return redirect(url_for("digital.page_text", object_id=obj.id, number=number))
    return render_template("scans/page_text.html", obj=obj, page=page, form=form)


@job_type("scans.ingest")
def ingest_job(session_factory, job_id: int, report) -> dict:
    """Stage the pages (progress per file), write them in one transaction, then OCR page by page."""
    app = current_app._get_current_object()
    with session_factory() as session:
        params = dict(get_job(session, job_id).params)
    if params.get("written"):  # an attempt whose worker died wrote the object: only OCR is left
        result = params["written"]
    else:
        staged = stage_scans(Path(params["path"]), progress=report, **scan_settings(app),
                             metadata=Path(params["metadata"]) if params.get("metadata") else None)
        with session_factory.begin() as session:
            result = write_staged(session, staged, data_dir=scan_settings(app)["data_dir"],
                                  record_id=params.get("record_id"), licence=params.get("licence"),
                                  label=params.get("label") or "").as_dict()
            job = get_job(session, job_id)
            job.params = {**job.params, "written": result}
        # The upload is kept until the object is written, so a retried job can stage it again.
        shutil.rmtree(params["path"], ignore_errors=True)
        if params.get("metadata"):
            Path(params["metadata"]).unlink(missing_ok=True)
    render_first_images(app, result["object_id"])  # a reader's first images, before OCR (a retry skips those made)
    if params.get("ocr", True):
        return ocr_in_parts(app, job_id, result["object_id"], base=result)  # pages shared by the workers
    return result


@job_type("scans.ocr")
def ocr_job(session_factory, job_id: int, report) -> dict:
    app = current_app._get_current_object()
    with session_factory() as session:
        params = dict(get_job(session, job_id).params)
    return ocr_in_parts(app, job_id, params["object_id"], again=params.get("again", False))
