"""Engines, the declarative base and the unit of work.

SQLite runs with foreign
keys on, WAL, a busy timeout and real savepoints; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeEngine

from opencsp.core.config import settings
from opencsp.core.types import UTCDateTime

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


def uuid_text(stored: str | None) -> str | None:
    """SQL ``uuid_text(column)`` on SQLite: a UUID column (stored as 32 lowercase hex
    digits) as its canonical text, ``str(uuid)``; bulk SQL builds keys with it."""
    if stored is None:
        return None
    h = stored.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, cache_mb: int) -> None:
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
        cursor.execute(f"PRAGMA cache_size={-1024 * int(cache_mb)}")
        cursor.close()
        dbapi_connection.create_function("uuid_text", 1, uuid_text, deterministic=True)

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
        _configure_sqlite(engine, settings().sqlite_busy_timeout_ms, settings().sqlite_cache_mb)
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


def bind_converter(dialect: Dialect, column_type: TypeEngine[Any]) -> Callable[[Any], Any]:
    """What SQLAlchemy would send to the driver for a value of ``column_type`` on
    ``dialect`` (``UTCDateTime`` → naive UTC text on SQLite, the aware instant on
    PostgreSQL; ``Uuid`` → 32 hex digits on SQLite; ``DecimalText`` → canonical text), as
    one reusable function: bulk loaders convert each distinct value once and cache it."""
    impl = column_type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if processor is None:
        return lambda value: value
    return processor


def utc_datetime_converter(dialect: Dialect) -> Callable[[datetime], Any]:
    """Aware datetime → exactly what ``core.types.UTCDateTime`` stores on ``dialect``."""
    return bind_converter(dialect, UTCDateTime())


def bulk_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = 10_000,
) -> int:
    """Insert ``rows`` (driver-ready values, in ``columns`` order; see ``bind_converter``)
    into ``table`` on ``connection``'s current transaction, at the database's native bulk
    speed: ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3), ``executemany`` in batches of
    ``batch`` rows on SQLite. Nothing is committed; a rollback takes every row back.
    Returns the number of rows written. The ORM session sharing the connection must be
    flushed first: this bypasses it."""
    if not connection.in_transaction():
        connection.begin()  # so that the caller's commit() or rollback() covers these rows
    driver = connection.connection.driver_connection
    if driver is None:  # pragma: no cover - a live connection always has one
        raise RuntimeError("bulk_insert needs a live connection")
    unknown = [name for name in columns if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no columns {unknown}")
    # Identifiers come from the table's own metadata (checked above), values are bound.
    names = ", ".join(f'"{name}"' for name in columns)
    count = 0
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
    cursor = driver.cursor()
    source = iter(rows)
    try:
        while chunk := list(islice(source, batch)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    finally:
        cursor.close()
    return count
