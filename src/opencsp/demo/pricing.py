"""The demo's price lists and FX rates, generated and loaded through the same imports the
vendor uses (``pricing.imports.import_price_list``, ``pricing.fx.import_fx_rates``), so
every file passes the real validation.

One file per month for every market: the 12 months before the demo's current month
(history), the current month, and next month's preview (rules.md §11: lists change on the
1st with a 30-day preview). Each market's rows are in its price-list currencies
(``pricing.queries.price_currencies``: Europe in six, Brazil in BRL, rules.md §4), in the
layout of file-formats.md §1; a product priced in USD (``DemoProduct.priced_in_usd``,
reserved compute, rules.md §11) has USD rows only, in every market.

Prices come from each SKU's USD base (``demo.offers.Sku.usd``, per unit per month on an
annual commitment) and the term and billing plan (rules.md §9b): P1Y paid upfront is 12
months of the base; P1Y billed monthly is 5% more; P1M is 20% more per month; P3Y is three
years of the base, 5% more when billed monthly. ``UnitPrice`` is the price of the whole
term (file-formats.md §1), built from the per-period charge rounded to the currency's
minor unit (KRW and JPY whole numbers), so the charges of a term add up to its price
exactly. Local prices use each currency's demo price-list rate; every April prices rise
5%. The ERP price is 20–25% above the partner price."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from opencsp.catalog.rules import PRICE_LIST_PLAN, BillingPlan, ProductType, TermDuration
from opencsp.catalog.specs import SkuSpec, TermSpec
from opencsp.core.actor import Actor
from opencsp.core.money import Currency, round_amount
from opencsp.demo.catalog import DemoProduct
from opencsp.markets import queries as markets_queries
from opencsp.pricing import fx, imports, queries, rules
from opencsp.pricing.csvformat import format_date, format_decimal

HISTORY_MONTHS = 12
"""Months of history before the current month: with it, 13 lists that have taken effect."""

INCREASE_MONTH = 4
INCREASE = Decimal("1.05")
"""Every April, prices rise 5%."""

USD_PER_UNIT: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "AUD": "0.66",
        "BRL": "0.18",
        "CAD": "0.73",
        "CHF": "1.13",
        "CNY": "0.138",
        "DKK": "0.146",
        "EUR": "1.09",
        "GBP": "1.27",
        "INR": "0.0119",
        "JPY": "0.0067",
        "KRW": "0.00073",
        "NOK": "0.094",
        "NZD": "0.60",
        "SEK": "0.096",
        "TWD": "0.031",
    }.items()
}
"""The demo's price-list rate per currency, USD per unit; the monthly FX rates drift
around it by up to 1.5%."""

MARKET_COUNTRY: tuple[str, ...] = ("US", "DE", "AU", "CA", "NZ", "SG", "MX", "AE", "KE")
"""The ``Market`` column of a multi-country market's rows: the first of these in it."""


@dataclass(frozen=True, slots=True)
class PlanPrice:
    """How a term and billing plan is priced from the USD base: ``periods`` charges of
    ``factor`` × base each."""

    periods: int
    factor: Decimal


PLAN_PRICES: dict[tuple[TermDuration, BillingPlan], PlanPrice] = {
    (TermDuration.P1M, BillingPlan.MONTHLY): PlanPrice(1, Decimal("1.2")),
    (TermDuration.P1Y, BillingPlan.MONTHLY): PlanPrice(12, Decimal("1.05")),
    (TermDuration.P1Y, BillingPlan.ANNUAL): PlanPrice(1, Decimal(12)),
    (TermDuration.P3Y, BillingPlan.MONTHLY): PlanPrice(36, Decimal("1.05")),
    (TermDuration.P3Y, BillingPlan.ANNUAL): PlanPrice(3, Decimal(12)),
    (TermDuration.P3Y, BillingPlan.TRIENNIAL): PlanPrice(1, Decimal(36)),
    (TermDuration.P1M, BillingPlan.NONE): PlanPrice(1, Decimal(0)),
    (TermDuration.ONE_TIME, BillingPlan.ONE_TIME): PlanPrice(1, Decimal(1)),
}


@dataclass(frozen=True, slots=True)
class MarketPrices:
    """A market as its price list needs it: its id, the country code written in the
    ``Market`` column, every country it has (to know which SKUs it sells) and its
    price-list currencies."""

    market_id: str
    country: str
    countries: frozenset[str]
    currencies: tuple[str, ...]


def market_country(countries: Iterable[str]) -> str:
    codes = sorted(countries)
    return next((c for c in MARKET_COUNTRY if c in codes), codes[0])


def demo_months(current: date) -> tuple[date, ...]:
    """The 12 months before ``current``, ``current`` itself and next month's preview."""
    months = [rules.next_month(current)]
    month = current
    for _ in range(HISTORY_MONTHS + 1):
        months.append(month)
        month = rules.previous_month(month)
    return tuple(reversed(months))


def price_level(month: date, first: date) -> tuple[Decimal, date]:
    """The price factor in force in ``month`` and the month it took effect: 1 from
    ``first`` (the demo's first list), 5% more after each April since."""
    level, since, at = Decimal(1), first, rules.next_month(first)
    while at <= month:
        if at.month == INCREASE_MONTH:
            level, since = level * INCREASE, at
        at = rules.next_month(at)
    return level, since


def local_price(usd: Decimal, currency: str) -> Decimal:
    """A USD amount in ``currency`` at the demo's price-list rate, rounded half-up to
    the currency's minor unit (KRW and JPY whole numbers)."""
    code = Currency.of(currency)
    rate = Decimal(1) if code.code == "USD" else USD_PER_UNIT[code.code]
    return round_amount(usd / rate, code)


def term_price(base_usd: Decimal, term: TermSpec, currency: str, level: Decimal) -> Decimal:
    """The unit price of a whole term: its periods' charges, each rounded."""
    plan = PLAN_PRICES[(term.duration, term.billing_plan)]
    return local_price(base_usd * level * plan.factor, currency) * plan.periods


def erp_factor(index: int) -> Decimal:
    """The estimated retail price over the partner price: 1.20 to 1.25 by product."""
    return Decimal("1.20") + Decimal(index % 6) / 100


def _tags(product: DemoProduct, sku: SkuSpec) -> str:
    if sku.is_trial:
        return "License;Trial"
    perpetual = product.spec.product_type is ProductType.SOFTWARE_PERPETUAL
    return "Software" if perpetual else "License"


def _sold_in(sku: SkuSpec, market: MarketPrices) -> bool:
    return any(market.countries.intersection(a.countries) for a in sku.availabilities)


def _terms(sku: SkuSpec) -> list[TermSpec]:
    seen = {term for availability in sku.availabilities for term in availability.terms}
    return sorted(seen, key=lambda t: (t.duration.value, t.billing_plan.value))


def price_rows(
    products: Sequence[DemoProduct],
    market: MarketPrices,
    month: date,
    *,
    current: date,
    preview: bool,
) -> Iterator[list[str]]:
    """The rows of one market's list for ``month`` (file-formats.md §1). A row's
    effective start is when its price took effect (the April increase or the product's
    first list); it is open-ended, except the retiring SKU's in the preview, which ends
    at its end of sale and carries it in ``EndofSaleDate``."""
    first = demo_months(current)[0]
    level, changed = price_level(month, first)
    for index, product in enumerate(products):
        since = first
        if product.since is not None:
            since = demo_months(current)[HISTORY_MONTHS - product.since]
            if month < since:
                continue
        start = rules.month_start(max(since, changed))
        for sku in product.spec.skus:
            if not _sold_in(sku, market):
                continue
            end = rules.OPEN_END
            sale_end = ""
            if preview and sku.end_of_sale is not None:
                end, sale_end = sku.end_of_sale, format_date(sku.end_of_sale)
            for term in _terms(sku):
                for currency in ("USD",) if product.priced_in_usd else market.currencies:
                    price = term_price(product.usd[sku.id], term, currency, level)
                    erp = round_amount(price * erp_factor(index), Currency.of(currency))
                    row = [
                        product.spec.title,
                        product.spec.id,
                        sku.id,
                        sku.title,
                        product.spec.publisher,
                        sku.description,
                        "",
                        term.duration.value,
                        PRICE_LIST_PLAN[term.billing_plan],
                        market.country,
                        currency,
                        format_decimal(price),
                        "",
                        "",
                        format_date(start),
                        format_date(end),
                        _tags(product, sku),
                        format_decimal(erp),
                    ]
                    if preview:
                        row.insert(16, sale_end)
                    yield row


def price_list_csv(
    products: Sequence[DemoProduct],
    markets: Sequence[MarketPrices],
    month: date,
    *,
    current: date,
) -> bytes:
    """One month's file for every market, every field quoted, CRLF line ends; the
    preview (a month after ``current``) has the ``EndofSaleDate`` column."""
    preview = month > current
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(imports.HEADER_WITH_END_OF_SALE if preview else rules.PRICE_LIST_COLUMNS)
    for market in markets:
        writer.writerows(price_rows(products, market, month, current=current, preview=preview))
    return out.getvalue().encode("utf-8")


def fx_rate(currency: str, month: date) -> Decimal:
    """The month's USD per unit: the price-list rate moved by a steady, repeatable drift
    of at most 1.5% either way."""
    seed = sum(map(ord, currency)) + month.year * 12 + month.month
    drift = Decimal((seed * 37) % 31 - 15) / 1000
    return (USD_PER_UNIT[currency] * (1 + drift)).quantize(Decimal("1E-10"))


def fx_csv(month: date, currencies: Iterable[str] = USD_PER_UNIT) -> bytes:
    """A month's FX rates in the layout of file-formats.md §6, ``Month`` as ``YYYYMM``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(rules.FX_COLUMNS)
    stamp = f"{month.year:04d}{month.month:02d}"
    writer.writerows(
        [code, format_decimal(fx_rate(code, month)), stamp] for code in sorted(currencies)
    )
    return out.getvalue().encode("utf-8")


def demo_markets(session: Session) -> tuple[MarketPrices, ...]:
    """Every market with its countries and price-list currencies, from the database."""
    return tuple(
        MarketPrices(
            market_id=market.id,
            country=market_country(c.code for c in market.countries),
            countries=frozenset(c.code for c in market.countries),
            currencies=queries.price_currencies(session, market.id),
        )
        for market in markets_queries.list_markets(session)
    )


@dataclass(frozen=True, slots=True)
class LoadedPrices:
    lists: int
    rows: int
    fx_months: int


def load_prices(
    session: Session, actor: Actor, products: Sequence[DemoProduct], *, current: date
) -> LoadedPrices:
    """Import the demo's 14 monthly files (every served market in each) and the FX rates
    of the 13 months that have begun, oldest first, through the vendor's own imports."""
    markets = demo_markets(session)
    # a national cloud (OPENCSP_MARKETS) gets the rates of its own markets' currencies only
    currencies = (
        sorted({c for m in markets for c in m.currencies} & set(USD_PER_UNIT))
        if markets_queries.served_market_ids()
        else list(USD_PER_UNIT)
    )
    lists = rows = fx_months = 0
    for month in demo_months(current):
        if month <= current and currencies:
            data = fx_csv(month, currencies)
            fx.import_fx_rates(session, actor, io.BytesIO(data), month=month)
            fx_months += 1
        data = price_list_csv(products, markets, month, current=current)
        summary = imports.import_price_list(
            session,
            actor,
            io.BytesIO(data),
            month=month,
            source_name=f"nimbus-pricelist-{rules.format_month(month)}.csv",
        )
        lists += len(summary.lists)
        rows += summary.rows
    return LoadedPrices(lists=lists, rows=rows, fx_months=fx_months)
