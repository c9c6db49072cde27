"""The gunicorn worker of `make serve` (deploy/gunicorn.conf.py): gunicorn's threaded worker that
takes a new connection only while one of its threads is free.

Gunicorn's own gthread worker accepts every connection it can (up to worker_connections, 1,000)
and keeps it for as long as the client keeps it alive. Clients that connect at the same moment (a
reverse proxy filling its pool of keep-alive connections, a school's computer room opening the
catalogue, wrk) mostly land on whichever worker woke first: under 16 connections one of four
workers held 13 (bench/RESULTS.md), so the site ran on one core under the GIL while the other
workers idled. This worker stops listening while all its threads are busy; the kernel hands the
next connection to a worker that has a free thread. Connections it already holds, kept alive
between requests, are served as before.
"""
from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    """gthread, accepting only with a free thread (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        self.busy = 0  # requests handed to the thread pool and not finished
        self._connections = 0
        super().__init__(*args, **kwargs)

    # gthread's loop listens while nr_conns < worker_connections; with every thread busy, the
    # limit reads 0 so that the loop stops listening until a request finishes.
    @property
    def worker_connections(self) -> int:
        return self._connections if self.busy < self.cfg.threads else 0

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._connections = value

    def enqueue_req(self, conn) -> None:
        self.busy += 1
        super().enqueue_req(conn)
        self._listen_if_free()

    def finish_request(self, conn, fs) -> None:
        self.busy -= 1
        super().finish_request(conn, fs)
        self._listen_if_free()

    def _listen_if_free(self) -> None:
        # Runs on the worker's main thread (accepting and finishing are its callbacks): stop or
        # start listening at once, not at the next turn of the loop, so that a burst of
        # connections is not all taken in one turn.
        wanted = self.nr_conns < self.worker_connections
        if wanted != self._accepting and self.alive:
            self.set_accept_enabled(wanted)
