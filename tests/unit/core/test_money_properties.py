"""Properties of money over arbitrary amounts: the rounding policy against an independent
reference, storage round-trips, and arithmetic that never rounds by itself."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.core.money import Currency, Money, round_amount, total

PROPERTY = settings(max_examples=200, deadline=None)

CODES = ["USD", "EUR", "KRW", "JPY", "CLP", "KWD", "BHD"]
currencies = st.sampled_from(CODES).map(Currency)
amounts = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
# At rest minor units are a 64-bit integer column.
stored_minor = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def reference_half_up(amount: Decimal, minor_units: int) -> Fraction:
    """Half-up computed with exact fractions: |x| + ½ unit, floored, sign restored."""
    scaled = abs(Fraction(amount)) * 10**minor_units
    units = math.floor(scaled + Fraction(1, 2))
    return Fraction(units if amount >= 0 else -units, 10**minor_units)


@PROPERTY
@given(amount=amounts, currency=currencies)
def test_rounding_matches_an_exact_half_up_reference(amount: Decimal, currency: Currency) -> None:
    rounded = round_amount(amount, currency)

    assert Fraction(rounded) == reference_half_up(amount, currency.minor_units)
    assert abs(Fraction(rounded) - Fraction(amount)) <= Fraction(currency.quantum) / 2


@PROPERTY
@given(amount=amounts, currency=currencies)
def test_rounding_is_idempotent_and_symmetric_around_zero(
    amount: Decimal, currency: Currency
) -> None:
    once = Money.of(amount, currency).rounded()

    assert once.rounded() == once
    assert once.is_rounded()
    assert Money.of(-amount, currency).rounded() == -once


@PROPERTY
@given(minor=stored_minor, currency=currencies)
def test_minor_units_round_trip(minor: int, currency: Currency) -> None:
    money = Money.from_minor(minor, currency)

    assert money.to_minor() == minor
    assert money.is_rounded()
    assert Fraction(money.amount) == Fraction(minor, 10**currency.minor_units)


@PROPERTY
@given(amount=amounts, currency=currencies)
def test_storing_keeps_the_rounded_amount(amount: Decimal, currency: Currency) -> None:
    money = Money.of(amount, currency)

    assert Money.from_minor(money.to_minor(), currency) == money.rounded()


@PROPERTY
@given(a=amounts, b=amounts, currency=currencies)
def test_addition_and_subtraction_are_exact(a: Decimal, b: Decimal, currency: Currency) -> None:
    x, y = Money.of(a, currency), Money.of(b, currency)

    assert (x + y).amount == a + b
    assert (x - y).amount == a - b
    assert x + y == y + x
    assert (x + y) - y == x


@PROPERTY
@given(lines=st.lists(amounts, max_size=30), currency=currencies)
def test_sum_of_exact_lines_is_exact_and_rounding_each_line_stays_within_half_a_unit_each(
    lines: list[Decimal], currency: Currency
) -> None:
    # given invoice lines with exact amounts
    exact = [Money.of(line, currency) for line in lines]

    # when totalled exactly, and when totalled as the invoice does (rounded lines)
    exact_total = total(exact, currency)
    invoice_total = total((line.rounded() for line in exact), currency)

    # then the exact total lost nothing
    assert exact_total.amount == sum(lines, Decimal(0))
    # and the invoice total is the sum of what each line stores
    assert invoice_total.to_minor() == sum(line.to_minor() for line in exact)
    assert invoice_total.is_rounded()
    # and the two differ by at most half a minor unit per line
    drift = abs(Fraction(invoice_total.amount) - Fraction(exact_total.amount))
    assert drift <= len(lines) * Fraction(currency.quantum) / 2


@PROPERTY
@given(price=amounts, quantity=st.integers(min_value=-1000, max_value=1000), currency=currencies)
def test_multiplying_a_unit_price_is_exact(
    price: Decimal, quantity: int, currency: Currency
) -> None:
    line = Money.of(price, currency) * quantity

    assert line.amount == price * quantity
    assert Fraction(line.amount) == Fraction(price) * quantity
