"""MARC out of the catalogue: one record as .mrc / MARCXML, and the duplicates review with merge."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from app.web.auth import roles_required
from app.db import get_session
from catalog.db import utcnow
from catalog.records.merge import find_duplicates, merge_two
from catalog.records.models import get_record
from catalog.accounts.users import Role
from ingest.marc.export import record_bytes

bp = Blueprint("marc", __name__)
MIMETYPES = {"marc": "application/marc", "marcxml": "application/marcxml+xml; charset=utf-8"}


class MergeForm(FlaskForm):
    survivor = HiddenField(validators=[DataRequired(), Regexp(r"^\d+$")])
    loser = HiddenField(validators=[DataRequired(), Regexp(r"^\d+$")])


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


@bp.get("/staff/duplicates")
@roles_required(Role.CATALOGUER)
def duplicates():
    groups = find_duplicates(get_session())
    get_session().commit()  # match keys refreshed for records edited since
    return render_template("marc/duplicates.html", groups=groups, form=MergeForm())


@bp.post("/staff/duplicates/merge")
@roles_required(Role.CATALOGUER)
def merge():
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("The merge form was incomplete or expired; try again."), "error")
        return redirect(url_for("marc.duplicates"))
    survivor = merge_two(get_session(), int(form.survivor.data), int(form.loser.data), now=utcnow())
    get_session().commit()
    flash(_("Record {loser} was merged into record {survivor}.").format(loser=form.loser.data, survivor=survivor.id),
          "info")
    return redirect(url_for("marc.duplicates"))
