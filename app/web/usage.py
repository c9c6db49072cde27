"""Online use counted without personal data (catalog.reports.usage daily counters).

- session: once per browser session, marked by a flag in the signed Flask session cookie (no id,
  no IP address, nothing about the person is stored);
- search and record_view: after a successful request to the endpoints in USAGE_ENDPOINTS.
Reads and downloads of digital objects are counted where they are served (the scans area).
Counting never breaks a page: a failed count is logged and the response goes out. The uses are
noted in after_request (the session flag must reach the cookie) and written once the request's
own session is closed (app.db.after_release), so a request never holds two pooled connections.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, g, request, session

from app.display.dates import library_today
from app.db import after_release
from catalog.reports.usage import commit_without_waiting_for_disk, count_use

log = logging.getLogger(__name__)
FLAG = "counted"
# Endpoint -> usage kind (config.py USAGE_ENDPOINTS overrides).
ENDPOINTS = {"opac.search": "search", "opac.api_search": "search", "opac.record_detail": "record_view"}
# Never counted as a visit to the site: machines and assets.
SKIPPED = ("static", "main.healthz")


def _uses(response) -> list[tuple[str, str]]:
    if request.method != "GET" or response.status_code >= 400 or request.endpoint in (None, *SKIPPED):
        return []
    uses = []
    if response.mimetype == "text/html" and not session.get(FLAG):
        session[FLAG] = True
        uses.append(("session", ""))
    kind = current_app.config.get("USAGE_ENDPOINTS", ENDPOINTS).get(request.endpoint)
    if kind:
        record_id = (request.view_args or {}).get("record_id")
        uses.append((kind, f"record:{record_id}" if kind == "record_view" and record_id else ""))
    return uses


def _note(response):
    if current_app.config.get("USAGE_COUNTING", True):
        g.usage_pending = _uses(response)
    return response


def _count(_exc: BaseException | None) -> None:
    uses = g.pop("usage_pending", None)
    if not uses:
        return
    try:
        with current_app.extensions["session_factory"].begin() as db:
            commit_without_waiting_for_disk(db)
            for kind, subject in uses:
                count_use(db, kind, library_today(), subject)
    except Exception:  # process edge: a lost count must not cost the reader the page
        log.exception("usage count failed")


def init_app(app: Flask) -> None:
    app.after_request(_note)
    after_release(app, _count)
