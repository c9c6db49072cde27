"""Book rotation pages: batches prepared by scanning, dispatched, received at a school, passed on
or sent back, checked in at the centre, closed; handover records (HTML print view and PDF) and
histories of a batch, a copy and a school."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.display import labels
from app.web.auth import roles_required
from app.display.dates import library_today
from app.db import get_session
from app.errors import refuse, translate_error
from catalog.rotation import batches, history as rotation_history
from catalog.db import utcnow
from catalog.errors import CatalogError, PermissionDenied, ValidationError, N_
from catalog.copies.items import get_item_by_barcode
from catalog.circulation.loan_lists import item_loans
from catalog.libraries import get_library, list_libraries
from catalog.accounts.permissions import can_manage_library, managed_library_ids, require_batch_side
from catalog.rotation.models import RotationBatch
from catalog.accounts.users import Role

bp = Blueprint("rotation", __name__, url_prefix="/staff/rotation")

BATCH_STATUS = labels.BATCH_STATUS
ITEM_STATE = labels.ITEM_STATE
STEP = {"created": _l("Batch created"), "dispatch": _l("Dispatched"), "receipt": _l("Received"),
        "pass_on": _l("Passed on"), "return_sent": _l("Sent back"), "return_received": _l("Checked in on return"),
        "closed": _l("Closed"), "missing": _l("Missing"), "damaged": _l("Damaged"), "unexpected": _l("Unexpected copy"),
        "lost": _l("Declared lost")}
HANDOVER_TITLE = {
    "dispatch": _l("Handover record: dispatch of a rotation batch"),
    "receipt": _l("Handover record: receipt of a rotation batch"),
    "pass_on": _l("Handover record: rotation batch passed on"),
    "return_sent": _l("Handover record: rotation batch sent back"),
    "return_received": _l("Handover record: return of a rotation batch"),
}
STAGE = {"dispatch": _l("dispatch"), "receipt": _l("receipt"), "return": _l("return"), "close": _l("closing")}


@bp.errorhandler(CatalogError)
def _refused(error: CatalogError):
    """A refusal: roll back and show why on the page the librarian was working on; a permission
    refusal is a 403, logged, in one place."""
    if isinstance(error, PermissionDenied):
        return refuse(error)
    get_session().rollback()
    if request.method == "GET":
        return render_template("error.html", status=error.status, message=translate_error(error)), error.status
    flash(translate_error(error), "error")
    if request.endpoint == "rotation.create":  # the new-batch form again, with what was typed
        return _list_page(typed=request.form), error.status
    batch_id = (request.view_args or {}).get("batch_id")
    target = url_for("rotation.batch", batch_id=batch_id) if batch_id else url_for("rotation.batches")
    return redirect(target + _anchor(request.form.get("focus", "")))


def _anchor(focus: str) -> str:
    """The fragment to land on. None for the scan field: a fragment in the URL turns autofocus off
    (HTML spec), and autofocus already scrolls to the field and keeps it ready for the next read."""
    return f"#{focus}" if focus and focus != "scan" else ""


def _batch(batch_id: int, *, side: str) -> RotationBatch:
    """The batch, if the librarian may act on this side of it: the origin, the school it is at
    (the origin may also act for a school without an account), or any stop to see it. The
    services check the side again."""
    session = get_session()
    batch = batches.get_batch(session, batch_id)
    require_batch_side(session, current_user, batch, side)
    return batch


def _done(batch: RotationBatch, message: str, focus: str = ""):
    get_session().commit()
    flash(message, "info")
    return redirect(url_for("rotation.batch", batch_id=batch.id) + _anchor(focus))


def _date(name: str) -> dt.date | None:
    value = request.form.get(name, "").strip()
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(N_("{value} is not a date: write it as YYYY-MM-DD."), value=value, field=name) from None


def _stops() -> list:
    session, stops = get_session(), []
    for library_id, days in zip(request.form.getlist("stop"), request.form.getlist("days")):
        if library_id:
            if not days.strip().isdigit():
                raise ValidationError(N_("Give the number of days at each stop."), field="days")
            stops.append((get_library(session, int(library_id)), int(days)))
    return stops


@bp.get("", endpoint="batches")
@roles_required(Role.LIBRARIAN)
def batch_list():
    return _list_page()


def _list_page(typed=None) -> str:
    """The batches and the new-batch form (filled with `typed`, the refused form, if given)."""
    session = get_session()
    managed = managed_library_ids(session, current_user)
    libraries = list_libraries(session)
    return render_template(
        "rotation/batches.html", batches=rotation_history.list_batches(
            session, managed, include_closed=request.args.get("closed") == "1"),
        overdue=rotation_history.overdue_batches(session, managed, library_today()),
        origins=[lib for lib in libraries if managed is None or lib.id in managed], libraries=libraries,
        today=library_today(), typed=typed)


@bp.post("")
@roles_required(Role.LIBRARIAN)
def create():
    session = get_session()
    origin = get_library(session, request.form.get("origin", type=int) or 0)
    batch = batches.create_batch(
        session, origin=origin, stops=_stops(), now=utcnow(), prepared_by=current_user,
        code=request.form.get("code", ""), planned_dispatch_on=_date("planned_dispatch_on"),
        due_back_on=_date("due_back_on"), notes=request.form.get("notes", ""),
        route_repeats=request.form.get("repeats") == "1", today=library_today())
    return _done(batch, _("Batch {code} created: scan the copies to send.").format(code=batch.code), "scan")


@bp.get("/<int:batch_id>")
@roles_required(Role.LIBRARIAN)
def batch(batch_id: int):
    session = get_session()
    found = _batch(batch_id, side="any")
    return render_template(
        "rotation/batch.html", batch=found, story=rotation_history.batch_story(session, found),
        handovers=rotation_history.handovers(session, found), loans=rotation_history.batch_loans(session, found),
        next_stop=batches.next_stop(found), unaccounted=batches.unaccounted(found),
        is_origin=can_manage_library(session, current_user, found.origin_library_id), today=library_today())


def _scan_action(batch_id: int, side: str, action, message: str, focus: str = "scan"):
    found = _batch(batch_id, side=side)
    result = action(found, request.form.get("barcode", ""))
    if getattr(result, "discrepancy", None) is not None and result.discrepancy.kind.value == "unexpected":
        get_session().commit()
        flash(_("{barcode} is not in this batch: recorded as an unexpected copy. Put it aside and tell the "
                "centre.").format(barcode=result.barcode), "warning")
        return redirect(url_for("rotation.batch", batch_id=batch_id) + _anchor(focus))
    message = message.format(barcode=request.form.get("barcode", "").strip().upper())
    if getattr(result, "damage_note", None) is not None:
        message += " " + _("It was noted damaged on its way ({note}): it stays marked damaged until it is repaired "
                           "(check it in at the desk) or withdrawn.").format(note=result.damage_note or "—")
    return _done(found, message, focus)


@bp.post("/<int:batch_id>/add")
@roles_required(Role.LIBRARIAN)
def add(batch_id: int):
    return _scan_action(batch_id, "origin", lambda b, code: batches.add_copy(
        get_session(), b, code, now=utcnow(), user=current_user), _("Added {barcode}."))


@bp.post("/<int:batch_id>/remove")
@roles_required(Role.LIBRARIAN)
def remove(batch_id: int):
    return _scan_action(batch_id, "origin", lambda b, code: batches.remove_copy(
        get_session(), b, code, now=utcnow(), user=current_user), _("Removed {barcode} from the batch."))


@bp.post("/<int:batch_id>/receive")
@roles_required(Role.LIBRARIAN)
def receive(batch_id: int):
    return _scan_action(batch_id, "school", lambda b, code: batches.receive_copy(
        get_session(), b, code, library=b.destination_library, now=utcnow(), user=current_user,
        damaged=request.form.get("damaged") == "1", note=request.form.get("note", "")), _("Checked in {barcode}."))


@bp.post("/<int:batch_id>/return")
@roles_required(Role.LIBRARIAN)
def return_copy(batch_id: int):
    return _scan_action(batch_id, "origin", lambda b, code: batches.return_copy(
        get_session(), b, code, library=b.origin_library, now=utcnow(), user=current_user,
        damaged=request.form.get("damaged") == "1", note=request.form.get("note", "")), _("Checked in {barcode}."))


@bp.post("/<int:batch_id>/declare")
@roles_required(Role.LIBRARIAN)
def declare(batch_id: int):
    return _scan_action(batch_id, "origin", lambda b, code: batches.declare(
        get_session(), b, code, request.form.get("kind", ""), note=request.form.get("note", ""), now=utcnow(),
        user=current_user), _("{barcode} is declared and accounted for."), "declare")


STEPS = {
    "dispatch": ("origin", batches.dispatch, _l("Batch dispatched: print the handover record to go with it.")),
    "finish-receipt": ("school", batches.finish_receipt, _l("Receipt finished: the batch is at the school.")),
    "pass-on": ("school", batches.pass_on, _l("Batch passed on: print the handover record to go with it.")),
    "send-back": ("school", batches.send_back, _l("Batch sent back: print the handover record to go with it.")),
    "finish-return": ("origin", batches.finish_return, _l("Return checked: declare any missing copy, then close.")),
    "close": ("origin", batches.close_batch, _l("Batch closed.")),
}


@bp.post("/<int:batch_id>/step/<step>")
@roles_required(Role.LIBRARIAN)
def step(batch_id: int, step: str):
    side, action, message = STEPS.get(step) or (None, None, None)
    if action is None:
        return redirect(url_for("rotation.batch", batch_id=batch_id))
    found = _batch(batch_id, side=side)
    kwargs = {"library": found.destination_library if side == "school" else found.origin_library} \
        if step in ("finish-receipt", "finish-return") else {}
    action(get_session(), found, now=utcnow(), user=current_user, **kwargs)
    return _done(found, str(message))


def _handover_context(batch_id: int, event_id: int) -> dict:
    session = get_session()
    found = _batch(batch_id, side="any")
    record = rotation_history.handover(session, found, event_id)
    stage = {"receipt": "receipt", "return_received": "return"}.get(record.event.kind)
    found_discrepancies = [d for d in rotation_history.discrepancies(session, found) if d.stage == stage]
    return {"handover": record, "batch": found, "discrepancies": found_discrepancies,
            "title": HANDOVER_TITLE[record.event.kind]}


@bp.get("/<int:batch_id>/handover/<int:event_id>")
@roles_required(Role.LIBRARIAN)
def handover(batch_id: int, event_id: int):
    return render_template("rotation/handover.html", **_handover_context(batch_id, event_id))


@bp.get("/<int:batch_id>/handover/<int:event_id>.pdf")
@roles_required(Role.LIBRARIAN)
def handover_pdf(batch_id: int, event_id: int):
    from app.pdf.handover import handover_pdf as build

    with force_locale("vi"):
        context = _handover_context(batch_id, event_id)
        pdf = build(context, discrepancy_labels=STEP)
    name = f"bien-ban-{context['batch'].code}-{context['handover'].event.kind}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={name}"})


@bp.get("/<int:batch_id>/discrepancies")
@roles_required(Role.LIBRARIAN)
def discrepancies(batch_id: int):
    found = _batch(batch_id, side="any")
    return render_template("rotation/discrepancies.html", batch=found,
                           discrepancies=rotation_history.discrepancies(get_session(), found))


@bp.get("/<int:batch_id>/discrepancies.pdf")
@roles_required(Role.LIBRARIAN)
def discrepancies_pdf(batch_id: int):
    from app.pdf.handover import discrepancy_pdf

    with force_locale("vi"):
        found = _batch(batch_id, side="any")
        pdf = discrepancy_pdf(found, rotation_history.discrepancies(get_session(), found), STEP, STAGE)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=sai-lech-{found.code}.pdf"})


@bp.get("/copy")
@roles_required(Role.LIBRARIAN)
def copy_history():
    session = get_session()
    code = request.args.get("barcode", "").strip()
    item = get_item_by_barcode(session, code) if code else None
    return render_template("rotation/copy.html", item=item, barcode=code,
                           trips=rotation_history.copy_batches(session, item) if item else [],
                           loans=item_loans(session, item) if item else [])


@bp.get("/library/<int:library_id>")
@roles_required(Role.LIBRARIAN)
def library_history(library_id: int):
    session = get_session()
    library = get_library(session, library_id)
    return render_template("rotation/library.html", library=library,
                           received=rotation_history.school_history(session, library))


@bp.app_context_processor
def _template_helpers() -> dict:
    def dashboard() -> dict:
        session = get_session()
        managed = managed_library_ids(session, current_user)
        return {"overdue": rotation_history.overdue_batches(session, managed, library_today()),
                "open": rotation_history.list_batches(session, managed)}

    return {"rotation_dashboard": dashboard, "rotation_batch_status": BATCH_STATUS, "rotation_item_state": ITEM_STATE,
            "rotation_step": STEP, "rotation_stage": STAGE}
