"""Facet counts and match sets as Python integers used as bit sets (bit n = document n).

Whoosh's own grouping walks every matching document in Python and takes over a second when a
query matches most of a 100k index. Here, once per index generation, each facet value's postings
become one bit set; a query's match set is another; a count is `(match & value).bit_count()`,
done in C. Term bit sets (the building blocks of plain-word queries) are cached too. Everything is
keyed by the index generation, so a new commit simply starts a fresh cache.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from search_index.schema import FACET_FIELDS, FOLDED_FIELDS

TERM_CACHE_SIZE = 2000
STORED_CACHE_SIZE = 5000
_CACHES: OrderedDict[tuple[str, int], IndexCache] = OrderedDict()
_CACHES_MUTEX = threading.Lock()


def bits_of(docnums) -> int:
    """A bit set from document numbers."""
    numbers = docnums if isinstance(docnums, list) else list(docnums)
    if not numbers:
        return 0
    buffer = bytearray((max(numbers) >> 3) + 1)
    for number in numbers:
        buffer[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(buffer, "little")


class IndexCache:
    """What is safe to keep for one index generation: facet value bit sets, term bit sets, sort
    keys per document."""

    def __init__(self, ix=None, generation: int = -1) -> None:
        self.ix = ix
        self.generation = generation
        self.mutex = threading.Lock()
        self.facets: dict[str, dict[str, int]] | None = None
        self.terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.sort_keys: dict[str, list] = {}
        self.all_docs: int | None = None
        self.lexicons: dict[str, object] = {}
        self.stored: OrderedDict[int, dict] = OrderedDict()
        self._reader = None

    def stored_fields(self, searcher, docnum: int) -> dict:
        """A document's stored fields. Whoosh reads the offsets of every document's stored fields
        each time a reader opens them (tens of ms at 100k documents), so one reader of this
        generation is kept for them (used under the mutex) and recent documents are remembered."""
        with self.mutex:
            found = self.stored.get(docnum)
            if found is not None:
                self.stored.move_to_end(docnum)
                return found
            if self._reader is None and self.ix is not None:
                reader = self.ix.reader()
                if reader.generation() == self.generation:
                    self._reader = reader
                else:  # a newer commit already: this generation's cache is about to go
                    reader.close()
            found = (self._reader or searcher).stored_fields(docnum)
            self.stored[docnum] = found
            while len(self.stored) > STORED_CACHE_SIZE:
                self.stored.popitem(last=False)
            return found

    def close(self) -> None:
        with self.mutex:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def facet_bits(self, reader) -> dict[str, dict[str, int]]:
        with self.mutex:
            if self.facets is None:
                facets = {}
                for facet in FACET_FIELDS:
                    field = "facet_" + facet
                    values = {}
                    if field in reader.indexed_field_names():
                        for term in reader.lexicon(field):
                            bits = bits_of(reader.postings(field, term).all_ids())
                            if bits:
                                values[term.decode("utf-8")] = bits
                    facets[facet] = values
                self.facets = facets
            return self.facets

    def term_bits(self, reader, field: str, text: str) -> int:
        key = (field, text)
        with self.mutex:
            if key in self.terms:
                self.terms.move_to_end(key)
                return self.terms[key]
        bits = 0
        if (field, text) in reader:
            bits = bits_of(reader.postings(field, text).all_ids())
        with self.mutex:
            self.terms[key] = bits
            while len(self.terms) > TERM_CACHE_SIZE:
                self.terms.popitem(last=False)
        return bits

    def word_bits(self, reader, folded: str) -> int:
        """Documents holding this folded word in any text field."""
        bits = 0
        for field in FOLDED_FIELDS:
            bits |= self.term_bits(reader, field, folded)
        return bits

    def query_bits(self, searcher, key: tuple, query) -> int:
        """Documents matching a Whoosh query (phrases, codes), cached like term bit sets."""
        with self.mutex:
            if key in self.terms:
                self.terms.move_to_end(key)
                return self.terms[key]
        bits = bits_of(sorted(searcher.docs_for_query(query)))
        with self.mutex:
            self.terms[key] = bits
            while len(self.terms) > TERM_CACHE_SIZE:
                self.terms.popitem(last=False)
        return bits

    def year_bits(self, reader, low: int | None, high: int | None) -> int:
        """Documents published in low..high (either end open)."""
        with self.mutex:
            years = self.lexicons.get("years")
        if years is None:
            by_year: dict[int, list[int]] = {}
            if reader.has_column("year"):
                column = reader.column_reader("year")
                for docnum in reader.all_doc_ids():
                    value = column[docnum]
                    if 0 < value < 10_000:
                        by_year.setdefault(value, []).append(docnum)
            years = {year: bits_of(docs) for year, docs in by_year.items()}
            with self.mutex:
                self.lexicons["years"] = years
        bits = 0
        for year, year_bits in years.items():
            if (low is None or year >= low) and (high is None or year <= high):
                bits |= year_bits
        return bits

    def title_lengths(self, reader) -> list[int]:
        """Words in each document's title (the ranking's tie-break: shorter is more focused)."""
        with self.mutex:
            if "title_lengths" in self.lexicons:
                return self.lexicons["title_lengths"]
        lengths = [reader.doc_field_length(d, "title_f", 0) for d in range(reader.doc_count_all())]
        with self.mutex:
            self.lexicons["title_lengths"] = lengths
        return lengths

    def title_length_bits(self, reader) -> list[tuple[int, int]]:
        """(title length in words, documents with it), shortest first."""
        with self.mutex:
            if "title_length_bits" in self.lexicons:
                return self.lexicons["title_length_bits"]
        by_length: dict[int, list[int]] = {}
        lengths = self.title_lengths(reader)
        for docnum in reader.all_doc_ids():
            by_length.setdefault(lengths[docnum], []).append(docnum)
        found = [(length, bits_of(docs)) for length, docs in sorted(by_length.items())]
        with self.mutex:
            self.lexicons["title_length_bits"] = found
        return found

    def every(self, reader) -> int:
        with self.mutex:
            if self.all_docs is None:
                self.all_docs = bits_of(list(reader.all_doc_ids()))
            return self.all_docs

    def sort_order(self, searcher, key: str) -> list[int]:
        """Document numbers ordered by `key` (newest, oldest, title), computed once."""
        with self.mutex:
            if key in self.sort_keys:
                return self.sort_keys[key]
        reader = searcher.reader()
        docs = list(reader.all_doc_ids())
        if key == "title":
            column = reader.column_reader("title_sort")
            order = sorted(docs, key=lambda d: (column[d] or "\uffff", d))
        else:
            column = reader.column_reader("year")
            missing = -1 if key == "newest" else 10**9
            values = {d: column[d] for d in docs}
            order = sorted(docs, key=lambda d: (values[d] if 0 < values[d] < 10**5 else missing, -d))
            if key == "newest":
                order.reverse()
        with self.mutex:
            self.sort_keys[key] = order
        return order


def cache_for(index_path: str, generation: int, ix=None) -> IndexCache:
    """The cache of this index generation (older generations are dropped)."""
    key = (index_path, generation)
    with _CACHES_MUTEX:
        cache = _CACHES.get(key)
        if cache is None:
            for old in [k for k in _CACHES if k[0] == index_path]:
                _CACHES.pop(old).close()
            cache = _CACHES[key] = IndexCache(ix, generation)
            while len(_CACHES) > 8:
                _CACHES.popitem(last=False)[1].close()
        return cache


def count_facets(facets: dict[str, dict[str, int]], match: int, *, top: dict[str, int] | None = None) -> dict[str, list[tuple[str, int]]]:
    """(value, count) per facet for the matching documents, largest first (ties by value)."""
    top = top or {}
    out = {}
    for facet, values in facets.items():
        counts = []
        for value, bits in values.items():
            count = (match & bits).bit_count()
            if count:
                counts.append((value, count))
        counts.sort(key=lambda vc: (-vc[1], vc[0]))
        limit = top.get(facet)
        out[facet] = counts[:limit] if limit else counts
    return out
