"""The derivative cache (IIIF answers, download PDFs) under DATA_DIR/derivatives, with a size limit.

Files are written atomically; a hit refreshes the file's time, and when the cache grows past its
limit the least recently used files go until it is back under 80% of it. Several processes may
share the folder: each re-measures it after writing an eighth of the limit, so the folder stays
near its limit whatever the number of processes.
"""
from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from pathlib import Path
from typing import BinaryIO, Callable

from ingest.scans.images import safe_join

TOUCH_AFTER_SECONDS = 60  # refresh a hit's time at most this often (one write per minute, not per hit)


class DerivativeCache:
    """Produce-once files under root, kept to at most max_bytes in total."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max(1, int(max_bytes))
        self._lock = threading.Lock()
        self._total: int | None = None  # measured size plus what this process wrote since
        self._written = 0

    def open(self, relative: str) -> BinaryIO | None:
        """The cached file, opened (so eviction cannot take it from under a reply), or None."""
        target = safe_join(self.root, relative)
        try:
            handle = target.open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            if time.time() - os.fstat(handle.fileno()).st_mtime > TOUCH_AFTER_SECONDS:
                os.utime(target)
        except OSError:
            pass  # a read-only cache still serves
        return handle

    def get(self, relative: str, produce: Callable[[], bytes]) -> BinaryIO:
        """The cached file, opened; produced (bytes) and stored first when missing."""
        handle = self.open(relative)
        if handle is not None:
            return handle
        data = produce()
        target = safe_join(self.root, relative)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, target)
            handle = target.open("rb")
        except OSError:  # a read-only or full data folder: serve the answer without keeping it
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return io.BytesIO(data)
        self._account(len(data))
        return handle

    def size(self) -> int:
        """Bytes the cache folder holds now."""
        return sum(size for _path, size, _time in self._files())

    def _account(self, written: int) -> None:
        with self._lock:
            self._written += written
            if self._total is not None:
                self._total += written
            if self._total is None or self._total > self.max_bytes or self._written > self.max_bytes // 8:
                self._total = self._evict()
                self._written = 0

    def _files(self) -> list[tuple[Path, int, float]]:
        found = []
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                path = Path(folder) / name
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                found.append((path, stat.st_size, stat.st_mtime))
        return found

    def _evict(self) -> int:
        """Remove least recently used files until under 80% of the limit; return the size left."""
        files = self._files()
        total = sum(size for _path, size, _time in files)
        if total <= self.max_bytes:
            return total
        for path, size, _time in sorted(files, key=lambda f: f[2]):
            if total <= self.max_bytes * 0.8:
                break
            try:
                path.unlink()
                total -= size
            except FileNotFoundError:
                total -= size
        return total
