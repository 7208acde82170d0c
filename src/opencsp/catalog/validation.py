"""Whether a product spec may be published: pure checks over the spec plus the two facts
the database supplies (which countries exist, which availability IDs other products
hold). ``catalog.service.publish_product`` runs them all before writing anything, so a
bad spec changes nothing (rules.md §9a–9c, §9g, §9i)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from opencsp.catalog import rules
from opencsp.catalog.errors import (
    AvailabilityIdTaken,
    AvailabilityWithoutTerms,
    DuplicateCatalogId,
    InvalidAssetOwnershipLimit,
    InvalidAvailabilityId,
    InvalidProductId,
    InvalidQuantityRange,
    InvalidSkuId,
    MissingTitle,
    SelfPrerequisite,
    TermNotAllowed,
    UnknownCatalogCountry,
)
from opencsp.catalog.specs import AvailabilitySpec, ProductSpec, SkuSpec

_PRODUCT_ID = re.compile(rules.PRODUCT_ID_PATTERN)
_SKU_ID = re.compile(rules.SKU_ID_PATTERN)
_AVAILABILITY_ID = re.compile(rules.AVAILABILITY_ID_PATTERN)


def is_product_id(value: str) -> bool:
    return _PRODUCT_ID.fullmatch(value) is not None


def is_sku_id(value: str) -> bool:
    return _SKU_ID.fullmatch(value) is not None


def ensure_publishable(
    spec: ProductSpec,
    *,
    known_countries: Collection[str],
    taken_availability_ids: Mapping[str, str],
) -> None:
    """Raise the first problem of a spec. ``taken_availability_ids`` maps availability IDs
    that already exist under *another* product to that product: availability IDs are
    unique across the catalog because ``catalogItemId`` ends with one (rules.md §9a)."""
    if not is_product_id(spec.id):
        raise InvalidProductId(product_id=spec.id)
    if not spec.title.strip():
        raise MissingTitle(what=f"Product {spec.id}")
    if not spec.publisher.strip():
        raise MissingTitle(what=f"The publisher of product {spec.id}")
    _ensure_unique("SKU", [sku.id for sku in spec.skus])
    _ensure_unique("Availability", [a.id for sku in spec.skus for a in sku.availabilities])
    for sku in spec.skus:
        _ensure_sku(spec, sku)
        for availability in sku.availabilities:
            _ensure_availability(spec, sku, availability, known_countries, taken_availability_ids)


def _ensure_unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise DuplicateCatalogId(what=what, id=value)
        seen.add(value)


def _ensure_sku(spec: ProductSpec, sku: SkuSpec) -> None:
    if not is_sku_id(sku.id):
        raise InvalidSkuId(sku_id=sku.id)
    if not sku.title.strip():
        raise MissingTitle(what=f"SKU {spec.id}:{sku.id}")
    if not 1 <= sku.min_quantity <= sku.max_quantity:
        raise InvalidQuantityRange(
            sku_id=sku.id, minimum=sku.min_quantity, maximum=sku.max_quantity
        )
    limit, kind = sku.asset_ownership_limit, sku.asset_ownership_limit_type
    if (limit is None) != (kind is None) or (
        limit is not None and (limit < 1 or kind not in rules.ASSET_OWNERSHIP_LIMIT_TYPES)
    ):
        raise InvalidAssetOwnershipLimit(sku_id=sku.id)
    if (spec.id, sku.id) in sku.prerequisites:
        raise SelfPrerequisite(product_id=spec.id, sku_id=sku.id)


def _ensure_availability(
    spec: ProductSpec,
    sku: SkuSpec,
    availability: AvailabilitySpec,
    known_countries: Collection[str],
    taken: Mapping[str, str],
) -> None:
    if _AVAILABILITY_ID.fullmatch(availability.id) is None:
        raise InvalidAvailabilityId(availability_id=availability.id)
    owner = taken.get(availability.id)
    if owner is not None and owner != spec.id:
        raise AvailabilityIdTaken(availability_id=availability.id, owner=owner)
    if not availability.terms:
        raise AvailabilityWithoutTerms(availability_id=availability.id)
    for term in availability.terms:
        if not rules.is_term_allowed(
            spec.product_type, term.duration, term.billing_plan, trial=sku.is_trial
        ):
            raise TermNotAllowed(
                sku_id=sku.id,
                product_type=spec.product_type.value,
                kind="trial" if sku.is_trial else "SKU",
                duration=term.duration.value,
                plan=term.billing_plan.value,
            )
    for country in availability.countries:
        if country not in known_countries:
            raise UnknownCatalogCountry(availability_id=availability.id, country=country)


def normalized(spec: ProductSpec) -> ProductSpec:
    """IDs and country codes as the catalog stores them: trimmed, upper case (Partner
    Center IDs are case-insensitive on input); titles trimmed."""
    return replace(
        spec,
        id=spec.id.strip().upper(),
        title=spec.title.strip(),
        publisher=spec.publisher.strip(),
        skus=tuple(
            replace(
                sku,
                id=sku.id.strip().upper(),
                title=sku.title.strip(),
                prerequisites=tuple(_pairs(sku.prerequisites)),
                upgrades=tuple(_pairs(sku.upgrades)),
                availabilities=tuple(
                    replace(
                        a,
                        id=a.id.strip().upper(),
                        countries=tuple(sorted({c.strip().upper() for c in a.countries})),
                        terms=tuple(dict.fromkeys(a.terms)),
                    )
                    for a in sku.availabilities
                ),
            )
            for sku in spec.skus
        ),
    )


def _pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((p.strip().upper(), s.strip().upper()) for p, s in pairs))
