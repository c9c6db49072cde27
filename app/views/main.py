"""Home page and health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from app.db import get_session
from catalog.overview import database_answers, overview

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("index.html", overview=overview(get_session()))


@bp.get("/healthz")
def healthz():
    """200 when the database (and every registered check, such as the index) answers."""
    checks: dict[str, str] = {}
    try:
        checks["database"] = "ok" if database_answers(get_session()) else "no answer"
    except Exception as exc:  # process edge: report, do not raise
        checks["database"] = f"error: {type(exc).__name__}"
    for name, check in current_app.extensions["health_checks"].items():
        try:
            check(current_app)
            checks[name] = "ok"
        except Exception as exc:  # process edge: report, do not raise
            checks[name] = f"error: {type(exc).__name__}: {exc}"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "error", checks=checks), 200 if healthy else 503
