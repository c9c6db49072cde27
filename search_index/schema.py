"""The index schema: each text field as written (exact) and folded; facet and sort fields."""
from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from search_index.analysis import exact_analyzer, folded_analyzer, value_analyzer

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
FACET_FIELDS = ("type", "language", "decade", "subject", "library", "availability", "digital")
SCHEMA_VERSION = "1"


def build_schema() -> Schema:
    """A fresh schema object (Whoosh stores it with the index)."""
    fields = {
        "id": ID(stored=True, unique=True),
        "version": STORED(),
        "data": STORED(),
        "pages_f": TEXT(analyzer=folded_analyzer(), field_boost=PAGES_BOOST),
        "isbn": ID(analyzer=value_analyzer()),
        "issn": ID(analyzer=value_analyzer()),
        "callno": ID(analyzer=value_analyzer()),
        "year": NUMERIC(int, bits=32, sortable=True, shift_step=0),
        "title_sort": ID(sortable=True),
        "ac_title": ID(analyzer=value_analyzer()),
        "ac_author": ID(analyzer=value_analyzer()),
        "ac_subject": ID(analyzer=value_analyzer()),
    }
    for group, exact_boost, folded_boost in TEXT_GROUPS:
        if exact_boost is not None:
            fields[group] = TEXT(analyzer=exact_analyzer(), field_boost=exact_boost, phrase=False)
        fields[group + "_f"] = TEXT(analyzer=folded_analyzer(), field_boost=folded_boost,
                                    phrase=group in PHRASE_GROUPS)
    for facet in FACET_FIELDS:
        fields["facet_" + facet] = ID(analyzer=value_analyzer())
    return Schema(**fields)
