"""The search-backend contract: the behaviour any SearchBackend (search_index.backend) must show,
run against every backend there is. A new backend (PostgreSQL full text, issue 19) is added to
BACKENDS there and proven by these same tests.

Fixtures:
- `backend_name`: each available backend in turn;
- `catalogue`: a backend over the relevance collection (tests/search_index/collection.py),
  indexed once per module and backend (read-only tests), with {key: record id};
- `fresh`: a backend of its own over the test's own database (SQLite, or PostgreSQL when
  LIBRARY_DATABASE_URL points to one), for tests that change things.
"""
from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy.engine import make_url

from catalog.db import make_engine, make_session_factory
from catalog.models import metadata
from search_index.backend import SearchBackend, backend_names, create_backend
from tests.conftest import create_database, drop_database
from tests.search_index.collection import load_collection


def available_backends() -> list[str]:
    """Every backend this build knows that can run on the test database (each one runs every
    contract test): postgresql only when LIBRARY_DATABASE_URL points to PostgreSQL."""
    on_postgresql = os.environ.get("LIBRARY_DATABASE_URL", "").startswith("postgresql")
    return [name for name in backend_names() if name != "postgresql" or on_postgresql]


@pytest.fixture(params=available_backends(), scope="module")
def backend_name(request) -> str:
    return request.param


@dataclasses.dataclass
class Catalogue:
    backend: SearchBackend
    ids: dict[str, int]
    session_factory: object

    def keys(self, hits) -> list[str]:
        names = {v: k for k, v in self.ids.items()}
        return [names[hit.id] for hit in hits]

    def ranked(self, text: str, **options) -> list[str]:
        return self.keys(self.backend.search(text, per_page=50, **options).hits)


@pytest.fixture(scope="module")
def catalogue(backend_name, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"contract-{backend_name}")
    server = os.environ.get("LIBRARY_DATABASE_URL", "")
    url = create_database(server) if server.startswith("postgresql") else f"sqlite:///{base / 'collection.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        ids = load_collection(session)
    backend = create_backend(backend_name, session_factory=factory, database_url=url, data_dir=base / "data")
    backend.sync()
    yield Catalogue(backend, ids, factory)
    backend.close()
    engine.dispose()
    if make_url(url).get_backend_name() == "postgresql":
        drop_database(url)


@pytest.fixture
def fresh(backend_name, session_factory, db_url, tmp_path):
    backend = create_backend(backend_name, session_factory=session_factory, database_url=db_url,
                             data_dir=tmp_path / "data", max_stale=0)
    yield backend
    backend.close()
