"""Routes declared in one module and added to a blueprint defined in another, by an explicit call.

The staff blueprint (app/views/staff/records.py) gathers the pages of copies.py and readers.py:
each declares its routes on a `Routes()` table, and app/views/__init__.py adds the tables to the
blueprint, so no module needs to import another for the side effect of its decorators."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint


class Routes:
    """A list of (rule, view, options) that `add_to(bp)` turns into the blueprint's routes; the
    endpoint is the view's name, as with `@bp.route`."""

    def __init__(self) -> None:
        self.rules: list[tuple[str, Callable, dict]] = []

    def route(self, rule: str, **options) -> Callable[[Callable], Callable]:
        """Declare a route like `Blueprint.route`."""
        def declare(view: Callable) -> Callable:
            self.rules.append((rule, view, options))
            return view
        return declare

    def get(self, rule: str, **options) -> Callable[[Callable], Callable]:
        """Declare a GET route like `Blueprint.get`."""
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options) -> Callable[[Callable], Callable]:
        """Declare a POST route like `Blueprint.post`."""
        return self.route(rule, methods=["POST"], **options)

    def add_to(self, blueprint: Blueprint) -> None:
        """Add every declared route to `blueprint` (once, before it is registered)."""
        for rule, view, options in self.rules:
            blueprint.add_url_rule(rule, view_func=view, **options)
