"""Reports for staff and the district office: the year's figures, the plan's targets, CSV and PDF
exports, and the desk forms that record a day's visits and an event."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.display import report_labels as labels
from app.web.auth import roles_required
from app.display.dates import library_today, library_zone
from app.db import get_session
from app.display.report_charts import month_chart, number, plan_charts, svg
from app.pdf.report import annual_report_pdf
from app.views.staff.forms import attempt
from catalog.reports.activity import EVENT_KINDS, list_events, recent_tallies, record_event, record_visits, recordable_libraries
from catalog.db import utcnow
from catalog.errors import N_, ValidationError
from catalog.libraries import get_library
from catalog.reports.plan import plan_progress
from catalog.reports.annual import annual_report, readable_libraries, report_scope
from catalog.accounts.users import Role

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")
READERS = (Role.LIBRARIAN, Role.DISTRICT)  # admin always passes
RECORDERS = (Role.LIBRARIAN,)


def _year() -> int:
    raw = request.args.get("year", "").strip()
    if not raw:
        return library_today().year
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        raise ValidationError(N_("“{year}” is not a year (write it like 2026)."), year=raw, field="year")
    return int(raw)


def _scope():
    """(year, library or None) from ?year=&library=, within the user's rights."""
    return _year(), report_scope(get_session(), current_user, request.args.get("library") or None)


def _scope_args(year: int, library) -> dict:
    return {"year": year, **({"library": library.code} if library else {})}


@bp.get("/")
@roles_required(*READERS)
def index():
    year, library = _scope()
    report = annual_report(get_session(), year, library, tz=library_zone())
    return render_template("reports/index.html", report=report, year=year, library=library,
                           chart=svg(month_chart(report)), choices=readable_libraries(get_session(), current_user),
                           args=_scope_args(year, library), labels=labels, number=number)


def plan_for(library, last_year: int):
    config = current_app.config
    years = list(range(min(config["PLAN_FIRST_YEAR"], last_year), last_year + 1))
    return plan_progress(get_session(), years, growth_targets=config["PLAN_TARGETS"],
                         activity_targets=config["PLAN_ACTIVITY_TARGETS"],
                         activity_kinds=config["PLAN_ACTIVITY_KINDS"], library=library,
                         age_groups=config["AGE_GROUPS"], age_group_targets=config["PLAN_AGE_GROUP_TARGETS"])


@bp.get("/plan")
@roles_required(*READERS)
def plan():
    year, library = _scope()
    progress = plan_for(library, year)
    use_chart, activity_chart, age_chart = plan_charts(progress)
    return render_template("reports/plan.html", plan=progress, year=year, library=library,
                           use_chart=svg(use_chart), activity_chart=svg(activity_chart), age_chart=svg(age_chart),
                           choices=readable_libraries(get_session(), current_user), args=_scope_args(year, library),
                           labels=labels, number=number)


def _filename(year: int, library, extension: str) -> str:
    return f"bao-cao-thu-vien-{year}{'-' + library.code if library else ''}.{extension}"


@bp.get("/export.csv")
@roles_required(*READERS)
def export_csv():
    year, library = _scope()
    body = labels.report_csv(annual_report(get_session(), year, library, tz=library_zone()))
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(year, library, "csv")}"'})


@bp.get("/annual.pdf")
@roles_required(*READERS)
def annual_pdf():
    year, library = _scope()
    body = annual_report_pdf(annual_report(get_session(), year, library, tz=library_zone()), plan_for(library, year), library_today())
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(year, library, "pdf")}"'})


def library_choices() -> list[SelectChoice]:
    return [SelectChoice(str(entry.id), entry.name) for entry in recordable_libraries(get_session(), current_user)]


class VisitForm(FlaskForm):
    library = SelectField(_l("Library"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Give the day (year-month-day)."))])
    total = IntegerField(_l("Visitors (total)"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    note = StringField(_l("Note (for example, why a past day is corrected)"), validators=[Optional(), Length(max=1000)])


def visit_form():
    """The visit form with one optional field per configured age group."""
    class Form(VisitForm):
        pass

    for group in current_app.config["AGE_GROUPS"]:
        setattr(Form, f"group_{group}", IntegerField(labels.label(labels.AGE_GROUPS, group),
                                                     validators=[Optional(), NumberRange(min=0, max=100_000)]))
    form = Form()
    form.library.choices = library_choices()
    if form.day.data is None and request.method == "GET":
        form.day.data = library_today()
    return form


@bp.route("/visits", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def visits():
    form = visit_form()
    if form.validate_on_submit():
        groups = {g: form[f"group_{g}"].data for g in current_app.config["AGE_GROUPS"]}
        recorded = attempt(form, lambda: record_visits(  # a refusal goes next to its field, values kept
            get_session(), library=get_library(get_session(), form.library.data), day=form.day.data,
            user=current_user, now=utcnow(), today=library_today(), total=form.total.data, groups=groups,
            age_groups=current_app.config["AGE_GROUPS"], note=form.note.data or ""))
        if recorded is not None:
            tally, changed = recorded
            get_session().commit()
            message = _("%(library)s, %(day)s: %(total)s visitors recorded.") if changed else _("Nothing changed.")
            flash(message % {"library": tally.library.name, "day": tally.day.isoformat(), "total": tally.total}, "info")
            return redirect(url_for("reports.visits"))
    managed = {entry.id for entry in recordable_libraries(get_session(), current_user)}
    return render_template("reports/visits.html", form=form, tallies=recent_tallies(get_session(), managed),
                           labels=labels), 400 if form.errors else 200


class EventForm(FlaskForm):
    library = SelectField(_l("Library"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Give the day (year-month-day)."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, labels.EVENT_KINDS[k]) for k in EVENT_KINDS])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    attendance = IntegerField(_l("Attendance (people)"), validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    audience = SelectField(_l("For"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


def event_form() -> EventForm:
    form = EventForm()
    form.library.choices = library_choices()
    form.audience.choices = [SelectChoice("", _("Everyone"))] + [
        SelectChoice(g, labels.label(labels.AGE_GROUPS, g)) for g in current_app.config["AGE_GROUPS"]]
    if form.day.data is None and request.method == "GET":
        form.day.data = library_today()
    return form


@bp.route("/events", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def events():
    form = event_form()
    if form.validate_on_submit():
        event = attempt(form, lambda: record_event(
            get_session(), library=get_library(get_session(), form.library.data), day=form.day.data,
            kind=form.kind.data, title=form.title.data, attendance=form.attendance.data, user=current_user,
            now=utcnow(), today=library_today(), audience=form.audience.data or "",
            age_groups=current_app.config["AGE_GROUPS"], notes=form.notes.data or ""))
        if event is not None:
            get_session().commit()
            flash(_("Activity “%(title)s” recorded: %(attendance)s people.", title=event.title,
                    attendance=event.attendance), "info")
            return redirect(url_for("reports.events"))
    managed = {entry.id for entry in recordable_libraries(get_session(), current_user)}
    today = library_today()
    return render_template("reports/events.html", form=form, labels=labels,
                           events=list_events(get_session(), managed, dt.date(today.year - 1, 1, 1), today)), \
        400 if form.errors else 200
