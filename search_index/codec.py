"""A faster way to write Whoosh's default (W3) segments; they read back with the stock codec.

Writing a segment spends most of its time in a few per-posting loops of pure Python (about 55
postings a catalogue record). WritingCodec keeps the format and changes only how it is written:

- the field lengths each posting carries are read once per field into a list (the stock reader
  seeks and reads one byte per posting, and looks for a missing length column on disk each time);
- the postings loop and the posting writer skip the per-posting type assertions;
- new segments name the stock W3Codec, so the index on disk never depends on this module;
- TermPool gathers the postings by term (a few bytes a posting) instead of Whoosh's pool of one
  tuple per posting sorted at the end (about 200 bytes a posting, spilled to disk past a limit).

tests/search_index/test_codec.py checks that an index written with it holds exactly what the stock
codec writes (terms, postings, weights, lengths, stored fields and columns).
"""
from __future__ import annotations

from array import array

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3PerDocReader, W3PostingsWriter, W3Segment, \
    _lenfield
from whoosh.util.numeric import byte_to_length


class WritingCodec(W3Codec):
    """Pass as `codec=` to a writer (search_index.writer.open_writer does)."""

    def new_segment(self, storage, indexname):
        return W3Segment(W3Codec(blocklimit=self._blocklimit, compression=self._compression,
                                 inlinelimit=self._inlinelimit), indexname)

    def per_document_reader(self, storage, segment):
        return _LengthsReader(storage, segment)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:
            return super().postings_writer(dbfile, byteids=byteids)
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=False, compression=self._compression,
                               inlinelimit=self._inlinelimit)


class _LengthsReader(W3PerDocReader):
    """The new segment's field lengths, a list per field (as doc_field_length gives them)."""

    def __init__(self, storage, segment) -> None:
        super().__init__(storage, segment)
        self._length_lists: dict[str, list | None] = {}

    def field_lengths(self, fieldname: str) -> list | None:
        """doc_field_length(docnum, fieldname) for every document, or None without a length column
        (doc_field_length then gives 0)."""
        if fieldname not in self._length_lists:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._length_lists[fieldname] = None if reader is None else [byte_to_length(b) if b else None
                                                                         for b in reader]
        return self._length_lists[fieldname]

    def _cached_reader(self, fieldname, column):
        if fieldname not in self._readers:  # remember a missing column too (no stat call per posting)
            self._readers[fieldname] = super()._cached_reader(fieldname, column)
        return self._readers[fieldname]


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """FieldWriter.add_postings with lengths from _LengthsReader.field_lengths and no
        per-posting dispatch: the same calls in the same order."""
        lastfn = None
        lasttext = None
        add = None
        field_lengths = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError("Field %r .. %r" % (lastfn, fieldname))
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                lastfn = fieldname
                lasttext = None
                add = self._postwriter.add_posting
                field_lengths = lengths.field_lengths(fieldname) if lengths else None
            if docnum == -1:  # a spelling word, not a posting (no field of ours has them)
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError("Term %s:%r .. %s:%r" % (lastfn, lasttext, fieldname, btext))
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            add(docnum, weight, b"" if value is None else value, 0 if field_lengths is None else field_lengths[docnum])
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


class _PostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        """W3PostingsWriter.add_posting without the per-posting type assertions."""
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length


class TermPool:
    """The postings of the segment being written, by term: what SegmentWriter.pool holds.

    Whoosh's PostingPool keeps one (field, term, docnum, weight, value) tuple per posting and
    sorts them all at commit; here a term's postings are arrays in document order (documents are
    added in order) and only the terms are sorted. It never spills to disk: writers that add many
    documents commit every so often (search_index.writer.COMMIT_EVERY)."""

    def __init__(self) -> None:
        # (field, term) -> (docnum, weight, value) for a term seen once, then
        # [array of docnums, array of weights, list of values]
        self._terms: dict[tuple[str, bytes], tuple | list] = {}
        self._values: dict[bytes, bytes] = {}
        self.fieldnames: set[str] = set()
        self.postings = 0

    def add(self, item) -> None:
        fieldname, text, docnum, weight, value = item
        value = self._values.setdefault(value, value) if value is not None else None  # one object a value
        key = (fieldname, text)
        entry = self._terms.get(key)
        if entry is None:
            self._terms[key] = (docnum, weight, value)
            self.fieldnames.add(fieldname)
        elif type(entry) is tuple:
            self._terms[key] = [array("I", (entry[0], docnum)), array("d", (entry[1], weight)), [entry[2], value]]
        else:
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(value)
        self.postings += 1

    def iter_postings(self):
        """(field, term, docnum, weight, value) in the order PostingPool gives them."""
        terms = self._terms
        for key in sorted(terms):
            fieldname, text = key
            entry = terms[key]
            if type(entry) is tuple:
                yield fieldname, text, entry[0], entry[1], entry[2]
            else:
                for docnum, weight, value in zip(*entry):
                    yield fieldname, text, docnum, weight, value

    def cleanup(self) -> None:
        self._terms = {}
        self._values = {}
