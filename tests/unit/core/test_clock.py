"""The one source of "now": aware UTC, frozen per block, naive datetimes refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from opencsp.core import clock

T1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SEOUL = timezone(timedelta(hours=9))


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset: the datetime is naive for all purposes."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def assert_aware_utc(value: datetime) -> None:
    assert value.tzinfo is UTC
    assert value.utcoffset() == timedelta(0)


def test_now_is_the_wall_clock_in_aware_utc() -> None:
    before = datetime.now(UTC)

    current = clock.now()

    after = datetime.now(UTC)
    assert_aware_utc(current)
    assert before <= current <= after


def test_frozen_holds_now_for_the_block_and_restores_the_wall_clock() -> None:
    # given a block with time frozen
    with clock.frozen(T1):
        # then now stands still
        assert clock.now() == T1
        assert clock.now() == T1

    # and after it the wall clock is back
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_frozen_blocks_nest_and_each_restores_the_one_outside() -> None:
    with clock.frozen(T1):
        with clock.frozen(T2):
            assert clock.now() == T2
        assert clock.now() == T1
    assert clock.now() != T1


def test_frozen_restores_even_when_the_block_raises() -> None:
    with clock.frozen(T1):
        with pytest.raises(RuntimeError), clock.frozen(T2):
            raise RuntimeError("boom")

        assert clock.now() == T1


def test_a_frozen_instant_in_another_zone_is_seen_as_the_same_instant_in_utc() -> None:
    # given 18:00 in Seoul, which is 09:00 UTC
    seoul_evening = datetime(2026, 3, 1, 18, 0, tzinfo=SEOUL)

    with clock.frozen(seoul_evening):
        current = clock.now()

    assert current == seoul_evening
    assert_aware_utc(current)
    assert (current.hour, current.minute) == (9, 0)


def test_freezing_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"), clock.frozen(datetime(2026, 3, 1)):  # noqa: DTZ001
        pass


@pytest.mark.parametrize(
    "naive",
    [datetime(2026, 3, 1, 12, 0), datetime(2026, 3, 1, tzinfo=_NoOffset())],  # noqa: DTZ001
)
def test_ensure_aware_utc_refuses_naive_datetimes(naive: datetime) -> None:
    with pytest.raises(ValueError, match="naive"):
        clock.ensure_aware_utc(naive)


@pytest.mark.parametrize(
    ("given", "expected_utc"),
    [
        (datetime(2026, 3, 1, 9, 0, tzinfo=SEOUL), datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
        (
            datetime(2026, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Seoul")),
            datetime(2025, 12, 31, 15, 30, tzinfo=UTC),
        ),
        # New York in summer (EDT, -4) and in winter (EST, -5)
        (
            datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("America/New_York")),
            datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 1, 1, 8, 0, tzinfo=ZoneInfo("America/New_York")),
            datetime(2026, 1, 1, 13, 0, tzinfo=UTC),
        ),
        (T1, T1),
    ],
)
def test_ensure_aware_utc_converts_other_zones_to_utc(
    given: datetime, expected_utc: datetime
) -> None:
    converted = clock.ensure_aware_utc(given)

    assert_aware_utc(converted)
    assert converted == given
    assert converted.replace(tzinfo=None) == expected_utc.replace(tzinfo=None)
