"""Product specs for the catalog's publish use case (``catalog.specs``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration
from opencsp.catalog.specs import AvailabilitySpec, ProductSpec, SkuSpec, TermSpec

NCE_TERMS = (
    TermSpec(TermDuration.P1M, BillingPlan.MONTHLY),
    TermSpec(TermDuration.P1Y, BillingPlan.MONTHLY),
    TermSpec(TermDuration.P1Y, BillingPlan.ANNUAL),
)


def availability_spec(
    availability_id: str = "AV0000000001",
    *,
    segment: Segment = Segment.COMMERCIAL,
    terms: tuple[TermSpec, ...] = NCE_TERMS,
    countries: tuple[str, ...] = ("US", "KR", "DE"),
    **overrides: Any,
) -> AvailabilitySpec:
    return AvailabilitySpec(
        id=availability_id, segment=segment, terms=terms, countries=countries, **overrides
    )


def sku_spec(
    sku_id: str = "0001",
    *,
    availabilities: tuple[AvailabilitySpec, ...] | None = None,
    end_of_sale: datetime | None = None,
    **overrides: Any,
) -> SkuSpec:
    values: dict[str, Any] = {
        "id": sku_id,
        "title": f"Business Basic {sku_id}",
        "description": "Email, files and meetings.",
        "min_quantity": 1,
        "max_quantity": 300,
        "availabilities": availabilities
        if availabilities is not None
        else (availability_spec(f"AV{sku_id}00000001"),),
        "end_of_sale": end_of_sale,
    }
    values.update(overrides)
    return SkuSpec(**values)


def product_spec(
    product_id: str = "CFQ7TTC0TEST",
    *,
    skus: tuple[SkuSpec, ...] | None = None,
    product_type: ProductType = ProductType.ONLINE_SERVICES,
    publisher: str = "opencsp Vendor",
    **overrides: Any,
) -> ProductSpec:
    spec = ProductSpec(
        id=product_id,
        title="Nimbus 365 Business Basic",
        publisher=publisher,
        product_type=product_type,
        skus=skus if skus is not None else (sku_spec(),),
        description="Cloud productivity for small businesses.",
    )
    return replace(spec, **overrides) if overrides else spec


def perpetual_spec(product_id: str = "DG7GMGF0PERP") -> ProductSpec:
    return product_spec(
        product_id,
        product_type=ProductType.SOFTWARE_PERPETUAL,
        skus=(
            sku_spec(
                "0002",
                availabilities=(
                    availability_spec(
                        "AVPERP000001",
                        terms=(TermSpec(TermDuration.ONE_TIME, BillingPlan.ONE_TIME),),
                    ),
                ),
            ),
        ),
    )
