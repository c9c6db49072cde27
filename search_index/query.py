"""Searching: parsed queries become Whoosh queries; a searcher opened per call returns plain data.

Ranking: each word matches the exact fields (its marks as typed) and the folded fields; the exact
fields carry the larger boosts, so "đường" ranks "Đường về quê mẹ" above "Dương" and "duong".
Phrases of a plain query add to the score when they occur as typed (syllables in a row).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from whoosh import query as Q

from catalog.text import isbn_forms, normalise
from search_index.analysis import exact_term, folded_term
from search_index.facets import bits_of, cache_for, count_facets, docnums_of
from search_index.highlight import snippet_for
from search_index.ranking import PlainRanker
from search_index.parsing import Clause, ParsedQuery, parse_query
from search_index.schema import FACET_FIELDS, PHRASE_GROUPS, TEXT_GROUPS
from search_index.writer import open_index

SORTS = ("relevance", "newest", "oldest", "title")
FACET_TOP = {"subject": 20}
MAX_PER_PAGE = 100
GROUPS = tuple(group for group, _exact, _folded in TEXT_GROUPS)
EXACT_GROUPS = frozenset(group for group, exact, _folded in TEXT_GROUPS if exact is not None)


@dataclasses.dataclass
class Hit:
    id: int
    title: str
    authors: list[str]
    year: int | None
    type: str
    language: list[str]
    has_digital: bool
    holdings: list[dict]
    snippet: str
    subjects: list[str]
    publisher: str
    score: float | None = None
    pages: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class FacetValue:
    value: str
    count: int
    is_selected: bool = False


@dataclasses.dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    notes: list[tuple[str, dict]]
    query: ParsedQuery
    sort: str
    filters: list[tuple[str, str]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _word_query(word: str, groups: tuple[str, ...], *, pages: bool) -> Q.Query:
    exact, folded = exact_term(word), folded_term(word)
    terms: list[Q.Query] = []
    for group in groups:
        if exact != folded and group in EXACT_GROUPS:
            terms.append(Q.Term(group, exact))
        terms.append(Q.Term(group + "_f", folded))
    if pages:
        terms.append(Q.Term("pages_f", folded))
    return Q.Or(terms)


def _phrase_query(words: list[str], groups: tuple[str, ...], *, pages: bool) -> Q.Query:
    exact = [exact_term(w) for w in words]
    folded = [folded_term(w) for w in words]
    parts: list[Q.Query] = []
    for group in groups:
        if exact != folded and group in EXACT_GROUPS:
            parts.append(Q.Phrase(group, exact))
        if group in PHRASE_GROUPS:
            parts.append(Q.Phrase(group + "_f", folded))
        else:  # free text keeps no positions: all the words, in any order
            parts.append(Q.And([Q.Term(group + "_f", w) for w in folded]))
    if pages:
        parts.append(Q.Phrase("pages_f", folded))
    return Q.Or(parts)


def clause_query(clause: Clause) -> Q.Query:
    """The Whoosh query of one clause."""
    groups = (clause.field,) if clause.field else GROUPS
    everywhere = clause.field is None
    if clause.kind == "words":
        return _word_query(clause.words[0], groups, pages=everywhere)
    if clause.kind == "phrase":
        return _phrase_query(clause.words, groups, pages=everywhere)
    if clause.kind == "code":
        value = normalise(clause.value)
        if clause.field == "isbn":
            forms = isbn_forms(value) or [value.replace("-", "").upper()]
        elif clause.field == "issn":
            forms = [value.replace("-", "").upper()]
        else:
            forms = [value.lower()]
        return Q.Or([Q.Term(clause.field, form) for form in forms])
    if clause.kind == "year":
        return Q.NumericRange("year", clause.low, clause.high)
    return Q.Term("facet_" + clause.field, clause.value)


def build_query(parsed: ParsedQuery) -> Q.Query:
    """The scored Whoosh query: required groups AND-ed, negated ones removed, optional ones and
    phrase proximity adding to the score."""
    required = [_group_query(g) for g in parsed.required]
    negated = [_group_query(g) for g in parsed.negated]
    optional = [_group_query(g) for g in parsed.optional]
    if not required:
        required = optional or [Q.Every()]
        optional = []
    plain = [c.words[0] for g in parsed.groups for c in g
             if len(g) == 1 and c.kind == "words" and c.field is None and not c.negated]
    if len(plain) > 1:
        folded = [folded_term(w) for w in plain]
        optional.append(Q.Phrase("title_f", folded, boost=2.0))
        optional.append(Q.Phrase("author_f", folded, boost=1.5))
        optional.append(Q.Phrase("subject_f", folded))
        exact = [exact_term(w) for w in plain]
        if exact != folded:
            optional.append(Q.Phrase("title", exact, boost=2.0))
    result: Q.Query = required[0] if len(required) == 1 else Q.And(required)
    if negated:
        result = Q.AndNot(result, Q.Or(negated))
    if optional:
        result = Q.AndMaybe(result, Q.Or(optional))
    return result


def _group_query(group: list[Clause]) -> Q.Query:
    queries = [clause_query(c) for c in group]
    return queries[0] if len(queries) == 1 else Q.Or(queries)


def _match_bits(searcher, cache, parsed: ParsedQuery, scored: Q.Query) -> int:
    """The set of matching documents as a bit set (before facet filters)."""
    reader = searcher.reader()
    if parsed.is_empty:
        return cache.every(reader)
    if parsed.is_plain:
        required = parsed.required or parsed.optional
        bits = -1
        for group in required:
            bits &= cache.word_bits(reader, folded_term(group[0].words[0]))
            if not bits:
                return 0
        return bits
    return bits_of(sorted(searcher.docs_for_query(scored)))


def _filter_bits(facets: dict[str, dict[str, int]], filters: list[tuple[str, str]]) -> int | None:
    """Values of one facet are OR-ed, different facets AND-ed; None when there is no filter."""
    by_facet: dict[str, int] = {}
    for facet, value in filters:
        by_facet[facet] = by_facet.get(facet, 0) | facets.get(facet, {}).get(value, 0)
    if not by_facet:
        return None
    bits = -1
    for value_bits in by_facet.values():
        bits &= value_bits
    return bits


def parse_filters(raw: list[str]) -> list[tuple[str, str]]:
    """`f=FIELD:VALUE` parameters; unknown fields are dropped."""
    filters = []
    for item in raw:
        field, _sep, value = item.partition(":")
        field, value = field.strip(), normalise(value)
        if field in FACET_FIELDS and value and (field, value) not in filters:
            filters.append((field, value))
    return filters


def search(index_dir: Path | str, text: str | None, *, page: int = 1, per_page: int = 20,
           sort: str = "relevance", filters: list[tuple[str, str]] | None = None) -> SearchResult:
    """Search the catalogue: hits of one page, total, facet counts, notes and a suggestion."""
    from search_index.suggest import did_you_mean

    parsed = parse_query(text)
    filters = filters or []
    sort = sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    page = max(1, int(page or 1))
    scored = build_query(parsed)
    ix = open_index(index_dir)
    try:
        cache = cache_for(str(Path(index_dir).resolve()), ix.latest_generation())
        with ix.searcher() as searcher:
            reader = searcher.reader()
            facet_bits = cache.facet_bits(reader)
            match = _match_bits(searcher, cache, parsed, scored)
            filter_bits = _filter_bits(facet_bits, filters)
            if filter_bits is not None:
                match &= filter_bits
            total = match.bit_count()
            docs = _page_docs(searcher, cache, scored, match, filter_bits, parsed, sort, page, per_page, total)
            hits = [_hit(searcher, docnum, score, parsed) for docnum, score in docs]
            counts = count_facets(facet_bits, match, top=FACET_TOP)
            selected = set(filters)
            facets = {name: [FacetValue(v, c, (name, v) in selected) for v, c in values]
                      for name, values in counts.items()}
            suggestion = did_you_mean(searcher, cache, parsed, total, [searcher.stored_fields(d)["data"] for d, _s in docs],
                                      lambda words: _top_data(searcher, words))
    finally:
        ix.close()
    return SearchResult(total=total, page=page, per_page=per_page, hits=hits, facets=facets,
                        suggestion=suggestion, notes=parsed.notes, query=parsed, sort=sort, filters=filters)


def _top_data(searcher, words: list[str], limit: int = 10) -> list[dict]:
    """Stored data of the best hits of plain words (for suggestions)."""
    scored = build_query(parse_query(" ".join(words)))
    return [hit["data"] for hit in searcher.search(scored, limit=limit, terms=False)]


def _page_docs(searcher, cache, scored, match, filter_bits, parsed, sort, page, per_page, total):
    """(docnum, score) of the requested page."""
    start = (page - 1) * per_page
    if start >= total:
        return []
    if sort == "relevance" and parsed.is_plain and not parsed.is_empty:
        required = parsed.required or parsed.optional
        optional = parsed.optional if parsed.required else []
        ranker = PlainRanker(searcher, cache, [g[0].words[0] for g in required], [g[0].words[0] for g in optional],
                             [g[0].words[0] for g in parsed.groups])
        return ranker.rank(match, start, per_page)
    if sort == "relevance" and not parsed.is_empty:
        whoosh_filter = None
        if filter_bits is not None:
            whoosh_filter = set(docnums_of(match))
        results = searcher.search(scored, limit=start + per_page, filter=whoosh_filter, terms=False)
        return [(hit.docnum, hit.score) for hit in results[start:start + per_page]]
    order_key = "title" if sort == "title" else ("oldest" if sort == "oldest" else "newest")
    if sort == "relevance":
        order_key = "newest"
    wanted = start + per_page
    if total <= 2000:
        position = {d: i for i, d in enumerate(cache.sort_order(searcher, order_key))}
        ordered = sorted(docnums_of(match), key=lambda d: position.get(d, 0))
        return [(d, None) for d in ordered[start:wanted]]
    data = match.to_bytes((match.bit_length() + 7) >> 3, "little")
    found = []
    for docnum in cache.sort_order(searcher, order_key):
        byte = docnum >> 3
        if byte < len(data) and data[byte] >> (docnum & 7) & 1:
            found.append(docnum)
            if len(found) >= wanted:
                break
    return [(d, None) for d in found[start:wanted]]


def _hit(searcher, docnum: int, score, parsed: ParsedQuery) -> Hit:
    stored = searcher.stored_fields(docnum)
    data = stored["data"]
    return Hit(
        id=int(stored["id"]),
        title=data["title"],
        authors=data["authors"],
        year=data["year"],
        type=data["type"],
        language=data["language"],
        has_digital=data["has_digital"],
        holdings=data["holdings"],
        snippet=snippet_for(data, parsed.plain_words()),
        subjects=data["subjects"],
        publisher=data["publisher"],
        score=score,
    )

