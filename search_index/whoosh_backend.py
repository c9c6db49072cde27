"""The Whoosh backend: one index folder (<data dir>/index) on this machine, written by one writer
at a time (search_index.writer), searched from bit sets cached per index generation
(search_index.facets, ranking, query).

The index object is opened once and kept: each search's searcher still reads the newest table of
contents, so commits and a swapped-in rebuild are seen at once, and no search pays for opening
the index again (Whoosh reads the table of contents on each open). It reads with the schema of
this code rather than unpickling the stored one each time; the stored one (and the schema version
in it) is what check() and health() read, and what writers carry on."""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from whoosh.index import IndexError as WhooshIndexError

from catalog.digital.models import ANONYMOUS, DigitalObject, Viewer
from catalog.records.indexing import has_live_records
from catalog.jobs.operations import stale_record_count
from search_index import writer as index_writer
from search_index.background import BackgroundIndexer
from search_index.errors import IndexMissing, IndexUnavailable
from search_index.highlight import Snippet, mark_words
from search_index.facets import drop_caches
from search_index.inside import pages_holding
from search_index.masking import masked_words
from search_index.query import search
from search_index.rebuild import reindex
from search_index.results import BEHIND, EMPTY, HEALTHY, UNAVAILABLE, Completion, Health, IndexCheck, IndexReport, \
    InsideHit, SearchResult
from search_index.schema import SCHEMA_VERSION, build_schema, schema_version
from search_index.suggest import autocomplete

INDEX_FOLDER = "index"


class WhooshBackend:
    """SearchBackend (search_index.backend) on a Whoosh index in `<data_dir>/index`."""

    name = "whoosh"

    def __init__(self, *, session_factory: sessionmaker, database_url: str, data_dir: Path,
                 max_stale: int | None = None, index_dir: Path | None = None) -> None:
        self.session_factory = session_factory
        self.database_url = database_url
        self.index_dir = Path(index_dir) if index_dir is not None else Path(data_dir) / INDEX_FOLDER
        self.max_stale = max_stale
        self._key = str(self.index_dir.resolve())
        self._ix = None
        self._schema = build_schema()  # searches only; check() and health() read the stored one
        self._mutex = threading.Lock()

    def _index(self):
        """The open index (opened, or created empty, on first use)."""
        ix = self._ix
        if ix is None:
            with self._mutex:
                if self._ix is None:
                    self._ix = index_writer.open_index(self.index_dir, schema=self._schema)
                ix = self._ix
        return ix

    def _answer(self, ask):
        """ask(ix) on the kept index; once more on a freshly opened one if the folder changed
        under it (removed and made again)."""
        try:
            return ask(self._index())
        except (OSError, IndexUnavailable, WhooshIndexError):
            self._ix = None
            return ask(self._index())

    # -- keeping the index in step --------------------------------------------------------------
    def index_in_transactions(self, session_factory: sessionmaker, *, when=None) -> bool:
        return False  # one writer on this machine's disk: indexed after commit (app.search)

    def index_records(self, record_ids: list[int], *, lock_timeout: float | None = None) -> IndexReport:
        options = {} if lock_timeout is None else {"lock_timeout": lock_timeout}
        return index_writer.index_records(self.session_factory, self.index_dir, list(record_ids), **options)

    def sync(self, *, progress=None, lock_timeout: float | None = None) -> IndexReport:
        options = {} if lock_timeout is None else {"lock_timeout": lock_timeout}
        return index_writer.sync(self.session_factory, self.index_dir, progress=progress, **options)

    def remove(self, record_ids: list[int]) -> int:
        return index_writer.remove_documents(self.index_dir, list(record_ids))

    def background_indexer(self) -> BackgroundIndexer:
        return BackgroundIndexer(self.database_url, self.index_dir).start()

    def rebuild(self, *, progress=None) -> int:
        return reindex(self.session_factory, self.index_dir, progress=progress)

    # -- answering ------------------------------------------------------------------------------
    def search(self, text: str | None, *, page: int = 1, per_page: int = 20, sort: str = "relevance",
               filters: list[tuple[str, str]] | None = None) -> SearchResult:
        return self._answer(lambda ix: search(self.index_dir, text, page=page, per_page=per_page, sort=sort,
                                              filters=filters, ix=ix, cache_key=self._key))

    def generation(self) -> tuple[int, int]:
        """The index folder's identity and its newest generation: every commit to the index (and
        a rebuild) makes a new one, so answers kept under it are current (app.web.search_cache)."""
        return self._answer(lambda ix: (self.index_dir.stat().st_ino, ix.latest_generation()))

    def search_inside(self, objects: list[DigitalObject], q: str, *, viewer: Viewer = ANONYMOUS,
                      limit: int = 500) -> list[InsideHit]:
        return pages_holding(objects, q, viewer=viewer, limit=limit)

    def suggest(self, text: str) -> str | None:
        return self.search(text, per_page=10).suggestion

    def autocomplete(self, prefix: str, *, limit: int = 10) -> list[Completion]:
        found = self._answer(lambda ix: autocomplete(self.index_dir, prefix, limit=limit, ix=ix))
        return [Completion(value=f["value"], kind=f["kind"], count=f["count"]) for f in found]

    def highlight(self, text: str, words: list[str]) -> Snippet | None:
        return mark_words(text, words)

    def masked_words(self, field: str | None, pattern: str, limit: int) -> list[str]:
        return masked_words(self.index_dir, field, pattern, limit)

    # -- looking after it -----------------------------------------------------------------------
    def check(self) -> IndexCheck:
        return index_writer.check_index(self.session_factory, self.index_dir)

    def health(self) -> Health:
        status, exists, documents, written_by = HEALTHY, False, 0, None
        try:
            if self.index_dir.exists() and not self.index_dir.is_dir():
                raise IndexUnavailable("not a folder")
            if self.index_dir.is_dir():
                ix = index_writer.open_index(self.index_dir, create=False)
                with ix.searcher() as searcher:
                    exists, documents, written_by = True, searcher.doc_count(), schema_version(searcher.schema)
        except IndexMissing:
            pass  # no index yet: as empty
        except Exception:  # a health check is a process edge: any failure is the answer
            status, documents = UNAVAILABLE, None
        try:
            with self.session_factory() as session:
                stale = stale_record_count(session)
                if status == HEALTHY and not documents and has_live_records(session):
                    status = EMPTY
        except Exception:  # the database's own check says it does not answer; the index's figures stand
            stale = None
        if status == HEALTHY and self.max_stale is not None and stale is not None and stale > self.max_stale:
            status = BEHIND
        return Health(status, exists=exists, documents=documents, stale_records=stale, schema_version=written_by,
                      expected_schema_version=SCHEMA_VERSION)

    def close(self) -> None:
        """Let go of the index and of this process's caches of it (a switch to another backend)."""
        with self._mutex:
            self._ix = None
        drop_caches(self._key)
