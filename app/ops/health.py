"""Health checks: what /healthz runs, and the words it may show anyone (never exception text)."""
from __future__ import annotations

import logging
from typing import Callable

from flask import Flask

log = logging.getLogger(__name__)


class HealthProblem(Exception):
    """A check failed; args[0] says what, in words safe to show anyone."""


def register(app: Flask, name: str, check: Callable[[Flask], None]) -> None:
    """Run `check(app)` in /healthz; it raises HealthProblem (or anything) when unhealthy."""
    app.extensions.setdefault("health_checks", {})[name] = check


def run_checks(app: Flask) -> dict[str, str]:
    """"ok" or "error: <what>" per registered check; details go to the log only."""
    checks = {}
    for name, check in app.extensions.get("health_checks", {}).items():
        try:
            check(app)
            checks[name] = "ok"
        except HealthProblem as problem:
            log.warning("health check %s: %s", name, problem.args[0], exc_info=problem.__cause__ is not None)
            checks[name] = f"error: {problem.args[0]}"
        except Exception:  # process edge: report, do not raise, and show no internals
            log.exception("health check %s failed", name)
            checks[name] = "error: no answer"
    return checks
