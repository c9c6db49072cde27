"""Fixtures for the index side: a real Whoosh index on tmp_path, and the relevance collection."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.db import make_engine, make_session_factory
from catalog.models import metadata
from search_index.writer import sync
from tests.search_index.collection import load_collection


@pytest.fixture
def index(tmp_path) -> Path:
    """An index directory (created on first use by sync/open_index)."""
    return tmp_path / "index"


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """The relevance collection in its own database, indexed once per module:
    (index_dir, {key: record id})."""
    base = tmp_path_factory.mktemp("collection")
    engine = make_engine(f"sqlite:///{base / 'collection.db'}")
    metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        ids = load_collection(session)
    sync(factory, base / "index")
    yield base / "index", ids
    engine.dispose()
