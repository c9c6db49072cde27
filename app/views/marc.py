"""MARC out of the catalogue: one record as .mrc / MARCXML; and the duplicates queue: candidate pairs,
a pair side by side, merge after a confirmation, and "not duplicates" decisions (catalog/records/duplicates.py)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from app.web.auth import roles_required
from app.db import get_session
from app.web.params import page_arg
from app.views.opac import LANGUAGE_LABELS
from catalog.db import utcnow
from catalog.records.duplicate_decisions import (
    mark_not_duplicates, merge_pair, merge_plan, not_duplicate_decisions, withdraw_not_duplicates,
)
from catalog.records.duplicates import PER_PAGE, RULE_LABELS, candidate_pairs, compare_pair
from catalog.errors import N_, ValidationError
from catalog.records.models import get_record
from catalog.accounts.users import Role
from ingest.marc.export import record_bytes

bp = Blueprint("marc", __name__)
MIMETYPES = {"marc": "application/marc", "marcxml": "application/marcxml+xml; charset=utf-8"}
# The rows of a side-by-side comparison (catalog.records.duplicates.compare_pair), in its order.
FIELD_LABELS = {
    "title": _l("Title proper"), "subtitle": _l("Subtitle"), "authors": _l("Authors"), "edition": _l("Edition"),
    "year": _l("Year"), "publisher": _l("Publisher"), "place": _l("Place of publication"), "isbns": _l("ISBN"),
    "record_type": _l("Type of material"), "languages": _l("Languages"), "control_number": _l("Control number"),
    "system_numbers": _l("System numbers"), "copies": _l("Copies"), "libraries": _l("Libraries of the copies"),
    "digital_objects": _l("Digital objects"),
}
IDENTIFIER_LABELS = {"isbn": "ISBN", "issn": "ISSN", "system": _l("System number"), "control": _l("Control number")}


class QueueForm(FlaskForm):
    """Where to go back to in the queue (page, weak pairs shown) after acting on a pair."""

    page = HiddenField(validators=[Regexp(r"^\d{0,9}$")])
    weak = HiddenField(validators=[Regexp(r"^1?$")])


class MergeForm(QueueForm):
    keep = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,10}$")])


class NotDuplicatesForm(QueueForm):
    note = TextAreaField(_l("Why they are different (optional)"), validators=[Length(max=500)])


def _record_file(record_id: int, fmt: str, endpoint: str):
    record = get_record(get_session(), record_id, include_deleted=True)
    if record.merged_into_id:
        return redirect(url_for(endpoint, record_id=record.merged_into_id), 301)
    record = get_record(get_session(), record_id)
    suffix = "mrc" if fmt == "marc" else "xml"
    return Response(record_bytes(record, fmt), mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'inline; filename="record-{record.id}.{suffix}"'})


@bp.get("/records/<int:record_id>.mrc")
def record_mrc(record_id: int):
    return _record_file(record_id, "marc", "marc.record_mrc")


@bp.get("/records/<int:record_id>.xml")
def record_xml(record_id: int):
    return _record_file(record_id, "marcxml", "marc.record_xml")


def _queue_args() -> dict:
    """The queue page and filter a pair page was opened from (links and forms go back there)."""
    source = request.form if request.method == "POST" else request.args
    page = source.get("page", "")
    number = int(page) if page.isascii() and page.isdigit() and len(page) <= 9 else 1
    return {"page": number if number > 1 else None, "weak": "1" if source.get("weak") == "1" else None}


def _queue_form(form_class, **values):
    """A form for a pair's page, carrying the queue page to go back to."""
    return form_class(formdata=None, **{k: str(v or "") for k, v in _queue_args().items()}, **values)


def _back_to_queue():
    return redirect(url_for("marc.duplicates", **{k: v for k, v in _queue_args().items() if v}))


@bp.get("/staff/duplicates")
@roles_required(Role.CATALOGUER)
def duplicates():
    weak = request.args.get("weak") == "1"
    listing = candidate_pairs(get_session(), current_user, page=page_arg(PER_PAGE), include_weak=weak)
    get_session().commit()  # the keys of records changed since were refreshed
    return render_template("marc/duplicates.html", listing=listing, rule_labels=RULE_LABELS)


@bp.get("/staff/duplicates/<int:first>/<int:second>")
@roles_required(Role.CATALOGUER)
def duplicate_pair(first: int, second: int):
    comparison = compare_pair(get_session(), current_user, first, second)
    get_session().commit()
    return render_template("marc/duplicate_pair.html", comparison=comparison, rule_labels=RULE_LABELS,
                           field_labels=FIELD_LABELS, language_labels=LANGUAGE_LABELS, queue=_queue_args(),
                           form=_queue_form(NotDuplicatesForm))


def _keep_arg(first: int, second: int) -> int:
    keep = request.args.get("keep", str(first))
    if keep not in (str(first), str(second)):
        raise ValidationError(N_("Choose which of records {first} and {second} to keep."), first=first,
                              second=second, field="keep")
    return int(keep)


@bp.get("/staff/duplicates/<int:first>/<int:second>/merge")
@roles_required(Role.CATALOGUER)
def merge_confirm(first: int, second: int):
    keep = _keep_arg(first, second)
    plan = merge_plan(get_session(), current_user, keep, second if keep == first else first)
    return render_template("marc/merge_confirm.html", plan=plan, first=first, second=second,
                           form=_queue_form(MergeForm, keep=str(keep)), queue=_queue_args(),
                           identifier_labels=IDENTIFIER_LABELS)


@bp.post("/staff/duplicates/<int:first>/<int:second>/merge")
@roles_required(Role.CATALOGUER)
def merge(first: int, second: int):
    form = MergeForm()
    if not form.validate_on_submit() or form.keep.data not in (str(first), str(second)):
        flash(_("The merge form was incomplete or expired; try again."), "error")
        return redirect(url_for("marc.duplicate_pair", first=first, second=second))
    keep = int(form.keep.data)
    other = second if keep == first else first
    merge_pair(get_session(), current_user, keep, other, now=utcnow())
    get_session().commit()
    flash(_("Record {loser} was merged into record {survivor}.").format(loser=other, survivor=keep), "info")
    return _back_to_queue()


@bp.post("/staff/duplicates/<int:first>/<int:second>/not-duplicates")
@roles_required(Role.CATALOGUER)
def not_duplicates(first: int, second: int):
    form = NotDuplicatesForm()
    if not form.validate_on_submit():
        flash(_("The form was incomplete or expired; try again."), "error")
        return redirect(url_for("marc.duplicate_pair", first=first, second=second))
    decision, made = mark_not_duplicates(get_session(), current_user, first, second, now=utcnow(),
                                         note=form.note.data or "")
    get_session().commit()
    message = (_("Records {first} and {second} are marked as not duplicates: they leave the queue.") if made else
               _("Records {first} and {second} were already marked as not duplicates (by {name})."))
    flash(message.format(first=decision.low_id, second=decision.high_id, name=decision.decided_by_name), "info")
    return _back_to_queue()


@bp.get("/staff/duplicates/not-duplicates")
@roles_required(Role.CATALOGUER)
def not_duplicate_list():
    listing = not_duplicate_decisions(get_session(), current_user, page=page_arg(20))
    return render_template("marc/not_duplicates.html", listing=listing)


@bp.post("/staff/duplicates/not-duplicates/<int:decision_id>/withdraw")
@roles_required(Role.CATALOGUER)
def withdraw_decision(decision_id: int):
    done = withdraw_not_duplicates(get_session(), current_user, decision_id, now=utcnow())
    get_session().commit()
    flash(_("The decision was withdrawn: the pair may come back to the queue.") if done else
          _("That decision had already been withdrawn."), "info")
    return redirect(url_for("marc.not_duplicate_list"))
