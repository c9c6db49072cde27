"""Offline desks (issue 18): preparing a device for one library's desk, its data (the pack), the
desk page that works with no connection (a service worker keeps it), sync, queue files carried
by hand, sync reports and conflicts. The rules are in catalog/offline/; routes parse, call one
service, commit."""
from __future__ import annotations

import json
from pathlib import Path

from flask import (Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.display import labels, report_labels
from app.web.assets import static_url
from app.web.auth import roles_required
from app.display.dates import show_time
from app.db import get_session
from app.errors import refuse, translate_error, wants_json
from catalog.db import utcnow
from catalog.errors import N_, CatalogError, PermissionDenied, ValidationError
from catalog.libraries import get_library
from catalog.offline import devices as device_rules, sync
from catalog.offline.queue import QueueInvalid
from catalog.accounts.users import Role

bp = Blueprint("offline", __name__)
DEVICE_FILE_FORMAT = "hoclieu-offline-device"
SHELL_ASSETS = ("style.css", "offline/offline.js", "favicon.ico")


@bp.errorhandler(CatalogError)
def _refused(error: CatalogError):
    """JSON for the device's own requests; a message on the offline page for forms; 403s logged."""
    if isinstance(error, PermissionDenied):
        return refuse(error)
    get_session().rollback()
    if wants_json() or request.method == "GET":
        return (jsonify({"error": translate_error(error), "field": error.field}) if wants_json()
                else render_template("error.html", status=error.status, message=translate_error(error))), error.status
    flash(translate_error(error), "error")
    return redirect(request.form.get("next") or url_for("offline.devices"), 303)


def _options() -> dict:
    config = current_app.config
    return {"tz": config["TIMEZONE"], "age_groups": config["AGE_GROUPS"]}


@bp.get("/staff/offline/")
@roles_required(Role.LIBRARIAN)
def devices():
    from app.views.circulation import desk_libraries

    session = get_session()
    return render_template("offline/devices.html", devices=device_rules.list_devices(session, current_user),
                           libraries=desk_libraries(),
                           reports=sync.list_reports(session, current_user), now=utcnow(),
                           conflicts=sync.open_conflicts(session, current_user))


@bp.post("/staff/offline/devices")
@roles_required(Role.LIBRARIAN)
def prepare():
    """Enable this browser for a library's desk: the answer gives the device id and key (once)."""
    if not wants_json():
        raise ValidationError(N_("Preparing a device for offline work needs JavaScript in this browser."))
    session = get_session()
    library = get_library(session, request.form.get("library", type=int) or 0)
    device = device_rules.enable_device(session, library=library, staff=current_user, now=utcnow(),
                                   days=int(current_app.config["OFFLINE_DAYS"]), label=request.form.get("label", ""))
    session.commit()
    return jsonify(_device_json(device))


def _device_json(device) -> dict:
    return {"device": device.uid, "key": device.key, "expires_at": device.expires_at.isoformat() + "Z",
            "library": {"id": device.library_id, "code": device.library.code, "name": device.library.name},
            "pack_url": url_for("offline.pack", uid=device.uid), "desk_url": url_for("offline.desk"),
            "sync_url": url_for("offline.sync_queue"), "token_url": url_for("offline.token")}


@bp.get("/staff/offline/devices/<uid>/pack.json")
@roles_required(Role.LIBRARIAN)
def pack(uid: str):
    session = get_session()
    data = device_rules.build_pack(session, device_rules.get_device(session, uid), staff=current_user, now=utcnow())
    response = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/staff/offline/prepare-file")
@roles_required(Role.LIBRARIAN)
def prepare_file():
    """The centre prepares a library's desk data as a file to load on a device (USB stick, phone)."""
    session, now = get_session(), utcnow()
    library = get_library(session, request.form.get("library", type=int) or 0)
    device = device_rules.enable_device(session, library=library, staff=current_user, now=now,
                                   days=int(current_app.config["OFFLINE_DAYS"]), label=_("prepared as a file"))
    data = {"format": DEVICE_FILE_FORMAT, "version": 1, **_device_json(device),
            "pack": device_rules.build_pack(session, device, staff=current_user, now=now)}
    session.commit()
    response = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="hoclieu-offline-{library.code}-{now:%Y%m%d}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/staff/offline/devices/<uid>/revoke")
@roles_required(Role.LIBRARIAN)
def revoke(uid: str):
    session = get_session()
    device = device_rules.revoke_device(session, device_rules.get_device(session, uid), staff=current_user, now=utcnow())
    session.commit()
    if wants_json():
        return jsonify({"device": device.uid, "revoked": True})
    flash(_("Device {uid} is revoked: it can no longer sync.").format(uid=device.uid), "info")
    return redirect(url_for("offline.devices"), 303)


@bp.post("/staff/offline/devices/<uid>/extend")
@roles_required(Role.LIBRARIAN)
def extend(uid: str):
    session = get_session()
    device = device_rules.extend_device(session, device_rules.get_device(session, uid), staff=current_user, now=utcnow(),
                                   days=int(current_app.config["OFFLINE_DAYS"]))
    session.commit()
    flash(_("Device {uid} may sync until {when}.").format(uid=device.uid, when=show_time(device.expires_at)), "info")
    return redirect(url_for("offline.devices"), 303)


@bp.get("/staff/offline/desk")
@roles_required(Role.LIBRARIAN)
def desk():
    """The offline desk: a page that works from the device's data; the service worker keeps it."""
    groups = [(g, report_labels.label(report_labels.AGE_GROUPS, g)) for g in current_app.config["AGE_GROUPS"]]
    return render_template("offline/desk.html", groups=groups,
                           statuses={k: str(v) for k, v in labels.ITEM_STATUS.items()})


@bp.get("/staff/sw.js")
@roles_required(Role.LIBRARIAN)
def service_worker():
    """The service worker, at a stable URL whose scope (/staff/) covers the desk pages; it lists
    the hashed static files the desk page needs, so a new deployment installs a new worker (the
    browser fetches it with the session cookie: only the desk's staff get it)."""
    assets = [static_url(name) for name in SHELL_ASSETS]
    source = (Path(current_app.static_folder or "") / "offline" / "sw.js").read_text(encoding="utf-8")
    body = source.replace("/*ASSETS*/[]", json.dumps(assets)).replace("/*SHELL*/\"\"", json.dumps(url_for("offline.desk")))
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/staff/offline/token")
@roles_required(Role.LIBRARIAN)
def token():
    """A fresh CSRF token for the desk page kept by the service worker (its own may be days old)."""
    response = jsonify({"csrf_token": generate_csrf(), "user": current_user.id})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/staff/offline/sync")
@roles_required(Role.LIBRARIAN)
def sync_queue():
    """The device sends its signed queue; the answer is the sync report."""
    session = get_session()
    report = sync.apply_queue(session, request.get_data(), staff=current_user, now=utcnow(), source="sync",
                              **_options())
    session.commit()
    return jsonify({"report": report.id, "received": report.received, "applied": report.applied,
                    "conflicts": report.conflicts, "duplicates": report.duplicates,
                    "url": url_for("offline.report", report_id=report.id)})


@bp.post("/staff/offline/import")
@roles_required(Role.LIBRARIAN)
def import_queue():
    """A queue file carried by hand, imported at the centre: the same checks and report as a sync."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise QueueInvalid(N_("Choose the queue file exported from the device."), field="file")
    session = get_session()
    report = sync.apply_queue(session, upload.read(), staff=current_user, now=utcnow(), source="file", **_options())
    session.commit()
    flash(_("Imported: {applied} applied, {conflicts} need a decision, {duplicates} were already applied.").format(
        applied=report.applied, conflicts=report.conflicts, duplicates=report.duplicates), "info")
    return redirect(url_for("offline.report", report_id=report.id), 303)


@bp.get("/staff/offline/reports/<int:report_id>")
@roles_required(Role.LIBRARIAN)
def report(report_id: int):
    session = get_session()
    found = sync.get_report(session, report_id, staff=current_user)
    return render_template("offline/report.html", report=found, actions=sync.report_actions(session, found),
                           suggestions=sync.SUGGESTIONS, message=action_message)


def action_message(action) -> str:
    """Why an action could not apply, in the interface language."""
    if not action.message:
        return ""
    return translate_error(CatalogError(action.message, **(action.message_params or {})))


@bp.post("/staff/offline/actions/<int:action_id>/resolve")
@roles_required(Role.LIBRARIAN)
def resolve(action_id: int):
    session = get_session()
    action = sync.get_action(session, action_id)
    how = request.form.get("how", "")
    if how not in ("apply", "dismiss"):
        raise ValidationError(N_("Choose Apply again or Dismiss."), field="how")
    sync.resolve(session, action, how=how, staff=current_user, now=utcnow(), note=request.form.get("note", ""),
                 **_options())
    session.commit()
    flash(_("Applied.") if how == "apply" else _("Dismissed, with your note."), "info")
    return redirect(url_for("offline.report", report_id=action.report_id), 303)


def desk_text() -> dict:
    """What the offline desk's script says, in the interface language."""
    return {
        "online": _("Online"), "offline": _("Offline: no connection. Actions are kept on this device."),
        "waiting": _("{count} actions wait to sync."), "none_waiting": _("Nothing waits to sync."),
        "not_prepared": _("This device is not prepared for offline work. Prepare it on the circulation desk page "
                          "while online, or load a file prepared at the centre."),
        "expired": _("The offline data of this device expired on {when} and was removed."),
        "expired_queue": _("{count} actions are still kept: connect to sync them (a librarian may have to extend the "
                           "device), or export them as a file."),
        "unknown_card": _("No reader has the card {card} in this desk's data. Check the card."),
        "blocked": _("{name}'s card is blocked ({reason}): nothing can be lent."),
        "reader": _("{name} · card {card} · {count} on loan"),
        "scan_card_first": _("Scan the reader's card first."),
        "unknown_copy": _("Copy {barcode} is not in this desk's data: it cannot be lent here offline."),
        "on_loan": _("Copy {barcode} is on loan (due {due}): check it in first."),
        "twice": _("Copy {barcode} is already lent to this reader (scanned twice?)."),
        "not_lendable": _("Copy {barcode} is {status}: it cannot be lent."),
        "set_aside": _("Copy {barcode} is set aside for another reader's hold: lend another copy."),
        "too_many": _("{name} already has {count} copies on loan, the most allowed ({limit})."),
        "lent": _("Lent {barcode} “{title}” to {name}: due {due} (waits to sync)."),
        "returned": _("Checked in {barcode} “{title}” (waits to sync)."),
        "return_unexpected": _("Copy {barcode} is not on loan in this desk's data: the return is kept and checked at "
                               "sync."),
        "visits": _("Counted {count} visitors (waits to sync). Counted today on this device: {total}."),
        "syncing": _("Syncing…"),
        "synced": _("Synced: {applied} applied, {conflicts} need a decision, {duplicates} already applied."),
        "sync_failed": _("The sync did not go through: {reason}. The actions stay on this device."),
        "report": _("Open the sync report"),
        "exported": _("{count} actions exported to a file: import it at the centre (they stay here until synced)."),
        "nothing_to_export": _("Nothing waits: there is nothing to export."),
        "prepared": _("This device is ready for offline work at {library} until {when}."),
        "preparing": _("Preparing this device: downloading the desk's data…"),
        "prepare_failed": _("The device could not be prepared: {reason}"),
        "pending_first": _("{count} actions of this device have not synced yet: sync or export them before preparing "
                           "it again."),
        "bad_file": _("This is not a file prepared for an offline desk."),
        "signout_pending": _("{count} offline actions have not synced. Signing out removes them from this device. "
                             "Sign out anyway?"),
        "data": _("Desk data: {copies} copies, {readers} readers, prepared {when}."),
        "received": _("Checked in {barcode} from batch {batch} (waits to sync)."),
        "not_in_batch": _("Copy {barcode} is not in batch {batch}: it is kept and recorded as unexpected at sync."),
        "received_twice": _("Copy {barcode} has already been checked in (scanned twice?)."),
        "receipt_count": _("{scanned} of {total} copies of batch {batch} checked in."),
        "receipt_finished": _("Receipt of batch {batch} finished: {missing} copies not scanned will be recorded missing "
                              "at sync."),
        "receipt_empty": _("Scan the copies that arrived first."),
        "back_scanned": _("Checked in {barcode}, back from batch {batch} (waits to sync)."),
        "back_count": _("{scanned} of {total} copies of batch {batch} checked in back here."),
        "back_finished": _("Return check of batch {batch} finished: {missing} copies not scanned will be recorded "
                           "missing at sync."),
        "signed_out": _("Your session has ended (it expired, or you were signed out elsewhere): sign in again to "
                        "sync. Nothing is lost: the {count} actions waiting stay on this device and sync once you "
                        "are signed in."),
    }


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"offline_text": desk_text}
