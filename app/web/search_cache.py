"""Answers of recent searches, kept per server process until the index changes.

Residents ask the same things (a school's reading list, this week's topic, the first page of a
broad word): a search engine keeps the answers it just gave (Solr's queryResultCache, on by
default). Here the search page and /api/search keep up to LIBRARY_SEARCH_CACHE_SIZE answers of the
backend per process (0: none), keyed on what was asked and on the index's generation: any commit
to the index makes a new generation, so an edit, a loan that changes a copy's availability or a
rebuild is in the next answer as it would be without the cache.

Only a backend that can say its generation cheaply is cached (Whoosh: the newest table of
contents in its folder, one directory listing). The PostgreSQL backend answers from the database
at each search, current on every server at each commit; it is not cached here.

An answer holds no viewer's rights: the view adds what depends on who is asking (the licence rule
on page text, the reader's links) to a copy of the kept hits, never to the kept ones.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Callable

from search_index.backend import SearchBackend, SearchResult


class SearchCache:
    """A bounded LRU of SearchResult per (generation, question), safe across a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size = max(0, int(size))
        self._kept: OrderedDict[tuple, SearchResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def search(self, backend: SearchBackend, text: str | None, *, page: int, per_page: int, sort: str,
               filters: list[tuple[str, str]]) -> SearchResult:
        generation: Callable[[], object] | None = getattr(backend, "generation", None)
        ask = lambda: backend.search(text, page=page, per_page=per_page, sort=sort, filters=filters)  # noqa: E731
        if not self.size or generation is None:
            return ask()
        key = (backend.name, generation(), text or "", page, per_page, sort, tuple(filters or ()))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
        if kept is None:
            kept = ask()
            with self._lock:
                self.misses += 1
                self._kept[key] = kept
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return _copy(kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def _copy(result: SearchResult) -> SearchResult:
    """A copy the view may change (each hit's snippet, pages and reader links)."""
    answer = copy.copy(result)
    answer.hits = [copy.copy(hit) for hit in result.hits]
    return answer
