"""Numbers from the request, bounded by what the database can hold: the `int` URL converter
(every `<int:...>` route) and the page number of list pages. Past the bound is 404 or 400, never
an OverflowError or a PostgreSQL "out of range" (500)."""
from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter, Map

from catalog.db import MAX_INTEGER
from catalog.errors import N_, ValidationError

_DIGITS = 18  # longer is past any bound here (and int() refuses more than 4,300 digits)


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's `int` with a maximum by default: a larger number matches no route (404)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (Werkzeug's names)
                 max: int | None = MAX_INTEGER, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_arg(per_page: int, name: str = "page") -> int:
    """The page number in the query string: 1 when missing, not a number or below 1; a page whose
    first row lies past the database's integer range is refused (400) with a message."""
    raw = request.args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    largest = MAX_INTEGER // max(1, per_page)
    page = int(raw) if len(raw) <= _DIGITS else largest + 1
    if page > largest:
        raise ValidationError(N_("The page number must be a whole number from 1 to {largest}."), field=name,
                              largest=largest)
    return max(1, page)
