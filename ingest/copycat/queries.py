"""What the cataloguer typed (an ISBN, or a title and an author) as PQF for Z39.50 (Bib-1 use
attributes: 7 ISBN, 4 title, 1003 author) and as CQL for SRU (bath.isbn, dc.title, dc.creator)."""
from __future__ import annotations

import dataclasses

from catalog.text import nfc
from ingest.marc.isbn import isbn13_to_10, normalise_isbn

MAX_TERM = 200


@dataclasses.dataclass(frozen=True)
class Query:
    """An ISBN search, or a title (and author) search; all text NFC."""

    isbn: str = ""
    title: str = ""
    author: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.isbn or self.title or self.author)

    def shown(self) -> str:
        """The query as the results page names it."""
        if self.isbn:
            return f"ISBN {self.isbn}"
        return " / ".join(part for part in (self.title, self.author) if part)


def parse_query(text: str, author: str = "") -> Query:
    """An ISBN when `text` is one (scanned EAN-13 or typed, hyphens allowed), else a title."""
    text, author = " ".join(nfc(text or "").split())[:MAX_TERM], " ".join(nfc(author or "").split())[:MAX_TERM]
    isbn = normalise_isbn(text) if text and not author else None
    if isbn:
        return Query(isbn=isbn)
    return Query(title=text, author=author)


def isbn_forms(isbn: str) -> list[str]:
    """ISBN-13 and, when it has one, its ISBN-10 (catalogues hold either)."""
    forms = [isbn]
    ten = isbn13_to_10(isbn) if len(isbn) == 13 else None
    if ten:
        forms.append(ten)
    return forms


def _pqf_term(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pqf_or(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"@or {terms[0]} {_pqf_or(terms[1:])}"


def to_pqf(query: Query) -> str:
    """Prefix Query Format with Bib-1 attributes (use; structure 1 = phrase for title/author)."""
    if query.isbn:
        return _pqf_or([f"@attr 1=7 {_pqf_term(form)}" for form in isbn_forms(query.isbn)])
    parts = []
    if query.title:
        parts.append(f"@attr 1=4 @attr 4=1 {_pqf_term(query.title)}")
    if query.author:
        parts.append(f"@attr 1=1003 @attr 4=1 {_pqf_term(query.author)}")
    return parts[0] if len(parts) == 1 else f"@and {parts[0]} {parts[1]}"


def _cql_term(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_cql(query: Query) -> str:
    """CQL with the bath and dc context sets most SRU servers (and ours) know."""
    if query.isbn:
        return " or ".join(f"bath.isbn={form}" for form in isbn_forms(query.isbn))
    parts = []
    if query.title:
        parts.append(f"dc.title={_cql_term(query.title)}")
    if query.author:
        parts.append(f"dc.creator={_cql_term(query.author)}")
    return " and ".join(parts)
