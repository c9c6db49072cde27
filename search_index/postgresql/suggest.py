"""“Did you mean” and autocomplete on PostgreSQL, with the rules of search_index.suggest:
unknown words are replaced by a known word within one (then two) edits, the one found most
often with the other words, looked up through search_word's pg_trgm index; accents come from
the best hits' titles, authors and subjects. Autocomplete reads search_completion by folded
key prefix (a text_pattern_ops index)."""
from __future__ import annotations

from sqlalchemy import text

from catalog.text import fold, normalise
from search_index.analysis import WORD, folded_term
from search_index.parsing import ParsedQuery
from search_index.postgresql.query import Sql
from search_index.suggest import AUTOCOMPLETE_KINDS, edit_distance, suggestion_for

TRIGRAM_THRESHOLD = 0.1  # one edit in a four-letter word leaves a trigram similarity of about 0.1
MAX_CANDIDATES = 200
CANDIDATE_COUNTED = 5000
AUTOCOMPLETE_SCAN = 2000  # completions read per kind, at most, in key order
TOP_EDGE = "\U0010ffff"


def _count(connection, condition: str, params: dict) -> int:
    return connection.execute(text(f"SELECT count(*) FROM search_document d WHERE {condition}"), params).scalar_one()


def _known(connection, folded: str) -> bool:
    """Whether a document holds the word (the vocabulary first: an unknown word is answered by
    its primary key, never by a scan of the documents)."""
    if connection.execute(text("SELECT 1 FROM search_word WHERE word = :w LIMIT 1"), {"w": folded}).first() is None:
        return False
    sql = Sql()
    condition = sql.folded_word(folded)
    return connection.execute(text(f"SELECT 1 FROM search_document d WHERE {condition} LIMIT 1"),
                              sql.params).first() is not None


def _candidates(connection, word: str, distance: int) -> list[str]:
    connection.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD}"))
    found = connection.execute(text(
        "SELECT DISTINCT word FROM search_word WHERE word % :w AND left(word, 1) = left(:w, 1) "
        "AND abs(length(word) - length(:w)) <= :d LIMIT :n"), {"w": word, "d": distance, "n": MAX_CANDIDATES * 5}
    ).scalars().all()
    return sorted(w for w in found if w != word and edit_distance(word, w) <= distance)


def correct(connection, words: list[str]) -> list[str]:
    """Folded words with each unknown one replaced (see search_index.suggest._correct)."""
    folded = [folded_term(w) for w in words]
    known = [_known(connection, f) for f in folded]
    for position, word in enumerate(folded):
        if known[position] or len(word) < 3:
            continue
        context = [f for other, f in enumerate(folded) if other != position and known[other]]
        best = None
        for distance in (1, 2):
            if distance == 2 and len(word) < 4:
                break
            for candidate in _candidates(connection, word, distance)[:MAX_CANDIDATES]:
                sql = Sql()
                holds = sql.folded_word(candidate)
                together = " AND ".join(sql.folded_word(c) for c in context) or "true"
                row = connection.execute(text(  # counted over CANDIDATE_COUNTED documents at most
                    f"SELECT count(*) FILTER (WHERE {together}), count(*) FROM (SELECT * FROM search_document d "
                    f"WHERE {holds} LIMIT {CANDIDATE_COUNTED}) d"), sql.params).one()
                if not row[1]:
                    continue  # a word no document holds any more
                score = (row[0] > 0, -edit_distance(word, candidate), row[0], row[1], candidate)
                if best is None or score > best[0]:
                    best = (score, candidate)
            if best and best[0][0]:
                break
        if best:
            folded[position], known[position] = best[1], True
    return folded


def did_you_mean(connection, parsed: ParsedQuery, total: int, shown: list[dict], top_data) -> str | None:
    """A better query, or None (search_index.suggest's rules, with this backend's word list)."""
    return suggestion_for(parsed, total, shown, top_data, lambda words: correct(connection, words))


def autocomplete(connection, prefix: str, *, limit: int = 10) -> list[dict]:
    """Titles, authors and subjects whose folded form starts with the folded prefix."""
    words = WORD.findall(fold(normalise(prefix)))
    if not words or limit < 1:
        return []
    key = " ".join(words)
    found = []
    for kind in AUTOCOMPLETE_KINDS:
        rows = connection.execute(text(
            "SELECT shown, count(*) FROM (SELECT shown FROM search_completion WHERE kind = :kind "
            "AND key ~>=~ :low AND key ~<~ :high ORDER BY key LIMIT :scan) s GROUP BY shown"),
            {"kind": kind, "low": key, "high": key + TOP_EDGE, "scan": AUTOCOMPLETE_SCAN}).all()
        found += [{"value": shown, "kind": kind, "count": count} for shown, count in rows]
    found.sort(key=lambda f: (-f["count"], len(f["value"]), f["value"]))
    return found[:limit]


MASK_MIN_STEM = 2
MASK_SCANNED = 20_000
MASK_COUNTED = 200
GROUP_WEIGHTS = {"title": "A", "author": "B", "subject": "C", "body": "D"}


def masked_words(connection, field: str | None, pattern: str, limit: int) -> list[str]:
    """Folded words of the documents fitting a CQL masked word (* any letters, ? one), in one
    field group or in every text field and the page text, the most used first."""
    import re

    folded = folded_term(pattern)
    stem = re.split(r"[*?]", folded, maxsplit=1)[0]
    if len(stem) < MASK_MIN_STEM or limit < 1:
        return []
    shape = re.compile("".join(r"\w*" if ch == "*" else r"\w" if ch == "?" else re.escape(ch) for ch in folded))
    like = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params = {"like": like, "scan": MASK_SCANNED}
    only = ""
    if field:
        only, params["field"] = " AND field = :field", field
    words = connection.execute(text(
        f"SELECT DISTINCT word FROM search_word WHERE word LIKE :like ESCAPE '\\'{only} LIMIT :scan"), params
    ).scalars().all()
    fitting = sorted(w for w in words if shape.fullmatch(w))[:MASK_COUNTED]
    if not fitting:
        return []
    sql = Sql()
    columns = [f"(SELECT count(*) FROM search_document d WHERE "
               f"{sql.folded_word(w, GROUP_WEIGHTS.get(field, '') if field else '')})" for w in fitting]
    counts = connection.execute(text("SELECT " + ", ".join(columns)), sql.params).one()
    ranked = sorted(((w, c) for w, c in zip(fitting, counts) if c), key=lambda wc: (-wc[1], wc[0]))
    return [w for w, _c in ranked[:limit]]
