"""The 0002_markets migration: it creates the tables with the CSV's rows, and its
downgrade removes them again (on a separate, really committed database)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from opencsp.core import migrate
from opencsp.core.db import build_engine

TABLES = {"markets", "countries", "country_currencies"}


def _counts(conn):
    return tuple(
        conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
        for t in ("markets", "countries", "country_currencies")
    )


def test_downgrade_and_upgrade_again(live_database):
    engine = build_engine(live_database)
    try:
        with engine.connect() as conn:
            assert _counts(conn) == (15, 242, 238)
            command.downgrade(migrate.alembic_config(conn), "0001_foundation")
            conn.commit()
            assert not TABLES & set(inspect(conn).get_table_names())
            migrate.upgrade(conn, "0002_markets")
            conn.commit()
            assert _counts(conn) == (15, 242, 238)
    finally:
        engine.dispose()
