"""Domain errors and HTTP errors mapped to status codes and messages, in one place."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from catalog.audit import log_change
from catalog.db import utcnow
from catalog.errors import CatalogError, PermissionDenied

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, message: str, field: str | None = None):
    if wants_json():
        body = {"error": message}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def translate_error(error: CatalogError) -> str:
    """The error's message in the interface language."""
    return _(error.template).format(**{name: _shown(name, value) for name, value in error.params.items()})


def _shown(name: str, value: object) -> object:
    """A message parameter in the reader's terms: a date in the library's zone, a code as words."""
    from app.display.dates import show_date
    from app.display.labels import message_param

    if isinstance(value, dt.date):
        return show_date(value)
    return message_param(name, value)


def _catalog_error(error: CatalogError):
    from app.db import get_session

    get_session().rollback()
    return _render(error.status, translate_error(error), error.field)


def log_refusal(reason: str) -> None:
    """Keep a refused request in the audit trail (action "denied", /staff/audit?action=denied):
    who, the method, path, query and form fields (never passwords), and why."""
    from app.db import session_factory

    user = current_user._get_current_object() if current_user.is_authenticated else None
    hidden = ("csrf_token", "password", "new_password", "confirm")
    fields = {k: v[:100] for k, v in request.form.items() if k not in hidden}
    after = {"method": request.method, "path": request.path, "args": request.args.to_dict(), "form": fields}
    with session_factory().begin() as db:  # its own transaction: the refused one was rolled back
        log_change(db, user, "request", None, "denied", None, after, utcnow(), note=reason)
    log.warning("refused %s %s for %s: %s", request.method, request.path, getattr(user, "username", "-"), reason)


def refuse(error: PermissionDenied):
    """403 for an action the user may not do, kept in the audit trail; every area's refusals
    come here (blueprints that flash other domain errors hand these on)."""
    from app.db import get_session

    get_session().rollback()
    log_refusal(error.message)
    return _render(403, translate_error(error), error.field)


def _integrity_error(_error: IntegrityError):
    from app.db import get_session

    get_session().rollback()
    return _render(409, _("This change conflicts with data saved at the same moment (a duplicate). Reload and try again."))


def _http_error(error: HTTPException):
    if error.code == 403 and current_user.is_authenticated:  # a role check (abort(403)) refused it
        from app.db import get_session

        get_session().rollback()
        log_refusal(f"the role {getattr(current_user.role, 'value', current_user.role)} may not use this page")
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do this."),
        404: _("Page not found."),
        405: _("This action is not allowed here."),
        413: _("The file is too large."),
    }
    code = error.code or 500
    if code >= 500:
        # Werkzeug's own text is English and says nothing a reader can act on.
        return _render(code, _("Something went wrong on our side. Please try again in a moment; "
                               "if it happens again, tell the library staff."))
    return _render(code, messages.get(code, error.description or error.name))


def init_app(app: Flask) -> None:
    app.register_error_handler(CatalogError, _catalog_error)
    app.register_error_handler(PermissionDenied, refuse)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(HTTPException, _http_error)
