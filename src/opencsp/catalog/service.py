"""Use cases of the vendor's catalog manager: publish a product whole, set or clear a
SKU's end of sale (rules.md §9a, §9k). Callers hold ``Perm.CATALOG_MANAGE`` (declared on
the routes); these functions never commit and audit every change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.catalog import queries, validation
from opencsp.catalog.errors import NaiveEndOfSale
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.catalog.specs import ProductSpec, SkuSpec
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.markets.models import Country

_CHILDREN = (Sku, Availability, AvailabilityTerm, AvailabilityCountry, SkuPrerequisite, SkuUpgrade)


def publish_product(session: Session, actor: Actor, spec: ProductSpec) -> Product:
    """Insert or replace a whole product: its row, SKUs, availabilities, terms, countries,
    prerequisites and upgrade targets become exactly what ``spec`` says (what it no longer
    lists is removed). Every rule of ``catalog.validation`` is checked first, so a bad
    spec writes nothing. One audit record per publish (resource type ``Product``)."""
    spec = validation.normalized(spec)
    validation.ensure_publishable(
        spec,
        known_countries=known_countries(session, _countries_of(spec.skus)),
        taken_availability_ids=_taken_availability_ids(session, spec),
    )
    now = clock.now()
    product = session.get(Product, spec.id)
    old = None if product is None else {"title": product.title, "type": product.product_type}
    if product is None:
        product = Product(id=spec.id, created_at=now)
        session.add(product)
    product.title = spec.title
    product.description = spec.description
    product.publisher = spec.publisher
    product.product_type = spec.product_type.value
    product.updated_at = now
    session.flush()
    replace_skus(session, spec.id, spec.skus)
    audit.record(
        session,
        actor,
        "catalog.product_published",
        "Product",
        resource_id=spec.id,
        old=old,
        new=_summary(spec),
    )
    return product


def set_end_of_sale(
    session: Session, actor: Actor, product_id: str, sku_id: str, at: datetime | None
) -> Sku:
    """Set (or clear, with None) the instant a SKU leaves the catalog. Existing
    subscriptions are untouched: they keep working and renewing until end of life
    (PC:manage-end-of-sale-offers.md, rules.md §9k)."""
    if at is not None and at.tzinfo is None:
        raise NaiveEndOfSale()
    sku = queries.get_sku(session, product_id, sku_id)
    old = sku.end_of_sale
    sku.end_of_sale = None if at is None else at.astimezone(UTC)
    audit.record(
        session,
        actor,
        "catalog.end_of_sale_set",
        "Sku",
        resource_id=f"{sku.product_id}:{sku.id}",
        old={"endOfSale": old},
        new={"endOfSale": sku.end_of_sale},
    )
    return sku


def known_countries(session: Session, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are countries of a CSP market."""
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    return set(session.scalars(select(Country.code).where(Country.code.in_(wanted))))


def replace_skus(session: Session, product_id: str, skus: Sequence[SkuSpec]) -> None:
    """Replace every SKU of a product, and all that hangs off them, with ``skus``
    (already validated): one delete (the foreign keys cascade) and one bulk insert per
    table. Objects of the old rows the session holds are dropped from it first."""
    _forget(session, product_id)
    session.execute(
        delete(Sku).where(Sku.product_id == product_id),
        execution_options={"synchronize_session": False},
    )
    rows: dict[type[Any], list[dict[str, Any]]] = {table: [] for table in _CHILDREN}
    for sku in skus:
        collect_sku_rows(rows, product_id, sku)
    for table in _CHILDREN:
        if rows[table]:
            session.execute(insert(table), rows[table])


def collect_sku_rows(
    rows: dict[type[Any], list[dict[str, Any]]], product_id: str, sku: SkuSpec
) -> None:
    """The rows of one SKU spec, table by table, for a bulk insert."""
    rows[Sku].append(
        {
            "product_id": product_id,
            "id": sku.id,
            "title": sku.title,
            "description": sku.description,
            "min_quantity": sku.min_quantity,
            "max_quantity": sku.max_quantity,
            "asset_ownership_limit": sku.asset_ownership_limit,
            "asset_ownership_limit_type": sku.asset_ownership_limit_type,
            "provisioning_id": sku.provisioning_id,
            "provisioning_string": sku.provisioning_string,
            "is_trial": sku.is_trial,
            "attestation_required": sku.attestation_required,
            "end_of_sale": sku.end_of_sale,
        }
    )
    owner = {"product_id": product_id, "sku_id": sku.id}
    rows[SkuPrerequisite].extend(
        {**owner, "required_product_id": p, "required_sku_id": s} for p, s in sku.prerequisites
    )
    rows[SkuUpgrade].extend(
        {**owner, "target_product_id": p, "target_sku_id": s} for p, s in sku.upgrades
    )
    for a in sku.availabilities:
        rows[Availability].append(
            {
                **owner,
                "id": a.id,
                "segment": a.segment.value,
                "is_purchasable": a.is_purchasable,
                "is_renewable": a.is_renewable,
            }
        )
        rows[AvailabilityTerm].extend(
            {
                "availability_id": a.id,
                "duration": t.duration.value,
                "billing_plan": t.billing_plan.value,
            }
            for t in a.terms
        )
        rows[AvailabilityCountry].extend(
            {"availability_id": a.id, "country": c} for c in a.countries
        )


def _forget(session: Session, product_id: str) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, _CHILDREN) and getattr(obj, "product_id", product_id) == product_id:
            session.expunge(obj)


def _countries_of(skus: Iterable[SkuSpec]) -> set[str]:
    return {c for sku in skus for a in sku.availabilities for c in a.countries}


def _taken_availability_ids(session: Session, spec: ProductSpec) -> dict[str, str]:
    ids = [a.id for sku in spec.skus for a in sku.availabilities]
    if not ids:
        return {}
    rows = session.execute(
        select(Availability.id, Availability.product_id).where(
            Availability.id.in_(ids), Availability.product_id != spec.id
        )
    )
    return {availability_id: owner for availability_id, owner in rows}


def _summary(spec: ProductSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "type": spec.product_type.value,
        "skus": [
            {
                "id": sku.id,
                "title": sku.title,
                "availabilities": [a.id for a in sku.availabilities],
                "endOfSale": sku.end_of_sale,
            }
            for sku in spec.skus
        ],
    }
