"""SearchBackend (search_index.backend) on PostgreSQL full text: no local index, any number of
web servers and workers sharing one database.

The documents live in the catalogue's database (catalog.pgsearch.models). With the app's
sessions attached (index_in_transactions, upkeep.py) they are written in the transaction of the
records they show; sync(), index_records() and rebuild() write the rest (records flagged by
bulk statements, a bulk import's batches), each batch in one transaction with its stale flags.
"""
from __future__ import annotations

import math
import threading
import time

from sqlalchemy import exists, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import sessionmaker

from catalog.digital.models import ANONYMOUS, DigitalObject, Viewer
from catalog.errors import N_
from catalog.jobs.operations import stale_record_count
from catalog.pgsearch.models import search_completion, search_document
from catalog.records.indexing import (
    has_live_records, index_rows, live_record_ids, mark_indexed_versions, record_versions,
)
from catalog.records.models import Record, stale_record_ids
from search_index.errors import IndexUnavailable
from search_index.highlight import Snippet, mark_words
from search_index.inside import pages_holding
from search_index.parsing import parse_query
from search_index.postgresql import suggest as pg_suggest
from search_index.postgresql import upkeep
from search_index.postgresql.bulk import InlineIndexer
from search_index.postgresql.documents import SCHEMA_VERSION
from search_index.postgresql.query import (
    COUNT_LIMIT, DF_SAMPLE, ORDERS, SCORE_LIMIT, SEQUENTIAL_SHARE, Sql, count_facets, estimate_matches, hit_fields,
    only_plain_words, page_rows, ranking_words, score_sql, where,
)
from search_index.postgresql.writing import indexed_versions, remove_documents, write_rows
from search_index.results import (
    BEHIND, EMPTY, FACETS, HEALTHY, MAX_PER_PAGE, SORTS, UNAVAILABLE, Completion, FacetValue, Health, Hit, IndexCheck,
    IndexReport, InsideHit, SearchResult,
)

BATCH_SIZE = 1000
STATS_SECONDS = 60.0  # document frequencies (idf) are remembered this long per process
RERANK_WINDOW = 60
READ_WORK_MEM = "32MB"  # per search (the server's default, 4 MB, makes a million documents' bitmaps lossy)
EXACT_DOCUMENTS = 100_000  # the documents are counted for the idf below this many, else the planner's figure


def is_postgresql(database_url: str) -> bool:
    from sqlalchemy.engine import make_url

    try:
        return make_url(database_url).get_backend_name() == "postgresql"
    except Exception:  # not a URL at all: not PostgreSQL either
        return False


class _Stats:
    """Document frequencies of folded words and the number of documents, remembered a while."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.frequencies: dict[str, tuple[float, int]] = {}
        self.documents: tuple[float, int] | None = None

    def idf(self, connection, words: list[str]):
        now = time.monotonic()
        with self.mutex:
            wanted = [w for w in dict.fromkeys(words)
                      if w not in self.frequencies or now - self.frequencies[w][0] > STATS_SECONDS]
            documents = self.documents if self.documents and now - self.documents[0] <= STATS_SECONDS else None
        if wanted or documents is None:
            sql = Sql()
            # The documents: the planner's figure for a large table (counting them is a scan of it),
            # counted when it is small or was never analysed.
            columns = [f"(SELECT CASE WHEN reltuples >= {EXACT_DOCUMENTS} THEN reltuples::bigint ELSE (SELECT count(*) "
                       f"FROM search_document) END FROM pg_class WHERE oid = 'search_document'::regclass)"]
            for word in wanted:  # a word's first DF_SAMPLE documents, and the last page they took
                columns.append(f"(SELECT array[count(*), max((at::text::point)[0])]::bigint[] FROM (SELECT d.ctid AS at "
                               f"FROM search_document d WHERE {sql.folded_word(word)} LIMIT {DF_SAMPLE}) s)")
            row = connection.execute(text("SELECT " + ", ".join(columns)), sql.params).one()
            found = {}
            for word, (count, block) in zip(wanted, row[1:]):
                found[word] = int(count) if count < DF_SAMPLE else estimate_matches(connection, int(count), int(block))
            with self.mutex:
                if documents is None:
                    self.documents = documents = (now, int(row[0]))
                for word, count in found.items():
                    self.frequencies[word] = (now, count)
                if len(self.frequencies) > 100_000:
                    self.frequencies.clear()
        with self.mutex:
            frequencies = {w: self.frequencies.get(w, (now, 0))[1] for w in words}
        total = max(1, documents[1])

        def idf(word: str) -> float:
            return math.log(1 + total / (1 + frequencies.get(word, 0)))

        idf.total = total
        idf.share = lambda word: frequencies.get(word, 0) / total
        return idf


class PostgreSQLBackend:
    """Search documents in the catalogue's PostgreSQL database."""

    name = "postgresql"

    def __init__(self, *, session_factory: sessionmaker, database_url: str, data_dir=None,
                 max_stale: int | None = None) -> None:
        if not is_postgresql(database_url):
            raise ValueError("The postgresql search backend needs a PostgreSQL database (LIBRARY_DATABASE_URL is "
                             "not one); use LIBRARY_SEARCH_BACKEND=whoosh with this database.")
        self.session_factory = session_factory
        # Where searches read (search, autocomplete, masking): the same database unless a replica's
        # sessions are put here (LIBRARY_DATABASE_REPLICA_URL). Writes, check() and health() use
        # session_factory.
        self.read_factory = session_factory
        self.database_url = database_url
        self.max_stale = max_stale
        self._stats = _Stats()
        self.count_limit = COUNT_LIMIT  # matches counted exactly; the total is estimated past it

    def index_in_transactions(self, session_factory: sessionmaker, *, when=None) -> bool:
        upkeep.attach(session_factory, when)
        return True

    # -- keeping the documents in step ----------------------------------------------------------
    @staticmethod
    def _rows(session, record_ids: list[int]) -> list:
        """index_rows of these records, their rows locked first (in id order): a record's own
        transaction locks the record and then its document, so every writer here takes them in
        that order too and never deadlocks with a desk's save."""
        if not record_ids:
            return []
        session.execute(select(Record.id).where(Record.id.in_(record_ids)).order_by(Record.id).with_for_update())
        return index_rows(session, record_ids)

    def _write(self, session, rows, report: IndexReport) -> None:
        indexed, removed = write_rows(session, rows)
        report.indexed += indexed
        report.removed += removed
        mark_indexed_versions(session, [(row.id, row.stale_since) for row in rows])

    def index_records(self, record_ids: list[int], *, lock_timeout: float | None = None) -> IndexReport:
        report = IndexReport()
        ids = sorted(set(record_ids))
        for start in range(0, len(ids), BATCH_SIZE):
            with self.session_factory.begin() as session:
                self._write(session, self._rows(session, ids[start:start + BATCH_SIZE]), report)
        return report

    def _index_stale_among(self, record_ids: list[int]) -> IndexReport:
        report = IndexReport()
        ids = sorted(set(record_ids))
        for start in range(0, len(ids), BATCH_SIZE):
            with self.session_factory.begin() as session:
                stale = list(session.scalars(select(Record.id).where(
                    Record.id.in_(ids[start:start + BATCH_SIZE]), Record.index_stale.is_(True))))
                self._write(session, self._rows(session, stale), report)
        return report

    def sync(self, *, progress=None, lock_timeout: float | None = None) -> IndexReport:
        report = IndexReport()
        done: dict[int, object] = {}
        stuck: set[int] = set()
        total = None
        while True:
            with self.session_factory.begin() as session:
                ids = [i for i in stale_record_ids(session, limit=BATCH_SIZE + len(stuck)) if i not in stuck]
                if total is None and progress:
                    total = len(stale_record_ids(session))
                rows = self._rows(session, ids[:BATCH_SIZE])
                if not rows:
                    return report
                # A record whose flag stays set (changed meanwhile) is done again once, not for ever.
                fresh = [row for row in rows if row.id not in done or done[row.id] != row.stale_since]
                fresh_ids = {row.id for row in fresh}
                stuck.update(row.id for row in rows if row.id not in fresh_ids)
                if fresh:
                    self._write(session, fresh, report)
            for row in fresh:
                done[row.id] = row.stale_since
            if progress and fresh:
                progress(len(done), max(total or 0, len(done)))

    def remove(self, record_ids: list[int]) -> int:
        with self.session_factory.begin() as session:
            return remove_documents(session, sorted(set(record_ids)))

    def background_indexer(self) -> InlineIndexer:
        return InlineIndexer(self._index_stale_among).start()

    def rebuild(self, *, progress=None) -> int:
        """Every live record's document written again, batch by batch (each its own transaction:
        searches go on and see old or new documents, never none), then the documents of records
        no longer live removed, then whatever is still stale."""
        with self.session_factory() as session:
            ids = live_record_ids(session)
        report = IndexReport()
        for start in range(0, len(ids), BATCH_SIZE):
            with self.session_factory.begin() as session:
                self._write(session, self._rows(session, ids[start:start + BATCH_SIZE]), report)
            if progress:
                progress(min(start + BATCH_SIZE, len(ids)), len(ids))
        with self.session_factory.begin() as session:
            live = exists().where(Record.id == search_document.c.record_id, Record.deleted_at.is_(None),
                                  Record.merged_into_id.is_(None))
            gone = list(session.scalars(select(search_document.c.record_id).where(~live)))
            remove_documents(session, gone)
            session.execute(search_completion.delete().where(~exists().where(
                search_document.c.record_id == search_completion.c.record_id)))
        self.sync()
        return len(ids)

    # -- answering ------------------------------------------------------------------------------
    def search(self, text_: str | None, *, page: int = 1, per_page: int = 20, sort: str = "relevance",
               filters: list[tuple[str, str]] | None = None) -> SearchResult:
        parsed = parse_query(text_)
        filters = filters or []
        sort = sort if sort in SORTS else "relevance"
        per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
        page = max(1, int(page or 1))
        with self._reading() as connection:
            sql = Sql()
            condition = where(sql, parsed, filters)
            sequential = False
            words = only_plain_words(parsed)
            if len(words) >= 2 and not filters:  # common words found together (SEQUENTIAL_SHARE)
                idf = self._stats.idf(connection, words)
                sequential = math.prod(idf.share(w) for w in words) >= SEQUENTIAL_SHARE
            total, total_approximate, counts, approximate = count_facets(connection, sql, condition, self.count_limit,
                                                                         sequential)
            start = (page - 1) * per_page
            rows = []
            if start < total:
                rows = self._page(connection, sql, condition, parsed, filters, sort, start, per_page, total)
            hits = [Hit(**hit_fields(record_id, data, parsed)) for record_id, data in rows]
            selected = set(filters)
            facets = {name: [FacetValue(v, c, (name, v) in selected) for v, c in counts.get(name, [])]
                      for name in FACETS}
            suggestion = pg_suggest.did_you_mean(connection, parsed, total, [data for _id, data in rows],
                                                 lambda words: self._top_data(connection, words))
        result = SearchResult(total=total, page=page, per_page=per_page, hits=hits, facets=facets,
                              suggestion=suggestion, notes=parsed.notes, query=parsed, sort=sort, filters=filters,
                              facets_approximate=approximate, total_approximate=total_approximate)
        return result

    def _page(self, connection, sql: Sql, condition: str, parsed, filters, sort: str, start: int, count: int,
              total: int):
        weighted, in_order = ranking_words(parsed)
        if sort != "relevance" or parsed.is_empty or not weighted:
            order = ORDERS.get(sort if sort != "relevance" else "newest", ORDERS["newest"])
            return page_rows(connection, sql, condition, order, start, count)
        from search_index.analysis import folded_term

        idf = self._stats.idf(connection, [folded_term(w) for w, _f, _x in weighted] +
                              [folded_term(w) for w in in_order])
        order = score_sql(sql, weighted, in_order, idf) + " DESC, d.record_id"
        needed = start + count
        if total <= SCORE_LIMIT:
            return page_rows(connection, sql, condition, order, start, count)
        # A large match set: rank the candidates most worth it (every word in the title, when enough
        # of them do), at most max(SCORE_LIMIT, needed + RERANK_WINDOW) documents.
        pool = max(SCORE_LIMIT, needed + RERANK_WINDOW)
        required = [folded_term(w) for w, _f, factor in weighted if factor == 1.0]

        def ranked(narrow: str) -> tuple[list, int]:
            """The page among the pool of candidates, and how many candidates there were."""
            statement = (f"SELECT d.record_id, d.data, count(*) OVER () FROM (SELECT * FROM search_document d "
                         f"WHERE {narrow} LIMIT {pool}) d ORDER BY {order} LIMIT {int(count)} OFFSET {int(start)}")
            found = connection.execute(text(statement), sql.params).all()
            return [(record_id, data) for record_id, data, _n in found], (found[0][2] if found else 0)

        if required:
            rows, candidates = ranked(where(sql, parsed, filters, titles=required))
            if candidates >= needed:
                return rows
        return ranked(condition)[0]

    def _top_data(self, connection, words: list[str], limit: int = 10) -> list[dict]:
        parsed = parse_query(" ".join(words))
        sql = Sql()
        condition = where(sql, parsed, [])
        # Their number unknown: as for a broad query, at most a pool of candidates is scored.
        return [data for _id, data in self._page(connection, sql, condition, parsed, [], "relevance", 0, limit,
                                                 SCORE_LIMIT + 1)]

    def _reading(self):
        return _Reading(self.read_factory)

    def search_inside(self, objects: list[DigitalObject], q: str, *, viewer: Viewer = ANONYMOUS,
                      limit: int = 500) -> list[InsideHit]:
        return pages_holding(objects, q, viewer=viewer, limit=limit)

    def suggest(self, text_: str) -> str | None:
        return self.search(text_, per_page=10).suggestion

    def autocomplete(self, prefix: str, *, limit: int = 10) -> list[Completion]:
        with self._reading() as connection:
            found = pg_suggest.autocomplete(connection, prefix, limit=limit)
        return [Completion(value=f["value"], kind=f["kind"], count=f["count"]) for f in found]

    def highlight(self, text_: str, words: list[str]) -> Snippet | None:
        return mark_words(text_, words)

    def masked_words(self, field: str | None, pattern: str, limit: int) -> list[str]:
        with self._reading() as connection:
            return pg_suggest.masked_words(connection, field, pattern, limit)

    # -- looking after it -----------------------------------------------------------------------
    def _written_by(self, session) -> str:
        other = session.execute(text("SELECT written_by FROM search_document WHERE written_by <> :v LIMIT 1"),
                                {"v": SCHEMA_VERSION}).scalar()
        return other or SCHEMA_VERSION

    def check(self) -> IndexCheck:
        try:
            with self.session_factory() as session:
                versions = record_versions(session)
                indexed = indexed_versions(session)
                written_by = self._written_by(session)
        except (ProgrammingError, DBAPIError) as exc:
            raise IndexUnavailable(N_("The search documents cannot be read ({reason}); run `flask --app app init-db`."),
                                   reason=type(exc.orig).__name__ if getattr(exc, "orig", None) else str(exc)) from exc
        missing = sorted(set(versions) - set(indexed))
        stale = sorted(rid for rid, (is_stale, version) in versions.items()
                       if rid in indexed and (is_stale or indexed[rid] != version))
        orphaned = sorted(set(indexed) - set(versions))
        return IndexCheck(missing=missing, stale=stale, orphaned=orphaned, indexed=len(indexed), live=len(versions),
                          schema_version=written_by, expected_schema_version=SCHEMA_VERSION)

    def health(self) -> Health:
        status, exists_, documents, written_by, stale = HEALTHY, False, None, None, None
        try:
            with self.session_factory() as session:
                documents = session.execute(text("SELECT count(*) FROM search_document")).scalar_one()
                exists_, written_by = True, self._written_by(session)
                stale = stale_record_count(session)
                if not documents and has_live_records(session):
                    status = EMPTY
        except Exception:  # a health check is a process edge: any failure is the answer
            status, documents = UNAVAILABLE, None
        if status == HEALTHY and self.max_stale is not None and stale is not None and stale > self.max_stale:
            status = BEHIND
        return Health(status, exists=exists_, documents=documents, stale_records=stale, schema_version=written_by,
                      expected_schema_version=SCHEMA_VERSION)

    def close(self) -> None:
        """Nothing of its own is held open (the sessions are the app's)."""


class _Reading:
    """A read-only session's connection for one answer (given back at the end)."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self.session = session_factory()

    def __enter__(self):
        connection = self.session.connection()
        # A sequential scan starts at the table's first page, not where another one has got to,
        # and runs in this process alone (no parallel workers: a search is short, and the other
        # searches want the other cores), so that the first matches tell how the rest are spread
        # (query.estimate_matches); the bitmap of a broad word's matches stays exact (one bit per
        # document, not per page to recheck) in READ_WORK_MEM.
        connection.execute(text(f"SET LOCAL synchronize_seqscans = off; SET LOCAL max_parallel_workers_per_gather = 0; "
                                f"SET LOCAL work_mem = '{READ_WORK_MEM}'"))
        return connection

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()
