"""Engine, session factory and the declarative base shared by every model."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest id: every id column is a PostgreSQL integer (int4). A larger number names nothing,
# and sent to the database it fails (PostgreSQL: out of range; SQLite past 2**63: OverflowError).
MAX_INTEGER = 2_147_483_647


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def string_enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    """A Python enum stored as its values in a plain string column (same on SQLite and PostgreSQL)."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> dt.datetime:
    """The current time in UTC, naive (stored as UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
    else:
        kwargs.setdefault("pool_pre_ping", True)
        # psycopg prepares a statement run five times, and PostgreSQL may then keep one generic
        # plan for it: planned while a table was small (a fresh catalogue), a sequential scan stays
        # the plan as the table grows (identifier lookups of a 100,000-record import took 0.5 s
        # each). Plan every execution with its values instead.
        kwargs.setdefault("connect_args", {"options": "-c plan_cache_mode=force_custom_plan"})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
