"""The search backends of one process, following the choice recorded in the database.

`switch-search-backend` (app/cli/switching.py) moves an instance to the other backend without a
restart by recording (catalog.searchops.settings) first that both backends are written, then which
one answers, then that the switch is over. Every process (web workers, background workers, CLI
commands) looks at that record at most every LIBRARY_SEARCH_BACKEND_CHECK_SECONDS (a web request
before anything else, with a short session of its own; elsewhere when it asks for the backend; and
at a flush, through the flushing session's connection, so that an edit of a job or a command
long after the last look is written where the record says) and follows it:

- every backend this database can carry is built at start (building opens nothing: an index or a
  connection is opened on first use), and the one writing inside transactions (postgresql) is
  attached to the sessions at start, writing only while this process writes that backend;
- the backend answering changes between two calls: a call under way finishes on the backend it
  began with (nothing is closed under it); a backend no longer written is closed one check
  interval later;
- no record: LIBRARY_SEARCH_BACKEND decides. A record naming a backend this database cannot
  carry, or a database that cannot be read, leaves the process as it was (logged).
"""
from __future__ import annotations

import logging
import math
import threading
import time
from typing import Iterable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from catalog.searchops.settings import BackendChoice, read_choice
from search_index.backend import SearchBackend

log = logging.getLogger(__name__)


class SearchBackends:
    """The backends of one app: which answers, which are written, and the pending ids that an
    after-commit backend must take beside one writing in transactions (see app.search)."""

    def __init__(self, factory: sessionmaker, default: str, available: dict[str, SearchBackend],
                 unavailable: dict[str, str], interval: float) -> None:
        self.factory = factory
        self.default = default
        self.available = available
        self.unavailable = unavailable  # name -> why this database cannot carry it
        self.in_transactions: dict[str, bool] = {}
        self.interval = max(0.0, interval)
        self.choice = BackendChoice(default)
        self.checked_at = -math.inf
        self.is_readable = False  # the record was read once (the table exists)
        self._looking = threading.Lock()
        self._retired: dict[str, float] = {}  # no longer written since (monotonic); closed later
        self._pending: set[int] = set()
        self._pending_mutex = threading.Lock()

    # -- what this process does now ---------------------------------------------------------------
    @property
    def primary(self) -> SearchBackend:
        return self.available[self.choice.backend]

    def writers(self) -> list[SearchBackend]:
        return [self.available[name] for name in self.choice.writers]

    def others(self) -> list[SearchBackend]:
        """The backends written beside the one answering (during a switch)."""
        return [self.available[name] for name in self.choice.writers[1:]]

    def after_commit_writers(self) -> list[SearchBackend]:
        """The written backends that are indexed after commits (whoosh), not inside them."""
        return [b for b in self.writers() if not self.in_transactions.get(b.name)]

    def attach(self, name: str) -> None:
        """Let backend `name` write inside the factory's transactions while this process writes it."""
        self.in_transactions[name] = self.available[name].index_in_transactions(
            self.factory, when=lambda: name in self.choice.writers)

    # -- following the record ------------------------------------------------------------------
    def is_due(self) -> bool:
        return time.monotonic() - self.checked_at >= self.interval

    def refresh(self, *, force: bool = False, connection=None) -> None:
        """Read the recorded choice when the interval has passed (or `force`) and follow it, with
        a session of its own or through `connection` (a flushing session's: only once the record
        was readable, since a failed read there would spoil the caller's transaction). One thread
        looks at a time; the others go on with the current choice meanwhile."""
        if not force and not self.is_due():
            return
        if connection is not None and not self.is_readable:
            return
        if not self._looking.acquire(blocking=force):
            return
        try:
            self.checked_at = time.monotonic()
            try:
                if connection is not None:
                    choice = read_choice(connection, self.default)
                else:
                    with self.factory() as session:
                        choice = read_choice(session, self.default)
                self.is_readable = True
            except SQLAlchemyError as exc:  # not migrated yet, or the database is away: keep what we have
                # At start-up before `init-db` the table is not there yet: nothing to warn about.
                log.log(logging.DEBUG if force else logging.WARNING, "the recorded search backend cannot be read "
                        "(%s); keeping %s", type(exc).__name__, self.choice.backend)
                return
            self.follow(choice)
        finally:
            self._looking.release()

    def follow(self, choice: BackendChoice) -> None:
        """Answer from and write what `choice` names; close what is no longer written, one interval on."""
        missing = [name for name in choice.writers if name not in self.available]
        if missing:
            log.error("the recorded search backend names %s, which this database cannot carry (%s); keeping %s",
                      ", ".join(missing), "; ".join(self.unavailable.get(n, "unknown") for n in missing),
                      self.choice.backend)
            return
        if choice.writers != self.choice.writers:
            log.info("search backend: answering from %s%s", choice.backend,
                     f", also writing {choice.also_writing}" if choice.also_writing else "")
        now = time.monotonic()
        for name in set(self.choice.writers) - set(choice.writers):
            self._retired[name] = now
        for name in choice.writers:
            self._retired.pop(name, None)
        self.choice = choice
        for name, since in list(self._retired.items()):
            if now - since >= self.interval:
                del self._retired[name]
                self.available[name].close()

    # -- records an after-commit backend must take (committed outside requests) ----------------------
    def note_pending(self, record_ids: Iterable[int]) -> None:
        with self._pending_mutex:
            self._pending.update(record_ids)

    def take_pending(self) -> set[int]:
        with self._pending_mutex:
            taken, self._pending = self._pending, set()
        return taken
