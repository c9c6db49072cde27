"""The staff blueprint (/staff): its guard (signed-in staff only), the dashboard with every area's
tools, and cataloguing (form and MARC view, withdraw, history).

The copies and readers pages (copies.py, readers.py) declare their routes on a table that
app/views/__init__.py adds to this blueprint; label and card PDFs are drawn in app/pdf/. Every
route checks the role; the services check it again with the library scope. A refused change
(PermissionDenied) is logged in the audit trail."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from app.web.auth import may_open, roles_required
from app.db import get_session
from app.errors import translate_error
from app.views.staff.forms import DeleteRecordForm, MarcForm, RecordForm, attempt
from catalog.audit import history, log_change
from catalog.records.cataloguing import records_sharing_isbn, save_record, withdraw_record
from catalog.db import utcnow
from catalog.errors import PermissionDenied
from catalog.records.models import get_record
from catalog.accounts.users import STAFF_ROLES, Role
from ingest.marc.edit import draft_from_text, marc_for_draft, marc_to_text, stored_or_derived

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger(__name__)
CATALOGUERS = (Role.CATALOGUER,)

# Staff tools of every area (group, endpoint, label), shown on the dashboard once they exist.
TOOLS = [
    (_l("Cataloguing"), "staff.record_new", _l("New record (form)")),
    (_l("Cataloguing"), "staff.record_new_marc", _l("New record (MARC view)")),
    (_l("Cataloguing"), "marc_import.upload", _l("Import MARC records")),
    (_l("Cataloguing"), "marc.duplicates", _l("Merge duplicate records")),
    (_l("Cataloguing"), "copycat.search", _l("Copy cataloguing (Z39.50 / SRU)")),
    (_l("Cataloguing"), "copycat.targets", _l("Copy-cataloguing targets")),
    (_l("Cataloguing"), "harvest.sources", _l("Harvest partners (OAI-PMH)")),
    (_l("Digital library"), "scans.upload", _l("Add scanned material")),
    (_l("Digital library"), "digital.browse", _l("Digital objects")),
    (_l("Copies"), "staff.copy_find", _l("Find a copy")),
    (_l("Copies"), "staff.copies_bulk", _l("Bulk changes on scanned copies")),
    (_l("Circulation"), "circulation.desk", _l("Circulation desk")),
    (_l("Circulation"), "circulation.overdue", _l("Overdue loans")),
    (_l("Circulation"), "offline.devices", _l("Offline desks")),
    (_l("Rotation"), "rotation.batches", _l("Rotation batches")),
    (_l("Rotation"), "rotation.new_batch", _l("New rotation batch")),
    (_l("Readers"), "staff.readers", _l("Find a reader")),
    (_l("Readers"), "staff.reader_new", _l("Register a reader")),
    (_l("Reports"), "reports.index", _l("Reports")),
    (_l("Reports"), "reports.visits", _l("Record reader visits")),
    (_l("Reports"), "reports.events", _l("Record events")),
    (_l("Reports"), "reports.plan", _l("Plan targets")),
    (_l("Accounts"), "staff.accounts", _l("Accounts")),
    (_l("Accounts"), "staff.account_new", _l("New account")),
    (_l("Accounts"), "staff.audit_log", _l("Audit trail")),
]


def tool_links() -> list[tuple[str, list[tuple[str, str]]]]:
    """The dashboard's links, grouped: every tool the user's role may open that needs no argument."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for group, endpoint, label in TOOLS:
        if not may_open(endpoint):
            continue
        try:
            url = url_for(endpoint)
        except BuildError:
            continue
        groups.setdefault(str(group), []).append((str(label), url))
    return list(groups.items())


@bp.before_request
def _staff_only():
    """Every /staff route needs a signed-in staff member (routes narrow the roles further)."""
    if not current_user.is_authenticated:
        from app.web.auth import login_manager

        return login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None


@bp.errorhandler(PermissionDenied)
def _denied(error: PermissionDenied):
    """Refuse with 403 and keep the attempt (a tampered field or URL) in the audit trail."""
    db = get_session()  # the request's own session: a second one would hold a second connection
    db.rollback()
    fields = {k: v[:100] for k, v in request.form.items() if k not in ("csrf_token", "password")}
    log_change(db, current_user._get_current_object(), "request", None, "denied", None,
               {"method": request.method, "path": request.path, "form": fields}, utcnow(), note=error.message)
    db.commit()
    log.warning("refused %s %s for %s: %s", request.method, request.path, current_user.username, error.message)
    return render_template("error.html", status=403, message=translate_error(error)), 403


@bp.get("/")
@roles_required(*STAFF_ROLES)
def dashboard():
    return render_template("staff/dashboard.html", groups=tool_links())


@bp.get("/records/find")
@roles_required(*STAFF_ROLES)
def record_find():
    number = request.args.get("id", "").strip().lstrip("#")
    if not number.isdigit():
        flash(_("Type a record number."), "error")
        return redirect(url_for("staff.dashboard"))
    return redirect(url_for("staff.record_copies", record_id=int(number)))


@bp.route("/records/new", methods=["GET", "POST"])
@roles_required(*CATALOGUERS)
def record_new():
    form = RecordForm()
    if form.validate_on_submit():
        draft = form.draft()
        same_isbn = _same_isbn(draft.isbns)
        if same_isbn:
            return render_template("staff/record_form.html", form=form, record=None, same_isbn=same_isbn)
        record = attempt(form, lambda: save_record(get_session(), current_user, draft,
                                                   marc=marc_for_draft(draft, None), now=utcnow()))
        if record is not None:
            get_session().commit()
            flash(_("Record {id} created.").format(id=record.id), "info")
            return redirect(url_for("staff.record_copies", record_id=record.id))
    return render_template("staff/record_form.html", form=form, record=None), 400 if request.method == "POST" else 200


def _same_isbn(isbns: list[str]) -> list:
    """Records that already hold one of a new record's ISBNs: the form warns once with links to
    them, and a second Save (isbn_checked) creates the record anyway."""
    return [] if request.form.get("isbn_checked") else records_sharing_isbn(get_session(), isbns)


@bp.route("/records/<int:record_id>/edit", methods=["GET", "POST"])
@roles_required(*CATALOGUERS)
def record_edit(record_id: int):
    record = get_record(get_session(), record_id)
    form = RecordForm()
    if form.validate_on_submit():
        draft = form.draft(record.draft())
        saved = attempt(form, lambda: save_record(get_session(), current_user, draft,
                                                  marc=marc_for_draft(draft, record.marc), record=record, now=utcnow()))
        if saved is not None:
            get_session().commit()
            flash(_("Record {id} saved.").format(id=record.id), "info")
            return redirect(url_for("staff.record_edit", record_id=record.id))
    elif request.method == "GET":
        form.fill(record.draft())
    return render_template("staff/record_form.html", form=form, record=record,
                           delete_form=DeleteRecordForm()), 400 if request.method == "POST" else 200


def _marc_page(record_id: int | None):
    record = get_record(get_session(), record_id) if record_id else None
    form = MarcForm()
    if form.validate_on_submit():
        def save():
            draft, marc = draft_from_text(form.marc.data)
            same_isbn.extend(_same_isbn(draft.isbns) if record is None else [])
            if same_isbn:
                return None
            return save_record(get_session(), current_user, draft, marc=marc, record=record, now=utcnow(),
                               note="MARC view")
        same_isbn: list = []
        saved = attempt(form, save)
        if same_isbn:
            return render_template("staff/record_marc.html", form=form, record=None, same_isbn=same_isbn)
        if saved is not None:
            get_session().commit()
            flash(_("Record {id} saved.").format(id=saved.id), "info")
            return redirect(url_for("staff.record_marc", record_id=saved.id))
    elif request.method == "GET":
        form.marc.data = marc_to_text(stored_or_derived(record.draft(), record.marc) if record else None)
    status = 400 if request.method == "POST" else 200
    return render_template("staff/record_marc.html", form=form, record=record), status


@bp.route("/records/new/marc", methods=["GET", "POST"])
@roles_required(*CATALOGUERS)
def record_new_marc():
    return _marc_page(None)


@bp.route("/records/<int:record_id>/marc", methods=["GET", "POST"])
@roles_required(*CATALOGUERS)
def record_marc(record_id: int):
    return _marc_page(record_id)


@bp.post("/records/<int:record_id>/delete")
@roles_required(*CATALOGUERS)
def record_delete(record_id: int):
    record = get_record(get_session(), record_id)
    form = DeleteRecordForm()
    if not form.validate_on_submit():
        flash(_("Say why the record is withdrawn."), "error")
        return redirect(url_for("staff.record_edit", record_id=record_id))
    withdraw_record(get_session(), current_user, record, reason=form.reason.data, now=utcnow())
    get_session().commit()
    flash(_("Record {id} withdrawn; a tombstone remains for harvesters.").format(id=record_id), "info")
    return redirect(url_for("staff.dashboard"))


@bp.get("/records/<int:record_id>/history")
@roles_required(*STAFF_ROLES)
def record_history(record_id: int):
    record = get_record(get_session(), record_id, include_deleted=True)
    return render_template("staff/history.html", title=record.title, entries=history(get_session(), "record", record_id),
                           back=url_for("staff.record_copies", record_id=record_id))

