"""Search documents written in the same transaction as the records they show.

attach(session_factory) listens on the factory's sessions (the app's, when
LIBRARY_SEARCH_BACKEND=postgresql):
- after_flush notes every Record flushed with index_stale set (catalog.records.models.mark_stale
  flags a record whenever its fields, copies, digital objects or pages change);
- before_commit flushes, reads those records back inside the transaction
  (catalog.records.indexing.index_rows), writes their documents (search_index.postgresql.writing)
  and clears their stale flags, all before the COMMIT: the record and its document are committed
  together or not at all (a rollback leaves neither);
- after_rollback forgets what was noted.
Records flagged without the ORM (bulk UPDATEs, `reindex`'s mark_all_stale) stay stale for
sync(), which the CLI and jobs run after their commits (app.hooks.after_commit).
"""
from __future__ import annotations

import weakref
from typing import Callable

from sqlalchemy import event, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from catalog.records.indexing import index_rows
from catalog.records.models import Record
from search_index.postgresql.writing import write_rows

NOTED = "pgsearch_changed"
_ATTACHED: weakref.WeakSet = weakref.WeakSet()


def _note(session: Session, _flush_context) -> None:
    changed = session.info.setdefault(NOTED, {})
    for group in (session.new, session.dirty, session.deleted):
        for obj in group:
            if isinstance(obj, Record) and obj.index_stale and obj.id is not None:
                changed[obj.id] = obj


def _write_before_commit(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.flush()
    changed = session.info.pop(NOTED, None)
    if not changed:
        return
    ids = sorted(changed)
    write_rows(session, index_rows(session, ids))
    for start in range(0, len(ids), 1000):
        session.execute(update(Record).where(Record.id.in_(ids[start:start + 1000])).values(index_stale=False)
                        .execution_options(synchronize_session=False))
    for obj in changed.values():
        if obj in session:
            set_committed_value(obj, "index_stale", False)


def _forget(session: Session, *_args) -> None:
    session.info.pop(NOTED, None)


def attach(session_factory: sessionmaker, when: Callable[[], bool] | None = None) -> None:
    """Write documents in the transactions of this factory's sessions (once per factory); with
    `when`, only while it returns True (asked at each flush: a process that stops or starts
    writing this backend during a switch, app.ops.search_choice; listeners stay, since adding or
    removing them while other threads commit is not safe)."""
    if session_factory in _ATTACHED:
        return
    note = _note if when is None else (lambda session, context: _note(session, context) if when() else None)
    event.listen(session_factory, "after_flush", note)
    event.listen(session_factory, "before_commit", _write_before_commit)
    event.listen(session_factory, "after_rollback", _forget)
    _ATTACHED.add(session_factory)


def is_attached(session_factory: sessionmaker) -> bool:
    return session_factory in _ATTACHED
