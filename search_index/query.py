"""Searching: parsed queries become Whoosh queries; a searcher opened per call returns plain data.

Ranking: each word matches the exact fields (its marks as typed) and the folded fields; the exact
fields carry the larger boosts, so "đường" ranks "Đường về quê mẹ" above "Dương" and "duong".
Phrases of a plain query add to the score when they occur as typed (syllables in a row).
"""
from __future__ import annotations

from pathlib import Path

from whoosh import query as Q

from search_index.analysis import folded_term
from search_index.bits import positions
from search_index.facets import cache_for, count_facets
from search_index.highlight import snippet_for
from search_index.ranking import PlainRanker
from search_index.parsing import Clause, ParsedQuery, code_values, parse_query
from search_index.results import MAX_PER_PAGE, SORTS, FacetValue, Hit, SearchResult, parse_filters  # noqa: F401
from search_index.schema import PHRASE_GROUPS, TEXT_GROUPS
from search_index.writer import open_index

FACET_TOP = {"subject": 20}
GROUPS = tuple(group for group, _exact, _folded in TEXT_GROUPS)


def code_query(clause: Clause) -> Q.Query:
    """ISBN (either length), ISSN or call number/classification terms."""
    return Q.Or([Q.Term(clause.field, form) for form in code_values(clause)])


OCR_FUZZY_MIN_WORDS = 2  # one-syllable queries stay exact: one wrong letter would match too much
OCR_FUZZY_MIN_LETTERS = 3  # "ram" as "raam"; two-letter syllables ("he", "ba") are never guessed


def ocr_bits(searcher, cache, clause: Clause) -> int:
    """Documents whose page text holds the word with one letter wrong, as tesseract reads old
    scans ("thong" as "theng", "lieu" as "ligu"); the first letter kept. Cached like term sets."""
    if clause.kind != "words" or clause.field is not None:
        return 0
    folded = folded_term(clause.words[0])
    if len(folded) < OCR_FUZZY_MIN_LETTERS:
        return 0
    return cache.query_bits(searcher, ("ocr", folded),
                            Q.FuzzyTerm("pages_f", folded, maxdist=1, prefixlength=1))


def clause_bits(searcher, cache, clause: Clause) -> int:
    """The documents matching one clause, as a bit set (cached per index generation)."""
    reader = searcher.reader()
    if clause.kind == "words":
        folded = folded_term(clause.words[0])
        if clause.field is None:
            return cache.word_bits(reader, folded)
        return cache.term_bits(reader, clause.field + "_f", folded)
    if clause.kind == "year":
        return cache.year_bits(reader, clause.low, clause.high)
    if clause.kind == "facet":
        return cache.value_bits(reader, clause.field, clause.value)
    if clause.kind == "phrase":  # the folded phrase: exact-mark matches are a subset of it
        folded = [folded_term(w) for w in clause.words]
        groups = (clause.field,) if clause.field else GROUPS
        parts: list[Q.Query] = [
            Q.Phrase(g + "_f", folded) if g in PHRASE_GROUPS else Q.And([Q.Term(g + "_f", w) for w in folded])
            for g in groups
        ]
        if clause.field is None:
            parts.append(Q.Phrase("pages_f", folded))
        return cache.query_bits(searcher, ("phrase", clause.field, tuple(folded)), Q.Or(parts))
    return cache.query_bits(searcher, ("code", clause.field, clause.value), code_query(clause))


def match_bits(searcher, cache, parsed: ParsedQuery) -> int:
    """The documents matching the whole query (required groups AND-ed, each group's clauses
    OR-ed, negated groups removed), from bit sets: no walk over Whoosh's posting lists."""
    every = cache.every(searcher.reader())
    groups = parsed.required or parsed.optional
    # Several plain syllables: a page word may have one letter misread, as long as every syllable
    # is there (exactly or so) and one of them exactly; ranking puts these below the exact ones.
    tolerant = sum(1 for g in groups for c in g if c.kind == "words" and c.field is None) >= OCR_FUZZY_MIN_WORDS
    bits, anchored = every, 0
    for group in groups:
        group_bits = 0
        for clause in group:
            group_bits |= clause_bits(searcher, cache, clause)
        anchored |= group_bits
        if tolerant:
            for clause in group:
                group_bits |= ocr_bits(searcher, cache, clause)
        bits &= group_bits
        if not bits:
            return 0
    if tolerant:
        bits &= anchored
    for group in parsed.negated:
        for clause in group:
            bits &= ~clause_bits(searcher, cache, clause)
    return bits & every


def _filter_bits(cache, reader, filters: list[tuple[str, str]]) -> int | None:
    """Values of one facet are OR-ed, different facets AND-ed; None when there is no filter."""
    by_facet: dict[str, int] = {}
    for facet, value in filters:
        by_facet[facet] = by_facet.get(facet, 0) | cache.value_bits(reader, facet, value)
    if not by_facet:
        return None
    bits = -1
    for value_bits in by_facet.values():
        bits &= value_bits
    return bits


def search(index_dir: Path | str, text: str | None, *, page: int = 1, per_page: int = 20,
           sort: str = "relevance", filters: list[tuple[str, str]] | None = None, ix=None,
           cache_key: str | None = None) -> SearchResult:
    """Search the catalogue: hits of one page, total, facet counts, notes and a suggestion.
    `ix`: the index already open (search_index.whoosh_backend keeps one; each searcher still
    reads the newest generation), `cache_key` its resolved path."""
    from search_index.suggest import did_you_mean

    parsed = parse_query(text)
    filters = filters or []
    sort = sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    page = max(1, int(page or 1))
    owned = ix is None
    if owned:
        ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            generation = searcher.reader().generation()  # None for an index with no segment yet
            cache = cache_for(cache_key or str(Path(index_dir).resolve()), -1 if generation is None else generation,
                              ix, searcher.reader())
            reader = searcher.reader()
            match = match_bits(searcher, cache, parsed)
            filter_bits = _filter_bits(cache, reader, filters)
            if filter_bits is not None:
                match &= filter_bits
            total = match.bit_count()
            docs = _page_docs(searcher, cache, match, parsed, sort, page, per_page, total)
            hits = [_hit(searcher, cache, docnum, score, parsed) for docnum, score in docs]
            counts, facets_approximate = count_facets(cache, reader, match, top=FACET_TOP)
            selected = set(filters)
            facets = {name: [FacetValue(v, c, (name, v) in selected) for v, c in values]
                      for name, values in counts.items()}
            suggestion = did_you_mean(searcher, cache, parsed, total, [cache.stored_fields(searcher, d)["data"] for d, _s in docs],
                                      lambda words: _top_data(searcher, cache, words))
    finally:
        if owned:
            ix.close()
    return SearchResult(total=total, page=page, per_page=per_page, hits=hits, facets=facets,
                        suggestion=suggestion, notes=parsed.notes, query=parsed, sort=sort, filters=filters,
                        facets_approximate=facets_approximate)


def _top_data(searcher, cache, words: list[str], limit: int = 10) -> list[dict]:
    """Stored data of the best hits of plain words (for suggestions)."""
    parsed = parse_query(" ".join(words))
    match = match_bits(searcher, cache, parsed)
    return [cache.stored_fields(searcher, d)["data"] for d, _s in _ranked(searcher, cache, parsed, match, 0, limit)]


def _ranked(searcher, cache, parsed: ParsedQuery, match: int, start: int, count: int):
    """Relevance order (see ranking.py) over the words of the query's positive clauses."""
    positive = [g for g in parsed.groups if not g[0].negated]
    required = [(w, c.field) for g in positive if not g[0].is_optional for c in g for w in c.words]
    optional = [(w, c.field) for g in positive if g[0].is_optional for c in g for w in c.words]
    in_order = [w for g in positive for w in g[0].words]
    if not required and not optional:  # only codes, years or facets: newest first
        return _sorted_page(searcher, cache, match, "newest", start, count)
    ranker = PlainRanker(searcher, cache, required or optional, optional if required else [], in_order)
    return ranker.rank(match, start, count)


def _page_docs(searcher, cache, match, parsed, sort, page, per_page, total):
    """(docnum, score) of the requested page."""
    start = (page - 1) * per_page
    if start >= total:
        return []
    if sort == "relevance" and not parsed.is_empty:
        return _ranked(searcher, cache, parsed, match, start, per_page)
    order_key = {"title": "title", "oldest": "oldest"}.get(sort, "newest")
    return _sorted_page(searcher, cache, match, order_key, start, per_page)


def _sorted_page(searcher, cache, match, order_key, start, count):
    wanted = start + count
    if match.bit_count() <= 2000:
        rank = cache.sort_rank(searcher, order_key)
        ordered = sorted(positions(match), key=rank.__getitem__)
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


def _hit(searcher, cache, docnum: int, score, parsed: ParsedQuery) -> Hit:
    stored = cache.stored_fields(searcher, docnum)
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

