"""Home page and health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from app.db import get_session
from app.ops.health import run_checks
from app.ops.checks import detail, wants_detail
from catalog.reports.overview import database_answers, overview

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("index.html", overview=overview(get_session()))


@bp.get("/healthz")
def healthz():
    """200 when the database (and every registered check: the index, its backlog, the data
    folder) answers; the answer names what failed, never how (that goes to the log).
    ?detail=1 adds the figures behind it for a signed-in administrator."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if database_answers(get_session()) else "error: no answer"
    except Exception:  # process edge: report, do not raise
        current_app.logger.exception("health check database failed")
        checks["database"] = "error: no answer"
    checks.update(run_checks(current_app))
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if request.args.get("detail") and wants_detail():  # administrators only: counts, backend, folder
        body["detail"] = detail(current_app)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
