"""Wire shapes of the catalog (PC:developer/product-resources.md; samples
``customers-skus-list-nce``, ``availabilities-get-nce``, ``customers-products-list-azure``)
and the vendor's publish body, which mirrors ``catalog.specs``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from opencsp.catalog.browse import AvailabilityView, ProductView, SkuView
from opencsp.catalog.rules import (
    PRICE_LIST_PLAN,
    PRODUCT_TYPE_NAMES,
    BillingPlan,
    ProductType,
    Segment,
    TermDuration,
    term_description,
)
from opencsp.catalog.specs import AvailabilitySpec, ProductSpec, SkuSpec, TermSpec
from opencsp.core.http import Link, Resource, WireModel

PURCHASE_PREREQUISITES = ["MicrosoftCustomerAgreement"]
"""Every new-commerce purchase needs the customer agreement accepted first (rules.md §5)."""


def _link(path: str, **query: str | None) -> Link:
    params = "&".join(f"{k}={quote(v)}" for k, v in query.items() if v)
    return Link(uri=f"{path}?{params}" if params else path)


class ProductTypeRead(WireModel):
    id: str
    display_name: str


class ProductLinks(WireModel):
    skus: Link
    self: Link


class ProductRead(Resource):
    """``isMicrosoftProduct`` says whether the program's vendor publishes the product
    (``catalog.browse.is_vendor_publisher``)."""

    OBJECT_TYPE: ClassVar[str] = "Product"

    id: str
    title: str
    description: str
    product_type: ProductTypeRead
    is_microsoft_product: bool
    publisher_name: str
    links: ProductLinks

    @classmethod
    def of(cls, view: ProductView, country: str) -> ProductRead:
        p = view.product
        kind = view.product_type
        return cls(
            id=p.id,
            title=p.title,
            description=p.description,
            product_type=ProductTypeRead(id=kind.value, display_name=PRODUCT_TYPE_NAMES[kind]),
            is_microsoft_product=view.is_vendor_product,
            publisher_name=p.publisher,
            links=ProductLinks(
                skus=_link(f"/products/{p.id}/skus", country=country),
                self=_link(f"/products/{p.id}", country=country),
            ),
        )


class SkuDynamicAttributes(WireModel):
    """``hasConstraints``: the SKU limits what a customer may hold — a small-business
    seat maximum (< 300, rules.md §9i) or an asset-ownership limit."""

    is_microsoft_product: bool
    has_constraints: bool
    is_addon: bool
    prerequisite_skus: list[str]
    upgrade_target_offers: list[str]
    provisioning_id: str | None


class AttestationProperties(WireModel):
    """Offers that need ``attestationAccepted`` on the cart line (rules.md §9k). The
    documented values of ``attestationType`` are not published; the name is [inferred]."""

    enforce_attestation: bool = True
    attestation_type: str = "OneTimeDeclaration"


class SkuLinks(WireModel):
    availabilities: Link
    self: Link


class SkuRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Sku"

    id: str
    product_id: str
    title: str
    description: str
    minimum_quantity: int
    maximum_quantity: int
    is_trial: bool
    supported_billing_cycles: list[str]
    purchase_prerequisites: list[str]
    inventory_variables: list[str] = Field(default_factory=list)
    provisioning_variables: list[str] = Field(default_factory=list)
    actions: list[str]
    dynamic_attributes: SkuDynamicAttributes
    attestation_properties: AttestationProperties | None = None
    links: SkuLinks

    @model_serializer(mode="wrap")
    def _omit_absent_attestation(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("attestationProperties", "attestation_properties"):
            if key in data and data[key] is None:
                del data[key]
        return data

    @classmethod
    def of(cls, view: SkuView, country: str, segment: Segment | None = None) -> SkuRead:
        """``actions: ["Refund"]``: every product type has a refund window (rules.md §9c)."""
        s = view.sku
        base = f"/products/{s.product_id}/skus/{s.id}"
        small = s.max_quantity < 300
        return cls(
            id=s.id,
            product_id=s.product_id,
            title=s.title,
            description=s.description,
            minimum_quantity=s.min_quantity,
            maximum_quantity=s.max_quantity,
            is_trial=s.is_trial,
            supported_billing_cycles=[p.value for p in view.billing_plans],
            purchase_prerequisites=list(PURCHASE_PREREQUISITES),
            actions=["Refund"],
            dynamic_attributes=SkuDynamicAttributes(
                is_microsoft_product=view.product.is_vendor_product,
                has_constraints=small or s.asset_ownership_limit is not None,
                is_addon=view.is_addon,
                prerequisite_skus=[f"{p}:{k}" for p, k in view.prerequisites],
                upgrade_target_offers=[f"{p}:{k}" for p, k in view.upgrades],
                provisioning_id=s.provisioning_id,
            ),
            attestation_properties=AttestationProperties() if s.attestation_required else None,
            links=SkuLinks(
                availabilities=_link(
                    f"{base}/availabilities",
                    country=country,
                    targetSegment=segment.value if segment else None,
                ),
                self=_link(base, country=country),
            ),
        )


class CurrencyRead(WireModel):
    code: str
    symbol: str


class RefundOptionRead(WireModel):
    sequence_id: int
    type: str
    expires_after: str


class CancellationPolicyRead(WireModel):
    refund_options: list[RefundOptionRead]


class TermRead(WireModel):
    id: str
    duration: str
    description: str
    billing_cycle: str
    cancellation_policies: list[CancellationPolicyRead]


class RenewalOptionRead(WireModel):
    renew_to_id: str
    is_auto_renewable: bool


class RenewalInstructionRead(WireModel):
    applicable_term_ids: list[str]
    renewal_options: list[RenewalOptionRead]


class AvailabilityLinks(WireModel):
    self: Link


class AvailabilityRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Availability"

    id: str
    product_id: str
    sku_id: str
    catalog_item_id: str
    default_currency: CurrencyRead
    segment: str
    country: str
    is_purchasable: bool
    is_renewable: bool
    renewal_instructions: list[RenewalInstructionRead]
    terms: list[TermRead]
    product: ProductRead
    sku: SkuRead
    links: AvailabilityLinks

    @classmethod
    def of(cls, view: AvailabilityView) -> AvailabilityRead:
        """Terms carry the product type's cancellation policy (rules.md §9c); a renewable
        availability renews every term but one-time and trial ones into the same SKU."""
        a = view.availability
        policy = CancellationPolicyRead(
            refund_options=[
                RefundOptionRead(
                    sequence_id=0, type=view.policy.refund, expires_after=view.policy.expires_after
                )
            ]
        )
        terms = [
            TermRead(
                id=t.id,
                duration=t.duration.value,
                description=term_description(t.duration, t.billing_plan),
                billing_cycle=PRICE_LIST_PLAN[t.billing_plan],
                cancellation_policies=[policy],
            )
            for t in view.terms
        ]
        renewing = [
            t.id
            for t in view.terms
            if t.billing_plan not in (BillingPlan.NONE, BillingPlan.ONE_TIME)
        ]
        renewals = (
            [
                RenewalInstructionRead(
                    applicable_term_ids=renewing,
                    renewal_options=[
                        RenewalOptionRead(
                            renew_to_id=f"{a.product_id}:{a.sku_id}", is_auto_renewable=True
                        )
                    ],
                )
            ]
            if a.is_renewable and renewing
            else []
        )
        return cls(
            id=a.id,
            product_id=a.product_id,
            sku_id=a.sku_id,
            catalog_item_id=view.catalog_item_id,
            default_currency=CurrencyRead(code=view.currency, symbol=view.currency_symbol),
            segment=a.segment,
            country=view.country,
            is_purchasable=a.is_purchasable,
            is_renewable=a.is_renewable,
            renewal_instructions=renewals,
            terms=terms,
            product=ProductRead.of(view.sku.product, view.country),
            sku=SkuRead.of(view.sku, view.country),
            links=AvailabilityLinks(
                self=_link(
                    f"/products/{a.product_id}/skus/{a.sku_id}/availabilities/{a.id}",
                    country=view.country,
                )
            ),
        )


# --- the vendor's publish body (PUT /v1/program/products/{productId}) --------------------


class TermWrite(WireModel):
    duration: TermDuration
    billing_plan: BillingPlan


class AvailabilityWrite(WireModel):
    id: str
    segment: Segment = Segment.COMMERCIAL
    terms: list[TermWrite]
    countries: list[str]
    is_purchasable: bool = True
    is_renewable: bool = True


class SkuRef(WireModel):
    product_id: str
    sku_id: str


class SkuWrite(WireModel):
    id: str
    title: str
    description: str = ""
    minimum_quantity: int
    maximum_quantity: int
    availabilities: list[AvailabilityWrite] = Field(default_factory=list)
    asset_ownership_limit: int | None = None
    asset_ownership_limit_type: str | None = None
    provisioning_id: str | None = None
    provisioning_string: str | None = None
    is_trial: bool = False
    attestation_required: bool = False
    end_of_sale_date: datetime | None = None
    prerequisite_skus: list[SkuRef] = Field(default_factory=list)
    upgrade_target_offers: list[SkuRef] = Field(default_factory=list)


class ProductWrite(WireModel):
    """A whole product; ``id`` may be left out (the path names it). Dates without a zone
    are UTC."""

    id: str | None = None
    title: str
    description: str = ""
    publisher_name: str
    product_type: ProductType
    skus: list[SkuWrite] = Field(default_factory=list)

    def spec(self, product_id: str) -> ProductSpec:
        return ProductSpec(
            id=product_id,
            title=self.title,
            description=self.description,
            publisher=self.publisher_name,
            product_type=self.product_type,
            skus=tuple(_sku_spec(s) for s in self.skus),
        )


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sku_spec(s: SkuWrite) -> SkuSpec:
    return SkuSpec(
        id=s.id,
        title=s.title,
        description=s.description,
        min_quantity=s.minimum_quantity,
        max_quantity=s.maximum_quantity,
        availabilities=tuple(
            AvailabilitySpec(
                id=a.id,
                segment=a.segment,
                terms=tuple(TermSpec(t.duration, t.billing_plan) for t in a.terms),
                countries=tuple(a.countries),
                is_purchasable=a.is_purchasable,
                is_renewable=a.is_renewable,
            )
            for a in s.availabilities
        ),
        asset_ownership_limit=s.asset_ownership_limit,
        asset_ownership_limit_type=s.asset_ownership_limit_type,
        provisioning_id=s.provisioning_id,
        provisioning_string=s.provisioning_string,
        is_trial=s.is_trial,
        attestation_required=s.attestation_required,
        end_of_sale=as_utc(s.end_of_sale_date),
        prerequisites=tuple((r.product_id, r.sku_id) for r in s.prerequisite_skus),
        upgrades=tuple((r.product_id, r.sku_id) for r in s.upgrade_target_offers),
    )


class EndOfSaleWrite(WireModel):
    end_of_sale_date: datetime | None = None


class EndOfSaleRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "SkuEndOfSale"

    product_id: str
    sku_id: str
    end_of_sale_date: datetime | None


class MatrixSummaryRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "OfferMatrixImport"

    rows: int
    products_created: int
    skus_created: int
    skus_updated: int
