"""The demo's payment plan and the top-up deal's size as values (``demo.billing``): who
pays when, the partial payer's month at each edge of net 60, and the fewest seats that
reach a target."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from opencsp.billing.models import VENDOR
from opencsp.demo.billing import (
    LATE_BY,
    PAY_AFTER,
    Document,
    Habits,
    Pay,
    partial_period,
    pays,
    seats_to_reach,
)

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
HABITS = Habits(late="late", partial="partial", prompt="prompt")


def doc(
    bill_to: str = "other",
    period: date = date(2026, 6, 1),
    *,
    seller: str = VENDOR,
    total: int = 10_000,
    issued_at: datetime | None = None,
) -> Document:
    issued_on = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    created = issued_at or datetime(issued_on.year, issued_on.month, 1, 8, tzinfo=UTC)
    return Document(
        id=f"D-{bill_to}-{period:%Y%m}",
        seller_key=seller,
        bill_to_key=bill_to,
        period=period,
        invoice_date=issued_on,
        due_date=issued_on + timedelta(days=60),
        total_minor=total,
        currency="USD",
        created_at=created,
    )


def pay_of(d: Document, *, now: datetime = NOW, seed: int = 1) -> Pay | None:
    return pays(d, now=now, rng=random.Random(seed), habits=HABITS)


def test_most_invoices_are_paid_in_full_2_to_6_weeks_after_their_date():
    for seed in range(40):
        d = doc(seller="some-provider")
        pay = pay_of(d, seed=seed)
        assert pay is not None and pay.minor == d.total_minor
        assert PAY_AFTER[0] <= (pay.at.date() - d.invoice_date).days <= PAY_AFTER[1]
        assert pay.at.hour == 10


@pytest.mark.parametrize(
    ("now", "paid"),
    [
        (datetime(2026, 7, 1, 10, 59, tzinfo=UTC), False),  # an hour after issue: not yet
        (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), False),  # at the instant: not before now
        (datetime(2026, 7, 1, 11, 1, tzinfo=UTC), True),
    ],
)
def test_the_prompt_payer_pays_on_the_invoice_date_an_hour_after_issue(now, paid):
    d = doc("prompt", issued_at=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    pay = pay_of(d, now=now)
    assert (pay is not None) is paid
    if pay:
        assert pay.at == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days_past_due", "paid"),
    [(0, False), (1, False), (34, False), (35, False), (36, True)],
)
def test_the_late_payer_pays_five_weeks_after_the_due_date(days_past_due, paid):
    d = doc("late")
    now = datetime.combine(d.due_date + timedelta(days=days_past_due), time(10, 0), UTC)
    pay = pay_of(d, now=now)  # paid at 10:00: not before now on the 35th day
    assert (pay is not None) is paid
    if pay:
        assert pay.at.date() == d.due_date + LATE_BY


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 11, 21), date(2026, 9, 1)),  # due 2026-11-30: not past due
        (date(2026, 11, 30), date(2026, 9, 1)),  # on the due date: not past due yet
        (date(2026, 8, 30), date(2026, 6, 1)),  # 2026-07-01 + 60 = 2026-08-30
        (date(2026, 8, 31), date(2026, 7, 1)),  # past due: last month's instead
        (date(2026, 1, 1), date(2025, 11, 1)),
    ],
)
def test_the_partial_payers_month(today, month):
    assert partial_period(today) == month


def test_the_partial_payer_pays_half_of_that_month_and_the_rest_in_full():
    half = pay_of(doc("partial", date(2026, 9, 1), total=10_001))
    assert half is not None and half.minor == 5_000
    assert half.at == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    other = pay_of(doc("partial", date(2026, 8, 1), total=10_001))
    assert other is not None and other.minor == 10_001


@pytest.mark.parametrize("total", [0, -500])
def test_nothing_is_paid_on_an_empty_or_negative_document(total):
    assert pay_of(doc(total=total)) is None


def test_a_payment_never_lands_at_or_after_now():
    d = doc(period=date(2026, 10, 1))  # issued 2026-11-01: paid 14 to 42 days later
    for seed in range(40):
        pay = pay_of(d, seed=seed)
        assert pay is None or pay.at < NOW


@pytest.mark.parametrize(
    ("target", "so_far", "seat", "seats"),
    [
        ("300000", "300000", "1260", 0),  # there already
        ("300000", "300001", "1260", 0),
        ("300000", "299999.99", "1260", 1),
        ("300000", "298740", "1260", 1),  # exactly one seat
        ("300000", "298739.99", "1260", 2),
        ("301500", "0", "1260", 240),  # 239 seats are 301,140
    ],
)
def test_the_fewest_seats_that_reach_the_target(target, so_far, seat, seats):
    assert seats_to_reach(Decimal(target), Decimal(so_far), Decimal(seat)) == seats


def test_a_seat_has_a_price():
    with pytest.raises(ValueError):
        seats_to_reach(Decimal(1), Decimal(0), Decimal(0))
