"""SQL helpers of the bill run's bulk writes into ``charges`` (issue 6): the dialect's
``INSERT … ON CONFLICT DO NOTHING``, the rows such a statement wrote, a UUID column as
its text, and keeping SQLite's indexes out of a pass over most of a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from opencsp.billing.models import Charge


def unindexed(session: Session, column: Any) -> Any:
    """On SQLite, the column behind a unary ``+``, which keeps its indexes out of the
    plan (SQLite's documented way); elsewhere the column. For a pass over most of a
    table, where an index would visit its rows at random."""
    if session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def insert_ignoring(session: Session) -> Any:
    """The dialect's ``INSERT … ON CONFLICT DO NOTHING`` builder."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def write_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert charge rows (Core, in one ``executemany``), skipping any whose (tier, key)
    is written already. Callers pass only lines they found unwritten, so the answer is
    their number (a racing run's duplicates are skipped by the constraint)."""
    if not rows:
        return 0
    table = Charge.__table__
    stmt = insert_ignoring(session)(table).on_conflict_do_nothing(
        index_elements=[table.c.tier, table.c.key]
    )
    session.connection().execute(stmt, list(rows))
    return len(rows)


def uuid_text(session: Session, column: Any) -> Any:
    """A UUID column as its canonical text (``str(uuid)``) in SQL: PostgreSQL casts;
    SQLite calls the ``uuid_text`` function every connection has (``core.db``)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column, String)
    return func.uuid_text(column, type_=String)


COUNTED = frozenset({"sqlite", "postgresql"})
"""Dialects whose ``inserted`` can tell the rows an ``INSERT … SELECT … ON CONFLICT``
wrote."""


def inserted(session: Session, stmt: Any) -> int:
    """Run an ``INSERT … SELECT … ON CONFLICT DO NOTHING``; the rows it wrote, -1 where
    the driver cannot tell (not ``COUNTED``). PostgreSQL counts them in the statement
    (psycopg reports no rowcount for it as SQLAlchemy sends it); SQLite's rowcount is
    its ``changes()``."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        written = stmt.returning(literal_column("1")).cte("written")
        return int(conn.execute(select(func.count()).select_from(written)).scalar_one())
    rowcount = int(conn.execute(stmt).rowcount)
    return rowcount if conn.dialect.name in COUNTED else -1
