"""Home page and health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from app.db import get_session
from app.health import run_checks
from catalog.overview import database_answers, overview

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("index.html", overview=overview(get_session()))


@bp.get("/healthz")
def healthz():
    """200 when the database (and every registered check, such as the index) answers; the
    answer names what failed, never how (that goes to the log)."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if database_answers(get_session()) else "error: no answer"
    except Exception:  # process edge: report, do not raise
        current_app.logger.exception("health check database failed")
        checks["database"] = "error: no answer"
    checks.update(run_checks(current_app))
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "error", checks=checks), 200 if healthy else 503
