"""The index schema: each text field as written (exact) and folded; facet and sort fields; the
schema version the index records."""
from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from search_index.analysis import WORD, VALUE_SEP, exact_analyzer, fold_word, folded_analyzer, prepared, value_analyzer
from search_index.results import FACETS

# (field group, boost of the exact field, boost of the folded field). The exact field gets the
# larger boost: a query typed with marks ranks the exact spelling above folded look-alikes. The
# long free text (summary, notes, series, publisher) is indexed folded only: indexing speed is
# bound by the number of postings, and marks matter most in titles, names and subjects.
TEXT_GROUPS = (
    ("title", 6.0, 4.0),
    ("author", 3.0, 2.5),
    ("subject", 2.5, 2.0),
    ("body", None, 0.8),
)
# Groups whose positions are kept for phrase search (the free text is matched word by word).
PHRASE_GROUPS = ("title", "author", "subject")
FOLDED_FIELDS = tuple(group + "_f" for group, _e, _f in TEXT_GROUPS) + ("pages_f",)
PAGES_BOOST = 0.4
FACET_FIELDS = FACETS
# The version of what the index holds (fields, analysis, stored data). Raise it with any change an
# index written before would answer wrongly; `check-index` then asks for a rebuild. It is stored in
# the schema Whoosh pickles into each table of contents, so every commit carries it on and only a
# rebuild (or a new index) writes the new one.
SCHEMA_VERSION = "1"
VERSION_ATTRIBUTE = "hoclieu_schema_version"


class SyllableText(TEXT):
    """A text field of Vietnamese syllables (the exact or the folded analyzer) whose index() makes
    the postings in one pass instead of Whoosh's token-by-token pipeline: the same terms,
    frequencies, positions and weights (tests/search_index/test_schema.py), several times faster.
    Queries still go through the analyzer."""

    def __init__(self, *, folded: bool, field_boost: float = 1.0, phrase: bool = True) -> None:
        super().__init__(analyzer=folded_analyzer() if folded else exact_analyzer(), field_boost=field_boost,
                         phrase=phrase)
        self.folded = folded

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        words = WORD.findall(prepared(value))
        terms = [fold_word(w) for w in words] if self.folded else [w.lower() for w in words]
        boost = self.format.field_boost
        if isinstance(self.format, Positions):
            where: dict[str, list[int]] = {}
            for position, term in enumerate(terms):
                where.setdefault(term, []).append(position)
            encode = self.format.encode
            return [(term.encode("utf-8"), len(found), float(len(found)) * boost, encode(found))
                    for term, found in where.items()]
        counts: dict[str, int] = {}
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
        return [(term.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq)) for term, freq in counts.items()]


class Values(ID):
    """A multi-valued exact field: each VALUE_SEP-separated value is one term (facets, codes,
    autocomplete keys), indexed in one pass (the same postings as value_analyzer's)."""

    def __init__(self) -> None:
        super().__init__(analyzer=value_analyzer())

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(part.encode("utf-8"), 1, boost, b"") for part in dict.fromkeys(value.split(VALUE_SEP)) if part]


def build_schema() -> Schema:
    """A fresh schema object (Whoosh stores it with the index)."""
    fields = {
        "id": ID(stored=True, unique=True),
        "version": STORED(),
        "data": STORED(),
        "pages_f": SyllableText(folded=True, field_boost=PAGES_BOOST),
        "isbn": Values(),
        "issn": Values(),
        "callno": Values(),
        "year": NUMERIC(int, bits=32, sortable=True, shift_step=0),
        "title_sort": ID(sortable=True),
        "ac_title": Values(),
        "ac_author": Values(),
        "ac_subject": Values(),
    }
    for group, exact_boost, folded_boost in TEXT_GROUPS:
        if exact_boost is not None:
            fields[group] = SyllableText(folded=False, field_boost=exact_boost, phrase=False)
        fields[group + "_f"] = SyllableText(folded=True, field_boost=folded_boost, phrase=group in PHRASE_GROUPS)
    for facet in FACET_FIELDS:
        fields["facet_" + facet] = Values()
    schema = Schema(**fields)
    setattr(schema, VERSION_ATTRIBUTE, SCHEMA_VERSION)
    return schema


def schema_version(schema) -> str | None:
    """The SCHEMA_VERSION an index's schema was written with; None for an index written before
    versions were recorded."""
    return getattr(schema, VERSION_ATTRIBUTE, None)
