"""The schema is the migrations: no model change without a migration, and the chain
upgrades from empty, downgrades to empty and upgrades again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from opencsp.core import migrate
from opencsp.core.db import build_engine
from opencsp.models import Base


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_full_round_trip(live_database):
    eng = build_engine(live_database)
    try:
        with eng.connect() as conn:
            migrate.upgrade(conn, "head")
            conn.commit()
            from alembic import command

            command.downgrade(migrate.alembic_config(conn), "base")
            conn.commit()
            remaining = set(inspect(conn).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            migrate.upgrade(conn, "head")
            conn.commit()
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        eng.dispose()
