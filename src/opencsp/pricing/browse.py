"""The catalog as the console browses it: what a market sells this month, to one segment,
in one view, with the month's unit and ERP prices in one currency.

A partner browses its own market only — the market its location decides, where it may
sell (PC:regional-authorization-overview.md, rules.md §4); the vendor browses any.
Prices come only to actors holding ``Perm.PRICING_READ``: indirect resellers see the
catalog without them (rules.md §1, they cannot see price lists). Everything is read in one
set-based query: the catalog's terms joined with the applicable month's price rows
(``queries.applicable_list``), filtered to availabilities sold in the market's countries,
purchasable and not past end of sale (rules.md §9k)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
)
from opencsp.catalog.rules import ProductType, Segment
from opencsp.core.actor import Actor, Perm
from opencsp.markets import queries as markets
from opencsp.markets.errors import MarketNotFound
from opencsp.markets.models import Country, Market
from opencsp.partners import queries as partners
from opencsp.pricing import queries, rules
from opencsp.pricing.models import PriceList, PriceRow

DEFAULT_VENDOR_MARKET = "united-states"


@dataclass(frozen=True, slots=True)
class CatalogLine:
    """One purchasable term of an availability, with its price when the reader may see
    prices and the month's list has one (``unit_price`` is the partner price for the
    whole term, rules.md §9b; both prices exact and tax-exclusive)."""

    product_id: str
    product_title: str
    product_type: ProductType
    sku_id: str
    sku_title: str
    availability_id: str
    segment: str
    term: str
    billing_plan: str
    min_quantity: int
    max_quantity: int
    is_trial: bool
    is_addon: bool
    end_of_sale: datetime | None
    unit_price: Decimal | None = None
    erp_price: Decimal | None = None

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """What one browse answers: the market and currency shown (``currency`` None when
    the reader sees no prices), the price list that priced it, and the lines."""

    market: Market
    currency: str | None
    currencies: tuple[str, ...]
    price_list: PriceList | None
    lines: Sequence[CatalogLine]


def browsable_markets(session: Session, actor: Actor) -> Sequence[Market]:
    """The markets an actor may browse: every market for the vendor, a partner's own."""
    if actor.is_vendor:
        return markets.list_markets(session)
    own = partners.region_of(session, actor.organization_id)
    return [markets.get_market(session, own)] if own is not None else []


def market_to_browse(session: Session, actor: Actor, requested: str | None) -> Market:
    """The market shown: the one asked for when the actor may browse it, else the
    actor's default (a partner's own market, the vendor's first). A partner asking for
    another market is answered as if it did not exist (404)."""
    allowed = browsable_markets(session, actor)
    if not allowed:
        raise MarketNotFound(market_id=requested or "")
    if requested is None or not requested.strip():
        by_id = {m.id: m for m in allowed}
        return by_id.get(DEFAULT_VENDOR_MARKET, allowed[0])
    key = requested.strip().lower()
    for market in allowed:
        if market.id == key:
            return market
    raise MarketNotFound(market_id=requested)


def default_currency(market: Market, currencies: Sequence[str]) -> str | None:
    """The currency most of the market's countries use among its price-list currencies
    (Europe: EUR), ties to the first in code order."""
    if not currencies:
        return None
    used = Counter(
        c.currency
        for country in market.countries
        for c in country.currencies
        if c.currency in currencies
    )
    return max(currencies, key=lambda code: (used[code], -currencies.index(code)))


def browse(
    session: Session,
    actor: Actor,
    *,
    market_id: str | None,
    segment: Segment,
    product_types: frozenset[ProductType],
    currency: str | None,
    at: datetime,
) -> CatalogPage:
    """The catalog page for an actor (see the module docstring). An unknown or
    unoffered ``currency`` falls back to the market's default."""
    market = market_to_browse(session, actor, market_id)
    currencies = queries.price_currencies(session, market.id)
    shows_prices = actor.can(Perm.PRICING_READ)
    chosen = None
    if shows_prices:
        asked = (currency or "").strip().upper()
        chosen = asked if asked in currencies else default_currency(market, currencies)
    price_list = queries.applicable_list(session, market.id, at) if shows_prices else None
    lines = catalog_lines(
        session,
        market_id=market.id,
        segment=segment,
        product_types=product_types,
        at=at,
        price_list=price_list if chosen is not None else None,
        currency=chosen,
    )
    return CatalogPage(market, chosen, currencies if shows_prices else (), price_list, lines)


def catalog_lines(
    session: Session,
    *,
    market_id: str,
    segment: Segment,
    product_types: frozenset[ProductType],
    at: datetime,
    price_list: PriceList | None,
    currency: str | None,
) -> list[CatalogLine]:
    """Every sellable term in the market with, when ``price_list`` is given, its price in
    ``currency`` at ``at``: one query; of several matching rows (duplicates, tiers) the
    one ``rules.pick_row`` picks for the SKU's minimum quantity."""
    in_market = exists().where(
        AvailabilityCountry.availability_id == Availability.id,
        AvailabilityCountry.country == Country.code,
        Country.market_id == market_id,
    )
    is_addon = (
        exists()
        .where(SkuPrerequisite.product_id == Sku.product_id, SkuPrerequisite.sku_id == Sku.id)
        .label("is_addon")
    )
    query = (
        select(Product, Sku, Availability, AvailabilityTerm, is_addon)
        .join(Sku, Sku.product_id == Product.id)
        .join(
            Availability,
            and_(Availability.product_id == Sku.product_id, Availability.sku_id == Sku.id),
        )
        .join(AvailabilityTerm, AvailabilityTerm.availability_id == Availability.id)
        .where(
            in_market,
            Availability.segment == segment.value,
            Availability.is_purchasable.is_(True),
            Product.product_type.in_([t.value for t in product_types]),
            (Sku.end_of_sale.is_(None)) | (Sku.end_of_sale >= at),
        )
        .order_by(
            Product.title,
            Product.id,
            Sku.id,
            Availability.id,
            AvailabilityTerm.duration,
            AvailabilityTerm.billing_plan,
        )
    )
    priced = price_list is not None and currency is not None
    if priced:
        assert price_list is not None
        query = query.add_columns(PriceRow).outerjoin(
            PriceRow,
            and_(
                PriceRow.price_list_id == price_list.id,
                PriceRow.product_id == Sku.product_id,
                PriceRow.sku_id == Sku.id,
                PriceRow.term_duration == AvailabilityTerm.duration,
                PriceRow.billing_plan == AvailabilityTerm.billing_plan,
                PriceRow.currency == currency,
                PriceRow.effective_start <= at,
                PriceRow.effective_end >= at,
            ),
        )
    grouped: dict[tuple[str, str, str], tuple[CatalogLine, list[PriceRow]]] = {}
    for found in session.execute(query):
        cells: Sequence[Any] = tuple(found)
        product, sku, availability, term, addon = cells[:5]
        key = (availability.id, term.duration, term.billing_plan)
        if key not in grouped:
            grouped[key] = (_line(product, sku, availability, term, bool(addon)), [])
        if priced and cells[5] is not None:
            grouped[key][1].append(cells[5])
    return [_priced(line, rows, at) for line, rows in grouped.values()]


def _line(
    product: Product, sku: Sku, availability: Availability, term: AvailabilityTerm, addon: bool
) -> CatalogLine:
    return CatalogLine(
        product_id=product.id,
        product_title=product.title,
        product_type=ProductType(product.product_type),
        sku_id=sku.id,
        sku_title=sku.title,
        availability_id=availability.id,
        segment=availability.segment,
        term=term.duration,
        billing_plan=term.billing_plan,
        min_quantity=sku.min_quantity,
        max_quantity=sku.max_quantity,
        is_trial=sku.is_trial,
        is_addon=addon,
        end_of_sale=sku.end_of_sale,
    )


def _priced(line: CatalogLine, rows: list[PriceRow], at: datetime) -> CatalogLine:
    row = rules.pick_row(rows, at, max(line.min_quantity, 1))
    if row is None:
        return line
    return replace(line, unit_price=row.unit_price, erp_price=row.erp_price)
