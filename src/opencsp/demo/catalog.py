"""The demo catalog: the table of ``demo.offers`` as ``catalog.specs.ProductSpec`` values,
each with its SKUs' USD base prices for ``demo.pricing``, and its publication through
``catalog.service.publish_product`` — the use case a catalog manager uses.

Identifiers look like Partner Center's (rules.md §9a): 12-character product ids
(``NMB7TTC0`` + a code), 4-character SKU ids and stable 12-character availability ids.
Availabilities are sold in every country of every market except China, which runs on a
separate cloud (rules.md §4, §13); a few perpetual products are sold there too, and
government availabilities only in the United States market. One SKU reaches its end of
sale at the end of next month, so next month's preview list shows it (rules.md §9k)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from opencsp.catalog import service as catalog_service
from opencsp.catalog.specs import AvailabilitySpec, ProductSpec, SkuSpec
from opencsp.core.actor import Actor
from opencsp.demo.offers import OFFERS, Offer, Sku, Territory
from opencsp.markets import queries as markets
from opencsp.pricing.rules import month_start, next_month

PUBLISHER = "Nimbus Cloud"
PRODUCT_PREFIX = "NMB7TTC0"
CHINA_MARKET = "china"
US_MARKET = "united-states"
_PROVISIONING = uuid.UUID("6f1c3c8e-2f43-4a4e-9a57-0d8f0b1e7c21")


@dataclass(frozen=True, slots=True)
class Territories:
    """The country codes of each ``demo.offers.Territory``, from the markets tables."""

    everywhere: tuple[str, ...]
    china: tuple[str, ...]
    united_states: tuple[str, ...]

    def countries(self, territory: Territory) -> tuple[str, ...]:
        if territory is Territory.EVERYWHERE:
            return self.everywhere
        if territory is Territory.UNITED_STATES:
            return self.united_states
        return tuple(c for c in self.everywhere if c not in self.china)


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A product to publish, ``usd`` its SKUs' base prices (``demo.offers.Sku.usd``) and
    ``since`` the months before the current month of its first price list (None: all);
    ``priced_in_usd``: listed in USD only (``demo.offers.Offer.priced_in_usd``)."""

    spec: ProductSpec
    usd: dict[str, Decimal]
    since: int | None = None
    priced_in_usd: bool = False


def territories(session: Session) -> Territories:
    """Every country of every market, read from the database."""
    by_market = {
        market.id: tuple(c.code for c in market.countries)
        for market in markets.list_markets(session)
    }
    return Territories(
        everywhere=tuple(sorted(c for codes in by_market.values() for c in codes)),
        china=by_market.get(CHINA_MARKET, ()),
        united_states=by_market.get(US_MARKET, ()),
    )


def product_id(code: str) -> str:
    return f"{PRODUCT_PREFIX}{code}"


def availability_id(code: str, sku_id: str, segment_value: str) -> str:
    """``DZ`` + product code + SKU id + the segment's initial + ``0``: 12 characters."""
    return f"DZ{code}{sku_id}{segment_value[0].upper()}0"


def end_of_sale(current_month: date) -> datetime:
    """The last second of next month: the retiring SKU's end of sale (rules.md §9k)."""
    return month_start(next_month(next_month(current_month))) - timedelta(seconds=1)


def _ref(reference: str) -> tuple[str, str]:
    code, _, sku = reference.partition("/")
    return product_id(code), sku or "0001"


def _sku_spec(offer: Offer, sku: Sku, where: Territories, current_month: date) -> SkuSpec:
    return SkuSpec(
        id=sku.id,
        title=sku.title,
        description=f"{sku.title}. {offer.description}",
        min_quantity=sku.min_quantity,
        max_quantity=sku.max_quantity,
        availabilities=tuple(
            AvailabilitySpec(
                id=availability_id(offer.code, sku.id, segment.value),
                segment=segment,
                terms=sku.terms,
                countries=where.countries(territory),
                is_renewable=not sku.trial,
            )
            for segment, territory in sku.segments
        ),
        asset_ownership_limit=sku.ownership_limit,
        asset_ownership_limit_type=sku.ownership_type if sku.ownership_limit else None,
        provisioning_id=str(uuid.uuid5(_PROVISIONING, f"{offer.code}/{sku.id}")),
        provisioning_string="NMB_" + "_".join(sku.title.upper().replace("(", "").split()[1:]),
        is_trial=sku.trial,
        attestation_required=sku.attestation,
        end_of_sale=end_of_sale(current_month) if sku.ends_next_month else None,
        prerequisites=tuple(_ref(r) for r in sku.requires),
        upgrades=tuple(_ref(r) for r in sku.upgrades_to),
    )


def demo_catalog(where: Territories, current_month: date) -> tuple[DemoProduct, ...]:
    """Every demo product, its availabilities' countries taken from ``where`` and the
    retiring SKU's end of sale at the end of the month after ``current_month``."""
    return tuple(
        DemoProduct(
            spec=ProductSpec(
                id=product_id(offer.code),
                title=offer.title,
                publisher=PUBLISHER,
                product_type=offer.product_type,
                description=offer.description,
                skus=tuple(_sku_spec(offer, s, where, current_month) for s in offer.skus),
            ),
            usd={s.id: Decimal(s.usd) for s in offer.skus},
            since=offer.since,
            priced_in_usd=offer.priced_in_usd,
        )
        for offer in OFFERS
    )


def retiring_sku(products: Sequence[DemoProduct]) -> tuple[str, str]:
    """The product and SKU whose end of sale falls in next month."""
    return next(
        (p.spec.id, s.id) for p in products for s in p.spec.skus if s.end_of_sale is not None
    )


def publish_catalog(session: Session, actor: Actor, current_month: date) -> tuple[DemoProduct, ...]:
    """Publish every demo product through the catalog manager's use case."""
    products = demo_catalog(territories(session), current_month)
    for product in products:
        catalog_service.publish_product(session, actor, product.spec)
    return products
