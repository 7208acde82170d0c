"""Pure pricing rules as tables: months, statuses and their convergence, which row prices a
transaction, tiers, and graduated cost (rules.md §11, file-formats.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.pricing import rules
from opencsp.pricing.errors import InvalidMonth
from opencsp.pricing.rules import ListStatus, Tier

PROPERTY = settings(max_examples=200, deadline=None)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("202611", date(2026, 11, 1)),
        (" 2026-01 ", date(2026, 1, 1)),
        ("2026-12", date(2026, 12, 1)),
        ("000101", date(1, 1, 1)),
    ],
)
def test_parse_month_valid(text: str, month: date) -> None:
    assert rules.parse_month(text) == month


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "202613", "2026", "26-11", "2026/11", "2026-1", "", "x", "0000-01"],
)
def test_parse_month_invalid(text: str) -> None:
    with pytest.raises(InvalidMonth):
        rules.parse_month(text)


@pytest.mark.parametrize(
    ("month", "following"),
    [
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2027, 2, 1)),
        (date(2024, 2, 1), date(2024, 3, 1)),
    ],
)
def test_next_and_previous_month_across_the_year(month: date, following: date) -> None:
    assert rules.next_month(month) == following
    assert rules.previous_month(following) == month


@pytest.mark.parametrize(
    ("month", "today", "status"),
    [
        (date(2026, 12, 1), date(2026, 11, 21), ListStatus.PREVIEW),
        (date(2026, 12, 1), date(2026, 11, 30), ListStatus.PREVIEW),
        (date(2026, 12, 1), date(2026, 12, 1), ListStatus.CURRENT),
        (date(2026, 11, 1), date(2026, 11, 30), ListStatus.CURRENT),
        (date(2026, 11, 1), date(2026, 12, 1), ListStatus.HISTORY),
        (date(2026, 12, 1), date(2027, 1, 1), ListStatus.HISTORY),
        (date(2027, 1, 1), date(2026, 12, 31), ListStatus.PREVIEW),
    ],
)
def test_status_for(month: date, today: date, status: ListStatus) -> None:
    assert rules.status_for(month, today) is status


NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)
OCT = date(2026, 10, 1)
P, C, H = ListStatus.PREVIEW, ListStatus.CURRENT, ListStatus.HISTORY


@pytest.mark.parametrize(
    ("months", "today", "expected"),
    [
        # before the 1st: November current, December preview
        ([OCT, NOV, DEC], date(2026, 11, 30), {OCT: H, NOV: C, DEC: P}),
        # on the 1st: December current, November history
        ([OCT, NOV, DEC], date(2026, 12, 1), {OCT: H, NOV: H, DEC: C}),
        # no December list: November still prices December, so it stays current
        ([OCT, NOV], date(2026, 12, 1), {OCT: H, NOV: C}),
        # no December list, January preview: November stays current
        ([NOV, JAN], date(2026, 12, 15), {NOV: C, JAN: P}),
        # only previews
        ([DEC, JAN], date(2026, 11, 21), {DEC: P, JAN: P}),
        ([], date(2026, 11, 21), {}),
    ],
)
def test_converged_statuses(months, today, expected) -> None:
    assert rules.converged_statuses(months, today) == expected


@dataclass(frozen=True)
class R:
    name: str
    effective_start: datetime
    effective_end: datetime = rules.OPEN_END
    tier_min: int | None = None
    tier_max: int | None = None
    unit_price: Decimal = Decimal(1)


OLD = R("old", at("2020-01-01"))
NEW = R("new", at("2026-12-01"))
ENDED = R("ended", at("2020-01-01"), at("2026-11-30T23:59:59"))
LOW = R("low", at("2020-01-01"), tier_min=1, tier_max=100)
HIGH = R("high", at("2020-01-01"), tier_min=101, tier_max=None)


@pytest.mark.parametrize(
    ("rows", "when", "quantity", "expected"),
    [
        ([OLD, NEW], "2026-11-30T23:59:59", 1, "old"),  # the newer row has not started
        ([OLD, NEW], "2026-12-01T00:00:00", 1, "new"),  # overlapping: latest start wins
        ([NEW, OLD], "2026-12-15T00:00:00", 1, "new"),  # whatever the order
        ([ENDED], "2026-11-30T23:59:59", 1, "ended"),  # the end instant is inclusive
        ([ENDED], "2026-12-01T00:00:00", 1, None),
        ([NEW], "2026-11-30T00:00:00", 1, None),  # before any row
        ([OLD, OLD], "2026-11-21T00:00:00", 1, "old"),  # duplicates
        ([LOW, HIGH], "2026-11-21T00:00:00", 100, "low"),
        ([LOW, HIGH], "2026-11-21T00:00:00", 101, "high"),
        ([LOW, HIGH], "2026-11-21T00:00:00", 5000, "high"),
        ([LOW], "2026-11-21T00:00:00", 101, None),  # above the only tier
        ([], "2026-11-21T00:00:00", 1, None),
    ],
)
def test_pick_row(rows, when, quantity, expected) -> None:
    found = rules.pick_row(rows, at(when), quantity)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("tier_min", "tier_max", "quantity", "inside"),
    [
        (None, None, 0, True),
        (None, None, 10**9, True),
        (1, 100, 1, True),
        (1, 100, 100, True),
        (1, 100, 0, False),
        (1, 100, 101, False),
        (101, None, 101, True),
        (101, None, 100, False),
    ],
)
def test_in_tier(tier_min, tier_max, quantity, inside) -> None:
    assert (
        rules.in_tier(R("t", at("2020-01-01"), tier_min=tier_min, tier_max=tier_max), quantity)
        is inside
    )


AZURE = [
    Tier(1, 100, Decimal("1.00")),
    Tier(101, 100000, Decimal("0.80")),
    Tier(100001, None, Decimal("0.50")),
]


@pytest.mark.parametrize(
    ("quantity", "cost"),
    [
        (0, Decimal("0")),
        (1, Decimal("1.00")),
        (100, Decimal("100.00")),
        (101, Decimal("100.80")),  # rules.md §11
        (100000, Decimal("100") + Decimal("0.80") * 99900),
        (100001, Decimal("100") + Decimal("0.80") * 99900 + Decimal("0.50")),
    ],
)
def test_tiered_cost_examples(quantity: int, cost: Decimal) -> None:
    assert rules.tiered_cost(AZURE, quantity) == cost


@st.composite
def tier_tables(draw: st.DrawFn) -> list[Tier]:
    """Contiguous tiers from 1, the last unbounded, with exact prices."""
    widths = draw(st.lists(st.integers(1, 500), min_size=0, max_size=4))
    prices = draw(
        st.lists(
            st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False),
            min_size=len(widths) + 1,
            max_size=len(widths) + 1,
        )
    )
    tiers, low = [], 1
    for width, price in zip(widths, prices, strict=False):
        tiers.append(Tier(low, low + width - 1, price))
        low += width
    tiers.append(Tier(low, None, prices[-1]))
    return tiers


def price_of_unit(tiers: list[Tier], unit: int) -> Decimal:
    return next(t.unit_price for t in tiers if t.low <= unit and (t.high is None or unit <= t.high))


@PROPERTY
@given(tiers=tier_tables(), quantity=st.integers(0, 3000))
def test_tiered_cost_is_the_sum_of_each_units_tier_price(tiers: list[Tier], quantity: int) -> None:
    expected = sum((price_of_unit(tiers, u) for u in range(1, quantity + 1)), Decimal(0))
    assert rules.tiered_cost(tiers, quantity) == expected


@PROPERTY
@given(tiers=tier_tables(), quantity=st.integers(0, 3000), more=st.integers(0, 500))
def test_tiered_cost_is_monotone_in_quantity(tiers: list[Tier], quantity: int, more: int) -> None:
    assert rules.tiered_cost(tiers, quantity) <= rules.tiered_cost(tiers, quantity + more)


@PROPERTY
@given(tiers=tier_tables(), quantity=st.integers(0, 3000))
def test_tiered_cost_ignores_the_order_tiers_are_given_in(tiers: list[Tier], quantity: int) -> None:
    assert rules.tiered_cost(list(reversed(tiers)), quantity) == rules.tiered_cost(tiers, quantity)
