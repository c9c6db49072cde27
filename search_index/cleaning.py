"""Removing the files of old index generations only once no search can still be reading them.

Whoosh deletes a generation's table of contents and every segment file it no longer names at each
commit. A searcher opened a moment before (in this process or another) opens some files lazily
(stored fields, field lengths) and then finds them gone: searches failed while a librarian lent
and returned copies. Here an old generation's files are kept until GRACE_SECONDS after the next
generation was written, and removed by a later commit.
"""
from __future__ import annotations

import time

from whoosh.index import TOC
from whoosh.writing import SegmentWriter

# Longer than any search takes (they take milliseconds; a slow one a few seconds).
GRACE_SECONDS = 60.0


class GracefulWriter(SegmentWriter):
    """Whoosh's segment writer, leaving recent generations' files in place at commit."""

    def __init__(self, ix, **kwargs) -> None:
        try:
            super().__init__(ix, **kwargs)
        except BaseException:
            # Whoosh takes the lock first: a folder it then cannot write (read-only, full) would
            # leave the lock held and every later writer of this process waiting for it.
            lock = getattr(self, "writelock", None)
            if lock is not None and getattr(lock, "fd", None) is not None:
                lock.release()
            raise

    def _commit_toc(self, segments) -> None:
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        clean_old_files(self.storage, self.indexname, self.generation, segments)


def clean_old_files(storage, indexname: str, generation: int, segments, *, grace: float = GRACE_SECONDS) -> None:
    """Delete tables of contents superseded more than `grace` seconds ago and the segment files
    that no kept generation names (like whoosh.index.clean_files, later)."""
    toc_pattern = TOC._pattern(indexname)
    segment_pattern = TOC._segment_pattern(indexname)
    names = [name for name in storage.list() if not name.startswith(".")]
    tocs = sorted((int(m.group(1)), name) for name in names if (m := toc_pattern.match(name)))
    now = time.time()
    keep = {s.segment_id() for s in segments}
    doomed = []
    for position, (gen, name) in enumerate(tocs):
        if gen == generation:
            continue
        newer = tocs[position + 1:]
        superseded = _modified(storage, newer[0][1]) if newer else now
        if gen > generation or superseded is None or now - superseded < grace:
            keep.update(_segment_ids(storage, indexname, gen))
        else:
            doomed.append(name)
    for name in names:
        match = segment_pattern.match(name)
        if match and match.group(1) not in keep:
            doomed.append(name)
    for name in doomed:
        try:
            storage.delete_file(name)
        except OSError:
            pass  # gone already, or still open elsewhere: a later commit tries again


def _modified(storage, name: str) -> float | None:
    try:
        return storage.file_modified(name)
    except OSError:
        return None


def _segment_ids(storage, indexname: str, generation: int) -> set[str]:
    try:
        return {s.segment_id() for s in TOC.read(storage, indexname, gen=generation).segments}
    except Exception:  # an unreadable old table of contents names nothing worth keeping
        return set()
