"""Alembic environment: the URL comes from the caller (app/schema.py) or LIBRARY_DATABASE_URL."""
import os

from alembic import context
from sqlalchemy import pool

from catalog.db import make_engine
from catalog.models import metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or os.environ.get("LIBRARY_DATABASE_URL")
    if not url:
        url = "sqlite:///instance/library.db"
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # Batch mode lets ALTER work on SQLite, which rebuilds the table.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
