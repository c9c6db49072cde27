"""Writing the index: one writer at a time, the database as the truth.

sync() indexes every stale record in batches (one Whoosh writer and four queries per batch) and
clears the stale flags only afterwards, for rows unchanged meanwhile; a failure leaves them stale.
Within a process concurrent callers never wait on each other: a caller finding a sync under way
leaves it a request, and the running sync loops once more before it stops, so no update is lost.
Between processes the Whoosh write lock is awaited (LOCK_TIMEOUT) and the loser's records stay
stale for the next sync.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import sessionmaker
from whoosh import index as whoosh_index
from whoosh.index import LockError

from catalog.errors import N_
from catalog.records.indexing import index_rows, mark_indexed_versions, record_versions
from catalog.records.models import stale_record_ids
from search_index.cleaning import GracefulWriter
from search_index.codec import TermPool, WritingCodec
from search_index.documents import build_document
from search_index.errors import IndexBusy, IndexMissing, IndexUnavailable
from search_index.results import IndexCheck, IndexReport
from search_index.schema import SCHEMA_VERSION, build_schema, schema_version

INDEX_NAME = "records"
LOCK_TIMEOUT = 30.0
BATCH_SIZE = 1000
# Separate segment files: Whoosh copies a compound segment's sub-files into memory each time a
# searcher opens them (tens of milliseconds per search at 100k records).
WRITER_OPTIONS = {"compound": False}
# A writer holds its postings in memory (search_index.codec.TermPool, about 1.5 KB a record):
# writers adding many records commit every COMMIT_EVERY of them, so memory stays flat.
COMMIT_EVERY = 25_000


def index_exists(index_dir: Path | str) -> bool:
    return whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_index(index_dir: Path | str, *, create: bool = True, schema=None):
    """The index in `index_dir`, created empty when missing (unless create=False). Opened once:
    asking index_exists first read the table of contents twice (a tenth of a search's time).
    `schema`: read with this schema instead of unpickling the stored one at every table of
    contents read (for searching only: a writer must carry on the schema the index holds)."""
    path = Path(index_dir)
    try:
        if path.is_dir():
            try:
                return whoosh_index.open_dir(str(path), indexname=INDEX_NAME, schema=schema)
            except whoosh_index.EmptyIndexError:
                pass
        if not create:
            raise IndexMissing(N_("The search index at {path} does not exist yet; run `flask --app app reindex`."),
                               path=str(path))
        path.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
    except (OSError, whoosh_index.IndexError) as exc:
        raise IndexUnavailable(N_("The search index at {path} cannot be opened: {reason}"), path=str(path),
                               reason=str(exc)) from exc


def open_writer(ix, timeout: float = LOCK_TIMEOUT):
    """A writer on `ix`, waiting up to `timeout` for another process's; IndexBusy after that,
    IndexUnavailable when the folder cannot be written (read-only, full)."""
    try:
        writer = GracefulWriter(ix, timeout=timeout, delay=0.05, codec=WritingCodec(), **WRITER_OPTIONS)
    except LockError as exc:
        raise IndexBusy(N_("The search index is busy (another process is writing it); changed records stay marked "
                           "and are indexed by the next sync.")) from exc
    except OSError as exc:
        raise _unwritable(ix, exc) from exc
    writer.pool = TermPool()  # see search_index.codec; holds every posting until commit
    return writer


def write_document(writer, row, *, exists: bool) -> None:
    """Add, replace or remove one record's document. `exists`: the id may be in the committed
    index (a new record is added without Whoosh's per-document lookup of the old one)."""
    if not row.is_live:
        if exists:
            writer.delete_by_term("id", str(row.id))
    elif exists:
        writer.update_document(**build_document(row))
    else:
        writer.add_document(**build_document(row))


SyncReport = IndexReport


class _SyncState:
    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.requests = 0
        self.busy = False


_STATES: dict[str, _SyncState] = {}
_STATES_MUTEX = threading.Lock()


def _state(index_dir: Path | str) -> _SyncState:
    key = str(Path(index_dir).resolve())
    with _STATES_MUTEX:
        return _STATES.setdefault(key, _SyncState())


def sync(session_factory: sessionmaker, index_dir: Path | str, *, batch_size: int = BATCH_SIZE,
         progress: Callable[[int, int], None] | None = None, lock_timeout: float = LOCK_TIMEOUT) -> SyncReport:
    """Index every stale record (removing deleted and merged ones) and clear their flags.
    `lock_timeout`: how long to wait for another process's writer before leaving the records
    stale for a later sync (IndexBusy)."""
    state = _state(index_dir)
    with state.mutex:
        state.requests += 1
        if state.busy:
            return SyncReport(deferred=True)
        state.busy = True
    report = SyncReport()
    try:
        while True:
            with state.mutex:
                seen = state.requests
            _sync_stale(session_factory, index_dir, batch_size, report, progress, lock_timeout)
            with state.mutex:
                if state.requests == seen:
                    state.busy = False
                    return report
    except BaseException:
        with state.mutex:
            state.busy = False
        raise


def _sync_stale(session_factory, index_dir, batch_size, report, progress, lock_timeout) -> None:
    ix = open_index(index_dir)
    try:
        done: dict[int, object] = {}
        stuck: set[int] = set()
        total = None
        while True:
            with session_factory() as session:
                ids = [i for i in stale_record_ids(session, limit=batch_size + len(stuck)) if i not in stuck]
                if total is None and progress:
                    total = len(stale_record_ids(session))
                rows = index_rows(session, ids[:batch_size])
            if not rows:
                return
            # A record changed again while it was indexed comes back with a newer stale_since and
            # is done again; one that comes back unchanged is not retried in this sync.
            fresh = [row for row in rows if row.id not in done or done[row.id] != row.stale_since]
            fresh_ids = {row.id for row in fresh}
            stuck.update(row.id for row in rows if row.id not in fresh_ids)
            if not fresh:
                continue
            write_rows(ix, fresh, report, lock_timeout=lock_timeout)
            with session_factory.begin() as session:
                mark_indexed_versions(session, [(row.id, row.stale_since) for row in fresh])
            for row in fresh:
                done[row.id] = row.stale_since
            if progress:
                progress(len(done), max(total or 0, len(done)))
    finally:
        ix.close()


def write_rows(ix, rows, report: SyncReport | None = None, *, fresh: bool = False,
               lock_timeout: float = LOCK_TIMEOUT) -> None:
    """Write one batch with one writer: live records (re)added, the others removed."""
    writer = open_writer(ix, lock_timeout)
    try:
        reader = writer.searcher().reader()
        for row in rows:
            write_document(writer, row, exists=not fresh and ("id", str(row.id)) in reader)
            if report and row.is_live:
                report.indexed += 1
            elif report:
                report.removed += 1
    except BaseException:
        writer.cancel()
        raise
    try:
        writer.commit()
    except OSError as exc:
        raise _unwritable(ix, exc) from exc


def _unwritable(ix, exc: OSError) -> IndexUnavailable:
    return IndexUnavailable(N_("The search index at {path} cannot be written: {reason}"),
                            path=str(getattr(ix.storage, "folder", "")), reason=exc.strerror or type(exc).__name__)


def index_records(session_factory: sessionmaker, index_dir: Path | str, record_ids: list[int], *,
                  lock_timeout: float = LOCK_TIMEOUT) -> SyncReport:
    """Index these records now (what one request changed) and clear their stale flags; any other
    stale records are left to sync(). On failure they stay stale."""
    report = SyncReport()
    with session_factory() as session:
        rows = index_rows(session, sorted(set(record_ids)))
    if not rows:
        return report
    ix = open_index(index_dir)
    try:
        write_rows(ix, rows, report, lock_timeout=lock_timeout)
    finally:
        ix.close()
    with session_factory.begin() as session:
        mark_indexed_versions(session, [(row.id, row.stale_since) for row in rows])
    return report


def check_index(session_factory: sessionmaker, index_dir: Path | str) -> IndexCheck:
    """Missing (live records not indexed), stale (marked, or indexed from an older version) and
    orphaned (indexed but deleted, merged or unknown) entries."""
    with session_factory() as session:
        versions = record_versions(session)
    ix = open_index(index_dir, create=False)
    try:
        with ix.searcher() as searcher:
            indexed = {int(fields["id"]): fields.get("version", "") for fields in searcher.all_stored_fields()}
            written_by = schema_version(searcher.schema)
    finally:
        ix.close()
    missing = sorted(set(versions) - set(indexed))
    stale = sorted(rid for rid, (is_stale, version) in versions.items()
                   if rid in indexed and (is_stale or indexed[rid] != version))
    orphaned = sorted(set(indexed) - set(versions))
    return IndexCheck(missing=missing, stale=stale, orphaned=orphaned, indexed=len(indexed), live=len(versions),
                      schema_version=written_by, expected_schema_version=SCHEMA_VERSION)


def remove_documents(index_dir: Path | str, record_ids: list[int], *, lock_timeout: float = LOCK_TIMEOUT) -> int:
    """Take these records out of the index whatever the database says (they come back at the
    next sync if they are live and marked stale); returns how many entries were removed."""
    ix = open_index(index_dir)
    try:
        writer = open_writer(ix, lock_timeout)
        try:
            with writer.searcher() as searcher:
                removed = sum(writer.delete_by_term("id", str(rid), searcher=searcher) for rid in sorted(set(record_ids)))
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.commit()
        except OSError as exc:
            raise _unwritable(ix, exc) from exc
        return removed
    finally:
        ix.close()
