"""Migrations bring an empty database to head; init-db and demo-data are idempotent."""
from __future__ import annotations

from sqlalchemy import func, inspect, select

from app.schema import current_revisions, heads, upgrade
from catalog.db import make_engine
from catalog.demo import ACCOUNTS
from catalog.copies.items import Item
from catalog.libraries import Library
from catalog.models import metadata
from catalog.records.models import Record
from catalog.accounts.users import User


def test_migrations_upgrade_an_empty_database_to_head(tmp_path, database_backend):
    from tests.conftest import _server_url, create_database, drop_database

    server = _server_url()
    url = create_database(server) if server else f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    try:
        assert current_revisions(engine) == set()
        upgrade(engine)
        assert current_revisions(engine) == set(heads())
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        upgrade(engine)  # a second run is harmless
        assert current_revisions(engine) == set(heads())
    finally:
        engine.dispose()
        if server:
            drop_database(url)


def test_models_match_the_migrations(engine):
    """Autogenerate finds nothing to add: every model change has its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_init_db_twice_is_harmless(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "newest schema" in second.output


def test_demo_data_twice_duplicates_nothing(app, runner, session):
    first = runner.invoke(args=["demo-data", "--records", "40"])
    assert first.exit_code == 0, first.output
    counts = [session.scalar(select(func.count()).select_from(model)) for model in (Library, Record, Item, User)]
    second = runner.invoke(args=["demo-data", "--records", "40"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    session.expire_all()
    assert [session.scalar(select(func.count()).select_from(m)) for m in (Library, Record, Item, User)] == counts
    assert counts[0] == 6 and counts[1] == 40 and counts[2] >= 40 and counts[3] == len(ACCOUNTS)
    assert "bienmuc" in first.output and "hoclieu-demo" in first.output
