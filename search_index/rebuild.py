"""Rebuilding the index from the database while it is being searched.

The new index is written beside the live one (a hidden folder inside the index folder, so on the
same file system), taking as long as it needs; searches keep answering from the live index. Then,
under the live index's write lock: the records changed while it was built are written again into
the new index, its segment files are moved into the live folder and a new table of contents (the
next generation) naming only them is written (an atomic rename), and the old segments are removed.
A search opened before the swap finishes on the old generation; one opened after reads the new.

If the lock cannot be had (another writer holds it too long), the rebuild is dropped and the live
index stays as it was (IndexBusy). The stale flags are cleared only after the swap, for rows not
changed since they were read.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import sessionmaker
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.util.filelock import try_for

from catalog.jobs.bulk import fewer_collections
from catalog.errors import N_
from catalog.records.indexing import index_rows, live_record_ids, mark_indexed_versions, record_states
from search_index.cleaning import clean_old_files
from search_index.documents import build_document
from search_index.errors import IndexBusy, IndexUnavailable
from search_index.schema import build_schema
from search_index.writer import COMMIT_EVERY, INDEX_NAME, LOCK_TIMEOUT, open_writer, sync, write_rows


def reindex(session_factory: sessionmaker, index_dir: Path | str, *, batch_size: int = 2000,
            progress: Callable[[int, int], None] | None = None, lock_timeout: float = LOCK_TIMEOUT) -> int:
    """Rebuild the index from the database and swap it in; searches go on meanwhile. Returns the
    number of records indexed. IndexBusy (live index untouched) when another writer holds the
    lock longer than `lock_timeout`."""
    live = Path(index_dir)
    try:
        live.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=".rebuild-", dir=live))
    except OSError as exc:
        raise IndexUnavailable(N_("The search index at {path} cannot be written: {reason}"), path=str(live),
                               reason=exc.strerror or type(exc).__name__) from exc
    try:
        with fewer_collections():
            count, read = _build(session_factory, aside, batch_size, progress)
        versions = _swap(session_factory, aside, live, read, lock_timeout)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    with session_factory.begin() as session:
        mark_indexed_versions(session, versions)
    sync(session_factory, live, batch_size=batch_size)  # anything left stale (a failed batch, say)
    return count


def _build(session_factory, aside: Path, batch_size: int, progress) -> tuple[int, dict]:
    """Every live record into a new index in `aside` (a writer committing every COMMIT_EVERY
    records); returns the count and what was read of each record: {id: (stale_since, updated_at)}."""
    with session_factory() as session:
        ids = live_record_ids(session)
    ix = whoosh_index.create_in(str(aside), build_schema(), indexname=INDEX_NAME)
    writer = open_writer(ix)
    read: dict[int, tuple] = {}
    written = 0
    try:
        for start in range(0, len(ids), batch_size):
            with session_factory() as session:
                rows = index_rows(session, ids[start:start + batch_size])
            for row in rows:
                if row.is_live:
                    writer.add_document(**build_document(row))
                    written += 1
                read[row.id] = (row.stale_since, row.updated_at)
            if written >= COMMIT_EVERY:
                writer.commit()
                writer, written = open_writer(ix), 0
            if progress:
                progress(min(start + batch_size, len(ids)), len(ids))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(ids), read


def _swap(session_factory, aside: Path, live: Path, read: dict, lock_timeout: float) -> list[tuple]:
    """Under the live write lock: catch up the records changed since they were read, then make the
    new index the live one. Returns (id, stale_since) of every record now indexed as read."""
    live_storage = FileStorage(str(live))
    lock = live_storage.lock(INDEX_NAME + "_WRITELOCK")  # the lock every Whoosh writer takes
    if not try_for(lock.acquire, timeout=lock_timeout, delay=0.05):
        raise IndexBusy(N_("The search index is busy (another process is writing it); the rebuilt index was not "
                           "swapped in and the old one still answers. Run `flask --app app reindex` again."))
    try:
        rows = _changed_rows(session_factory, read)
        ix = whoosh_index.open_dir(str(aside), indexname=INDEX_NAME)
        if rows:
            write_rows(ix, rows, lock_timeout=lock_timeout)
        aside_storage = FileStorage(str(aside))
        toc = TOC.read(aside_storage, INDEX_NAME)
        names = {segment.segment_id() for segment in toc.segments}
        for name in aside_storage.list():
            if name.partition(".")[0] in names:
                (aside / name).replace(live / name)
        generation = TOC._latest_generation(live_storage, INDEX_NAME) + 1
        TOC(toc.schema, toc.segments, generation).write(live_storage, INDEX_NAME)
        clean_old_files(live_storage, INDEX_NAME, generation, toc.segments)
    finally:
        lock.release()
    caught_up = {row.id: row.stale_since for row in rows}
    return [(rid, caught_up.get(rid, since)) for rid, (since, _updated) in read.items()] + \
        [(rid, since) for rid, since in caught_up.items() if rid not in read]


def _changed_rows(session_factory, read: dict) -> list:
    """Rows of the records changed, added or removed since the build read them, and of records
    still marked stale that the build did not read (deleted or merged ones)."""
    with session_factory() as session:
        states = record_states(session)
        changed = [rid for rid, (since, updated, is_stale, is_live) in states.items()
                   if (rid in read and read[rid] != (since, updated)) or (rid not in read and (is_live or is_stale))]
        return index_rows(session, changed)
