"""Searching search_document: parsed queries (search_index.parsing) become one SQL WHERE clause
of tsquery matches (GIN), code and facet arrays (GIN) and years; relevance is computed in SQL
with the Whoosh backend's weights (search_index.ranking): per word, its idf times the weight of
the best field holding it (exact marks in the title 6, folded title 4, exact author 3, folded
author 2.5, exact subject 2.5, folded subject 2, free text 0.8, page text 0.4), a bonus for the
words in a row in a title, author or subject, shorter titles first on ties; ORDER BY .. LIMIT.

Facet counts are one GROUP BY over unnest(facets) of the match set; past FACET_SAMPLE matches
they are counted over the first FACET_SAMPLE and scaled, and the result says they are
approximate (SearchResult.facets_approximate). Only the page of hits is read into Python.
"""
from __future__ import annotations

import math

from sqlalchemy import text

from search_index.analysis import exact_term, folded_term
from search_index.highlight import snippet_for
from search_index.parsing import Clause, ParsedQuery, code_values
from search_index.ranking import PHRASE_BONUS, STOP_WEIGHT
from search_index.schema import PAGES_BOOST, TEXT_GROUPS

WEIGHT = {"title": "A", "author": "B", "subject": "C", "body": "D"}
PHRASE_WEIGHTS = "ABC"  # the groups whose words in a row are a phrase (the free text is matched word by word)
FACET_SAMPLE = 5_000  # exact facet counts up to this many matches; a scaled sample past it
DF_LIMIT = 50_000  # documents counted for a word's idf at most (idf hardly moves past it)
FACET_TOP = {"subject": 20}
# Whoosh's ranking considers at most this many candidates of a large match set; here the
# candidates are the matches whose title holds every word when there are enough of them.
SCORE_LIMIT = 3000


def lexeme(word: str) -> str:
    """A tsquery/tsvector lexeme literal."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class Sql:
    """A WHERE clause being built, with its bound parameters."""

    def __init__(self) -> None:
        self.params: dict = {}

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def tsquery(self, query: str) -> str:
        return f"CAST({self.bind(query)} AS tsquery)"

    def array(self, values: list[str]) -> str:
        return f"CAST({self.bind(list(values))} AS text[])"

    def folded_word(self, folded: str, weights: str = "") -> str:
        """Documents holding a folded word in these field groups (all, with the pages, when none)."""
        if weights == "A":  # the title: its own column, no weights to recheck
            return f"d.title_words @@ {self.tsquery(lexeme(folded))}"
        term = lexeme(folded) + (":" + weights if weights else "")
        if weights:
            return f"d.folded @@ {self.tsquery(term)}"
        q = self.tsquery(term)
        return f"(d.folded @@ {q} OR d.pages @@ {q})"

    def clause(self, clause: Clause) -> str:
        if clause.kind == "words":
            folded = folded_term(clause.words[0])
            return self.folded_word(folded, WEIGHT[clause.field] if clause.field else "")
        if clause.kind == "year":
            parts = ["d.year > 0", "d.year < 10000"]
            if clause.low is not None:
                parts.append(f"d.year >= {self.bind(clause.low)}")
            if clause.high is not None:
                parts.append(f"d.year <= {self.bind(clause.high)}")
            return "(" + " AND ".join(parts) + ")"
        if clause.kind == "facet":
            return f"d.facets && {self.array([clause.field + ':' + clause.value])}"
        if clause.kind == "phrase":
            folded = [folded_term(w) for w in clause.words]
            if clause.field:
                weight = WEIGHT[clause.field]
                if clause.field == "title":
                    return f"d.title_words @@ {self.tsquery(' <-> '.join(lexeme(w) for w in folded))}"
                if clause.field == "body":
                    return f"d.folded @@ {self.tsquery(' & '.join(lexeme(w) + ':D' for w in folded))}"
                return f"d.folded @@ {self.tsquery(' <-> '.join(lexeme(w) + ':' + weight for w in folded))}"
            in_a_row = self.tsquery(" <-> ".join(lexeme(w) + ":" + PHRASE_WEIGHTS for w in folded))
            body = self.tsquery(" & ".join(lexeme(w) + ":D" for w in folded))
            pages = self.tsquery(" <-> ".join(lexeme(w) for w in folded))
            return f"(d.folded @@ {in_a_row} OR d.folded @@ {body} OR d.pages @@ {pages})"
        return f"d.codes && {self.array(code_forms(clause))}"


def code_forms(clause: Clause) -> list[str]:
    """The codes array values an ISBN (either length), ISSN or call number clause matches."""
    return [f"{clause.field}:{form}" for form in code_values(clause)]


def where(sql: Sql, parsed: ParsedQuery, filters: list[tuple[str, str]]) -> str:
    """The WHERE clause of a query and its facet filters (values of one facet OR-ed, facets AND-ed)."""
    parts = []
    for group in parsed.required or parsed.optional:
        parts.append("(" + " OR ".join(sql.clause(c) for c in group) + ")")
    for group in parsed.negated:
        for clause in group:
            parts.append(f"NOT COALESCE({sql.clause(clause)}, false)")
    by_facet: dict[str, list[str]] = {}
    for facet, value in filters:
        by_facet.setdefault(facet, []).append(f"{facet}:{value}")
    for values in by_facet.values():
        parts.append(f"d.facets && {sql.array(values)}")
    return " AND ".join(parts) or "true"


def _fields_by_weight(has_marks: bool, only: str | None) -> list[tuple[str, str, float]]:
    """(column, weight letter, boost) from the best to the least, as ranking._fields_by_weight."""
    fields = []
    for group, exact, folded in TEXT_GROUPS:
        if only and group != only:
            continue
        if exact is not None and has_marks:
            fields.append(("exact", WEIGHT[group], exact))
        fields.append(("folded", WEIGHT[group], folded))
    if not only:
        fields.append(("pages", "", PAGES_BOOST))
    return sorted(fields, key=lambda f: -f[2])


def ranking_words(parsed: ParsedQuery) -> tuple[list[tuple[str, str | None, float]], list[str]]:
    """((word, field group, weight factor) to score, the words in order for the phrase bonus),
    as search_index.query._ranked picks them."""
    positive = [g for g in parsed.groups if not g[0].negated]
    required = [(w, c.field) for g in positive if not g[0].is_optional for c in g for w in c.words]
    optional = [(w, c.field) for g in positive if g[0].is_optional for c in g for w in c.words]
    in_order = [w for g in positive for w in g[0].words]
    if required:
        weighted = [(w, f, 1.0) for w, f in required] + [(w, f, STOP_WEIGHT) for w, f in optional]
    else:
        weighted = [(w, f, 1.0) for w, f in optional]
    return weighted, in_order


def score_sql(sql: Sql, weighted, in_order: list[str], idf) -> str:
    """The relevance of a document (higher first), as SQL."""
    terms = []
    for word, only, factor in weighted:
        folded, exact = folded_term(word), exact_term(word)
        weight = idf(folded) * factor
        cases = []
        for column, letter, boost in _fields_by_weight(exact != folded, only):
            term = lexeme(exact if column == "exact" else folded) + (":" + letter if letter else "")
            cases.append(f"WHEN d.{column} @@ {sql.tsquery(term)} THEN {weight * boost!r}")
        terms.append("CASE " + " ".join(cases) + " ELSE 0 END")
    phrase = [folded_term(w) for w in in_order]
    if len(phrase) > 1:
        bonus = PHRASE_BONUS * sum(math.log(1 + idf.total) for _ in phrase)
        query = " <-> ".join(lexeme(w) + ":" + PHRASE_WEIGHTS for w in phrase)
        terms.append(f"CASE WHEN d.folded @@ {sql.tsquery(query)} THEN {bonus!r} ELSE 0 END")
    return "(" + " + ".join(terms or ["0"]) + " - 0.01 * d.title_len)"


ORDERS = {
    "newest": "d.newest_key, d.record_id",  # an index walk (ix_search_document_newest_key)
    "oldest": "CASE WHEN d.year > 0 AND d.year < 100000 THEN d.year ELSE 1000000000 END, d.record_id DESC",
    "title": "d.title_sort = '', d.title_sort COLLATE \"C\", d.record_id",
}


def page_rows(connection, sql: Sql, condition: str, order: str, offset: int, limit: int) -> list:
    """(record_id, data) of one page of the matches in this order."""
    statement = (f"SELECT d.record_id, d.data FROM search_document d WHERE {condition} "
                 f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}")
    return connection.execute(text(statement), sql.params).all()


def count_facets(connection, sql: Sql, condition: str) -> tuple[int, dict[str, list[tuple[str, int]]], bool]:
    """(total, {facet: [(value, count)]}, approximate) of the match set."""
    rows = connection.execute(text(
        f"SELECT f, count(*) FROM (SELECT d.facets FROM search_document d WHERE {condition} "
        f"LIMIT {FACET_SAMPLE}) s, unnest(s.facets) f GROUP BY f"), sql.params).all()
    counts: dict[str, list[tuple[str, int]]] = {}
    for value, count in rows:
        facet, _sep, shown = value.partition(":")
        counts.setdefault(facet, []).append((shown, count))
    sampled = sum(count for _value, count in counts.get("type", []))  # every document has one type
    total, approximate = sampled, False
    if sampled >= FACET_SAMPLE:
        total = connection.execute(text(f"SELECT count(*) FROM search_document d WHERE {condition}"),
                                   sql.params).scalar_one()
        approximate = total > sampled
        if approximate:
            scale = total / sampled
            counts = {f: [(v, max(1, round(c * scale))) for v, c in values] for f, values in counts.items()}
    out = {}
    for facet, values in counts.items():
        values.sort(key=lambda vc: (-vc[1], vc[0]))
        limit = FACET_TOP.get(facet)
        out[facet] = values[:limit] if limit else values
    return total, out, approximate


def hit_fields(record_id: int, data: dict, parsed: ParsedQuery) -> dict:
    """The Hit (search_index.results) of a stored document."""
    return dict(id=int(record_id), title=data["title"], authors=data["authors"], year=data["year"], type=data["type"],
                language=data["language"], has_digital=data["has_digital"], holdings=data["holdings"],
                snippet=snippet_for(data, parsed.plain_words()), subjects=data["subjects"],
                publisher=data["publisher"])
