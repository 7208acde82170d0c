"""Reads of the catalog. The catalog is public to every signed-in actor; what a customer
may buy is narrowed by its country and segment (rules.md §4, §9a)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from opencsp.catalog import rules
from opencsp.catalog.errors import AvailabilityNotFound, ProductNotFound, SkuNotFound
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.catalog.rules import CatalogItemId


def get_product(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id.strip().upper())
    if product is None:
        raise ProductNotFound()
    return product


def get_sku(session: Session, product_id: str, sku_id: str) -> Sku:
    sku = session.get(Sku, (product_id.strip().upper(), sku_id.strip().upper()))
    if sku is None:
        raise SkuNotFound()
    return sku


def get_availability(session: Session, item: CatalogItemId | str) -> Availability:
    """The availability a catalog item ID names, checking that its product and SKU match
    (an availability ID under another SKU is not found, 400019)."""
    if isinstance(item, str):
        item = rules.parse_catalog_item_id(item)
    found = session.get(Availability, item.availability_id)
    if found is None or (found.product_id, found.sku_id) != (item.product_id, item.sku_id):
        raise AvailabilityNotFound()
    return found


def sold_in(country: str) -> Select[Availability]:
    """Availabilities sold in a country (offer matrix ``AllowedCountries``)."""
    return select(Availability).where(
        exists().where(
            AvailabilityCountry.availability_id == Availability.id,
            AvailabilityCountry.country == country.strip().upper(),
        )
    )


def sellable(
    session: Session,
    item: CatalogItemId | str,
    *,
    country: str,
    at: datetime,
    segment: rules.Segment | None = None,
) -> Availability:
    """The availability, if it can be bought now for a customer in ``country``: it
    exists, is purchasable, its SKU is not past end of sale (rules.md §9k), it is sold in
    the country and, when given, to the segment. Anything else is 400019, as checkout
    answers (PC:developer/error-codes.md)."""
    availability = get_availability(session, item)
    sku = get_sku(session, availability.product_id, availability.sku_id)
    in_country = session.scalar(
        select(AvailabilityCountry.country).where(
            AvailabilityCountry.availability_id == availability.id,
            AvailabilityCountry.country == country.strip().upper(),
        )
    )
    if (
        not availability.is_purchasable
        or not rules.on_sale(sku.end_of_sale, at)
        or in_country is None
        or (segment is not None and availability.segment != segment.value)
    ):
        raise AvailabilityNotFound()
    return availability


def terms_of(session: Session, availability_id: str) -> Sequence[AvailabilityTerm]:
    return session.scalars(
        select(AvailabilityTerm)
        .where(AvailabilityTerm.availability_id == availability_id)
        .order_by(AvailabilityTerm.duration, AvailabilityTerm.billing_plan)
    ).all()


def prerequisites_of(session: Session, product_id: str, sku_id: str) -> Sequence[tuple[str, str]]:
    """The ``(productId, skuId)`` pairs an add-on needs on the customer (rules.md §9h);
    empty for a base offer."""
    rows = session.execute(
        select(SkuPrerequisite.required_product_id, SkuPrerequisite.required_sku_id)
        .where(SkuPrerequisite.product_id == product_id, SkuPrerequisite.sku_id == sku_id)
        .order_by(SkuPrerequisite.required_product_id, SkuPrerequisite.required_sku_id)
    )
    return [(p, s) for p, s in rows]


def upgrade_targets_of(session: Session, product_id: str, sku_id: str) -> Sequence[tuple[str, str]]:
    """The ``(productId, skuId)`` pairs a SKU can be upgraded to (rules.md §9f)."""
    rows = session.execute(
        select(SkuUpgrade.target_product_id, SkuUpgrade.target_sku_id)
        .where(SkuUpgrade.product_id == product_id, SkuUpgrade.sku_id == sku_id)
        .order_by(SkuUpgrade.target_product_id, SkuUpgrade.target_sku_id)
    )
    return [(p, s) for p, s in rows]


def product_type_of(session: Session, product_id: str) -> rules.ProductType:
    return rules.ProductType(get_product(session, product_id).product_type)


def known_skus(session: Session) -> set[tuple[str, str]]:
    """Every ``(productId, skuId)`` in the catalog: what a price-list import checks its
    rows against."""
    return {(p, s) for p, s in session.execute(select(Sku.product_id, Sku.id))}
