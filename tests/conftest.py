"""Fixtures: a clean real database per test (SQLite, or PostgreSQL when LIBRARY_DATABASE_URL
points to one), an app built with create_app(overrides), its client and CLI runner.

On PostgreSQL the suite creates its own database (unique per run, so parallel runs do not meet),
migrates it once, truncates every table between tests and drops it at the end.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from catalog.db import make_engine, make_session_factory
from catalog.models import metadata

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI") == "true"


def _server_url() -> str | None:
    url = os.environ.get("LIBRARY_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def postgres_admin_url(url: str) -> str:
    """The same server, connected to the maintenance database."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def create_database(url: str) -> str:
    """Create a fresh PostgreSQL database beside the one in `url`; return its URL."""
    name = f"hoclieu_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_admin_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(postgres_admin_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    from app.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def _index_caches_closed():
    """Each test starts without the search caches of earlier tests' indexes and leaves none open
    (their readers hold files; left to the end they were closed by the garbage collector at exit,
    whose warnings buried the failure summary in CI's output)."""
    yield
    from search_index.facets import clear_caches

    clear_caches()


@pytest.fixture(scope="session")
def database_backend() -> str:
    return "postgresql" if _server_url() else "sqlite"


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory):
    """A migrated database: a SQLite file to copy, or a PostgreSQL database to truncate."""
    server = _server_url()
    if server:
        url = create_database(server)
        migrate(url)
        yield url
        drop_database(url)
    else:
        path = tmp_path_factory.mktemp("template") / "library.db"
        migrate(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def db_url(_template_database, tmp_path) -> str:
    """A clean, migrated database for this test."""
    if _server_url():
        engine = create_engine(_template_database)
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _template_database
    path = tmp_path / "library.db"
    shutil.copyfile(_template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    """A session on the test database; tests commit when they need to."""
    with session_factory() as session:
        yield session


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app_overrides(db_url, data_dir) -> dict:
    """Override in a test module to change the app's configuration."""
    return {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "WTF_CSRF_ENABLED": False,
        "JOBS_SYNCHRONOUS": True,
        "USAGE_FLUSH_SECONDS": 0,
    }


@pytest.fixture
def app(app_overrides):
    from app import create_app

    app = create_app(app_overrides)
    yield app
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The app with the demo library loaded (60 records, to keep tests quick)."""
    result = app.test_cli_runner().invoke(args=["demo-data", "--demo", "--records", "60"])
    assert result.exit_code == 0, result.output
    return app


def login(client, username: str, password: str = "hoclieu-demo"):
    """Sign in through the real form; returns the response."""
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=True)


def require_tool(path_or_name: str) -> str:
    """The tool's path; a missing tool fails in CI and skips elsewhere."""
    found = shutil.which(path_or_name) or (path_or_name if Path(path_or_name).exists() else None)
    if found:
        return found
    message = f"{path_or_name} is not installed (.ci/run installs it with apt-get)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the real-data pass fails if it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the real-data pass needs ../shared/data beside the repository")
    return path


class _ClosedWhenDropped:
    """WSGI middleware: werkzeug's development server does not close a response's body when the
    client hangs up in the middle of it (a browser cancels an image as the reader turns the page),
    so the image's file stays open until the collector finds it, and the test that happened to run
    then fails on the ResourceWarning. This closes the body as soon as the server lets go of it."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        return _ClosingBody(self.app(environ, start_response))


class _ClosingBody:
    def __init__(self, body) -> None:
        self.body, self.closed = body, False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.body, "close", None)
            if close is not None:
                close()

    def __del__(self) -> None:
        self.close()


@contextlib.contextmanager
def serving(app):
    """The app served over real HTTP on a free 127.0.0.1 port (threaded); yields the server."""
    server = make_server("127.0.0.1", 0, _ClosedWhenDropped(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(demo):
    """The demo app served over HTTP on 127.0.0.1; yields its base URL."""
    with serving(demo) as server:
        yield f"http://127.0.0.1:{server.server_port}"
