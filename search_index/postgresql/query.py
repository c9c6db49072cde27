"""Searching search_document: parsed queries (search_index.parsing) become one SQL WHERE clause
of tsquery matches (GIN), code and facet arrays (GIN) and years; relevance is computed in SQL
with the Whoosh backend's weights (search_index.ranking): per word, its idf times the weight of
the best field holding it (exact marks in the title 6, folded title 4, exact author 3, folded
author 2.5, exact subject 2.5, folded subject 2, free text 0.8, page text 0.4), a bonus for the
words in a row in a title, author or subject, shorter titles first on ties; ORDER BY .. LIMIT.

The total is counted exactly up to COUNT_LIMIT matches and estimated past it, from the rate of
matches in the part of the table those took (SearchResult.total_approximate). Facet counts are
one GROUP BY over unnest(facets) of the match set; past FACET_SAMPLE matches they are counted
over the first FACET_SAMPLE and scaled, and the result says they are approximate
(SearchResult.facets_approximate). Both come from one scan of the first matches. Only the page
of hits is read into Python.
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
# The fields' and the pages' words together: what ix_search_document_words indexes (an expression
# index, so no column holds it twice); a query must spell it exactly so for the index to serve.
WORDS = "(d.folded || d.pages)"
PHRASE_WEIGHTS = "ABC"  # the groups whose words in a row are a phrase (the free text is matched word by word)
FACET_SAMPLE = 1_000  # exact facet counts up to this many matches; a scaled sample past it
# The total is counted exactly up to this many matches; past it, estimated (and said so:
# SearchResult.total_approximate). Counting every match of a broad query was a scan of the table;
# counting the first 2,000 instead of 1,000 made the median search at 1,000,000 records 40% slower.
COUNT_LIMIT = 1_000
# Plain words whose shares of the documents multiply to at least this are looked for by reading
# the table from its first page, not by intersecting their GIN entries: common words match
# together more often than independence says (the planner's guess), so the first COUNT_LIMIT + 1
# matches are a few thousand rows away ('lich su viet nam' at 1,000,000: 12 ms against 104 ms).
SEQUENTIAL_SHARE = 0.03
DF_SAMPLE = 2_000  # a word's documents counted for its idf; past it, estimated (estimate_matches)
FACET_TOP = {"subject": 20}
# The ranking considers at most this many candidates of a large match set (Whoosh: 3,000,
# search_index.ranking.SCORE_LIMIT); here the candidates are the first matches whose title holds
# every word when there are enough of them. 1,000: scoring is SQL over each candidate's vectors.
SCORE_LIMIT = 1000


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
        if weights:
            return f"d.folded @@ {self.tsquery(lexeme(folded) + ':' + weights)}"
        return self.anywhere(lexeme(folded))

    def anywhere(self, query: str) -> str:
        """Documents whose fields or pages match a tsquery of plain (unweighted) lexemes: one
        condition on one GIN index (ix_search_document_words), never an OR of two columns."""
        return f"{WORDS} @@ {self.tsquery(query)}"

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
            # Every word somewhere (the index condition), then where and in what order (rechecked).
            return (f"({self.anywhere(' & '.join(lexeme(w) for w in folded))} AND "
                    f"(d.folded @@ {in_a_row} OR d.folded @@ {body} OR d.pages @@ {pages}))")
        return f"d.codes && {self.array(code_forms(clause))}"


def code_forms(clause: Clause) -> list[str]:
    """The codes array values an ISBN (either length), ISSN or call number clause matches."""
    return [f"{clause.field}:{form}" for form in code_values(clause)]


def only_plain_words(parsed: ParsedQuery) -> list[str]:
    """The folded words of a query made only of required plain words (no field, phrase, code,
    alternative or negation), else []."""
    if not parsed.required or parsed.optional or parsed.negated:
        return []
    if not all(len(g) == 1 and g[0].kind == "words" and not g[0].field for g in parsed.required):
        return []
    return list(dict.fromkeys(folded_term(g[0].words[0]) for g in parsed.required))


def where(sql: Sql, parsed: ParsedQuery, filters: list[tuple[str, str]], titles: list[str] | None = None) -> str:
    """The WHERE clause of a query and its facet filters (values of one facet OR-ed, facets AND-ed);
    with `titles` (folded words), of its matches whose title also holds every one of them."""
    parts, anywhere = [], []
    for group in parsed.required or parsed.optional:
        if all(c.kind == "words" and not c.field for c in group):
            # Plain words: one tsquery for all of them, which GIN answers in one index scan.
            alternatives = list(dict.fromkeys(lexeme(folded_term(c.words[0])) for c in group))
            anywhere.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
            continue
        parts.append("(" + " OR ".join(sql.clause(c) for c in group) + ")")
    in_titles = None
    if titles:
        wanted = list(dict.fromkeys(lexeme(t) for t in titles))
        in_titles = f"d.title_words @@ {sql.tsquery(' & '.join(wanted))}"
        if set(anywhere) <= set(wanted):
            anywhere = []  # the words in the title are somewhere: one index condition, not two
    if anywhere:
        parts.insert(0, sql.anywhere(" & ".join(anywhere)))
    if in_titles:
        parts.insert(0, in_titles)
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


def count_facets(connection, sql: Sql, condition: str, count_limit: int = COUNT_LIMIT,
                 sequential: bool = False) -> tuple[int, bool, dict[str, list[tuple[str, int]]], bool]:
    """(total, is the total estimated, {facet: [(value, count)]}, are the counts estimated) of the
    match set, in one scan of its first count_limit + 1 matches (in the table's order): counted
    exactly up to count_limit, estimated past it (estimate_matches); facets over the first
    FACET_SAMPLE of them, scaled to the total past it; `sequential`: by reading the table, not
    through the GIN indexes (SEQUENTIAL_SHARE)."""
    # Rows in the table's order from its first page (a sequential or bitmap heap scan, not an
    # index walk by year; _Reading turns synchronised sequential scans off): what
    # estimate_matches relies on.
    plan = "SET LOCAL enable_indexscan = {0}" + ("; SET LOCAL enable_bitmapscan = {0}" if sequential else "")
    connection.execute(text(plan.format("off")))
    rows = connection.execute(text(
        f"WITH m AS MATERIALIZED (SELECT d.ctid AS at, d.facets FROM search_document d WHERE {condition} "
        f"LIMIT {int(count_limit) + 1}) "
        f"SELECT NULL, count(*), max((at::text::point)[0]) FROM m "
        f"UNION ALL SELECT f, count(*), NULL FROM (SELECT facets FROM m LIMIT {FACET_SAMPLE}) s, unnest(s.facets) f "
        f"GROUP BY f"), sql.params).all()
    connection.execute(text(plan.format("on")))
    counts: dict[str, list[tuple[str, int]]] = {}
    matched, last_block = 0, 0
    for value, count, block in rows:
        if value is None:
            matched, last_block = int(count), int(block or 0)
            continue
        facet, _sep, shown = value.partition(":")
        counts.setdefault(facet, []).append((shown, count))
    sampled = min(matched, FACET_SAMPLE)
    total, total_approximate = matched, False
    if matched > count_limit:
        total, total_approximate = estimate_matches(connection, matched, last_block), True
    approximate = total > sampled
    if approximate:
        scale = total / sampled
        counts = {f: [(v, max(1, round(c * scale))) for v, c in values] for f, values in counts.items()}
    out = {}
    for facet, values in counts.items():
        values.sort(key=lambda vc: (-vc[1], vc[0]))
        limit = FACET_TOP.get(facet)
        out[facet] = values[:limit] if limit else values
    return total, total_approximate, out, approximate


def estimate_matches(connection, matched: int, last_block: int) -> int:
    """How many documents match in all, from the first `matched` found in the table's first
    last_block + 1 pages (the same rate over the whole table), rounded to two significant
    figures; never below `matched` nor above the documents there are."""
    blocks, documents = connection.execute(text(
        "SELECT pg_relation_size('search_document') / current_setting('block_size')::int, "
        "reltuples FROM pg_class WHERE oid = 'search_document'::regclass")).one()
    estimate = matched * max(1, int(blocks)) / (last_block + 1)
    if documents and documents > 0:
        estimate = min(estimate, float(documents))
    return max(matched, round_figures(estimate))


def round_figures(value: float, figures: int = 2) -> int:
    """value rounded to this many significant figures (an estimate shown as what it is: 77,000)."""
    if value < 10 ** figures:
        return int(round(value))
    scale = 10 ** (len(str(int(value))) - figures)
    return int(round(value / scale) * scale)


def hit_fields(record_id: int, data: dict, parsed: ParsedQuery) -> dict:
    """The Hit (search_index.results) of a stored document."""
    return dict(id=int(record_id), title=data["title"], authors=data["authors"], year=data["year"], type=data["type"],
                language=data["language"], has_digital=data["has_digital"], holdings=data["holdings"],
                snippet=snippet_for(data, parsed.plain_words()), subjects=data["subjects"],
                publisher=data["publisher"])
