"""``UTCDateTime`` on a real in-memory SQLite engine: only aware instants go in, they are
stored as UTC and come back aware UTC. (The same on the suite's engines, PostgreSQL
included, is ``tests/service/test_types.py``.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, create_engine, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from opencsp.core.types import UTCDateTime

SEOUL = timezone(timedelta(hours=9))
metadata = MetaData()
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime()),
)


@pytest.fixture()
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def stored(conn: Connection, at: datetime | None) -> datetime | None:
    conn.execute(events.delete())
    conn.execute(events.insert().values(id=1, at=at))
    return conn.scalar(select(events.c.at).where(events.c.id == 1))


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 11, 21, 18, 30, 15, 123456, tzinfo=SEOUL),
        datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 30, tzinfo=SEOUL),  # the day before in UTC
    ],
)
def test_an_aware_instant_comes_back_the_same_instant_in_aware_utc(
    conn: Connection, instant: datetime
) -> None:
    back = stored(conn, instant)

    assert back is not None
    assert back == instant
    assert back.tzinfo is UTC


def test_sqlite_holds_the_utc_wall_time(conn: Connection) -> None:
    # given 18:30 in Seoul, 09:30 UTC
    stored(conn, datetime(2026, 11, 21, 18, 30, tzinfo=SEOUL))

    # when the raw column is read
    raw = conn.scalar(text("SELECT at FROM events"))

    # then it is the UTC time, so text ordering is instant ordering
    assert str(raw).startswith("2026-11-21 09:30:00")


def test_instants_from_different_zones_sort_by_instant(conn: Connection) -> None:
    # given 08:59 UTC and 09:00 Seoul (= 00:00 UTC, earlier) stored side by side
    late = datetime(2026, 3, 1, 8, 59, tzinfo=UTC)
    early = datetime(2026, 3, 1, 9, 0, tzinfo=SEOUL)
    conn.execute(events.insert(), [{"id": 1, "at": late}, {"id": 2, "at": early}])

    # when ordered by the column, and filtered with a bound instant
    ordered = list(conn.scalars(select(events.c.id).order_by(events.c.at)))
    after = list(conn.scalars(select(events.c.id).where(events.c.at > early)))

    # then
    assert ordered == [2, 1]
    assert after == [1]


def test_null_stays_null(conn: Connection) -> None:
    assert stored(conn, None) is None


def test_binding_a_naive_datetime_is_refused(conn: Connection) -> None:
    with pytest.raises(StatementError) as raised:
        conn.execute(events.insert().values(id=1, at=datetime(2026, 11, 21, 9, 30)))  # noqa: DTZ001

    assert isinstance(raised.value.orig, ValueError)
    assert "naive" in str(raised.value.orig)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_bind_refuses_naive_on_every_dialect(dialect: object) -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), dialect)  # type: ignore[arg-type]  # noqa: DTZ001


def test_postgresql_binds_the_aware_utc_instant() -> None:
    bound = UTCDateTime().process_bind_param(
        datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL), postgresql.dialect()
    )

    assert bound == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert bound.tzinfo is UTC


def test_a_result_in_another_zone_is_converted_to_utc() -> None:
    # PostgreSQL answers in the session's zone
    value = datetime(2026, 1, 1, 9, 0, tzinfo=SEOUL)

    result = UTCDateTime().process_result_value(value, postgresql.dialect())

    assert result == value
    assert result is not None
    assert result.tzinfo is UTC
