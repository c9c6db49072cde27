"""What a search backend answers: plain dataclasses, the same whichever backend (Whoosh today,
PostgreSQL full text next) made them. No index object, path or HTML is in them; snippets are
(text, is_match) spans (search_index.highlight)."""
from __future__ import annotations

import dataclasses

from catalog.text import normalise
from search_index.highlight import Snippet
from search_index.parsing import ParsedQuery

SORTS = ("relevance", "newest", "oldest", "title")
FACETS = ("type", "language", "decade", "subject", "library", "availability", "digital")
MAX_PER_PAGE = 100


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
    snippet: Snippet  # (text, is_match) spans, never HTML
    subjects: list[str]
    publisher: str
    score: float | None = None
    pages: list[int] = dataclasses.field(default_factory=list)
    inside: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (object id, page) for reader links
    reader_object: int | None = None  # where "read online" goes


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
    # The facet counts were taken over a sample of a very large match set and scaled (the
    # PostgreSQL backend past its FACET_SAMPLE matches).
    facets_approximate: bool = False
    # The total is an estimate, never below the exact count's cap (the PostgreSQL backend counts
    # exactly up to COUNT_LIMIT matches); the Whoosh backend's totals are always exact.
    total_approximate: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclasses.dataclass
class Completion:
    """An autocomplete suggestion: a title, author or subject starting with what was typed."""

    value: str
    kind: str  # title | author | subject
    count: int


@dataclasses.dataclass
class InsideHit:
    """A page of a digital object holding every word searched inside it."""

    object_id: int
    page: int
    snippet: Snippet  # empty when the viewer may not read the object
    boxes: list[list[int]]  # [x, y, w, h] of the matching words, in page pixels
    restricted: bool = False  # the viewer may not read the object: read it at the library


@dataclasses.dataclass
class IndexReport:
    """What one indexing call did."""

    indexed: int = 0
    removed: int = 0
    deferred: bool = False  # another call in this process was already indexing; it does these too


@dataclasses.dataclass
class IndexCheck:
    """Drift between database and index, and whether the index was written by this schema version."""

    missing: list[int]
    stale: list[int]
    orphaned: list[int]
    indexed: int
    live: int
    schema_version: str | None = None
    expected_schema_version: str | None = None

    @property
    def needs_rebuild(self) -> bool:
        """The index was written by another schema version (or recorded none): only a rebuild fixes it."""
        return self.schema_version != self.expected_schema_version

    @property
    def is_clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned or self.needs_rebuild)


HEALTHY, EMPTY, BEHIND, UNAVAILABLE = "ok", "empty", "behind", "unavailable"


@dataclasses.dataclass
class Health:
    """How the index stands: ok, empty (nothing indexed while the catalogue has records), behind
    (more records wait for it than allowed) or unavailable (it cannot be opened)."""

    status: str
    exists: bool
    documents: int | None
    stale_records: int | None
    schema_version: str | None
    expected_schema_version: str

    @property
    def needs_rebuild(self) -> bool:
        return self.exists and self.schema_version != self.expected_schema_version


def parse_filters(raw: list[str]) -> list[tuple[str, str]]:
    """`f=FIELD:VALUE` parameters; unknown fields are dropped."""
    filters = []
    for item in raw:
        field, _sep, value = item.partition(":")
        field, value = field.strip(), normalise(value)
        if field in FACETS and value and (field, value) not in filters:
            filters.append((field, value))
    return filters
