"""The demo's price lists and FX rates as generated files: the exact layouts of
file-formats.md §1 and §6, every market in its currencies, prices derived from the USD
base by term and plan (rules.md §9b) and rounded per currency, the April increase,
products appearing mid-history and the retiring SKU in the preview."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.catalog.specs import TermSpec
from opencsp.core.money import Currency
from opencsp.demo import pricing
from opencsp.demo.catalog import end_of_sale, product_id
from opencsp.demo.offers import OFFERS
from opencsp.pricing import rules
from opencsp.pricing.csvformat import format_date, parse_date
from opencsp.pricing.fx import FX_HEADER
from opencsp.pricing.imports import HEADER_WITH_END_OF_SALE

from .conftest import CURRENT

PREVIEW = date(2026, 12, 1)
EUROPE = ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK")


def _read(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def current_file(products, markets) -> bytes:
    return pricing.price_list_csv(products, markets, CURRENT, current=CURRENT)


@pytest.fixture(scope="module")
def preview_file(products, markets) -> bytes:
    return pricing.price_list_csv(products, markets, PREVIEW, current=CURRENT)


@pytest.mark.parametrize(
    ("current", "first", "preview"),
    [
        (date(2026, 11, 1), date(2025, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2025, 12, 1), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2026, 1, 1), date(2027, 2, 1)),
    ],
)
def test_thirteen_months_and_the_preview(current, first, preview):
    months = pricing.demo_months(current)
    assert len(months) == 14
    assert (months[0], months[12], months[13]) == (first, current, preview)
    assert all(rules.next_month(a) == b for a, b in itertools.pairwise(months))


@pytest.mark.parametrize(
    ("month", "first", "level", "since"),
    [
        (date(2025, 11, 1), date(2025, 11, 1), "1", date(2025, 11, 1)),
        (date(2026, 3, 1), date(2025, 11, 1), "1", date(2025, 11, 1)),
        (date(2026, 4, 1), date(2025, 11, 1), "1.05", date(2026, 4, 1)),
        (date(2026, 12, 1), date(2025, 11, 1), "1.05", date(2026, 4, 1)),
        (date(2026, 4, 1), date(2026, 4, 1), "1", date(2026, 4, 1)),  # before the history
        (date(2027, 4, 1), date(2026, 4, 1), "1.05", date(2027, 4, 1)),
        (date(2027, 4, 1), date(2026, 3, 1), "1.1025", date(2027, 4, 1)),
    ],
)
def test_prices_rise_five_percent_every_april(month, first, level, since):
    assert pricing.price_level(month, first) == (Decimal(level), since)


@pytest.mark.parametrize(
    ("usd", "term", "plan", "currency", "expected"),
    [
        ("6", TermDuration.P1Y, BillingPlan.ANNUAL, "USD", "72"),
        ("6", TermDuration.P1Y, BillingPlan.MONTHLY, "USD", "75.60"),
        ("6", TermDuration.P1M, BillingPlan.MONTHLY, "USD", "7.20"),
        ("36", TermDuration.P3Y, BillingPlan.TRIENNIAL, "USD", "1296"),
        ("36", TermDuration.P3Y, BillingPlan.ANNUAL, "USD", "1296"),
        ("36", TermDuration.P3Y, BillingPlan.MONTHLY, "USD", "1360.80"),
        ("0", TermDuration.P1M, BillingPlan.NONE, "USD", "0"),
        ("520", TermDuration.ONE_TIME, BillingPlan.ONE_TIME, "USD", "520"),
        # 6 USD / 0.00073 = 8219.178… KRW a month, rounded to whole won, × 12
        ("6", TermDuration.P1Y, BillingPlan.ANNUAL, "KRW", "98630"),
        ("6", TermDuration.P1Y, BillingPlan.MONTHLY, "KRW", str(8630 * 12)),
        ("6", TermDuration.P1M, BillingPlan.MONTHLY, "JPY", "1075"),
        ("6", TermDuration.P1Y, BillingPlan.ANNUAL, "EUR", "66.06"),
        ("12.5", TermDuration.P1Y, BillingPlan.MONTHLY, "BRL", str(Decimal("72.92") * 12)),
    ],
)
def test_term_prices(usd, term, plan, currency, expected):
    price = pricing.term_price(Decimal(usd), TermSpec(term, plan), currency, Decimal(1))
    assert price == Decimal(expected)


@given(
    base=st.decimals(min_value="0.1", max_value="10000", places=2),
    currency=st.sampled_from(["USD", *pricing.USD_PER_UNIT]),
    plan=st.sampled_from(sorted(pricing.PLAN_PRICES, key=str)),
)
def test_a_terms_charges_add_up_to_its_price(base, currency, plan):
    """The unit price is the whole term's (file-formats.md §1): its periods' charges, each
    a whole number of minor units (KRW and JPY whole numbers)."""
    term = TermSpec(*plan)
    spec = pricing.PLAN_PRICES[plan]
    price = pricing.term_price(base, term, currency, Decimal(1))
    charge = price / spec.periods
    assert charge == charge.quantize(Currency(currency).quantum)
    if currency in ("KRW", "JPY"):
        assert price == price.to_integral_value()
    usd = pricing.term_price(base, term, "USD", Decimal(1))
    assert usd == (base * spec.factor).quantize(Decimal("0.01"), ROUND_HALF_UP) * spec.periods


def test_monthly_billing_costs_more_than_upfront(products):
    for product in products:
        for sku_id, base in product.usd.items():
            if base == 0:
                continue
            yearly = pricing.term_price(
                base, TermSpec(TermDuration.P1Y, BillingPlan.ANNUAL), "USD", Decimal(1)
            )
            monthly = pricing.term_price(
                base, TermSpec(TermDuration.P1Y, BillingPlan.MONTHLY), "USD", Decimal(1)
            )
            month = pricing.term_price(
                base, TermSpec(TermDuration.P1M, BillingPlan.MONTHLY), "USD", Decimal(1)
            )
            assert abs(monthly / yearly - Decimal("1.05")) < Decimal("0.01"), sku_id
            assert abs(month * 12 / yearly - Decimal("1.2")) < Decimal("0.01"), sku_id


def test_the_file_has_the_exact_header_and_quotes_every_field(current_file):
    assert current_file.startswith(rules.PRICE_LIST_HEADER.encode("utf-8"))
    lines = current_file.decode("utf-8").split("\r\n")
    assert lines[-1] == ""
    for line in lines[1:-1]:
        assert line.startswith('"') and line.endswith('"')
        assert len(next(csv.reader([line]))) == len(rules.PRICE_LIST_COLUMNS)


def test_every_market_in_its_price_list_currencies(current_file, markets):
    """Every product in the market's own currencies, except reserved compute, which every
    market lists in USD only (rules.md §11)."""
    rows = _read(current_file)
    usd_priced = {product_id(o.code) for o in OFFERS if o.priced_in_usd}
    assert usd_priced
    by_market = {m.country: m for m in markets}
    assert {r["Market"] for r in rows} == set(by_market)
    local = [r for r in rows if r["ProductId"] not in usd_priced]
    for row in local:
        assert row["Currency"] in by_market[row["Market"]].currencies
    assert {r["Currency"] for r in rows if r["ProductId"] in usd_priced} == {"USD"}
    assert {r["Market"] for r in rows if r["ProductId"] in usd_priced} == set(by_market) - {"CN"}
    assert {r["Currency"] for r in local if r["Market"] == "DE"} == set(EUROPE)
    assert {r["Currency"] for r in local if r["Market"] == "BR"} == {"BRL"}
    assert {r["Currency"] for r in local if r["Market"] == "KR"} == {"KRW"}


def test_prices_are_plain_decimals_rounded_to_the_currency(current_file):
    for row in _read(current_file):
        for column in ("UnitPrice", "ERP Price"):
            value = Decimal(row[column])
            assert value == value.quantize(Currency(row["Currency"]).quantum), row
        if row["Currency"] in ("KRW", "JPY"):
            assert "." not in row["UnitPrice"] and "." not in row["ERP Price"]


def test_erp_price_is_twenty_to_twenty_five_percent_above(current_file):
    for row in _read(current_file):
        unit, erp = Decimal(row["UnitPrice"]), Decimal(row["ERP Price"])
        if unit >= 100:
            assert Decimal("1.195") <= erp / unit <= Decimal("1.255"), row
        assert (unit == 0) == (erp == 0)


def test_rows_are_open_ended_from_the_april_increase(current_file):
    rows = _read(current_file)
    assert {r["EffectiveEndDate"] for r in rows} == {format_date(rules.OPEN_END)}
    assert format_date(rules.OPEN_END) == "11/30/9999 11:59:59 PM"
    starts = {parse_date(r["EffectiveStartDate"]) for r in rows}
    assert min(starts) == rules.month_start(date(2026, 4, 1))
    assert max(starts) <= rules.month_start(CURRENT)


def test_prices_before_and_after_april(products, markets):
    us = [m for m in markets if m.market_id == "united-states"]
    march = _read(pricing.price_list_csv(products, us, date(2026, 3, 1), current=CURRENT))
    april = _read(pricing.price_list_csv(products, us, date(2026, 4, 1), current=CURRENT))
    key = ("ProductId", "SkuId", "TermDuration", "BillingPlan")
    before = {tuple(r[k] for k in key): r for r in march}
    raised = 0
    for row in april:
        old = before.get(tuple(row[k] for k in key))
        if old is not None and Decimal(old["UnitPrice"]) > 0:
            assert Decimal(row["UnitPrice"]) > Decimal(old["UnitPrice"])
            assert row["EffectiveStartDate"] == "4/1/2026 12:00:00 AM"
            raised += 1
    assert raised == len(march) - sum(1 for r in march if r["UnitPrice"] == "0")


def test_products_first_appear_mid_history(products, markets):
    us = [m for m in markets if m.market_id == "united-states"]
    months = pricing.demo_months(CURRENT)
    first = {
        m: {r["ProductId"] for r in _read(pricing.price_list_csv(products, us, m, current=CURRENT))}
        for m in months
    }
    for product in products:
        if product.since is None:
            assert product.spec.id in first[months[0]]
            continue
        debut = months[12 - product.since]
        assert product.spec.id not in first[rules.previous_month(debut)]
        assert product.spec.id in first[debut]


def test_the_preview_carries_the_end_of_sale(preview_file, current_file):
    header = next(csv.reader(io.StringIO(preview_file.decode("utf-8"))))
    assert tuple(header) == HEADER_WITH_END_OF_SALE
    rows = _read(preview_file)
    retiring = [r for r in rows if r["EndofSaleDate"]]
    eos = format_date(end_of_sale(CURRENT))
    assert retiring and {(r["ProductId"], r["SkuId"]) for r in retiring} == {
        ("NMB7TTC0ENE3", "0002")
    }
    assert {(r["EndofSaleDate"], r["EffectiveEndDate"]) for r in retiring} == {(eos, eos)}
    assert not any("EndofSaleDate" in r for r in _read(current_file))
    assert len(rows) == len(_read(current_file))


def test_china_sells_only_what_is_available_there(current_file):
    china = {r["ProductId"] for r in _read(current_file) if r["Market"] == "CN"}
    assert china and all(r["Currency"] == "CNY" for r in _read(current_file) if r["Market"] == "CN")
    assert china == {"NMB7TTC0OLPP", "NMB7TTC0OLST", "NMB7TTC0SV25"}


def test_fx_file_layout_and_rates():
    data = pricing.fx_csv(CURRENT).decode("utf-8")
    assert data.startswith(FX_HEADER + "\r\n")
    rows = _read(data.encode())
    assert {r["CurrencyCode"] for r in rows} == set(pricing.USD_PER_UNIT)
    assert {r["Month"] for r in rows} == {"202611"}
    for row in rows:
        base = pricing.USD_PER_UNIT[row["CurrencyCode"]]
        assert abs(Decimal(row["USDPerUnit"]) / base - 1) <= Decimal("0.015")


def test_fx_rates_move_from_month_to_month():
    months = pricing.demo_months(CURRENT)
    for code in pricing.USD_PER_UNIT:
        assert len({pricing.fx_rate(code, m) for m in months}) > 3
