"""The circulation desk (made for a barcode scanner: every form is one field ending in Enter),
the overdue list, and the reader's own holds. Refusals come back to the desk as messages; an
action outside the librarian's libraries is refused with 403 and logged (app/errors.py)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from app.display import labels
from app.web.auth import roles_required
from app.db import get_session
from app.display.dates import library_today, show_date, show_time
from app.errors import refuse, translate_error
from catalog.circulation import lending, loan_lists
from catalog.db import utcnow
from catalog.errors import N_, CatalogError, PermissionDenied, ValidationError
from catalog.libraries import get_library, list_libraries
from catalog.accounts.permissions import managed_library_ids, require_desk
from catalog.records.models import get_record
from catalog.accounts.users import Role

bp = Blueprint("circulation", __name__)

ITEM_STATUS = labels.ITEM_STATUS
EVENT_KINDS = {
    "checkout": _l("lent"), "renew": _l("renewed"), "checkin": _l("returned"), "hold_placed": _l("hold placed"),
    "hold_filled": _l("set aside for a hold"), "hold_cancelled": _l("hold cancelled"),
    "hold_collected": _l("hold collected"), "transit_sent": _l("sent in transit"),
    "transit_received": _l("received from transit"),
}
HOLD_STATUS = labels.HOLD_STATUS


def desk_libraries():
    """Libraries where the signed-in librarian may work the desk."""
    managed = managed_library_ids(get_session(), current_user)
    return [lib for lib in list_libraries(get_session()) if managed is None or lib.id in managed]


def _desk_library():
    """The desk's library: the one asked for (if the librarian manages it), else their own."""
    wanted = request.values.get("library", type=int)
    if wanted:
        require_desk(get_session(), current_user, wanted)
        return get_library(get_session(), wanted)
    libraries = desk_libraries()
    library = next((lib for lib in libraries if lib.id == current_user.library_id), libraries[0] if libraries else None)
    if library is None:
        raise BadRequest()
    return library


def _back(**extra):
    args = {"library": request.values.get("library"), "card": request.values.get("card") or None,
            "mode": request.values.get("mode") or None}
    args.update(extra)
    return url_for("circulation.desk", **{k: v for k, v in args.items() if v})


@bp.errorhandler(CatalogError)
def _refused(error: CatalogError):
    """A refusal: roll back and say why on the page the user came from (the desk keeps the reader);
    a permission refusal is a 403, logged, in one place."""
    if isinstance(error, PermissionDenied):
        return refuse(error)
    get_session().rollback()
    flash(translate_error(error), "error")
    if request.endpoint in ("circulation.place_hold", "circulation.cancel_hold", "circulation.loan_history"):
        return redirect(safe_next(request.form.get("next")))
    if isinstance(error, lending.ReaderNotFound):
        return redirect(_back(card=None))
    if request.endpoint == "circulation.save_rule":
        return redirect(url_for("circulation.rules"))
    if request.method == "GET":
        return render_template("error.html", status=error.status, message=translate_error(error)), error.status
    return redirect(_back())


def safe_next(target: str | None) -> str:
    """A local path to go back to, or the home page."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.get("/staff/circulation")
@roles_required(Role.LIBRARIAN)
def desk():
    session, library = get_session(), _desk_library()
    card = request.args.get("card", "").strip()
    found = loan_lists.desk_reader(session, card, staff=current_user) if card else None
    return render_template(
        "circulation/desk.html", library=library, libraries=desk_libraries(), reader=found and found.reader,
        loans=found.loans if found else [], holds=found.holds if found else [],
        events=loan_lists.recent_events(session, library.id), mode=request.args.get("mode", "card"), now=utcnow(),
    )


@bp.post("/staff/circulation/checkout")
@roles_required(Role.LIBRARIAN)
def checkout():
    session, library = get_session(), _desk_library()
    reader = lending.find_reader(session, request.form.get("card", ""))
    loan = lending.checkout(session, reader=reader, barcode=request.form.get("barcode", ""), library=library,
                            now=utcnow(), staff=current_user)
    session.commit()
    flash(_("Lent {barcode} “{title}” to {name}: due {due}.").format(
        barcode=loan.item.barcode, title=loan.item.record.title, name=reader.display_name,
        due=show_date(loan.due_at)), "info")
    return redirect(_back(mode="checkout"))


@bp.post("/staff/circulation/checkin")
@roles_required(Role.LIBRARIAN)
def checkin():
    session, library = get_session(), _desk_library()
    result = lending.checkin(session, barcode=request.form.get("barcode", ""), library=library, now=utcnow(),
                             staff=current_user)
    session.commit()
    item = result.item
    message = _("Checked in {barcode} “{title}”.").format(barcode=item.barcode, title=item.record.title)
    if result.transit is not None:
        message += " " + _("Put it aside to send to {place} (in transit).").format(place=result.transit.to_library.name)
    if result.hold is not None:
        message += " " + _("Set it aside for {name}, who is waiting for it.").format(name=result.hold.reader.display_name)
    flash(message, "warning" if result.transit or result.hold else "info")
    return redirect(_back(mode="checkin"))


@bp.post("/staff/circulation/renew")
@roles_required(Role.LIBRARIAN)
def renew():
    session, library = get_session(), _desk_library()
    loan = lending.renew(session, barcode=request.form.get("barcode", ""), library=library, now=utcnow(),
                         staff=current_user)
    session.commit()
    flash(_("Renewed {barcode}: now due {due}.").format(barcode=loan.item.barcode,
                                                        due=show_date(loan.due_at)), "info")
    return redirect(_back(mode=request.form.get("mode") or "renew"))


@bp.post("/staff/circulation/hold")
@roles_required(Role.LIBRARIAN)
def desk_hold():
    """Place a hold for the reader at the desk, on the title of a copy barcode or a record number."""
    session, library = get_session(), _desk_library()
    reader = lending.find_reader(session, request.form.get("card", ""))
    record = loan_lists.record_for_hold(session, request.form.get("title", ""))
    lending.place_hold(session, reader=reader, record=record, library=library, now=utcnow(), staff=current_user)
    shelf = [item.barcode for item in loan_lists.copies_on_shelf(session, record, library)]
    session.commit()
    flash(_("Hold placed on “{title}” for {name}.").format(title=record.title, name=reader.display_name), "info")
    if shelf:  # the reader could take it home now
        flash(_("A copy is on the shelf here ({barcodes}): lend it now instead, or set it aside with “Set aside for "
                "a hold”.").format(barcodes=", ".join(shelf)), "warning")
    return redirect(_back(mode="hold"))


@bp.post("/staff/circulation/fill")
@roles_required(Role.LIBRARIAN)
def fill_hold():
    session, library = get_session(), _desk_library()
    hold = lending.fill_hold(session, barcode=request.form.get("barcode", ""), library=library, now=utcnow(),
                             staff=current_user)
    session.commit()
    flash(_("Set {barcode} aside for {name}.").format(barcode=hold.item.barcode, name=hold.reader.display_name),
          "info")
    return redirect(_back(mode="fill"))


@bp.get("/staff/circulation/overdue")
@roles_required(Role.LIBRARIAN)
def overdue():
    session, library = get_session(), _desk_library()
    ids = {library.id} if request.args.get("library") else managed_library_ids(session, current_user)
    return render_template("circulation/overdue.html", library=library, libraries=desk_libraries(),
                           loans=loan_lists.overdue_loans(session, ids, utcnow()), now=utcnow(),
                           all_libraries=not request.args.get("library"))


@bp.get("/staff/circulation/rules")
@roles_required(Role.LIBRARIAN)
def rules():
    session = get_session()
    return render_template("circulation/rules.html", rules=loan_lists.loan_rules(
        session, managed_library_ids(session, current_user)), libraries=desk_libraries(),
        default=lending.DEFAULT_RULE, is_admin=current_user.role == Role.ADMIN)


@bp.post("/staff/circulation/rules")
@roles_required(Role.LIBRARIAN)
def save_rule():
    """Set the loan period, renewals and maximum loans for a library (and a copy type)."""
    session = get_session()
    library_id = request.form.get("rule_library", type=int)
    numbers = [request.form.get(name, type=int) for name in ("loan_days", "renewals_allowed", "max_loans")]
    if None in numbers:
        raise ValidationError(N_("Loan days, renewals and maximum loans are whole numbers."), field="loan_days")
    lending.set_loan_rule(session, library=get_library(session, library_id) if library_id else None,
                          item_type=request.form.get("item_type", ""), loan_days=numbers[0],
                          renewals_allowed=numbers[1], max_loans=numbers[2], staff=current_user)
    session.commit()
    flash(_("The loan rule is saved."), "info")
    return redirect(url_for("circulation.rules"))


@bp.post("/holds")
@login_required
def place_hold():
    """A signed-in reader asks for a title, to collect at a library of their choice."""
    session = get_session()
    record = get_record(session, request.form.get("record", type=int) or 0)
    library = get_library(session, request.form.get("library", type=int) or 0)
    lending.place_hold(session, reader=current_user, record=record, library=library, now=utcnow())
    session.commit()
    flash(_("Your hold on “{title}” is placed: collect it at {place} when we tell you it is ready.").format(
        title=record.title, place=library.name), "info")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/holds/<int:hold_id>/cancel")
@login_required
def cancel_hold(hold_id: int):
    session = get_session()
    hold = lending.get_hold(session, hold_id)
    lending.cancel_hold(session, hold, now=utcnow(), staff=current_user)
    session.commit()
    flash(_("The hold on “{title}” is cancelled.").format(title=hold.record.title), "info")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/account/loan-history")
@login_required
def loan_history():
    """The reader chooses whether their page shows the history of past loans."""
    loan_lists.set_keeps_history(get_session(), current_user, request.form.get("keep") == "1", now=utcnow())
    get_session().commit()
    flash(_("Your choice about the loan history is saved."), "info")
    return redirect(safe_next(request.form.get("next")))


def _reader_panel(user) -> dict:
    session = get_session()
    return {"loans": loan_lists.reader_loans(session, user), "holds": loan_lists.reader_holds(session, user),
            "history": loan_lists.reader_history(session, user), "keeps_history": loan_lists.keeps_history(session, user)}


def _availability(record) -> list[dict]:
    return loan_lists.record_availability(get_session(), record)


def _my_hold(record):
    """The signed-in user's open hold on the record (the record page says so instead of offering one)."""
    if not current_user.is_authenticated:
        return None
    return loan_lists.open_hold_on(get_session(), current_user._get_current_object(), record)


def _desk_summary() -> dict:
    session = get_session()
    return loan_lists.desk_summary(session, managed_library_ids(session, current_user), utcnow())


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"circulation_reader_panel": _reader_panel, "circulation_availability": _availability,
            "circulation_desk_summary": _desk_summary, "circulation_item_status": ITEM_STATUS,
            "circulation_event_kinds": EVENT_KINDS, "circulation_hold_status": HOLD_STATUS,
            "circulation_pickup_libraries": lambda: list_libraries(get_session()),
            "circulation_my_hold": _my_hold,
            "circ_date": show_date, "circ_time": show_time, "circ_today": library_today}
