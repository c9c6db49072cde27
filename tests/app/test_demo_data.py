"""Issue 13.9: demo-data writes accounts with the published password (admin among them), so it
loads only on a demo instance: --demo, LIBRARY_DEMO=1, or an empty database while debugging or
testing. Loading it again stays harmless everywhere; `make run` says --demo."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from catalog.accounts.users import find_user
from tests.ingest.marc_fixtures import book, iso


@pytest.fixture
def production(app_overrides):
    """The app as a real instance runs it: no debug, no testing."""
    app = create_app({**app_overrides, "TESTING": False, "DEBUG": False})
    yield app
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


def has_admin(app) -> bool:
    with app.extensions["session_factory"]() as db:
        return find_user(db, "admin") is not None


def test_refused_on_a_database_that_holds_data(runner, app, tmp_path):
    path = tmp_path / "that.mrc"
    path.write_bytes(iso(book("REAL1", "Sách thật")))
    assert runner.invoke(args=["import-marc", str(path)]).exit_code == 0
    refused = runner.invoke(args=["demo-data", "--records", "5"])
    assert refused.exit_code != 0
    assert "demo-data refused" in refused.output and "--demo" in refused.output
    assert not has_admin(app)
    loaded = runner.invoke(args=["demo-data", "--records", "5", "--demo"])
    assert loaded.exit_code == 0, loaded.output
    assert has_admin(app)


def test_refused_on_an_empty_database_outside_debug(production):
    refused = production.test_cli_runner().invoke(args=["demo-data", "--records", "5"])
    assert refused.exit_code != 0 and "demo-data refused" in refused.output
    assert not has_admin(production)


def test_library_demo_marks_a_demo_instance(monkeypatch, app_overrides):
    monkeypatch.setenv("LIBRARY_DEMO", "1")
    app = create_app({**app_overrides, "TESTING": False, "DEBUG": False})
    try:
        result = app.test_cli_runner().invoke(args=["demo-data", "--records", "5"])
        assert result.exit_code == 0, result.output
        assert has_admin(app)
        again = app.test_cli_runner().invoke(args=["demo-data", "--records", "5"])
        assert again.exit_code == 0 and "already loaded" in again.output
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_loaded_demo_stays_idempotent_without_the_flag(demo, production):
    again = production.test_cli_runner().invoke(args=["demo-data", "--records", "5"])
    assert again.exit_code == 0 and "already loaded" in again.output


def test_make_run_loads_the_demo_as_a_demo():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = re.search(r"^run:.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert re.search(r"\$\(FLASK\) demo-data --demo\b", run)
