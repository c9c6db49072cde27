"""Search behind one interface: what the web app, the CLI and the jobs may ask of a search backend.

A backend keeps an index of the catalogue's records in step with the database (the truth) and
answers searches with plain data (search_index.results): hits with snippets as (text, is_match)
spans, never HTML, never an index object or a path. The backend is chosen by configuration
(LIBRARY_SEARCH_BACKEND; BACKENDS names the choices) and built once per app.

tests/search_index/contract/ holds the behaviour every backend must show, run against each one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

from sqlalchemy.orm import sessionmaker

from catalog.digital.models import ANONYMOUS, DigitalObject, Viewer
from search_index.highlight import Snippet, has_match, mark_words, plain_text  # noqa: F401 (for app/)
from search_index.parsing import MAX_QUERY_CHARS  # noqa: F401 (for app/)
from search_index.results import (  # noqa: F401 (for app/)
    FACETS, MAX_PER_PAGE, SORTS, Completion, FacetValue, Health, Hit, IndexCheck, IndexReport, InsideHit,
    SearchResult, parse_filters,
)

Progress = Callable[[int, int], None]


class BackgroundIndexing(Protocol):
    """Indexing beside a bulk import (another process): fed the ids of each committed batch."""

    def add(self, record_ids: list[int]) -> None: ...

    def finish(self, *, progress: Progress | None = None):
        """Wait until everything added is indexed; a report with indexed, removed, commits,
        seconds and error (set on failure: its records stay stale for the next sync)."""

    def abort(self) -> None: ...


class SearchBackend(Protocol):
    """The search side of the library, whichever engine answers."""

    name: str

    # -- keeping the index in step with the database -------------------------------------------
    def index_in_transactions(self, session_factory: sessionmaker, *,
                              when: Callable[[], bool] | None = None) -> bool:
        """Keep the index in step inside the transactions of this factory's sessions, when the
        backend can (True: a record and its index entry then commit together, and the caller
        needs no indexing after commits); False when it cannot (the caller indexes after commit).
        With `when`, only while when() is True (asked at each flush; it must be quick): a process
        writes a backend only while it is the one answering or the one a switch is building."""

    def index_records(self, record_ids: list[int], *, lock_timeout: float | None = None) -> IndexReport:
        """Index these records from the database now (live ones added or replaced, deleted and
        merged ones removed) and clear their stale flags; on failure they stay stale."""

    def sync(self, *, progress: Progress | None = None, lock_timeout: float | None = None) -> IndexReport:
        """Index every record marked stale."""

    def remove(self, record_ids: list[int]) -> int:
        """Take these records out of the index (whatever the database says); how many were there."""

    def background_indexer(self) -> BackgroundIndexing:
        """A started indexer for a bulk import (records marked stale that it misses, a sync does)."""

    def rebuild(self, *, progress: Progress | None = None) -> int:
        """Build the index again from the database while searches go on; the records indexed.
        `progress(done, total)` as it goes."""

    # -- answering ------------------------------------------------------------------------------
    def search(self, text: str | None, *, page: int = 1, per_page: int = 20, sort: str = "relevance",
               filters: list[tuple[str, str]] | None = None) -> SearchResult:
        """The query language of search_index.parsing; `filters` are (facet, value) pairs (values
        of one facet OR-ed, facets AND-ed); `sort` one of SORTS; facet counts; a suggestion."""

    def search_inside(self, objects: list[DigitalObject], q: str, *, viewer: Viewer = ANONYMOUS,
                      limit: int = 500) -> list[InsideHit]:
        """Pages of these digital objects holding every word of q, with spans and word boxes."""

    def suggest(self, text: str) -> str | None:
        """A better query ("did you mean"), or None."""

    def autocomplete(self, prefix: str, *, limit: int = 10) -> list[Completion]:
        """Titles, authors and subjects starting with `prefix` (marks and case ignored)."""

    def highlight(self, text: str, words: list[str]) -> Snippet | None:
        """A snippet of `text` (page text, say) around the words, marked as search marks them."""

    def masked_words(self, field: str | None, pattern: str, limit: int) -> list[str]:
        """The index's folded words that fit a masked word (* any letters, ? one; at least two
        letters before the first mask), most used first: in `field` (a text group such as
        "title") or, with None, every text field and the page text. SRU's CQL masking."""

    # -- looking after it -----------------------------------------------------------------------
    def check(self) -> IndexCheck:
        """Drift against the database, and whether a rebuild is needed for the schema version.
        search_index.errors.IndexUnavailable when there is no index."""

    def health(self) -> Health:
        """Never raises: ok, empty, behind or unavailable, with the figures behind it."""

    def close(self) -> None:
        """Let go of what the backend holds open."""


def backend_names() -> tuple[str, ...]:
    """The values LIBRARY_SEARCH_BACKEND may take."""
    return tuple(BACKENDS)


def create_backend(name: str, *, session_factory: sessionmaker, database_url: str, data_dir: Path | str,
                   max_stale: int | None = None) -> SearchBackend:
    """The backend called `name` (ValueError naming the choices for another)."""
    factory = BACKENDS.get(str(name).strip().lower())
    if factory is None:
        raise ValueError(f"unknown search backend {name!r}; the choices are: {', '.join(BACKENDS)}")
    return factory(session_factory=session_factory, database_url=database_url, data_dir=Path(data_dir),
                   max_stale=max_stale)


def _whoosh(**options) -> SearchBackend:
    from search_index.whoosh_backend import WhooshBackend

    return WhooshBackend(**options)


def _postgresql(**options) -> SearchBackend:
    from search_index.postgresql.backend import PostgreSQLBackend

    return PostgreSQLBackend(**options)


BACKENDS: dict[str, Callable[..., SearchBackend]] = {"whoosh": _whoosh, "postgresql": _postgresql}
