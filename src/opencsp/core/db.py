"""Engines, the declarative base and the unit of work.

SQLite runs with foreign
keys on, WAL, a busy timeout and real savepoints; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from opencsp.core.config import settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table of every domain; constraint names are stable on both engines."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _normalize(url: str) -> str:
    """``postgresql://`` means psycopg 3 here, never psycopg2."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; we emit BEGIN ourselves.

    BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy
    timeout instead of failing when a read transaction tries to upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str) -> Engine:
    url = _normalize(url)
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, settings().sqlite_busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return build_engine(url)


def default_engine() -> Engine:
    return engine_for(settings().effective_database_url)


_factory = sessionmaker(expire_on_commit=False, autoflush=True)


def new_session(bind: Engine | Any | None = None) -> Session:
    """A session on the default engine, or on ``bind`` (an engine, or a test's connection
    whose transaction the session joins through savepoints)."""
    target = bind if bind is not None else default_engine()
    return _factory(bind=target, join_transaction_mode="create_savepoint")


def insert_unless_exists(session: Session, row: object) -> bool:
    """Insert ``row`` in a savepoint; False (and nothing written) when a unique key says a
    twin got there first — the outer transaction carries on either way."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
