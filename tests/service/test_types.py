"""``UTCDateTime`` on the suite's engine (SQLite, or PostgreSQL with ``--db=postgresql``):
aware instants in any zone are stored as the same instant and come back aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Tier
from tests.factories import organization

SEOUL = timezone(timedelta(hours=9))
INSTANTS = [
    datetime(2026, 11, 21, 18, 30, 15, 123456, tzinfo=SEOUL),
    datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 30, tzinfo=SEOUL),  # still 2025 in UTC
]


@pytest.fixture()
def foreign_session_zone(session: Session, db_kind: str) -> None:
    """On PostgreSQL, answer in Seoul time, as a server configured that way would."""
    if db_kind == "postgresql":
        session.execute(text("SET LOCAL TIME ZONE 'Asia/Seoul'"))


@pytest.mark.usefixtures("foreign_session_zone")
@pytest.mark.parametrize("instant", INSTANTS)
def test_an_instant_round_trips_as_aware_utc(session: Session, instant: datetime) -> None:
    # given an organization created at an instant given in some zone
    org = organization(session, Tier.DIRECT_BILL)
    org.created_at = instant
    session.flush()
    session.expire_all()

    # when it is read back from the database
    back = session.scalar(select(Organization.created_at).where(Organization.id == org.id))

    # then it is the same instant, aware, in UTC
    assert back == instant
    assert back is not None
    assert back.tzinfo is UTC


@pytest.mark.usefixtures("foreign_session_zone")
def test_the_test_clock_keeps_its_instant(session: Session) -> None:
    instant = datetime(2027, 2, 1, 8, 0, tzinfo=SEOUL)

    clock.set_test_clock(session, instant)
    session.expire_all()
    back = clock.read_test_clock(session)

    assert back == instant
    assert back is not None
    assert back.tzinfo is UTC


@pytest.mark.usefixtures("foreign_session_zone")
def test_comparisons_in_sql_are_by_instant(session: Session) -> None:
    # given 08:59 UTC and 09:00 Seoul (= 00:00 UTC, the earlier one)
    late = organization(session, Tier.DIRECT_BILL)
    early = organization(session, Tier.DIRECT_BILL)
    late.created_at = datetime(2026, 3, 1, 8, 59, tzinfo=UTC)
    early.created_at = datetime(2026, 3, 1, 9, 0, tzinfo=SEOUL)
    session.flush()
    ids = [late.id, early.id]

    # when ordered and filtered in SQL with an instant bound in a third zone
    ordered = list(
        session.scalars(
            select(Organization.id)
            .where(Organization.id.in_(ids))
            .order_by(Organization.created_at)
        )
    )
    midnight_utc = datetime(2026, 2, 28, 19, 0, tzinfo=timezone(timedelta(hours=-5)))
    at_midnight = session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(Organization.id.in_(ids), Organization.created_at == midnight_utc)
    )

    # then
    assert ordered == [early.id, late.id]
    assert at_midnight == 1


def test_a_naive_datetime_is_refused_at_flush(session: Session) -> None:
    org = organization(session, Tier.DIRECT_BILL)
    org.created_at = datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001

    with pytest.raises(StatementError, match="naive"):
        session.flush()
