"""Splitting money: the parts are rounded, add up exactly to the rounded whole, each is
within one minor unit of its exact share, and the same input always gives the same split."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, Money

PROPERTY = settings(max_examples=150, deadline=None)

CODES = ["USD", "EUR", "KRW", "JPY", "CLP", "KWD", "BHD"]

amounts = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
weight = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
)
weight_lists = st.lists(weight, min_size=1, max_size=16).filter(lambda ws: sum(ws) > 0)


def minors(parts: list[Money]) -> list[int]:
    return [part.to_minor() for part in parts]


@pytest.mark.parametrize(
    ("amount", "code", "weights", "expected"),
    [
        # 1/6, 2/6, 3/6 of 1000 cents: 166.67, 333.33, 500 → the one cent left goes to .67
        ("10.00", "USD", [1, 2, 3], ["1.67", "3.33", "5.00"]),
        ("10.00", "USD", [1, 0, 1], ["5.00", "0.00", "5.00"]),
        ("10.00", "USD", [Decimal("0.25"), Decimal("0.75")], ["2.50", "7.50"]),
        ("1", "KWD", [1, 1, 1], ["0.334", "0.333", "0.333"]),
        # the whole is rounded first: 10.005 → 10.01
        ("10.005", "USD", [1, 1], ["5.01", "5.00"]),
    ],
)
def test_allocate_by_weights(
    amount: str, code: str, weights: list[int], expected: list[str]
) -> None:
    parts = Money.of(amount, code).allocate(weights)

    assert parts == [Money.of(e, code) for e in expected]


@pytest.mark.parametrize(
    ("amount", "code", "parts", "expected"),
    [
        # ties go to the earliest parts
        ("100.00", "USD", 3, ["33.34", "33.33", "33.33"]),
        ("0.01", "USD", 3, ["0.01", "0.00", "0.00"]),
        ("-100.00", "USD", 3, ["-33.34", "-33.33", "-33.33"]),
        ("1000", "KRW", 3, ["334", "333", "333"]),
        ("0", "JPY", 2, ["0", "0"]),
        ("5.00", "USD", 1, ["5.00"]),
    ],
)
def test_split_in_equal_parts(amount: str, code: str, parts: int, expected: list[str]) -> None:
    assert Money.of(amount, code).split(parts) == [Money.of(e, code) for e in expected]


def test_a_yearly_price_billed_monthly_adds_up_to_the_year() -> None:
    # given 1,000 won a year billed in 12 monthly cycle charges (83.33 each, exactly)
    year = Money.of("1000", "KRW")

    # when
    months = year.split(12)

    # then the first four months carry the four won left over, and the year is whole
    assert minors(months) == [84] * 4 + [83] * 8
    assert sum(minors(months)) == 1000


@pytest.mark.parametrize(
    "weights",
    [[], [0], [0, 0, 0], [1, -1], [Decimal("-0.5"), 2], [Decimal("NaN")]],
)
def test_allocation_needs_non_negative_weights_not_all_zero(weights: list[Decimal]) -> None:
    with pytest.raises(InvalidInput):
        Money.of("10", "USD").allocate(weights)


@pytest.mark.parametrize("parts", [0, -1])
def test_split_needs_at_least_one_part(parts: int) -> None:
    with pytest.raises(InvalidInput):
        Money.of("10", "USD").split(parts)


@PROPERTY
@given(amount=amounts, code=st.sampled_from(CODES), weights=weight_lists)
def test_parts_always_add_up_to_the_rounded_whole(
    amount: Decimal, code: str, weights: list[Decimal]
) -> None:
    whole = Money.of(amount, code)

    parts = whole.allocate(weights)

    assert len(parts) == len(weights)
    assert all(part.currency == whole.currency and part.is_rounded() for part in parts)
    assert sum(minors(parts)) == whole.to_minor()


@PROPERTY
@given(amount=amounts, code=st.sampled_from(CODES), weights=weight_lists)
def test_every_part_is_within_one_minor_unit_of_its_exact_share(
    amount: Decimal, code: str, weights: list[Decimal]
) -> None:
    whole = Money.of(amount, code)
    total_weight = sum(Fraction(w) for w in weights)

    parts = whole.allocate(weights)

    for part, w in zip(parts, weights, strict=True):
        exact_share = Fraction(whole.to_minor()) * Fraction(w) / total_weight
        assert abs(part.to_minor() - exact_share) < 1
        if w == 0:
            assert part.to_minor() == 0


@PROPERTY
@given(amount=amounts, code=st.sampled_from(CODES), weights=weight_lists)
def test_the_same_input_gives_the_same_split_and_negation_mirrors_it(
    amount: Decimal, code: str, weights: list[Decimal]
) -> None:
    whole = Money.of(amount, code)

    first, second = whole.allocate(weights), whole.allocate(list(weights))
    mirrored = (-whole).allocate(weights)

    assert first == second
    assert mirrored == [-part for part in first]
    sign = 1 if whole.to_minor() >= 0 else -1
    assert all(sign * m >= 0 for m in minors(first))


@PROPERTY
@given(amount=amounts, code=st.sampled_from(CODES), parts=st.integers(1, 40))
def test_equal_parts_differ_by_at_most_one_unit_larger_ones_first(
    amount: Decimal, code: str, parts: int
) -> None:
    whole = Money.of(amount, code)

    split = minors(whole.split(parts))

    assert sum(split) == whole.to_minor()
    magnitudes = [abs(m) for m in split]
    assert max(magnitudes) - min(magnitudes) <= 1
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_allocation_works_in_the_currency_of_the_whole() -> None:
    parts = Money.of("10", Currency("JPY")).allocate([1, 1, 1])

    assert parts == [Money.of(n, "JPY") for n in ("4", "3", "3")]
    assert all(part.amount.as_tuple().exponent == 0 for part in parts)
