"""Process settings for bulk work (big imports, index rebuilds)."""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def fewer_collections(threshold: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector far less often while a bulk job allocates millions of
    short-lived objects (records, rows, postings).

    By default Python collects the youngest generation every 700 allocations and the whole heap
    every 100 collections; a job holding a few hundred thousand live objects then spends a third
    of its time in the collector. Objects alive at the start (modules, metadata) are frozen out of
    collections, and the youngest generation is collected every `threshold` allocations."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
