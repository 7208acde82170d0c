"""The engine and the unit of work: SQLite pragmas, savepoints, commit-once semantics."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from opencsp.auth.models import Organization, User
from opencsp.billing import bulk
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.db import build_engine, new_session, uuid_text
from opencsp.core.errors import InvalidInput
from opencsp.core.uow import unit_of_work
from tests.factories import organization


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'embedded.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    engine.dispose()


def test_postgresql_goes_through_psycopg3(db_kind, engine):
    expected = "psycopg" if db_kind == "postgresql" else "pysqlite"
    assert engine.dialect.driver == expected


def test_foreign_keys_are_enforced(session):
    orphan = User(
        id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        email="orphan@example.test",
        display_name="x",
        password_hash=None,
        is_active=True,
        locale="en-US",
        created_at=clock.now(),
    )
    session.add(orphan)
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_rolled_back_savepoint_keeps_the_outer_work(session):
    kept = organization(session, Tier.DIRECT_BILL, name="Kept")
    nested = session.begin_nested()
    organization(session, Tier.DIRECT_BILL, name="Dropped")
    nested.rollback()
    names = set(session.scalars(select(Organization.name)))
    assert kept.name in names and "Dropped" not in names


def test_unit_of_work_commits_once_or_not_at_all(live_database):
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as s:
        organization(s, Tier.DIRECT_BILL, name="Committed")
    with pytest.raises(InvalidInput), unit_of_work(bind=engine) as s:
        organization(s, Tier.DIRECT_BILL, name="Half written")
        raise InvalidInput(description="boom after a write")
    with new_session(engine) as s:
        names = list(s.scalars(select(Organization.name)))
        assert "Committed" in names and "Half written" not in names
        assert s.scalar(select(func.count()).select_from(Organization)) == 2  # + the vendor
    engine.dispose()


@given(value=st.uuids())
def test_the_sqlite_uuid_text_function_writes_python_s_canonical_text(value: uuid.UUID) -> None:
    assert uuid_text(value.hex) == str(value)
    assert uuid_text(value.hex.upper()) == str(value)


def test_bulk_sql_spells_a_uuid_column_as_str_uuid(session) -> None:
    """``billing.bulk.uuid_text``: keys built in SQL match the ones built in Python."""
    org = organization(session)
    session.flush()
    spelled = session.scalar(
        select(bulk.uuid_text(session, Organization.id)).where(Organization.id == org.id)
    )
    assert spelled == str(org.id)
    assert session.scalar(select(bulk.uuid_text(session, text("NULL")))) is None
