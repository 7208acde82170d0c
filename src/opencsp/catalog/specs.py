"""What a catalog manager publishes: a product with its SKUs and their availabilities, as
plain values. ``catalog.service.publish_product`` writes one whole (insert or replace);
the offer matrix import, the vendor API and the demo all build these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration


@dataclass(frozen=True, slots=True)
class TermSpec:
    duration: TermDuration
    billing_plan: BillingPlan


@dataclass(frozen=True, slots=True)
class AvailabilitySpec:
    id: str
    segment: Segment
    terms: tuple[TermSpec, ...]
    countries: tuple[str, ...]
    is_purchasable: bool = True
    is_renewable: bool = True


@dataclass(frozen=True, slots=True)
class SkuSpec:
    id: str
    title: str
    description: str
    min_quantity: int
    max_quantity: int
    availabilities: tuple[AvailabilitySpec, ...]
    asset_ownership_limit: int | None = None
    asset_ownership_limit_type: str | None = None
    provisioning_id: str | None = None
    provisioning_string: str | None = None
    is_trial: bool = False
    attestation_required: bool = False
    end_of_sale: datetime | None = None
    prerequisites: tuple[tuple[str, str], ...] = ()
    upgrades: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ProductSpec:
    id: str
    title: str
    publisher: str
    product_type: ProductType
    skus: tuple[SkuSpec, ...]
    description: str = field(default="")
