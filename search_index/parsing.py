"""The user's query language, parsed by hand so that no input can fail:

plain words (all must match), "quoted phrases", fielded terms (title:, author:, subject:, isbn:,
issn:, year:2010-2020, type:, language:, library:), OR between terms, NOT / -term. Anything odd
(an unbalanced quote, a lone `title:`, a flood of characters) is read as well as it can be and
noted in `ParsedQuery.notes`, which the page shows as a clear message.
"""
from __future__ import annotations

import dataclasses
import re

from catalog.errors import N_
from catalog.text import has_marks, isbn_forms, normalise, words
from search_index.analysis import ENGLISH_STOP_WORDS

MAX_QUERY_CHARS = 300
MAX_CLAUSES = 24
TEXT_FIELDS = {
    "title": "title", "ti": "title", "nhande": "title",
    "author": "author", "au": "author", "tacgia": "author",
    "subject": "subject", "su": "subject", "chude": "subject",
}
CODE_FIELDS = {"isbn": "isbn", "issn": "issn", "callno": "callno", "call": "callno"}
FACET_QUERY_FIELDS = {"type": "type", "language": "language", "lang": "language", "library": "library"}
YEAR_FIELDS = {"year": "year", "nam": "year"}
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?P<close>"?)|(?P<word>[^\s"]*))'
)


@dataclasses.dataclass
class Clause:
    """One thing to match: words (a phrase when is_phrase), a code, a year range or a facet."""

    kind: str  # words | phrase | code | year | facet
    field: str | None = None  # text field group or code/facet field; None = everywhere
    words: list[str] = dataclasses.field(default_factory=list)
    value: str = ""
    low: int | None = None
    high: int | None = None
    negated: bool = False
    is_optional: bool = False

    @property
    def has_marks(self) -> bool:
        return any(has_marks(w) for w in self.words)


@dataclasses.dataclass
class ParsedQuery:
    """Groups of clauses: each group is required (its clauses OR-ed), negated or optional."""

    groups: list[list[Clause]]
    notes: list[tuple[str, dict]]
    text: str

    @property
    def required(self) -> list[list[Clause]]:
        return [g for g in self.groups if not g[0].negated and not g[0].is_optional]

    @property
    def negated(self) -> list[list[Clause]]:
        return [g for g in self.groups if g[0].negated]

    @property
    def optional(self) -> list[list[Clause]]:
        return [g for g in self.groups if g[0].is_optional and not g[0].negated]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def plain_words(self) -> list[str]:
        """Every positive word of the query (for snippets, page numbers and suggestions)."""
        return [w for g in self.groups if not g[0].negated for c in g for w in c.words]


def parse_query(text: str | None) -> ParsedQuery:
    """Parse what a user typed; never raises."""
    notes: list[tuple[str, dict]] = []
    text = normalise(text or "")
    if len(text) > MAX_QUERY_CHARS:
        notes.append((N_("Your search was shortened to its first {limit} characters."), {"limit": MAX_QUERY_CHARS}))
        text = text[:MAX_QUERY_CHARS]
    groups: list[list[Clause]] = []
    join_next = False
    negate_next = False
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _TOKEN.match(text, position)
        position = max(match.end(), position + 1)
        raw = match.group(0)
        if raw == "OR" and groups:
            join_next = True
            continue
        if raw in ("AND", "&&"):
            continue
        if raw == "NOT":
            negate_next = True
            continue
        clauses = _clauses(match, notes)
        if not clauses:
            continue
        negated = negate_next or bool(match.group("neg") and (match.group("word") or match.group("phrase")))
        negate_next = False
        for clause in clauses:
            clause.negated = negated
        if join_next and not negated and groups and not groups[-1][0].negated:
            groups[-1].extend(clauses[:1])
            groups.extend([c] for c in clauses[1:])
        else:
            groups.extend([c] for c in clauses)
        join_next = False
        if len(groups) >= MAX_CLAUSES:
            notes.append((N_("Only the first {limit} words of your search were used."), {"limit": MAX_CLAUSES}))
            break
    _make_stop_words_optional(groups)
    return ParsedQuery(groups=groups, notes=notes, text=text)


def _clauses(match: re.Match, notes: list) -> list[Clause]:
    field = (match.group("field") or "").lower()
    phrase = match.group("phrase")
    value = phrase if phrase is not None else (match.group("word") or "")
    if phrase is not None and not match.group("close"):
        notes.append((N_("A quotation mark was not closed; the rest of the search was read as a phrase."), {}))
    if field and not value.strip():
        notes.append((N_("“{field}:” needs something after it, for example {field}:Hà Nội; it was ignored."),
                      {"field": field}))
        return []
    if field in YEAR_FIELDS:
        return _year(value, notes)
    if field in CODE_FIELDS:
        return [Clause(kind="code", field=CODE_FIELDS[field], value=value.strip())]
    if field in FACET_QUERY_FIELDS:
        return [Clause(kind="facet", field=FACET_QUERY_FIELDS[field], value=value.strip())]
    if not field and phrase is None and re.fullmatch(r"[0-9][0-9\-]{8,16}[0-9Xx]", value) and isbn_forms(value):
        return [Clause(kind="code", field="isbn", value=value)]
    if not field and phrase is None and re.fullmatch(r"\d{4}-\d{3}[\dXx]", value):
        return [Clause(kind="code", field="issn", value=value)]
    group = TEXT_FIELDS.get(field)
    if field and group is None:
        value = match.group(0).lstrip("-")  # not a field we know: "Chú ý:" is just words
    found = words(value)
    if not found:
        return []
    if phrase is not None and len(found) > 1:
        return [Clause(kind="phrase", field=group, words=found)]
    return [Clause(kind="words", field=group, words=[w]) for w in found]


def _year(value: str, notes: list) -> list[Clause]:
    found = re.fullmatch(r"\s*(\d{1,4})?\s*(?:(-|\.\.)\s*(\d{1,4})?)?\s*", value)
    if not found or not (found.group(1) or found.group(3)):
        notes.append((N_("“year:{value}” is not a year or a range such as year:2010-2020; it was ignored."),
                      {"value": value}))
        return []
    low = int(found.group(1)) if found.group(1) else None
    high = int(found.group(3)) if found.group(3) else (None if found.group(2) else low)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return [Clause(kind="year", field="year", low=low, high=high)]


def _make_stop_words_optional(groups: list[list[Clause]]) -> None:
    """English function words typed without marks only add to the score (unless they are all
    there is), so "the history of vietnam" finds "History of Vietnam"."""
    def is_stop(group: list[Clause]) -> bool:
        clause = group[0]
        return (len(group) == 1 and clause.kind == "words" and not clause.negated
                and clause.words[0] in ENGLISH_STOP_WORDS)

    positive = [g for g in groups if not g[0].negated]
    if any(not is_stop(g) for g in positive):
        for group in positive:
            if is_stop(group):
                group[0].is_optional = True


def code_values(clause: Clause) -> list[str]:
    """The index values an ISBN (either length), ISSN or call number/classification clause
    matches, as every backend stores them."""
    value = normalise(clause.value)
    if clause.field == "isbn":
        return isbn_forms(value) or [value.replace("-", "").upper()]
    if clause.field == "issn":
        return [value.replace("-", "").upper()]
    return [value.lower()]
