"""Copy cataloguing (/staff/copycat): scan or type an ISBN (or a title and an author), search every
enabled target at once, open a candidate in the MARC view, save it as a new record or onto the
record it matches. Targets are managed (and tested) by admins under /staff/copycat/targets."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.web.auth import roles_required
from app.db import get_session
from app.views.staff.forms import attempt
from catalog.copycat.models import CHARSETS, PROTOCOLS, RECORD_SYNTAXES, SRU_VERSIONS
from catalog.copycat.services import (
    MAX_TIMEOUT, TargetDraft, delete_target, get_target, list_targets, record_test, save_copy, save_target,
)
from catalog.db import utcnow
from catalog.records.models import get_record
from catalog.accounts.users import Role
from ingest.copycat.matches import mark_matches
from ingest.copycat.queries import Query, parse_query
from ingest.copycat.search import TargetSpec, search_all, search_target
from ingest.marc.edit import draft_from_text, marc_to_text

bp = Blueprint("copycat", __name__, url_prefix="/staff/copycat")
TEST_QUERY = Query(isbn="9780262510875")
LABELS = {"sru": "SRU", "z3950": "Z39.50", "marc21": "MARC21 (ISO 2709)", "marcxml": "MARCXML",
          "dc": "Dublin Core", "auto": _l("as the record says (leader)"), "utf-8": "UTF-8", "marc-8": "MARC-8",
          "iso-8859-1": "ISO-8859-1 (Latin-1)"}


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(v, LABELS.get(v, v)) for v in values]


class TargetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    protocol = SelectField(_l("Protocol"), choices=_choices(PROTOCOLS))
    host = StringField(_l("Host"), validators=[DataRequired(), Length(max=255)])
    port = IntegerField(_l("Port"), default=210, validators=[DataRequired(), NumberRange(min=1, max=65535)])
    database = StringField(_l("Database (Z39.50) or path (SRU)"), validators=[Length(max=255)])
    record_syntax = SelectField(_l("Record syntax"), choices=_choices(RECORD_SYNTAXES))
    charset = SelectField(_l("Character set"), choices=_choices(CHARSETS))
    sru_version = SelectField(_l("SRU version"), choices=_choices(SRU_VERSIONS))
    org_code = StringField(_l("Organisation code (for 003 and 035)"), validators=[Length(max=32)])
    timeout = IntegerField(_l("Time limit (seconds)"), default=5,
                           validators=[DataRequired(), NumberRange(min=1, max=MAX_TIMEOUT)])
    is_enabled = BooleanField(_l("Enabled"), default=True)

    def draft(self) -> TargetDraft:
        return TargetDraft(**{name: getattr(self, name).data for name in (
            "name", "protocol", "host", "port", "database", "record_syntax", "charset", "sru_version", "org_code",
            "is_enabled", "timeout")} | {"database": self.database.data or "", "org_code": self.org_code.data or ""})


class CandidateForm(FlaskForm):
    """A candidate opened for editing, and then saved."""
    marc = TextAreaField(_l("MARC fields"), validators=[DataRequired(), Length(max=200000)])
    target_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d+$")])
    match_id = HiddenField(validators=[Optional(), Regexp(r"^\d+$")])
    action = HiddenField(default="new", validators=[Optional(), Regexp(r"^(new|merge)$")])


class ActionForm(FlaskForm):
    """CSRF only (test and delete buttons)."""


def say(problem) -> str:
    """A per-target or per-record problem in the interface language."""
    return _(problem.template).format(**problem.params)


@bp.get("")
@roles_required(Role.CATALOGUER)
def search():
    query = parse_query(request.args.get("q", ""), request.args.get("author", ""))
    targets = [TargetSpec.of(t) for t in list_targets(get_session(), enabled_only=True)]
    results = search_all(targets, query)
    mark_matches(get_session(), [c for r in results for c in r.candidates])
    get_session().commit()  # title keys of records edited since were refreshed
    return render_template("copycat/search.html", query=query, results=results, targets=targets,
                           form=CandidateForm(), marc_text=marc_to_text, say=say,
                           typed=request.args if not query.isbn else {})


@bp.post("/open")
@roles_required(Role.CATALOGUER)
def open_candidate():
    form = CandidateForm()
    if not form.validate_on_submit():
        flash(_("The candidate form was incomplete or expired; search again."), "error")
        return redirect(url_for("copycat.search"))
    return _edit_page(form, 200)


def _edit_page(form: CandidateForm, status: int):
    target = get_target(get_session(), int(form.target_id.data))
    match = get_record(get_session(), int(form.match_id.data)) if form.match_id.data else None
    return render_template("copycat/edit.html", form=form, target=target, match=match), status


@bp.post("/save")
@roles_required(Role.CATALOGUER)
def save():
    form = CandidateForm()
    if not form.validate_on_submit():
        return _edit_page(form, 400) if form.target_id.data and form.target_id.data.isdigit() else redirect(
            url_for("copycat.search"))
    target = get_target(get_session(), int(form.target_id.data))
    match = get_record(get_session(), int(form.match_id.data)) if form.action.data == "merge" and form.match_id.data \
        else None

    def write():
        draft, marc = draft_from_text(form.marc.data)
        return save_copy(get_session(), current_user, draft, marc=marc, source=target.name, merge_into=match,
                         now=utcnow())
    saved = attempt(form, write)
    if saved is None:
        return _edit_page(form, 400)
    get_session().commit()
    message = _("Record {id} updated from {source}.") if match else _("Record {id} created from {source}.")
    flash(message.format(id=saved.id, source=target.name), "info")
    return redirect(url_for("staff.record_marc", record_id=saved.id))


@bp.get("/targets")
@roles_required()
def targets():
    return render_template("copycat/targets.html", targets=list_targets(get_session()), form=ActionForm(),
                           labels=LABELS)


@bp.route("/targets/new", methods=["GET", "POST"])
@roles_required()
def target_new():
    return _target_page(None)


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@roles_required()
def target_edit(target_id: int):
    return _target_page(get_target(get_session(), target_id))


def _target_page(target):
    form = TargetForm(obj=target)
    if form.validate_on_submit():
        saved = attempt(form, lambda: save_target(get_session(), current_user, form.draft(), target=target,
                                                  now=utcnow()))
        if saved is not None:
            get_session().commit()
            flash(_("Target {name} saved.").format(name=saved.name), "info")
            return redirect(url_for("copycat.targets"))
    status = 400 if request.method == "POST" else 200
    return render_template("copycat/target_form.html", form=form, target=target), status


@bp.post("/targets/<int:target_id>/test")
@roles_required()
def target_test(target_id: int):
    target = get_target(get_session(), target_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("copycat.targets"))
    result = search_target(TargetSpec.of(target), TEST_QUERY, limit=3)
    if result.is_ok:
        message = _("Connected to {name} in {seconds} s: the test search ({query}) found {hits} records, "
                    "{read} read.").format(name=target.name, seconds=result.seconds, query=TEST_QUERY.shown(),
                                           hits=result.hits, read=len(result.candidates))
    else:
        message = _("{name} failed the test search ({query}): {reason}").format(
            name=target.name, query=TEST_QUERY.shown(), reason=" ".join(say(p) for p in result.problems))
    record_test(get_session(), current_user, target, is_ok=result.is_ok, message=message, now=utcnow())
    get_session().commit()
    flash(message, "info" if result.is_ok else "error")
    return redirect(url_for("copycat.targets"))


@bp.post("/targets/<int:target_id>/delete")
@roles_required()
def target_delete(target_id: int):
    target = get_target(get_session(), target_id)
    if ActionForm().validate_on_submit():
        name = target.name
        delete_target(get_session(), current_user, target, now=utcnow())
        get_session().commit()
        flash(_("Target {name} removed.").format(name=name), "info")
    return redirect(url_for("copycat.targets"))
