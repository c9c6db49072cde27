"""Harvesting partners over OAI-PMH (/staff/harvest, admins): register a source, check its
Identify, harvest now (a background job with its page and report); and the two job kinds,
a harvest and a Dublin Core upload (app/views/marc_import.py detects DC by content)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.web.auth import roles_required
from app.db import get_session
from app.errors import translate_error
from app.background.harvest_runs import client_settings, fail_harvest, queue_harvest, run_dc_import, run_harvest
from app.background.jobs import job_type, submit
from app.views.staff.forms import attempt
from catalog.db import utcnow
from catalog.errors import CatalogError, ValidationError
from catalog.harvest import services
from catalog.harvest.models import PREFIXES
from catalog.jobs.models import get_job
from catalog.libraries import list_libraries
from ingest.harvest.client import identify
from ingest.harvest.errors import HarvestError

bp = Blueprint("harvest", __name__, url_prefix="/staff/harvest")
SCHEDULE_LABELS = {"manual": _l("manual only"), "daily": _l("every day"), "weekly": _l("every week")}


class SourceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    base_url = StringField(_l("Base URL (http:// or https://)"), validators=[DataRequired(), Length(max=1000)])
    metadata_prefix = SelectField(_l("Metadata format"), choices=[SelectChoice(p, p) for p in PREFIXES], default="oai_dc")
    set_spec = StringField(_l("Set (optional)"), validators=[Length(max=200)])
    schedule = SelectField(_l("Schedule"), choices=[], default="manual")
    library = SelectField(_l("Library that owns harvested copies (marc21 holdings)"), choices=[], default="")

    def fields(self) -> dict:
        return {"name": self.name.data, "base_url": self.base_url.data, "metadata_prefix": self.metadata_prefix.data,
                "set_spec": self.set_spec.data or "", "schedule": self.schedule.data,
                "library_id": int(self.library.data) if self.library.data else None}


def _form(source=None) -> SourceForm:
    form = SourceForm(obj=None)
    form.schedule.choices = [SelectChoice(k, str(v)) for k, v in SCHEDULE_LABELS.items()]
    form.library.choices = [SelectChoice("", _("— none —"))] + [SelectChoice(str(lib.id), f"{lib.code} — {lib.name}")
                                                                 for lib in list_libraries(get_session())]
    if source is not None and not form.is_submitted():
        form.name.data, form.base_url.data = source.name, source.base_url
        form.metadata_prefix.data, form.set_spec.data = source.metadata_prefix, source.set_spec
        form.schedule.data, form.library.data = source.schedule, str(source.library_id or "")
    return form


@bp.route("", methods=["GET", "POST"])
@roles_required()
def sources():
    form = _form()
    if form.validate_on_submit():
        source = attempt(form, lambda: services.create_source(get_session(), current_user, now=utcnow(),
                                                              **form.fields()))
        if source is not None:
            get_session().commit()
            flash(_("Source {name} registered. Check its Identify, then harvest.").format(name=source.name), "info")
            return redirect(url_for("harvest.source_page", source_id=source.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("harvest/sources.html", form=form, sources=services.list_sources(get_session()),
                           schedules=SCHEDULE_LABELS), status


@bp.route("/<int:source_id>", methods=["GET", "POST"])
@roles_required()
def source_page(source_id: int):
    source = services.get_source(get_session(), source_id)
    form = _form(source)
    if form.validate_on_submit():
        if attempt(form, lambda: services.update_source(get_session(), current_user, source, **form.fields())):
            get_session().commit()
            flash(_("Source {name} saved.").format(name=source.name), "info")
            return redirect(url_for("harvest.source_page", source_id=source.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("harvest/source.html", source=source, form=form, schedules=SCHEDULE_LABELS,
                           runs=services.recent_runs(get_session(), source.id),
                           next_from=services.from_value(source)), status


@bp.post("/<int:source_id>/identify")
@roles_required()
def check_identify(source_id: int):
    source = services.get_source(get_session(), source_id)
    services.require_admin(current_user)
    try:
        found = identify(source.base_url, client_settings(current_app))
    except HarvestError as exc:
        flash(_("Identify failed: {reason}").format(reason=translate_error(exc)), "error")
        return redirect(url_for("harvest.source_page", source_id=source.id))
    services.record_identify(source, repository_name=found.repository_name, granularity=found.granularity)
    get_session().commit()
    flash(_("Identify answered: {name} (granularity {granularity}, deleted records: {deleted}).").format(
        name=found.repository_name or "?", granularity=found.granularity or "?", deleted=found.deleted_record or "?"),
        "info")
    return redirect(url_for("harvest.source_page", source_id=source.id))


@bp.post("/<int:source_id>/run")
@roles_required()
def harvest_now(source_id: int):
    session = get_session()
    source = services.get_source(session, source_id)
    try:
        job = queue_harvest(session, current_user, source, label=_("Harvest: {name}").format(name=source.name))
    except ValidationError as refused:  # one harvest of a source at a time: said on its page
        session.rollback()
        flash(translate_error(refused), "error")
        return redirect(url_for("harvest.source_page", source_id=source_id))
    session.commit()
    submit(job.id)
    return redirect(url_for("jobs.job_page", job_id=job.id))


@bp.get("/job/<int:job_id>")
@roles_required()
def job_report(job_id: int):
    job = get_job(get_session(), job_id)
    return redirect(url_for("marc_import.run_report", run_id=job.params["run_id"]))


@job_type("harvest")
def harvest_job(session_factory, job_id: int, report) -> dict:
    """A harvest run, from where it stands; a failure is said plainly on the job and its report."""
    app = current_app._get_current_object()
    with session_factory() as session:
        run_id = get_job(session, job_id).params["harvest_run_id"]
    try:
        return run_harvest(app, run_id, lambda done, total: report(done, total))
    except Exception as exc:  # process edge: the run says it stopped (its token kept), then the job fails
        with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
            message = translate_error(exc) if isinstance(exc, CatalogError) else _("The harvest stopped on an "
                                                                                 "unexpected error.")
        fail_harvest(app, run_id, message + " " + _stopped_note(app))
        raise


def _stopped_note(app) -> str:
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Records harvested before this point are kept; Retry goes on from the last page received.")


@job_type("dc_import")
def dc_import_job(session_factory, job_id: int, report) -> dict:
    """A Dublin Core upload: the same report as a MARC import."""
    with session_factory() as session:
        params = dict(get_job(session, job_id).params)
    summary = run_dc_import(current_app._get_current_object(), [Path(params["path"])], names=[params["name"]],
                            run_id=params["run_id"], progress=lambda done, total: report(done, total))
    return {"run_id": params["run_id"], **summary.as_json()}
