"""Reads of pricing: which list applies, the price of an item at a date, FX rates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.rules import BillingPlan, CatalogItemId, TermDuration
from opencsp.core import refcache
from opencsp.core.money import Currency
from opencsp.markets import queries as markets
from opencsp.pricing import rules
from opencsp.pricing.errors import FxRateNotFound, PriceNotFound
from opencsp.pricing.models import FxRate, PriceList, PriceRow


def price_currencies(session: Session, market_id: str) -> tuple[str, ...]:
    """The currencies a market's new-commerce price list is in (Europe six, Brazil BRL):
    ``markets.queries.new_commerce_currencies``."""
    return markets.new_commerce_currencies(session, market_id)


def applicable_list(session: Session, market_id: str, at: datetime) -> PriceList | None:
    """The list that prices a transaction at ``at``: the list of that month, whatever its
    status (its rows' effective dates decide), else the latest list before that month
    that has taken effect."""
    month = rules.month_of(at)
    own = session.scalar(
        select(PriceList).where(PriceList.market_id == market_id, PriceList.month == month)
    )
    if own is not None:
        return own
    return session.scalar(
        select(PriceList)
        .where(
            PriceList.market_id == market_id,
            PriceList.month < month,
            PriceList.status != rules.ListStatus.PREVIEW.value,
        )
        .order_by(PriceList.month.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class Price:
    """A unit price as found: the partner price for the whole term (rules.md §9b), exact,
    tax-exclusive, with the row it came from — what a purchase locks for its term."""

    unit_price: Decimal
    erp_price: Decimal | None
    currency: Currency
    price_list_id: uuid.UUID
    price_row_id: int
    effective_start: datetime
    effective_end: datetime


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A price row as the look-up needs it (``rules.PricedRow``), detached from the
    session so that the reference cache can keep it."""

    id: int
    unit_price: Decimal
    erp_price: Decimal | None
    tier_min: int | None
    tier_max: int | None
    effective_start: datetime
    effective_end: datetime


def _candidates(
    session: Session, price_list_id: uuid.UUID, sku: tuple[str, str], key: tuple[str, str, str]
) -> tuple[_Candidate, ...]:
    term, plan, currency = key
    rows = session.scalars(
        select(PriceRow).where(
            PriceRow.price_list_id == price_list_id,
            PriceRow.product_id == sku[0],
            PriceRow.sku_id == sku[1],
            PriceRow.term_duration == term,
            PriceRow.billing_plan == plan,
            PriceRow.currency == currency,
        )
    )
    return tuple(
        _Candidate(
            r.id,
            r.unit_price,
            r.erp_price,
            r.tier_min,
            r.tier_max,
            r.effective_start,
            r.effective_end,
        )
        for r in rows
    )


def _sku_of(session: Session, item: CatalogItemId | str) -> tuple[str, str]:
    availability = catalog.get_availability(session, item)
    return availability.product_id, availability.sku_id


def _list_id(session: Session, market_id: str, at: datetime) -> uuid.UUID | None:
    found = applicable_list(session, market_id, at)
    return found.id if found is not None else None


def unit_price(
    session: Session,
    catalog_item: CatalogItemId | str,
    market_id: str,
    currency: str,
    term: TermDuration,
    billing_plan: BillingPlan,
    *,
    at: datetime,
    quantity: int = 1,
    generations: refcache.Generations | None = None,
) -> Price:
    """The price of a catalog item in a market and currency for a term and billing plan
    at a transaction date: the applicable month's row whose effective range contains the
    date (file-formats.md §1; rules.md §11) and whose tier range contains ``quantity``.
    With ``generations`` (``core.refcache``), the list and its candidate rows come from
    the reference cache while no catalog or price table has changed."""
    code = Currency.of(currency)
    sku = refcache.cached(
        generations,
        ("catalog",),
        "pricing.sku",
        str(catalog_item),
        lambda: _sku_of(session, catalog_item),
    )
    month = rules.month_of(at)
    price_list_id = refcache.cached(
        generations,
        ("prices",),
        "pricing.list",
        (market_id, month),
        lambda: _list_id(session, market_id, at),
    )
    row = None
    if price_list_id is not None:
        key = (term.value, billing_plan.value, code.code)
        rows = refcache.cached(
            generations,
            ("prices",),
            "pricing.rows",
            (price_list_id, sku, key),
            lambda: _candidates(session, price_list_id, sku, key),
        )
        row = rules.pick_row(rows, at, quantity)
    if row is None or price_list_id is None:
        raise PriceNotFound(
            catalog_item=str(catalog_item),
            term=term.value,
            billing_plan=billing_plan.value,
            currency=code.code,
            market=market_id,
            at=at.isoformat(),
        )
    return Price(
        unit_price=row.unit_price,
        erp_price=row.erp_price,
        currency=code,
        price_list_id=price_list_id,
        price_row_id=row.id,
        effective_start=row.effective_start,
        effective_end=row.effective_end,
    )


def usd_per_unit(session: Session, currency: str, month: date) -> Decimal:
    """The month's FX rate: USD per unit of ``currency`` (file-formats.md §6); USD is 1."""
    code = Currency.of(currency).code
    if code == "USD":
        return Decimal(1)
    rate = session.get(FxRate, (rules.month_of(month), code))
    if rate is None:
        raise FxRateNotFound(currency=code, month=rules.format_month(rules.month_of(month)))
    return rate.usd_per_unit
