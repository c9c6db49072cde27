"""Links built from catalogue data (856 $u and the like): only http, https and mailto are links.

An imported record can carry `javascript:alert(1)`, `JaVaScRiPt:`, ` \\x01javascript:` or
`data:text/html,...`; browsers drop leading spaces and control characters and tabs or newlines
anywhere before reading the scheme, so the check does the same and returns the URL as the
browser would read it. Templates use the `safe_link` filter and show the text without a link
when it answers None."""
from __future__ import annotations

import re

from flask import Flask

ALLOWED_SCHEMES = ("http", "https", "mailto")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def safe_link(url: object) -> str | None:
    """The URL if it is an absolute http(s) or mailto link, else None (not to be linked)."""
    if not isinstance(url, str):
        return None
    cleaned = _TAB_OR_NEWLINE.sub("", url).strip("".join(chr(c) for c in range(0x21)))
    match = _SCHEME.match(cleaned)
    if match is None or match.group(1).lower() not in ALLOWED_SCHEMES:
        return None
    if match.group(1).lower() != "mailto" and not cleaned[match.end():].startswith("//"):
        return None  # "http:foo" is a relative path to some browsers
    return cleaned


ECHO_CHARS = 80


def echo(words: object, limit: int = ECHO_CHARS) -> str:
    """A visitor's words shown back in a heading or title, cut to `limit` characters with "…"."""
    text = " ".join(str(words or "").split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def init_app(app: Flask) -> None:
    """Make `safe_link` and `echo` template filters."""
    app.jinja_env.filters["safe_link"] = safe_link
    app.jinja_env.filters["echo"] = echo
