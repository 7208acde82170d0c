"""Cancellation and seat-reduction windows, the update ceiling, pending renewal (§9c–9d)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from opencsp.catalog.rules import ProductType as Kind
from opencsp.subscriptions import errors
from opencsp.subscriptions.windows import (
    UPDATE_CEILING,
    SeatBatch,
    cancellation_allowed,
    cancellation_deadline,
    check_update_count,
    ensure_cancellation_allowed,
    ensure_not_pending_renewal,
    pending_renewal,
    reduce,
    refundable,
)

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("kind", "now", "allowed"),
    [
        (Kind.ONLINE_SERVICES, T0, True),
        (Kind.ONLINE_SERVICES, T0 + 7 * DAY - TICK, True),
        (Kind.ONLINE_SERVICES, T0 + 7 * DAY, True),
        (Kind.ONLINE_SERVICES, T0 + 7 * DAY + TICK, False),
        (Kind.SOFTWARE_SUBSCRIPTIONS, T0 + 7 * DAY, True),
        (Kind.SOFTWARE_SUBSCRIPTIONS, T0 + 7 * DAY + TICK, False),
        (Kind.SOFTWARE_PERPETUAL, T0 + 30 * DAY, True),
        (Kind.SOFTWARE_PERPETUAL, T0 + 30 * DAY + TICK, False),
    ],
)
def test_cancellation_window(kind, now, allowed):
    kw = {"window_days": 7, "product_type": kind, "upgraded": False, "perpetual_days": 30}
    assert cancellation_allowed(T0, now, **kw) is allowed
    if allowed:
        ensure_cancellation_allowed(T0, now, **kw)
    else:
        days = 30 if kind is Kind.SOFTWARE_PERPETUAL else 7
        with pytest.raises(errors.CancellationWindowPassed, match=f"{days}-day") as caught:
            ensure_cancellation_allowed(T0, now, **kw)
        assert caught.value.code == 900117


def test_window_is_a_setting():
    kw = {"product_type": Kind.ONLINE_SERVICES, "upgraded": False, "perpetual_days": 30}
    assert cancellation_deadline(T0, window_days=3, **kw) == T0 + 3 * DAY
    with pytest.raises(errors.CancellationWindowPassed, match="3-day"):
        ensure_cancellation_allowed(T0, T0 + 3 * DAY + TICK, window_days=3, **kw)


def test_no_window_after_an_upgrade():
    kw = {"window_days": 7, "product_type": Kind.ONLINE_SERVICES, "perpetual_days": 30}
    assert cancellation_deadline(T0, upgraded=True, **kw) is None
    assert cancellation_allowed(T0, T0, upgraded=True, **kw) is False
    with pytest.raises(errors.NoCancellationWindowAfterUpgrade) as caught:
        ensure_cancellation_allowed(T0, T0, upgraded=True, **kw)
    assert caught.value.code == 900117


# --- seat batches ------------------------------------------------------------------------------

B1 = SeatBatch.added(10, T0, window_days=7)
B2 = SeatBatch.added(5, T0 + 3 * DAY, window_days=7)
B3 = SeatBatch.added(2, T0 + 5 * DAY, window_days=7)


@pytest.mark.parametrize(
    ("now", "total", "details"),
    [
        (T0, 10, [(10, T0 + 7 * DAY)]),
        (T0 + 5 * DAY, 17, [(10, T0 + 7 * DAY), (5, T0 + 10 * DAY), (2, T0 + 12 * DAY)]),
        (T0 + 7 * DAY, 17, None),
        (T0 + 7 * DAY + TICK, 7, [(5, T0 + 10 * DAY), (2, T0 + 12 * DAY)]),
        (T0 + 12 * DAY, 2, [(2, T0 + 12 * DAY)]),
        (T0 + 12 * DAY + TICK, 0, []),
    ],
)
def test_refundable(now, total, details):
    got = refundable([B1, B2, B3], now)
    assert got.total_quantity == total
    if details is not None:
        assert [(d.quantity, d.allowed_until) for d in got.details] == details


def _reduce(batches, by, now, kind=Kind.ONLINE_SERVICES):
    return reduce(batches, by, now, product_type=kind, window_days=7)


def test_reduce_takes_the_newest_eligible_batch_first():
    now = T0 + 6 * DAY
    assert _reduce([B1, B2, B3], 2, now) == (B1, B2)
    got = _reduce([B1, B2, B3], 4, now)
    assert [b.quantity for b in got] == [10, 3]
    got = _reduce([B1, B2, B3], 17, now)
    assert got == ()


def test_reduce_skips_batches_past_their_window():
    now = T0 + 8 * DAY  # B1 closed
    got = _reduce([B1, B2, B3], 7, now)
    assert got == (B1,)


@pytest.mark.parametrize(
    ("by", "now", "error"),
    [
        (8, T0 + 8 * DAY, errors.QuantityNotDecreasable),  # 7 refundable
        (1, T0 + 12 * DAY + TICK, errors.SeatReductionWindowPassed),  # none
        (0, T0, Exception),
    ],
)
def test_reduce_refusals(by, now, error):
    with pytest.raises(error):
        _reduce([B1, B2, B3], by, now)


def test_window_passed_names_the_days():
    with pytest.raises(errors.SeatReductionWindowPassed, match="7-day") as caught:
        _reduce([B1], 1, T0 + 7 * DAY + TICK)
    assert caught.value.code == 900257


def test_partial_excess_says_what_is_refundable():
    with pytest.raises(errors.QuantityNotDecreasable) as caught:
        _reduce([B1, B2], 6, T0 + 8 * DAY)
    assert caught.value.code == 800090
    assert caught.value.data == [{"refundableQuantity": 5, "requested": 6}]


@pytest.mark.parametrize("kind", [Kind.SOFTWARE_SUBSCRIPTIONS, Kind.SOFTWARE_PERPETUAL])
def test_software_takes_no_seat_reduction(kind):
    with pytest.raises(errors.QuantityNotDecreasable):
        _reduce([B1], 1, T0, kind)


# --- ceiling and pending renewal -----------------------------------------------------------------


@pytest.mark.parametrize(("n", "ok"), [(0, True), (1199, True), (1200, False), (1201, False)])
def test_update_ceiling(n, ok):
    assert UPDATE_CEILING == 1200
    if ok:
        check_update_count(n)
    else:
        with pytest.raises(errors.TooManyUpdates) as caught:
            check_update_count(n)
        assert caught.value.code == 900311


END = date(2026, 3, 31)
RENEWAL = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "processed", "pending"),
    [
        (RENEWAL - TICK, False, False),
        (RENEWAL, False, True),
        (RENEWAL + timedelta(hours=23), False, True),
        (RENEWAL, True, False),
        (RENEWAL + 2 * DAY, True, False),
    ],
)
def test_pending_renewal(now, processed, pending):
    assert pending_renewal(now, END, term_end_processed=processed) is pending
    if pending:
        with pytest.raises(errors.RenewalPending) as caught:
            ensure_not_pending_renewal(now, END, term_end_processed=processed)
        assert caught.value.status == 409
    else:
        ensure_not_pending_renewal(now, END, term_end_processed=processed)
