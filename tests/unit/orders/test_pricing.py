"""The price of an order line and the order's total, as tables and properties
(rules.md §9b: the unit price is for the whole term, monthly billing of P1Y pays 1/12;
§9f: a shortened first term is prorated by day; DESIGN.md §4: round once per line)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.billing import cycles
from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, TermDuration
from opencsp.core.money import Currency, Money
from opencsp.orders import rules
from opencsp.orders.rules import DayFraction

PROPERTY = settings(max_examples=300, deadline=None)
USD = Currency("USD")
P1M, P1Y, P3Y, ONE = TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y, TermDuration.ONE_TIME
MONTHLY, ANNUAL, TRIENNIAL = BillingPlan.MONTHLY, BillingPlan.ANNUAL, BillingPlan.TRIENNIAL


def usd(text: str) -> Money:
    return Money.of(text, "USD")


@pytest.mark.parametrize(
    ("unit", "qty", "term", "plan", "extended", "charge"),
    [
        ("36.48", 1, P1M, MONTHLY, "36.48", "36.48"),  # the NCE checkout sample
        ("36.48", 3, P1M, MONTHLY, "109.44", "109.44"),
        ("240.00", 1, P1Y, ANNUAL, "240.00", "240.00"),  # upfront: the whole term
        ("240.00", 1, P1Y, MONTHLY, "240.00", "20.00"),  # 1/12 a month
        ("100.00", 1, P1Y, MONTHLY, "100.00", "8.33"),  # 8.333… rounds down
        ("100.00", 2, P1Y, MONTHLY, "200.00", "16.66"),  # per seat, as invoiced: 8.33 × 2
        ("0.125", 3, P1M, MONTHLY, "0.39", "0.39"),  # 0.13 × 3, not 0.375 → 0.38
        ("720.00", 1, P3Y, MONTHLY, "720.00", "20.00"),  # 1/36
        ("720.00", 1, P3Y, ANNUAL, "720.00", "240.00"),  # 1/3
        ("720.00", 1, P3Y, TRIENNIAL, "720.00", "720.00"),
        ("0.125", 1, P1M, MONTHLY, "0.13", "0.13"),  # half-up at the minor unit
        ("0.124999", 1, P1M, MONTHLY, "0.12", "0.12"),
        ("175.00", 4, ONE, BillingPlan.ONE_TIME, "700.00", "700.00"),  # perpetual
        ("0", 25, P1M, BillingPlan.NONE, "0.00", "0.00"),  # a trial
        ("12.00", 25, P1M, BillingPlan.NONE, "300.00", "0.00"),  # a trial charges nothing
    ],
)
def test_price_line(
    unit: str, qty: int, term: TermDuration, plan: BillingPlan, extended: str, charge: str
) -> None:
    priced = rules.price_line(usd(unit), qty, term, plan)
    assert priced.unit_price == priced.list_price == usd(unit)
    assert priced.extended_price == usd(extended)
    assert priced.charge == usd(charge)


def test_price_line_zero_decimal_currency() -> None:
    priced = rules.price_line(Money.of("10000", "KRW"), 1, P1Y, MONTHLY)
    assert priced.charge == Money.of("833", "KRW")  # 833.33… → 833, no minor units


@pytest.mark.parametrize(
    ("start", "end", "full_end", "days", "of_days"),
    [
        (date(2022, 7, 15), date(2023, 6, 30), date(2023, 7, 14), 351, 365),  # rules.md §9f
        (date(2022, 7, 15), date(2023, 7, 14), date(2023, 7, 14), 365, 365),  # at: whole
        (date(2022, 7, 15), date(2022, 7, 15), date(2023, 7, 14), 1, 365),  # one day
        (date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31), 366, 366),  # leap year
    ],
)
def test_served_fraction(start: date, end: date, full_end: date, days: int, of_days: int) -> None:
    assert rules.served_fraction(start, end, full_end) == DayFraction(days, of_days)


@pytest.mark.parametrize(
    ("start", "end", "full_end"),
    [
        (date(2022, 7, 15), date(2023, 7, 15), date(2023, 7, 14)),  # after the full end
        (date(2022, 7, 15), date(2022, 7, 14), date(2023, 7, 14)),  # before the start
    ],
)
def test_served_fraction_refuses_outside_the_term(start: date, end: date, full_end: date) -> None:
    with pytest.raises(ValueError):
        rules.served_fraction(start, end, full_end)


@pytest.mark.parametrize(("days", "of_days"), [(0, 365), (366, 365), (-1, 1)])
def test_day_fraction_bounds(days: int, of_days: int) -> None:
    with pytest.raises(ValueError):
        DayFraction(days, of_days)


def test_prorated_first_term_upfront() -> None:
    """P1Y annual cut to 351 of 365 days: 240 × 351 / 365 = 230.794… → 230.79."""
    priced = rules.price_line(usd("240"), 1, P1Y, ANNUAL, first_term=DayFraction(351, 365))
    assert priced.extended_price == priced.charge == usd("230.79")


def test_prorated_first_period_of_monthly_billing() -> None:
    """P1Y monthly, first month 17 of 31 days: 240 / 12 × 17 / 31 = 10.967… → 10.97; the
    commitment is the shortened term's."""
    priced = rules.price_line(
        usd("240"),
        1,
        P1Y,
        MONTHLY,
        first_term=DayFraction(351, 365),
        first_period=DayFraction(17, 31),
    )
    assert priced.charge == usd("10.97")
    assert priced.extended_price == usd("230.79")


def test_one_time_ignores_fractions() -> None:
    priced = rules.price_line(
        usd("100"), 1, ONE, BillingPlan.ONE_TIME, first_term=DayFraction(1, 2)
    )
    assert priced.charge == priced.extended_price == usd("100.00")


@pytest.mark.parametrize("quantity", [0, -1])
def test_price_line_needs_a_quantity(quantity: int) -> None:
    with pytest.raises(ValueError):
        rules.price_line(usd("1"), quantity, P1M, MONTHLY)


def test_order_total_is_the_sum_of_rounded_charges() -> None:
    lines = [rules.price_line(usd("100"), 1, P1Y, MONTHLY) for _ in range(3)]
    assert rules.order_total(lines, USD) == usd("24.99")  # 3 × 8.33, not round(25.00)
    assert rules.order_total([], USD) == usd("0")


def test_order_total_refuses_mixed_currencies() -> None:
    lines = [rules.price_line(Money.of("1", "EUR"), 1, P1M, MONTHLY)]
    with pytest.raises(Exception, match="Cannot combine"):
        rules.order_total(lines, USD)


# --- properties ----------------------------------------------------------------------

units = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=6)
quantities = st.integers(min_value=1, max_value=100_000)
plans = st.sampled_from(
    [(P1M, MONTHLY), (P1Y, MONTHLY), (P1Y, ANNUAL), (P3Y, MONTHLY), (P3Y, ANNUAL),
     (P3Y, TRIENNIAL)]
)  # fmt: skip


def _half_up(value: Fraction, places: int) -> Decimal:
    scaled = value * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


@PROPERTY
@given(units, quantities, plans, st.integers(1, 1096), st.integers(0, 1096))
def test_charges_equal_exact_rounding(
    unit: Decimal, qty: int, term_plan: tuple[TermDuration, BillingPlan], days: int, more: int
) -> None:
    """Every amount is one seat's exact rational share rounded half-up once, times the
    seats (file-formats.md §8c): no drift from the division, whatever the share."""
    term, plan = term_plan
    first = DayFraction(days, days + more)
    priced = rules.price_line(Money(unit, USD), qty, term, plan, first_term=first)
    exact_extended = Fraction(unit) * days / (days + more)
    assert priced.extended_price.amount == _half_up(exact_extended, 2) * qty
    if PERIOD_MONTHS[plan] < TERM_MONTHS[term]:
        exact_charge = Fraction(unit) * PERIOD_MONTHS[plan] / TERM_MONTHS[term]
        assert priced.charge.amount == _half_up(exact_charge, 2) * qty
    else:
        assert priced.charge == priced.extended_price


@PROPERTY
@given(st.lists(st.tuples(units, quantities, plans), min_size=1, max_size=20))
def test_order_total_never_drifts(
    lines: list[tuple[Decimal, int, tuple[TermDuration, BillingPlan]]],
) -> None:
    """The total is exactly the sum of the rounded line charges, itself rounded."""
    priced = [rules.price_line(Money(u, USD), q, t, p) for u, q, (t, p) in lines]
    total = rules.order_total(priced, USD)
    assert total.amount == sum((line.charge.amount for line in priced), Decimal(0))
    assert total.is_rounded()


@PROPERTY
@given(units, quantities)
def test_twelve_monthly_charges_stay_within_a_cent_per_month_of_upfront(
    unit: Decimal, qty: int
) -> None:
    """The first month's charge is what the bill run charges for the term's first cycle
    (``billing.cycles``), and twelve of them stay within 6 cents a seat of upfront."""
    monthly = rules.price_line(Money(unit, USD), qty, P1Y, MONTHLY).charge
    upfront = rules.price_line(Money(unit, USD), qty, P1Y, ANNUAL).charge
    first = cycles.term_cycles(date(2026, 1, 31), date(2027, 1, 30), P1Y, MONTHLY)[0]
    seat = cycles.seat_between(unit, first.share_start, first.share_end, USD)
    assert monthly.amount == seat * qty
    assert abs((monthly * 12).amount - upfront.amount) <= Decimal("0.06") * qty
