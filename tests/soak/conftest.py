"""The soak test's served instance (tests here are marked `soak`, left out of `make test`)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.soak.server import ServedInstance

# Fewer pooled connections than people at once, so a request that holds two shows (as a wait).
POOL = {"LIBRARY_DATABASE_POOL_SIZE": "3", "LIBRARY_DATABASE_MAX_OVERFLOW": "2", "LIBRARY_DATABASE_POOL_TIMEOUT": "10"}


@pytest.fixture
def served(tmp_path):
    """The demo library in a fresh instance (SQLite, or a new PostgreSQL database when
    LIBRARY_DATABASE_URL names a server), served over HTTP on a free loopback port. With
    SOAK_ARTIFACTS set, the server's log is copied into that folder at the end."""
    url = os.environ.get("LIBRARY_DATABASE_URL", "")
    instance = ServedInstance(tmp_path / "instance", url if url.startswith("postgresql") else None, POOL)
    try:
        instance.prepare()
        instance.start()
        yield instance
    finally:
        instance.close()
        keep = os.environ.get("SOAK_ARTIFACTS")
        if keep and instance.log_path.exists():  # the server's log, kept beyond pytest's tmp_path
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(instance.log_path, Path(keep) / f"soak-server-{'postgresql' if instance.server_url else 'sqlite'}.log")
