"""Factories for the catalog and pricing: offers (product, SKU, availability with terms
and countries), price lists with rows, FX rates. Rows are written directly (test set-up,
not the use cases under test)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.catalog.rules import BillingPlan, CatalogItemId, ProductType, Segment, TermDuration
from opencsp.core import clock
from opencsp.pricing import rules as pricing_rules
from opencsp.pricing.models import FxRate, PriceList, PriceRow

_seq = itertools.count(1)

STANDARD_TERMS: tuple[tuple[TermDuration, BillingPlan], ...] = (
    (TermDuration.P1M, BillingPlan.MONTHLY),
    (TermDuration.P1Y, BillingPlan.MONTHLY),
    (TermDuration.P1Y, BillingPlan.ANNUAL),
)


def _code(prefix: str, width: int = 12) -> str:
    return f"{prefix}{next(_seq):0{width - len(prefix)}d}"


@dataclass(frozen=True)
class Offer:
    product: Product
    sku: Sku
    availability: Availability

    @property
    def item(self) -> CatalogItemId:
        return CatalogItemId(self.product.id, self.sku.id, self.availability.id)

    @property
    def catalog_item_id(self) -> str:
        return str(self.item)


def product(
    session: Session,
    *,
    product_type: ProductType = ProductType.ONLINE_SERVICES,
    title: str | None = None,
    product_id: str | None = None,
) -> Product:
    now = clock.now()
    row = Product(
        id=product_id or _code("CFQ7TTC0"),
        title=title or f"Test product {next(_seq)}",
        description="A product for tests.",
        publisher="Nimbus Corporation",
        product_type=product_type.value,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def offer(
    session: Session,
    *,
    product_type: ProductType = ProductType.ONLINE_SERVICES,
    product_row: Product | None = None,
    sku_id: str = "0001",
    title: str | None = None,
    segment: Segment = Segment.COMMERCIAL,
    countries: Iterable[str] = ("US", "KR", "DE", "FR", "GB", "JP", "CA"),
    terms: Sequence[tuple[TermDuration, BillingPlan]] | None = None,
    min_quantity: int = 1,
    max_quantity: int = 300,
    is_trial: bool = False,
    attestation_required: bool = False,
    end_of_sale: datetime | None = None,
    prerequisites: Iterable[tuple[str, str]] = (),
    upgrades: Iterable[tuple[str, str]] = (),
    asset_ownership_limit: int | None = None,
) -> Offer:
    """A sellable offer: product (new unless given), SKU, one availability for
    ``segment`` with ``terms`` (default: the standard NCE terms, or one-time for perpetual
    software) sold in ``countries``."""
    prod = product_row or product(session, product_type=product_type, title=title)
    sku = Sku(
        product_id=prod.id,
        id=sku_id,
        title=title or prod.title,
        description=f"{prod.title} SKU {sku_id}",
        min_quantity=min_quantity,
        max_quantity=max_quantity,
        asset_ownership_limit=asset_ownership_limit,
        asset_ownership_limit_type="ConcurrentCount" if asset_ownership_limit else None,
        is_trial=is_trial,
        attestation_required=attestation_required,
        end_of_sale=end_of_sale,
    )
    session.add(sku)
    session.flush()
    availability = Availability(
        id=_code("CFQ7TTC0", 12),
        product_id=prod.id,
        sku_id=sku_id,
        segment=segment.value,
        is_purchasable=True,
        is_renewable=not is_trial,
    )
    session.add(availability)
    session.flush()
    if terms is None:
        if ProductType(prod.product_type) is ProductType.SOFTWARE_PERPETUAL:
            terms = ((TermDuration.ONE_TIME, BillingPlan.ONE_TIME),)
        elif is_trial:
            terms = ((TermDuration.P1M, BillingPlan.NONE),)
        else:
            terms = STANDARD_TERMS
    session.add_all(
        AvailabilityTerm(availability_id=availability.id, duration=d.value, billing_plan=p.value)
        for d, p in terms
    )
    session.add_all(
        AvailabilityCountry(availability_id=availability.id, country=c) for c in set(countries)
    )
    session.add_all(
        SkuPrerequisite(product_id=prod.id, sku_id=sku_id, required_product_id=p, required_sku_id=s)
        for p, s in prerequisites
    )
    session.add_all(
        SkuUpgrade(product_id=prod.id, sku_id=sku_id, target_product_id=p, target_sku_id=s)
        for p, s in upgrades
    )
    session.flush()
    return Offer(prod, sku, availability)


@dataclass(frozen=True)
class Row:
    """One price row for ``price_list``; dates default to open-ended from 2020."""

    offer: Offer
    unit_price: str
    currency: str = "USD"
    term: TermDuration = TermDuration.P1Y
    billing_plan: BillingPlan = BillingPlan.ANNUAL
    market_code: str = "US"
    erp_price: str | None = None
    start: datetime = datetime(2020, 1, 1, tzinfo=UTC)
    end: datetime = pricing_rules.OPEN_END
    tier_min: int | None = None
    tier_max: int | None = None
    end_of_sale: datetime | None = None


def price_list(
    session: Session,
    market_id: str,
    month: date,
    rows: Iterable[Row],
    *,
    status: pricing_rules.ListStatus | None = None,
) -> PriceList:
    """A price list with its rows; ``status`` defaults to what the month is today."""
    now = clock.now()
    listing = PriceList(
        id=uuid.uuid4(),
        market_id=market_id,
        month=month,
        status=(status or pricing_rules.status_for(month, now.date())).value,
        source_name="factory",
        imported_at=now,
        row_count=0,
    )
    session.add(listing)
    session.flush()
    written = [price_row(listing, line, row) for line, row in enumerate(rows, start=2)]
    session.add_all(written)
    listing.row_count = len(written)
    session.flush()
    return listing


def price_row(listing: PriceList, line: int, row: Row) -> PriceRow:
    """``row`` as line ``line`` of ``listing`` (not added to the session)."""
    return PriceRow(
        price_list_id=listing.id,
        line=line,
        product_id=row.offer.product.id,
        sku_id=row.offer.sku.id,
        term_duration=row.term.value,
        billing_plan=row.billing_plan.value,
        market_code=row.market_code,
        currency=row.currency,
        unit_price=Decimal(row.unit_price),
        erp_price=Decimal(row.erp_price) if row.erp_price is not None else None,
        tier_min=row.tier_min,
        tier_max=row.tier_max,
        effective_start=row.start,
        effective_end=row.end,
        end_of_sale=row.end_of_sale,
        tags="License",
        unit_of_measure="",
    )


def add_prices(session: Session, listing: PriceList, rows: Iterable[Row]) -> None:
    """More rows in an existing price list, numbered after its last."""
    first = listing.row_count + 2
    written = [price_row(listing, line, row) for line, row in enumerate(rows, start=first)]
    session.add_all(written)
    listing.row_count += len(written)
    session.flush()


def fx_rate(session: Session, currency: str, month: date, usd_per_unit: str) -> FxRate:
    rate = FxRate(
        month=month,
        currency=currency,
        usd_per_unit=Decimal(usd_per_unit),
        imported_at=clock.now(),
    )
    session.add(rate)
    session.flush()
    return rate
