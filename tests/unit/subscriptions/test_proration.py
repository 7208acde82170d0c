"""Proration and refunds by day, the constant period charge (rules.md §9b–9c, §9f)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.catalog.rules import BillingPlan as Plan
from opencsp.catalog.rules import TermDuration as T
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency
from opencsp.subscriptions.rules import (
    period_charge,
    prorated_first_term,
    prorated_refund,
    used_charge,
)
from opencsp.subscriptions.terms import Term

USD, KRW, KWD = Currency("USD"), Currency("KRW"), Currency("KWD")
START, END = date(2026, 1, 1), date(2026, 12, 31)  # 365 days


@pytest.mark.parametrize(
    ("cancelled_on", "refund"),
    [
        (date(2025, 12, 31), Decimal("365.00")),  # before the term: all
        (START, Decimal("365.00")),  # the first day: all
        (date(2026, 1, 2), Decimal("364.00")),
        (date(2026, 1, 8), Decimal("358.00")),
        (END, Decimal("1.00")),
        (date(2027, 1, 1), Decimal("0.00")),  # after the term: nothing
        (date(2027, 6, 1), Decimal("0.00")),
    ],
)
def test_refund_by_unused_days(cancelled_on, refund):
    got = prorated_refund(Decimal("36.50"), 10, START, END, cancelled_on, currency=USD)
    assert got == refund


def test_refund_rounds_once_half_up():
    # 100 × 3 / 365 = 0.8219… → 0.82; KRW has no minor unit
    assert prorated_refund(Decimal(100), 1, START, END, date(2026, 12, 29), currency=USD) == (
        Decimal("0.82")
    )
    assert prorated_refund(Decimal(15000), 1, START, END, date(2026, 12, 29), currency=KRW) == (
        Decimal(123)
    )


amounts = st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=4)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1))
terms = st.sampled_from([T.P1M, T.P1Y, T.P3Y])
currencies = st.sampled_from([USD, KRW, KWD])


@given(amounts, st.integers(1, 5000), starts, terms, st.integers(-5, 1200), currencies)
def test_refund_plus_used_is_the_price(price, qty, start, term, offset, cur):
    t = Term.first(start, term)
    on = start + timedelta(days=offset)
    refund = prorated_refund(price, qty, t.start, t.end, on, currency=cur)
    used = used_charge(price, qty, t.start, t.end, on, currency=cur)
    line = (price * qty).quantize(cur.quantum, rounding="ROUND_HALF_UP")
    assert refund + used == line
    assert refund >= 0 and used >= 0


@given(amounts, st.integers(1, 500), starts, terms, st.integers(-5, 1200), currencies)
def test_refund_is_monotone_in_the_date(price, qty, start, term, offset, cur):
    t = Term.first(start, term)
    on = start + timedelta(days=offset)
    today = prorated_refund(price, qty, t.start, t.end, on, currency=cur)
    tomorrow = prorated_refund(price, qty, t.start, t.end, on + timedelta(days=1), currency=cur)
    assert tomorrow <= today


@pytest.mark.parametrize(
    ("price", "term", "plan", "charge"),
    [
        (Decimal("120.00"), T.P1Y, Plan.MONTHLY, Decimal("10.00")),
        (Decimal("100.00"), T.P1Y, Plan.MONTHLY, Decimal("8.33")),
        (Decimal("100.00"), T.P1Y, Plan.ANNUAL, Decimal("100.00")),
        (Decimal("360.00"), T.P3Y, Plan.MONTHLY, Decimal("10.00")),
        (Decimal("360.00"), T.P3Y, Plan.ANNUAL, Decimal("120.00")),
        (Decimal("360.00"), T.P3Y, Plan.TRIENNIAL, Decimal("360.00")),
        (Decimal("9.99"), T.P1M, Plan.MONTHLY, Decimal("9.99")),
    ],
)
def test_period_charge_is_constant_share(price, term, plan, charge):
    assert period_charge(price, 1, term, plan, currency=USD) == charge


@pytest.mark.parametrize(
    ("term", "plan"), [(T.P1M, Plan.ANNUAL), (T.P1Y, Plan.TRIENNIAL), (T.P1Y, Plan.NONE)]
)
def test_period_longer_than_term_is_refused(term, plan):
    with pytest.raises(InvalidInput):
        period_charge(Decimal(1), 1, term, plan, currency=USD)


@given(amounts, st.integers(1, 500), currencies)
def test_twelve_periods_stay_within_rounding_of_the_year(price, qty, cur):
    charge = period_charge(price, qty, T.P1Y, Plan.MONTHLY, currency=cur)
    assert abs(charge * 12 - price * qty) <= cur.quantum * 6


def test_prorated_first_term():
    # 2022-07-15 P1Y aligned to 2023-06-30: 351 of 365 days
    got = prorated_first_term(
        Decimal("365.00"),
        2,
        date(2022, 7, 15),
        date(2023, 6, 30),
        date(2023, 7, 14),
        currency=USD,
    )
    assert got == Decimal("702.00")
    with pytest.raises(InvalidInput):
        prorated_first_term(
            Decimal(1), 1, date(2022, 7, 15), date(2023, 7, 15), date(2023, 7, 14), currency=USD
        )
