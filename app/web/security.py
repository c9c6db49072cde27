"""Security headers on every response, and request-body limits set before anything reads a body.

Headers: a Content-Security-Policy without inline script, nosniff, no framing, a referrer policy
(all in config.py; a route may set its own before these apply). Bodies: every route accepts
MAX_REQUEST_BYTES; an upload route (UPLOAD_ENDPOINTS) accepts MAX_CONTENT_LENGTH, but only from a
signed-in account holding the route's role. This runs before CSRF protection reads the form, so
an anonymous 450 MB POST gets its 413 without being read or spooled to disk."""
from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

from catalog.accounts.users import Role


def may_upload(endpoint: str | None) -> bool:
    """Whether this request may send a large body: an upload route and a user with its role."""
    if endpoint not in current_app.config["UPLOAD_ENDPOINTS"] or not current_user.is_authenticated:
        return False
    roles = getattr(current_app.view_functions.get(endpoint), "allowed_roles", None)
    if roles is None:  # an upload route without roles_required never takes a large body
        return False
    return current_user.role == Role.ADMIN or current_user.role in roles


def limit_body() -> None:
    """Set this request's body limit from its endpoint and its user, before the body is read."""
    config = current_app.config
    limit = int(config["MAX_REQUEST_BYTES"])
    if may_upload(request.endpoint):
        limit = int(config["MAX_CONTENT_LENGTH"])
    request.max_content_length = limit


def add_headers(response: Response) -> Response:
    """The security headers, on HTML, JSON, files and errors alike."""
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", config["REFERRER_POLICY"])
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Register the body limit first among before_request functions (CSRF reads the form)."""
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)
    app.after_request(add_headers)
