"""Billing a line priced in one currency in another (``billing.fx``; rules.md §11;
file-formats.md §8c seat-based ``ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate)``):
a table of cases at each rounding edge, and properties that a credit mirrors its charge,
never gives back more than was billed, and that KRW and JPY come out in whole units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.billing import fx
from opencsp.billing.invoices import Conversion, conversion, identity

NOV = date(2026, 11, 1)


def usd_to(billing: str, usd_per_billing: str) -> Conversion:
    return conversion(
        "USD", billing, NOV, usd_per_pricing=Decimal(1), usd_per_billing=Decimal(usd_per_billing)
    )


@pytest.mark.parametrize(
    ("billing", "usd_per_unit", "each_minor", "expected"),
    [
        ("GBP", "1.26", 1000, 793),  # 7.9365… rounds down, never up to 7.94
        ("GBP", "1.25", 1000, 800),  # exact
        ("GBP", "1.26", -1000, -793),  # a credit: toward zero, the charge's mirror
        ("GBP", "1.26", 0, 0),
        ("EUR", "1.08", 1, 0),  # one cent is 0.9259… of a cent: nothing
        ("KRW", "0.00072", 1000, 13888),  # USD 10.00 = KRW 13,888.88…: whole won
        ("JPY", "0.0067", 12345, 18425),  # USD 123.45 = JPY 18,425.37…: whole yen
        ("USD", "1", 1234, 1234),  # same currency: as it is
    ],
)
def test_billed_each_table(billing, usd_per_unit, each_minor, expected):
    assert fx.billed_each(each_minor, usd_to(billing, usd_per_unit)) == expected


def test_the_rate_is_fixed_to_twelve_places_and_dated_the_month():
    rate = usd_to("GBP", "1.26")
    assert (rate.rate, rate.rate_date) == (Decimal("0.793650793651"), NOV)


def row(each_minor: int, quantity: int) -> dict[str, object]:
    return {
        "pricing_currency": "USD",
        "currency": "USD",
        "period": NOV,
        "each_minor": each_minor,
        "amount_minor": each_minor * quantity,
        "quantity": quantity,
        "fx_rate": Decimal(1),
        "fx_date": NOV,
        "billed_each_minor": each_minor,
        "billed_amount_minor": each_minor * quantity,
    }


def test_billed_records_rate_and_date_and_keeps_the_pricing_columns():
    converted = fx.bill_in(row(1000, 10), usd_to("GBP", "1.26"))
    assert converted["currency"] == "GBP"
    assert (converted["fx_rate"], converted["fx_date"]) == (Decimal("0.793650793651"), NOV)
    assert (converted["billed_each_minor"], converted["billed_amount_minor"]) == (793, 7930)
    assert (converted["each_minor"], converted["amount_minor"]) == (1000, 10000)


def test_a_line_billed_in_its_pricing_currency_is_left_as_it_is():
    before = row(1000, 3)
    assert fx.billed(dict(before), None, rates=None) == before  # type: ignore[arg-type]
    assert fx.billed(dict(before), "USD", rates=None) == before  # type: ignore[arg-type]


CURRENCIES = st.sampled_from([("GBP", 2), ("EUR", 2), ("KRW", 0), ("JPY", 0), ("CHF", 2)])
RATES = st.decimals(min_value="0.0001", max_value="5000", places=6)


@given(
    each=st.integers(min_value=0, max_value=10**9),
    seats=st.integers(min_value=1, max_value=10_000),
    returned=st.integers(min_value=0, max_value=10_000),
    currency=CURRENCIES,
    usd_per_unit=RATES,
)
def test_a_credit_at_its_charges_rate_never_gives_back_more_than_was_billed(
    each, seats, returned, currency, usd_per_unit
):
    code, _ = currency
    rate = usd_to(code, str(usd_per_unit))
    charged = fx.billed_each(each, rate) * seats
    credit = fx.billed_each(-each, rate) * min(returned, seats)
    assert fx.billed_each(-each, rate) == -fx.billed_each(each, rate)
    assert 0 <= -credit <= charged


@given(each=st.integers(min_value=-(10**9), max_value=10**9), usd_per_unit=RATES)
def test_billing_never_rounds_away_from_zero(each, usd_per_unit):
    rate = usd_to("GBP", str(usd_per_unit))
    exact = Decimal(each) * rate.rate
    assert abs(fx.billed_each(each, rate)) <= abs(exact)
    assert abs(exact) - abs(fx.billed_each(each, rate)) < 1


def test_identity_is_one_dated_the_period():
    assert identity("GBP", NOV) == Conversion("GBP", "GBP", Decimal(1), NOV)
