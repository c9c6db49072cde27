"""Copies: a record's copies (add with typed, scanned or generated barcodes), one copy's status
and location, bulk changes on scanned barcodes, history, and the label PDF."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.display.labels import label as code_label
from app.web.auth import roles_required
from app.db import get_session
from app.errors import translate_error
from app.views.routes import Routes
from app.views.staff.forms import AddCopiesForm, BulkForm, CopyForm, attempt, choices, lines
from app.pdf.labels_and_cards import labels_pdf
from catalog.audit import history
from catalog.copies.management import (
    MANUAL_STATUSES, add_copies, can_manage_copies, bulk_update, copy_libraries, get_copy, parse_barcodes, update_copy,
)
from catalog.db import utcnow
from catalog.copies.items import Item, get_item_by_barcode
from catalog.libraries import list_libraries
from catalog.records.models import get_record
from catalog.accounts.users import STAFF_ROLES

routes = Routes()


def status_label(status: str) -> str:
    """The status in the interface language."""
    return code_label("item_status", status)


def _library_choices(with_blank: bool = False) -> list[tuple[int, str]]:
    libraries = copy_libraries(get_session(), current_user, list_libraries(get_session()))
    options = [(library.id, f"{library.code} — {library.name}") for library in libraries]
    return [(0, _("(no change)"))] + options if with_blank else options


def _status_choices(with_blank: bool = False) -> list[tuple[str, str]]:
    options = [(s.value, status_label(s.value)) for s in MANUAL_STATUSES]
    return [("", _("(no change)"))] + options if with_blank else options


@routes.route("/records/<int:record_id>/copies", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def record_copies(record_id: int):
    record = get_record(get_session(), record_id)
    form = AddCopiesForm()
    form.library_id.choices = choices(_library_choices())
    if form.validate_on_submit():
        added = attempt(form, lambda: add_copies(
            get_session(), current_user, record, library_id=form.library_id.data,
            barcodes=lines(form.barcodes.data), generate=form.generate.data or 0,
            pattern=current_app.config["BARCODE_PATTERN"], call_number=form.call_number.data or "", now=utcnow()))
        if added is not None:
            get_session().commit()
            flash(_("{count} copies added: {barcodes}.").format(
                count=len(added), barcodes=", ".join(i.barcode for i in added)), "info")
            return redirect(url_for("staff.record_copies", record_id=record_id))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/record_copies.html", record=record, form=form, status_label=status_label), status


@routes.route("/copies/<int:item_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def copy_edit(item_id: int):
    item = get_copy(get_session(), item_id)
    form = CopyForm(obj=item if request.method == "GET" else None)
    current = [] if item.status in MANUAL_STATUSES else [(item.status.value, status_label(item.status.value))]
    form.status.choices = choices(current + _status_choices())
    form.location_id.choices = choices(_library_choices())
    if request.method == "GET":
        form.status.data, form.location_id.data = item.status.value, item.current_library_id
    if form.validate_on_submit():
        saved = attempt(form, lambda: update_copy(
            get_session(), current_user, item, status=form.status.data, location_id=form.location_id.data,
            call_number=form.call_number.data, notes=form.notes.data, now=utcnow()))
        if saved is not None:
            get_session().commit()
            flash(_("Copy {barcode} saved.").format(barcode=item.barcode), "info")
            return redirect(url_for("staff.copy_edit", item_id=item.id))
    status = 400 if request.method == "POST" else 200
    may_change = can_manage_copies(get_session(), current_user, item.home_library_id)
    return render_template("staff/copy_form.html", item=item, form=form, status_label=status_label,
                           may_change=may_change), status


@routes.get("/copies")
@roles_required(*STAFF_ROLES)
def copy_find():
    barcode = request.args.get("barcode", "").strip()
    if not barcode:
        return render_template("staff/copy_find.html")
    item = get_item_by_barcode(get_session(), barcode)
    return redirect(url_for("staff.copy_edit", item_id=item.id))


@routes.get("/copies/<int:item_id>/history")
@roles_required(*STAFF_ROLES)
def copy_history(item_id: int):
    item = get_copy(get_session(), item_id)
    return render_template("staff/history.html", title=f"{item.barcode} — {item.record.title}",
                           entries=history(get_session(), "item", item_id),
                           back=url_for("staff.copy_edit", item_id=item_id))


@routes.route("/copies/bulk", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def copies_bulk():
    form = BulkForm()
    form.status.choices = choices(_status_choices(with_blank=True))
    form.location_id.choices = choices(_library_choices(with_blank=True))
    result = None
    if form.validate_on_submit():
        result = attempt(form, lambda: bulk_update(
            get_session(), current_user, parse_barcodes(form.barcodes.data), status=form.status.data or None,
            location_id=form.location_id.data or None, now=utcnow()))
        if result is not None:
            get_session().commit()
    refused = [(code, translate_error(error)) for code, error in result.refused] if result else []
    return render_template("staff/copies_bulk.html", form=form, result=result, refused=refused,
                           status_label=status_label)


@routes.get("/labels.pdf")
@roles_required(*STAFF_ROLES)
def labels():
    """Spine and barcode labels for the copies named by ?item=ID (repeatable) or ?record=ID."""
    db = get_session()
    items: list[Item] = [get_copy(db, int(i)) for i in request.args.getlist("item") if i.isdigit()]
    if request.args.get("record", "").isdigit():
        items += get_record(db, int(request.args["record"])).items
    for code in parse_barcodes(request.args.get("barcodes", "")):
        items.append(get_item_by_barcode(db, code))
    if not items:
        flash(_("Choose the copies to label."), "error")
        return redirect(url_for("staff.copies_bulk"))
    kind = request.args.get("kind", "both")
    pdf = labels_pdf(list(dict.fromkeys(items)), kind=kind if kind in ("spine", "barcode", "both") else "both")
    return send_file(pdf, mimetype="application/pdf", download_name="labels.pdf", as_attachment=True)
