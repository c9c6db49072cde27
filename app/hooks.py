"""After-commit hooks: subsystems that follow the database (the search index) catch up here.

Call after_commit(app) after a CLI command or background job commits; web requests that wrote
run it at teardown (registered by the subsystem itself)."""
from __future__ import annotations

import logging
from typing import Callable

from flask import Flask

log = logging.getLogger(__name__)


def register(app: Flask, hook: Callable[[Flask], None]) -> None:
    """Run `hook(app)` after every commit that may have changed records."""
    app.extensions.setdefault("after_commit_hooks", []).append(hook)


def after_commit(app: Flask) -> None:
    """Run every hook; a failing hook is logged, never raised (the database stays the truth and
    a later sync catches up, because changed records stay marked stale)."""
    for hook in app.extensions.get("after_commit_hooks", []):
        try:
            hook(app)
        except Exception:  # process edge: the commit already happened; the stale mark remains
            log.exception("after-commit hook %s failed", getattr(hook, "__name__", hook))
