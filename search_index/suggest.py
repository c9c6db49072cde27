"""“Did you mean” and autocomplete.

- A query typed without marks is offered the accented form its words have, in a row, in the
  titles, authors and subjects of the best hits ("duong ve" -> "đường về"); English words, written
  without marks anyway, give no suggestion.
- A query that finds little has each unknown word replaced by the indexed word within one or two
  edits that occurs most often with the other words ("thu vein" -> "thu vien"), then accented as
  above from the hits of the corrected words.
- Autocomplete reads the sorted autocomplete keys ("folded|shown") by folded prefix.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from catalog.text import fold, has_marks, normalise
from search_index.analysis import WORD, folded_term
from search_index.parsing import ParsedQuery
from search_index.schema import FOLDED_FIELDS
from search_index.writer import open_index

LITTLE = 3
AUTOCOMPLETE_KINDS = ("title", "author", "subject")


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) between two words."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _correct(reader, cache, words: list[str]) -> list[str]:
    """Folded words with each unknown one replaced by the indexed word within one (then two)
    edits that occurs most often together with the other words (then most often overall)."""
    folded = [folded_term(w) for w in words]
    bits = [cache.word_bits(reader, f) for f in folded]
    for position, word in enumerate(folded):
        if bits[position] or len(word) < 3:
            continue
        context = -1
        for other, other_bits in enumerate(bits):
            if other != position and other_bits:
                context &= other_bits
        best = None
        for distance in (1, 2):
            if distance == 2 and len(word) < 4:
                break
            candidates = set()
            for field in FOLDED_FIELDS:
                if field in reader.indexed_field_names():
                    candidates.update(reader.terms_within(field, word, distance, prefix=1))
            for candidate in sorted(candidates):
                candidate_bits = cache.word_bits(reader, candidate)
                together = (candidate_bits & context).bit_count()
                score = (together > 0, -edit_distance(word, candidate), together, candidate_bits.bit_count(), candidate)
                if best is None or score > best[0]:
                    best = (score, candidate, candidate_bits)
            if best and best[0][0]:
                break
        if best:
            folded[position], bits[position] = best[1], best[2]
    return folded


def _accented_sequence(words: list[str], shown: list[dict]) -> list[str] | None:
    """The written form of the folded `words` as they occur in a row in the hits' titles,
    authors or subjects (the most common one), e.g. ["duong", "ve"] -> ["đường", "về"]."""
    wanted = [folded_term(w) for w in words]
    counts: dict[tuple[str, ...], int] = {}
    for data in shown:
        for text in [data.get("title", ""), *data.get("authors", []), *data.get("subjects", [])]:
            tokens = [t.lower() for t in WORD.findall(normalise(text))]
            folded = [fold(t) for t in tokens]
            for start in range(len(tokens) - len(wanted) + 1):
                if folded[start:start + len(wanted)] == wanted:
                    key = tuple(tokens[start:start + len(wanted)])
                    counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    return list(max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0])


def did_you_mean(searcher, cache, parsed: ParsedQuery, total: int, shown: list[dict],
                 top_data: Callable[[list[str]], list[dict]]) -> str | None:
    """A better query, or None. `shown` is the stored data of the hits on the page; `top_data`
    gives the data of the best hits of another list of words."""
    reader = searcher.reader()
    return suggestion_for(parsed, total, shown, top_data, lambda words: _correct(reader, cache, words))


def suggestion_for(parsed: ParsedQuery, total: int, shown: list[dict], top_data: Callable[[list[str]], list[dict]],
                   correct: Callable[[list[str]], list[str]]) -> str | None:
    """The did-you-mean rules whichever backend answers: `correct(words)` gives the words' folded
    forms with unknown ones replaced by the nearest the index knows."""
    groups = [g for g in parsed.groups if not g[0].negated]
    if not groups or any(len(g) != 1 or c.kind not in ("words", "phrase") or c.field for g in groups for c in g):
        return None
    words = [w for g in groups for c in g for w in c.words]
    if total < LITTLE:
        corrected = correct(words)
        if corrected != [folded_term(w) for w in words]:
            sequence = _accented_sequence(corrected, top_data(corrected))
            suggestion = " ".join(sequence or corrected)
            return None if normalise(suggestion).lower() == normalise(parsed.text).lower() else suggestion
    if total and not any(has_marks(w) for w in words):
        sequence = _accented_sequence(words, shown)
        if sequence and sequence != words:
            return " ".join(sequence)
    return None


def autocomplete(index_dir: Path | str, prefix: str, *, limit: int = 10, ix=None) -> list[dict]:
    """Titles, authors and subjects starting with `prefix` (marks and case ignored); `ix` the
    index already open (then left open)."""
    words = WORD.findall(fold(normalise(prefix)))
    if not words:
        return []
    key = " ".join(words)
    found = []
    owned = ix is None
    if owned:
        ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for kind in AUTOCOMPLETE_KINDS:
                field = "ac_" + kind
                if field not in reader.indexed_field_names():
                    continue
                for index, term in enumerate(reader.expand_prefix(field, key)):
                    if index >= 200:
                        break
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    folded, _sep, shown = text.partition("\x1f")
                    if not (folded == key or folded.startswith(key)):
                        continue
                    found.append({"value": shown, "kind": kind, "count": reader.doc_frequency(field, term)})
    finally:
        if owned:
            ix.close()
    found.sort(key=lambda f: (-f["count"], len(f["value"]), f["value"]))
    seen, out = set(), []
    for item in found:
        if (item["kind"], item["value"]) not in seen:
            seen.add((item["kind"], item["value"]))
            out.append(item)
    return out[:limit]
