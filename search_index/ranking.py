"""Ranking plain-word queries from cached bit sets, without walking Whoosh's posting lists.

Whoosh scores by iterating every posting of every query term in Python: a word found in most of
a 100k catalogue ("học", "việt", "nam") costs hundreds of milliseconds. Plain-word queries (the
common case) are ranked here instead:

- score(doc) = sum over the words of idf(word) x the weight of the best field holding it, where
  exact-mark matches in titles, authors and subjects weigh more than folded ones (the same weights
  as the schema's field boosts), optional English stop words count a third, a title holding the
  words in a row (a phrase) adds a bonus, and shorter titles win ties;
- when a query matches more documents than are worth scoring, candidates are taken tier by tier
  (every word with its marks in the title, every word in the title, every word in title/author/
  subject, anything), shortest titles first within a tier.
- the phrase bonus counts the words in a row in the title, an author or a subject.

Queries with phrases, fields, OR or NOT are scored by Whoosh (see query.py).
"""
from __future__ import annotations

import heapq
import math

from search_index.analysis import WORD, exact_term, fold_word, folded_term
from search_index.bits import positions
from search_index.schema import PAGES_BOOST, TEXT_GROUPS

SCORE_LIMIT = 3000
RERANK_WINDOW = 60
PHRASE_BONUS = 0.6
STOP_WEIGHT = 1 / 3
BITS_PER_TEST = 75  # listing a bit set's positions costs about as much per 75 bits as testing one candidate


def _fields_by_weight(has_marks: bool, only: str | None = None) -> list[tuple[str, float]]:
    """(field, weight) from the best to the least (only one group's fields for `title:` etc.)."""
    fields = []
    for group, exact, folded in TEXT_GROUPS:
        if only and group != only:
            continue
        if exact is not None and has_marks:
            fields.append((group, exact))
        fields.append((group + "_f", folded))
    if not only:
        fields.append(("pages_f", PAGES_BOOST))
    return sorted(fields, key=lambda fw: -fw[1])


class PlainRanker:
    """Ranks the documents of a plain-word query (words already parsed and folded)."""

    def __init__(self, searcher, cache, words: list[tuple[str, str | None]], optional: list[tuple[str, str | None]],
                 phrase: list[str]) -> None:
        """`words` and `optional` are (word, field group or None) pairs; `phrase` the words in order."""
        self.phrase = phrase
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.words = words
        self.optional = optional
        self.total_docs = max(1, self.reader.doc_count())

    def _bits(self, field: str, word: str) -> int:
        term = exact_term(word) if not field.endswith("_f") else folded_term(word)
        return self.cache.term_bits(self.reader, field, term)

    def candidates(self, match: int, needed: int) -> int:
        """About SCORE_LIMIT documents of `match` most worth scoring (all of them if few)."""
        if match.bit_count() <= SCORE_LIMIT:
            return match
        title_all = match
        exact_all = match
        strong_all = match
        for word, _field in self.words:
            title_all &= self._bits("title_f", word)
            if exact_term(word) != folded_term(word):
                exact_all &= self._bits("title", word)
            strong_all &= self._bits("title_f", word) | self._bits("author_f", word) | self._bits("subject_f", word)
        exact_all &= title_all
        chosen = 0
        count = 0
        for tier in (exact_all, title_all, strong_all, match):
            tier &= ~chosen
            size = tier.bit_count()
            if count + size <= SCORE_LIMIT:
                chosen |= tier
                count += size
            else:
                chosen |= self._shortest(tier, SCORE_LIMIT - count)
                count = SCORE_LIMIT
            if count >= max(needed + RERANK_WINDOW, SCORE_LIMIT // 2):
                break
        return chosen

    def _shortest(self, bits: int, wanted: int) -> int:
        """`wanted` documents of `bits` with the shortest titles (by title-length bit sets), the
        first documents of a length where not all of them fit."""
        out = 0
        for _length, length_bits in self.cache.title_length_bits(self.reader):
            part = bits & length_bits
            size = part.bit_count()
            if size <= wanted:
                out |= part
                wanted -= size
            else:
                out |= _lowest(part, size, wanted)
                wanted = 0
            if not wanted:
                break
        return out

    def rank(self, match: int, start: int, count: int) -> list[tuple[int, float]]:
        """(docnum, score) of ranks start .. start+count."""
        needed = start + count
        pool = self.candidates(match, needed)
        # Every candidate is ranked, also one matched only by a code, a year or a facet term.
        docs = positions(pool)
        scores: dict[int, float] = dict.fromkeys(docs, 0.0)
        weighted = [(w, f, 1.0) for w, f in self.words] + [(w, f, STOP_WEIGHT) for w, f in self.optional]
        for word, only, weight_factor in weighted:
            holders = self.cache.word_frequency(self.reader, folded_term(word))
            idf = math.log(1 + self.total_docs / (1 + holders)) * weight_factor
            remaining, left = pool, docs  # the candidates not yet credited for this word (bits, list)
            marked = exact_term(word) != folded_term(word)
            for field, weight in _fields_by_weight(marked, only):
                if not remaining:
                    break
                hit = remaining & self._bits(field, word)
                if hit:
                    remaining &= ~hit
                    gain = idf * weight
                    if hit.bit_length() < BITS_PER_TEST * len(left):
                        credited = positions(hit)
                        for docnum in credited:
                            scores[docnum] += gain
                        if remaining:
                            credited = set(credited)
                            left = [d for d in left if d not in credited]
                        continue
                    # Each candidate tested in the hit's bytes: positions(hit) reads all the
                    # index's bits (2 ms at a million documents), each field again.
                    data = hit.to_bytes((hit.bit_length() + 7) >> 3, "little")
                    end = len(data)
                    still = []
                    for docnum in left:
                        at = docnum >> 3
                        if at < end and data[at] >> (docnum & 7) & 1:
                            scores[docnum] += gain
                        else:
                            still.append(docnum)
                    left = still
        lengths = self.cache.title_lengths(self.reader)
        size = len(lengths)
        adjusted = [(score - 0.01 * (lengths[d] if d < size else 0), -d) for d, score in scores.items()]
        window = [(-negative, score) for score, negative in heapq.nlargest(needed + RERANK_WINDOW, adjusted)]
        phrase = [folded_term(w) for w in self.phrase]
        if len(phrase) > 1:
            bonus = PHRASE_BONUS * sum(math.log(1 + self.total_docs) for _ in phrase)
            window = [(d, s + bonus if self._title_has_phrase(d, phrase) else s) for d, s in window]
            window.sort(key=lambda ds: (-ds[1], ds[0]))
        return [(d, s + 0.01 * (lengths[d] if d < size else 0)) for d, s in window[start:needed]]

    def _title_has_phrase(self, docnum: int, phrase: list[str]) -> bool:
        """The words in a row in the title, an author or a subject."""
        data = self.cache.stored_fields(self.searcher, docnum)["data"]
        size = len(phrase)
        for text in (data["title"], *data["authors"], *data["subjects"]):
            tokens = [fold_word(t) for t in WORD.findall(text)]
            if any(tokens[i:i + size] == phrase for i in range(len(tokens) - size + 1)):
                return True
        return False


def _lowest(bits: int, size: int, wanted: int) -> int:
    """About `wanted` (at least that many, a few more at most) of the lowest document numbers of
    `bits`, which holds `size` > wanted: the bits below a cut found by a few counts, without
    listing positions (a millisecond per 1,000 documents)."""
    span = bits.bit_length()
    width = max(64, span * wanted // size)
    low = bits & ((1 << width) - 1)
    count = low.bit_count()
    while count < wanted and width < span:
        width = min(span, max(width * 2, width * wanted // max(1, count) + 64))
        low = bits & ((1 << width) - 1)
        count = low.bit_count()
    for _ in range(2):  # closer from above: the documents are spread evenly enough
        if count <= wanted + wanted // 8 + 8:
            break
        narrower = max(64, width * (wanted + wanted // 16) // count)
        trial = bits & ((1 << narrower) - 1)
        trial_count = trial.bit_count()
        if trial_count < wanted:
            break
        width, low, count = narrower, trial, trial_count
    return low
