"""Facet counts and match sets as Python integers used as bit sets (bit n = document n).

Whoosh's own grouping walks every matching document in Python and takes over a second when a
query matches most of a 100k index. Here, once per index generation, each facet value's postings
become one bit set; a query's match set is another; a count is `(match & value).bit_count()`,
done in C. Term bit sets (the building blocks of plain-word queries) are cached too. Everything is
keyed by the index generation and its segments. A commit usually only appends a small segment (and
marks a few old documents deleted), so a new generation's cache starts from the previous one: bits
of the segments both share are kept (minus documents deleted since) and only the new segments are
read.

A cache outlives the request that made it, so it keeps no reader of a request (they are closed
when the request ends): every method reads through the reader of the caller's own searcher, which
is of the cache's generation.
"""
from __future__ import annotations

import bisect
import heapq
import threading
from array import array
from collections import Counter, OrderedDict
from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher

from search_index import cache_file
from search_index.bits import bits_of, positions
from search_index.schema import FACET_FIELDS, FOLDED_FIELDS

TERM_CACHE_SIZE = 2000
TERM_CACHE_BYTES = 96 * 2**20  # 770 bit sets of a million documents
CONVERTED = 256  # listed facet values kept as bit sets (facet_bits)
DENSE_SHARE = 256  # a facet value of fewer documents than 1/DENSE_SHARE of the index is listed
NEW_SHARE = 20  # a cache started from an older generation's file writes its own past 1/20 new documents
STORED_CACHE_SIZE = 5000
# Generations kept per index: the newest and the one before (requests still on it; the newest grew from it).
KEPT_GENERATIONS = 2
_CACHES: OrderedDict[tuple[str, int, tuple], IndexCache] = OrderedDict()  # (path, generation, layout)
_CACHES_MUTEX = threading.Lock()


def leaves(reader) -> list[tuple[object, int]]:
    """(segment reader, first document number) of each segment."""
    return list(reader.leaf_readers()) if not reader.is_atomic() else [(reader, 0)]


def layout(reader) -> tuple[tuple[str, int, int], ...]:
    """(segment id, offset, documents) of each segment: what docnums mean in this generation (an
    empty index has no segment)."""
    return tuple((leaf.segment().segment_id(), offset, leaf.doc_count_all())
                 for leaf, offset in leaves(reader) if leaf.segment() is not None)


def _held(docs, size: int) -> int | array:
    """A facet value's sorted documents as a bit set or a list (see IndexCache.facet_bits)."""
    if len(docs) * DENSE_SHARE >= size:
        return bits_of(docs if isinstance(docs, list) else docs.tolist())
    return docs if isinstance(docs, array) else array("I", docs)


def _size(held: int | array) -> int:
    return held.bit_count() if type(held) is int else len(held)


def _shifted(ids, offset: int) -> int:
    return bits_of([d + offset for d in ids] if offset else list(ids))


def leaf_ids(leaf, field: str, term) -> list[int]:
    """Document numbers (in the segment) of a term's postings. Whoosh's all_ids() costs two method
    calls a posting (seconds for the facet values of a million documents); its block matcher's
    postings are read here a block at a time (the ids Whoosh decodes for the block), its inline
    postings as they are. A segment with deletions goes through Whoosh's own filtering."""
    matcher = leaf.postings(field, term)
    if type(matcher) is ListMatcher:
        return list(matcher.all_ids())
    if type(matcher) is not W3LeafMatcher:  # deletions filtered, or another codec
        return list(matcher.all_ids())
    ids: list[int] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        block = matcher._data[0]  # the block's ids as deltas (W3LeafMatcher._read_ids decodes them)
        ids.extend(block if matcher._byteids else accumulate(block))
        matcher._next_block()
    return ids


def column_values(reader, field: str, default) -> list:
    """A sortable field's value for every document, segment by segment: Whoosh's multi-segment
    column reader skips a segment that has no column for the field (no document of it had a
    value) and then reads the next segments' values at the wrong documents, or fails."""
    values: list = []
    for leaf, _offset in leaves(reader):
        if leaf.has_column(field):
            values.extend(leaf.column_reader(field))
        else:
            values.extend([default] * leaf.doc_count_all())
    return values


def _field_lengths(leaf, field: str) -> array:
    """Words of `field` in each document of one segment, read as one column (doc_field_length
    seeks once per document: seconds at a million)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import byte_to_length

    perdoc = getattr(leaf, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    count = leaf.doc_count_all()
    if column is None:
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            return array("H", bytes(2 * count))  # no length column: every length 0, as doc_field_length says
        return array("H", (min(leaf.doc_field_length(d, field, 0), 65535) for d in range(count)))
    return array("H", (min(byte_to_length(b), 65535) if b else 0 for b in column))


def term_docs(reader, field: str, term) -> list[int]:
    """Document numbers (in the whole index) of a term's postings, segment by segment."""
    found: list[int] = []
    for leaf, offset in leaves(reader):
        if (field, term) in leaf:
            ids = leaf_ids(leaf, field, term)
            found.extend([d + offset for d in ids] if offset else ids)
    return found


class IndexCache:
    """What is safe to keep for one index generation: facet value bit sets, term bit sets, sort
    keys per document."""

    def __init__(self, ix=None, generation: int = -1, segments: tuple = ()) -> None:
        self.ix = ix
        self.generation = generation
        self.mutex = threading.Lock()
        self.facets: dict[str, dict[str, int]] | None = None
        self.terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.term_bytes = 0
        self.frequencies: dict[str, int] = {}
        self.converted: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.sort_keys: dict[str, list] = {}
        self.all_docs: int | None = None
        self.lexicons: dict[str, object] = {}
        self.stored: OrderedDict[int, dict] = OrderedDict()
        self._reader = None
        self.is_closed = False
        self.layout: tuple[tuple[str, int, int], ...] = segments
        self.previous: IndexCache | None = None
        self.shared_docs = 0  # documents [0, shared_docs) are numbered as in `previous`
        self.shared_segments = 0
        self.path: str | None = None  # the index folder: its search-cache file (cache_file) is read and written
        self.from_file = False

    def load_file(self, path: str) -> None:
        """Start from the cache file of this generation (or of an older one, adopted) if there is one."""
        self.path = path
        if not self.layout:
            return
        found = cache_file.newest(path, self.generation, self.layout)
        loaded = cache_file.load(found) if found is not None else None
        if loaded is None:
            return
        if loaded["generation"] == self.generation and loaded["segments"] == self.layout:
            target = self
            self.from_file = True
        else:
            target = IndexCache(None, loaded["generation"], loaded["segments"])
        target.facets = loaded["facets"]
        if loaded["title_lengths"] is not None:
            target.lexicons["title_lengths"] = loaded["title_lengths"]
        if loaded["title_length_bits"] is not None and target is self:
            target.lexicons["title_length_bits"] = loaded["title_length_bits"]
        if target is not self:
            self.adopt(target)

    def _save_file(self, reader) -> None:
        """Write this generation's cache file (cache_file.save) for the workers that start after."""
        if self.path is None or self.from_file:
            return
        cache_file.save(self.path, self.generation, self.layout, self.facets, self.title_lengths(reader),
                        self.title_length_bits(reader))

    def adopt(self, previous: IndexCache | None) -> None:
        """Start from `previous` where the segments agree."""
        if previous is None:
            return
        shared = 0
        for mine, theirs in zip(self.layout, previous.layout):
            if mine != theirs:
                break
            shared += 1
        if not shared:
            return
        self.previous = previous
        previous.previous = None  # keep one generation back, never a chain
        _segid, offset, count = self.layout[shared - 1]
        self.shared_docs = offset + count
        self.shared_segments = shared
        with previous.mutex:
            self.stored = OrderedDict((d, v) for d, v in previous.stored.items() if d < self.shared_docs)

    def new_leaves(self, reader) -> list[tuple[object, int]]:
        """The caller's segment readers of the segments `previous` does not have."""
        return leaves(reader)[self.shared_segments:]

    def _carry(self, old_bits: int, reader) -> int:
        """Old bits of the shared segments, minus documents deleted since."""
        return old_bits & ((1 << self.shared_docs) - 1) & self.every(reader)

    def _new_postings(self, reader, field: str, term) -> int:
        bits = 0
        for leaf, offset in self.new_leaves(reader):
            if (field, term) in leaf:
                bits |= _shifted(leaf_ids(leaf, field, term), offset)
        return bits

    def stored_fields(self, searcher, docnum: int) -> dict:
        """A document's stored fields. Whoosh reads the offsets of every document's stored fields
        each time a reader opens them (tens of ms at 100k documents), so one reader of this
        generation is kept for them (used under the mutex) and recent documents are remembered."""
        with self.mutex:
            found = self.stored.get(docnum)
            if found is not None:
                self.stored.move_to_end(docnum)
                return found
            if self._reader is None and self.ix is not None and not self.is_closed:
                reader = self.ix.reader()
                if reader.generation() == self.generation and layout(reader) == self.layout:
                    self._reader = reader
                else:  # a newer commit already: this generation's cache is about to go
                    reader.close()
            found = (self._reader or searcher).stored_fields(docnum)
            self.stored[docnum] = found
            while len(self.stored) > STORED_CACHE_SIZE:
                self.stored.popitem(last=False)
            return found

    def close(self) -> None:
        """Close the kept reader; a request still using this cache reads through its own."""
        with self.mutex:
            self.is_closed = True
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def facet_bits(self, reader) -> dict[str, dict[str, int | array]]:
        """Each facet's values and their documents: a bit set (int) for a value held by at least
        1/DENSE_SHARE of the documents, otherwise the sorted document numbers (array "I"). A bit
        set costs an eighth of a byte per document of the index whatever the value's size: at a
        million documents, 6,000 subject headings as bit sets took 750 MB per worker. value_bits()
        gives any value as a bit set."""
        previous = self.previous  # read once: a newer generation may cut it meanwhile
        if self.facets is None and previous is not None and previous.facets is not None:
            every = self.every(reader)
            size = reader.doc_count_all()
            shared = self.shared_docs
            facets = {}
            for facet, values in previous.facets.items():
                field = "facet_" + facet
                carried: dict[str, int | array] = {}
                for value, held in values.items():
                    if type(held) is int:
                        carried[value] = held & ((1 << shared) - 1) & every
                    else:  # documents deleted since stay listed: counts and matches are taken with `every`
                        carried[value] = held if not held or held[-1] < shared else array("I", (d for d in held if d < shared))
                for leaf, offset in self.new_leaves(reader):
                    if field not in leaf.indexed_field_names():
                        continue
                    for term in leaf.lexicon(field):
                        value = term.decode("utf-8")
                        docs = [d + offset for d in leaf_ids(leaf, field, term)]
                        held = carried.get(value)
                        if type(held) is int:
                            carried[value] = held | bits_of(docs)
                        else:
                            listed = array("I", held) if held is not None else array("I")
                            listed.extend(docs)
                            carried[value] = _held(listed, size)
                facets[facet] = {value: held for value, held in carried.items() if held}
            with self.mutex:
                built = self.facets is None
                if built:
                    self.facets = facets
            if built and (size - shared) * NEW_SHARE > size:  # much new since the file: a new file
                self._save_file(reader)
        built = False
        with self.mutex:
            if self.facets is None:
                built = True
                size = reader.doc_count_all()
                facets = {}
                for facet in FACET_FIELDS:
                    field = "facet_" + facet
                    values = {}
                    if field in reader.indexed_field_names():
                        for term in reader.lexicon(field):
                            docs = term_docs(reader, field, term)
                            if docs:
                                values[term.decode("utf-8")] = _held(docs, size)
                    facets[facet] = values
                self.facets = facets
            found = self.facets
        if built:
            self._save_file(reader)
        return found

    def value_bits(self, reader, facet: str, value: str) -> int:
        """One facet value's documents as a bit set (0 for a value no document has); listed
        values are converted once and remembered (the CONVERTED most recent)."""
        held = self.facet_bits(reader).get(facet, {}).get(value, 0)
        if type(held) is int:
            return held
        key = (facet, value)
        with self.mutex:
            bits = self.converted.get(key)
            if bits is not None:
                self.converted.move_to_end(key)
                return bits
        bits = bits_of(held.tolist())
        with self.mutex:
            self.converted[key] = bits
            while len(self.converted) > CONVERTED:
                self.converted.popitem(last=False)
        return bits

    def _remember(self, key, bits: int) -> None:
        """Keep a term's or query's bit set: the TERM_CACHE_SIZE most recent, TERM_CACHE_BYTES at most."""
        with self.mutex:
            if key in self.terms:
                return
            self.terms[key] = bits
            self.term_bytes += (bits.bit_length() + 7) >> 3
            while len(self.terms) > 1 and (len(self.terms) > TERM_CACHE_SIZE or self.term_bytes > TERM_CACHE_BYTES):
                _key, dropped = self.terms.popitem(last=False)
                self.term_bytes -= (dropped.bit_length() + 7) >> 3

    def term_bits(self, reader, field: str, text: str) -> int:
        key = (field, text)
        with self.mutex:
            if key in self.terms:
                self.terms.move_to_end(key)
                return self.terms[key]
        old = None
        previous = self.previous
        if previous is not None:
            with previous.mutex:
                old = previous.terms.get(key)
        if old is not None:
            bits = self._carry(old, reader) | self._new_postings(reader, field, text)
        else:
            bits = 0
            if (field, text) in reader:
                bits = bits_of(term_docs(reader, field, text))
        self._remember(key, bits)
        return bits

    def facet_by_frequency(self, reader, facet: str) -> list[tuple[str, int]]:
        """(value, documents) of one facet, most frequent first (documents deleted since the
        value was read may still be counted: an upper bound)."""
        key = "by_frequency:" + facet
        with self.mutex:
            if key in self.lexicons:
                return self.lexicons[key]
        ranked = sorted(((v, _size(h)) for v, h in self.facet_bits(reader)[facet].items()),
                        key=lambda vf: (-vf[1], vf[0]))
        with self.mutex:
            self.lexicons[key] = ranked
        return ranked

    def frequencies_of(self, reader, facet: str) -> list[int]:
        """Minus the document count of each value, ascending (facet_by_frequency's order), for bisect."""
        key = "minus_frequency:" + facet
        with self.mutex:
            if key in self.lexicons:
                return self.lexicons[key]
        found = [-frequency for _value, frequency in self.facet_by_frequency(reader, facet)]
        with self.mutex:
            self.lexicons[key] = found
        return found

    def value_slots(self, reader, facet: str) -> tuple[list[str], list[array], dict[int, list[int]]]:
        """Each document's values of one facet, compactly: (values, slots, more), where slot j
        holds, per document, the index in `values` of its j-th value (-1: none) and `more` the
        values of documents with more than SLOTS of them. 4 bytes a document a slot, where a dict
        of lists took about 200 bytes a document."""
        key = "slots:" + facet
        with self.mutex:
            if key in self.lexicons:
                return self.lexicons[key]
        size = reader.doc_count_all()
        values: list[str] = []
        slots: list[array] = []
        more: dict[int, list[int]] = {}
        filled = bytearray(size)
        for number, (value, held) in enumerate(self.facet_bits(reader)[facet].items()):
            values.append(value)
            for docnum in positions(held) if type(held) is int else held:
                if docnum >= size:
                    continue
                slot = filled[docnum]
                if slot < SLOTS:
                    if slot == len(slots):
                        slots.append(array("i", [-1]) * size)
                    slots[slot][docnum] = number
                    filled[docnum] = slot + 1
                else:
                    more.setdefault(docnum, []).append(number)
        found = (values, slots, more)
        with self.mutex:
            self.lexicons[key] = found
        return found

    def word_bits(self, reader, folded: str) -> int:
        """Documents holding this folded word in any text field (remembered like a term's)."""
        key = ("", folded)  # no field is named ""
        with self.mutex:
            if key in self.terms:
                self.terms.move_to_end(key)
                return self.terms[key]
        bits = 0
        for field in FOLDED_FIELDS:
            bits |= self.term_bits(reader, field, folded)
        self._remember(key, bits)
        return bits

    def word_frequency(self, reader, folded: str) -> int:
        """Documents holding this folded word (a bit count costs a pass over a million bits)."""
        with self.mutex:
            found = self.frequencies.get(folded)
        if found is None:
            found = self.word_bits(reader, folded).bit_count()
            with self.mutex:
                if len(self.frequencies) >= TERM_CACHE_SIZE * 10:
                    self.frequencies.clear()
                self.frequencies[folded] = found
        return found

    def query_bits(self, searcher, key: tuple, query) -> int:
        """Documents matching a Whoosh query (phrases, codes), cached like term bit sets."""
        with self.mutex:
            if key in self.terms:
                self.terms.move_to_end(key)
                return self.terms[key]
        bits = bits_of(sorted(searcher.docs_for_query(query)))
        self._remember(key, bits)
        return bits

    def year_bits(self, reader, low: int | None, high: int | None) -> int:
        """Documents published in low..high (either end open)."""
        with self.mutex:
            years = self.lexicons.get("years")
        if years is None:
            by_year: dict[int, list[int]] = {}
            column = column_values(reader, "year", 0)
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

    def title_lengths(self, reader) -> array:
        """Words in each document's title (the ranking's tie-break: shorter is more focused)."""
        with self.mutex:
            if "title_lengths" in self.lexicons:
                return self.lexicons["title_lengths"]
        before = self.previous
        previous = before.lexicons.get("title_lengths") if before is not None else None
        if previous is not None:
            lengths = previous[: self.shared_docs]
            for leaf, _offset in self.new_leaves(reader):
                lengths.extend(_field_lengths(leaf, "title_f"))
        else:
            lengths = array("H")
            for leaf, _offset in leaves(reader):
                lengths.extend(_field_lengths(leaf, "title_f"))
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
        """Live (not deleted) documents: whole segments as masks, deletions read where there are any."""
        with self.mutex:
            if self.all_docs is None:
                bits = 0
                for leaf, offset in leaves(reader):
                    if leaf.has_deletions():
                        bits |= _shifted(leaf.all_doc_ids(), offset)
                    else:
                        bits |= ((1 << leaf.doc_count_all()) - 1) << offset
                self.all_docs = bits
            return self.all_docs

    def sort_order(self, searcher, key: str) -> array:
        """Document numbers ordered by `key` (newest, oldest, title), computed once."""
        with self.mutex:
            if key in self.sort_keys:
                return self.sort_keys[key]
        reader = searcher.reader()
        order = cache_file.load_order(self.path, self.generation, self.layout, key) if self.path else None
        if order is None:
            docs = list(reader.all_doc_ids())
            # Sorts are stable: ties keep the documents' order (by number), no tuple per document.
            if key == "title":
                column = column_values(reader, "title_sort", None)
                keys = [value or "\uffff" for value in column]
                order = sorted(docs, key=keys.__getitem__)
            else:
                values = column_values(reader, "year", 0)
                missing = -1 if key == "newest" else 10**9
                keys = [value if 0 < value < 10**5 else missing for value in values]
                if key == "newest":  # newest year first; within a year, the lower number first
                    order = sorted(docs, key=keys.__getitem__, reverse=True)
                else:  # oldest first; within a year, the higher number first
                    docs.reverse()
                    order = sorted(docs, key=keys.__getitem__)
            order = array("I", order)  # 4 bytes a document (a list of ints: 36)
            if self.path and self.previous is None:  # not after each commit: a cache grown from another's
                cache_file.save_order(self.path, self.generation, self.layout, key, order)
        with self.mutex:
            self.sort_keys[key] = order
        return order


    def sort_rank(self, searcher, key: str) -> array:
        """Each document's place in sort_order(key) (an array indexed by document number)."""
        name = "rank:" + key
        with self.mutex:
            if name in self.sort_keys:
                return self.sort_keys[name]
        order = self.sort_order(searcher, key)
        rank = array("I", bytes(4 * (max(order, default=-1) + 1)))
        for place, docnum in enumerate(order):
            rank[docnum] = place
        with self.mutex:
            self.sort_keys[name] = rank
        return rank


def clear_caches() -> None:
    """Drop every cache (closing their readers)."""
    with _CACHES_MUTEX:
        while _CACHES:
            _CACHES.popitem()[1].close()


def drop_caches(index_path: str) -> None:
    """Drop the caches of one index folder (a backend closed: its bit sets, hundreds of MB a
    process at a million records, are not kept for nothing)."""
    with _CACHES_MUTEX:
        for key in [k for k in _CACHES if k[0] == index_path]:
            _CACHES.pop(key).close()


def cache_for(index_path: str, generation: int, ix=None, reader=None) -> IndexCache:
    """The cache of this index generation (keyed by its segments too: a rebuilt index swapped in
    is never served from an older index's cache), started from the newest older generation's.
    A request still on an older generation gets that generation's cache; newer ones stay."""
    segments = layout(reader) if reader is not None else ()
    key = (index_path, generation, segments)
    with _CACHES_MUTEX:
        cache = _CACHES.get(key)
        if cache is not None:
            _CACHES.move_to_end(key)
            return cache
        cache = IndexCache(ix, generation, segments)
        if ix is not None:
            cache.path = index_path
        mine = sorted((k for k in _CACHES if k[0] == index_path), key=lambda k: k[1])
        older = [k for k in mine if k[1] < generation]
        if older and reader is not None:
            cache.adopt(_CACHES[older[-1]])
        if cache.previous is None and reader is not None and ix is not None:
            cache.load_file(index_path)
        for old in older[:-1] + [k for k in mine if k[1] == generation]:
            _CACHES.pop(old).close()  # the same generation with other segments: a different index
        _CACHES[key] = cache
        while len(mine := [k for k in _CACHES if k[0] == index_path]) > KEPT_GENERATIONS:
            _CACHES.pop(min(mine, key=lambda k: k[1])).close()
        while len(_CACHES) > 8:  # other indexes (tests, several data directories): least recently used
            _CACHES.pop(next(k for k in _CACHES if k != key)).close()
        return cache


MANY_VALUES = 64
SLOTS = 4  # values of a document kept in arrays; more in a dict (few documents have more subjects)
TALLY_LIMIT = 20_000  # up to this many matches, a facet with many values is tallied document by document
VISIT_LIMIT = 120  # past it, values (most frequent first) whose counts are taken one by one


def _tally(cache: IndexCache, reader, facet: str, docs: list[int], limit: int | None) -> list[tuple[str, int]]:
    """Counts of one facet's values over the documents `docs` (C-speed Counter over the slots),
    the `limit` largest (and any tied with the last) when there is a limit."""
    values, slots, more = cache.value_slots(reader, facet)
    tally: Counter = Counter()
    for slot in slots:
        tally.update(map(slot.__getitem__, docs))
    if more:
        for docnum in more.keys() & set(docs):
            tally.update(more[docnum])
    tally.pop(-1, None)
    items = tally.items()
    if limit and len(tally) > limit:
        lowest = heapq.nlargest(limit, tally.values())[-1]
        items = [(number, count) for number, count in items if count >= lowest]
    return [(values[number], count) for number, count in items]


def _prefer_tally(cache: IndexCache, reader, facet: str, matched: int, limit: int | None, listed: bool) -> bool:
    """Whether tallying the matching documents one by one costs less than counting values one
    by one (a bit-set count per value costs a pass over the whole index; the tally a pass over
    the index to list the matches, `listed` if done already, then per matching document). The
    values counted one by one are estimated as those at least as frequent as the `limit`-th
    value's expected count in a match set of this size."""
    size = max(1, reader.doc_count_all())
    ranked = cache.facet_by_frequency(reader, facet)
    if limit and len(ranked) > limit:
        floor = ranked[limit - 1][1] * matched / size
        descending = cache.frequencies_of(reader, facet)  # -frequency, ascending
        visits = bisect.bisect_right(descending, -floor)
    else:
        visits = len(ranked)
    one_by_one = min(visits, VISIT_LIMIT) * size * 0.4
    tally = (0 if listed else size * 2) + matched * 1500
    return tally < one_by_one


def count_facets(cache: IndexCache, reader, match: int, *, top: dict[str, int] | None = None
                 ) -> tuple[dict[str, list[tuple[str, int]]], bool]:
    """(value, count) per facet for the matching documents, largest first (ties by value), and
    whether some list may be incomplete (see below).

    A facet with many values (subjects) is tallied per matching document when up to TALLY_LIMIT
    match and that costs less (_prefer_tally: at a million documents, counting thousands of
    values one by one took most of a second). Otherwise it is counted value by value in order
    of document frequency, stopping once no remaining value can reach the top `top[facet]`, or
    after VISIT_LIMIT values: then the counts shown are exact but a less frequent value that
    would have made the top may be missing, and the second result is True."""
    top = top or {}
    facets = cache.facet_bits(reader)
    matched = None
    docs = None
    approximate = False
    out = {}
    for facet, values in facets.items():
        limit = top.get(facet)
        if len(values) <= MANY_VALUES:
            counts = [(value, (match & cache.value_bits(reader, facet, value)).bit_count()) for value in values]
        elif ((matched := matched if matched is not None else match.bit_count()) <= TALLY_LIMIT
              and _prefer_tally(cache, reader, facet, matched, limit, docs is not None)):
            docs = docs if docs is not None else positions(match)
            counts = _tally(cache, reader, facet, docs, limit)
        else:
            counts = []
            best: list[int] = []  # the `limit` largest counts so far (a min-heap)
            for visited, (value, frequency) in enumerate(cache.facet_by_frequency(reader, facet)):
                if limit and len(best) >= limit and frequency < best[0]:
                    break  # values are in falling frequency: none of the rest can get in
                if visited >= VISIT_LIMIT:
                    approximate = True
                    break
                count = (match & cache.value_bits(reader, facet, value)).bit_count()
                if count:
                    counts.append((value, count))
                    if limit:
                        (heapq.heappush if len(best) < limit else heapq.heappushpop)(best, count)
        counts = [(value, count) for value, count in counts if count]
        counts.sort(key=lambda vc: (-vc[1], vc[0]))
        out[facet] = counts[:limit] if limit else counts
    return out, approximate
