"""Pure rules of the catalog: product types and what they decide, segments, terms and
their billing plans, cancellation policies, catalog item IDs (rules.md §9a–9c, §9i)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from opencsp.catalog.errors import (
    CatalogItemIdMissing,
    InvalidCatalogItemId,
    SeatPoolExceeded,
    UnknownSegment,
    UnknownTargetView,
)
from opencsp.core.http import WireEnum

SMALL_BUSINESS_MAX_SEATS = 300
"""The small-business seat maximum: an NCE offer whose maximum is at most this has its
seats pooled across every partner on the customer (rules.md §9i; ``orders.gates``)."""


class ProductType(WireEnum):
    """``productType.id`` of a product (rules.md §9a). The type decides the catalog view,
    the cancellation policy (rules.md §9c) and whether revenue is cloud revenue
    (perpetual software is not, rules.md §2a)."""

    ONLINE_SERVICES = "OnlineServicesNCE"
    SOFTWARE_SUBSCRIPTIONS = "SoftwareSubscriptions"
    SOFTWARE_PERPETUAL = "SoftwarePerpetual"


PRODUCT_TYPE_NAMES: dict[ProductType, str] = {
    ProductType.ONLINE_SERVICES: "OnlineServices",
    ProductType.SOFTWARE_SUBSCRIPTIONS: "Software subscriptions",
    ProductType.SOFTWARE_PERPETUAL: "Perpetual software",
}


class Segment(WireEnum):
    """Customer segments of an availability (rules.md §9a)."""

    COMMERCIAL = "commercial"
    EDUCATION = "education"
    GOVERNMENT = "government"
    NONPROFIT = "nonprofit"


class TermDuration(WireEnum):
    """Term lengths (rules.md §9b); ``OneTime`` is perpetual software, which has none."""

    P1M = "P1M"
    P1Y = "P1Y"
    P3Y = "P3Y"
    ONE_TIME = "OneTime"


class BillingPlan(WireEnum):
    """Billing plans, stored in the lowercase of Partner Center's ``billingCycle`` values
    (``BillingCycleType``: monthly, annual, triennial, none for trials, one_time;
    PC:developer/product-resources.md)."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    NONE = "none"
    ONE_TIME = "one_time"


PRICE_LIST_PLAN: dict[BillingPlan, str] = {
    BillingPlan.MONTHLY: "Monthly",
    BillingPlan.ANNUAL: "Annual",
    BillingPlan.TRIENNIAL: "Triennial",
    BillingPlan.NONE: "None",
    BillingPlan.ONE_TIME: "OneTime",
}
"""How each plan is spelt in a price list's ``BillingPlan`` column (file-formats.md §1)."""

PERIOD_MONTHS: dict[BillingPlan, int] = {
    BillingPlan.MONTHLY: 1,
    BillingPlan.ANNUAL: 12,
    BillingPlan.TRIENNIAL: 36,
}

TERM_MONTHS: dict[TermDuration, int] = {
    TermDuration.P1M: 1,
    TermDuration.P1Y: 12,
    TermDuration.P3Y: 36,
}


def billing_plans_for(duration: TermDuration, *, trial: bool = False) -> frozenset[BillingPlan]:
    """The plans a term can be billed on: the term's own length (upfront) or any shorter
    standard period (rules.md §9b: P1Y monthly pays 1/12 a month). Trials bill nothing;
    perpetual software is a one-time charge."""
    if duration is TermDuration.ONE_TIME:
        return frozenset({BillingPlan.ONE_TIME})
    if trial:
        return frozenset({BillingPlan.NONE})
    months = TERM_MONTHS[duration]
    return frozenset(plan for plan, period in PERIOD_MONTHS.items() if period <= months)


def product_types_for_view(target_view: str) -> frozenset[ProductType]:
    """The product types a ``targetView`` of ``GET /v1/products`` shows
    (PC:developer/get-a-list-of-products.md). Azure and marketplace views are valid
    Partner Center names this catalog sells nothing in; an unknown name is an error."""
    folded = target_view.strip().lower()
    for view, types in _VIEWS.items():
        if view.lower() == folded:
            return types
    raise UnknownTargetView(target_view=target_view)


_VIEWS: dict[str, frozenset[ProductType]] = {
    "OnlineServices": frozenset({ProductType.ONLINE_SERVICES}),
    "Software": frozenset({ProductType.SOFTWARE_SUBSCRIPTIONS, ProductType.SOFTWARE_PERPETUAL}),
    "SoftwareSubscriptions": frozenset({ProductType.SOFTWARE_SUBSCRIPTIONS}),
    "SoftwarePerpetual": frozenset({ProductType.SOFTWARE_PERPETUAL}),
    **{
        view: frozenset()
        for view in (
            "Azure",
            "AzureReservations",
            "AzureReservationsVM",
            "AzureReservationsSQL",
            "AzureReservationsCosmosDb",
            "MicrosoftAzure",
            "SoftwareSUSELinux",
            "SpecializedOffers",
            "MarketplaceSaaS",
        )
    },
}


def parse_segment(value: str) -> Segment:
    try:
        return Segment(value.strip())
    except ValueError:
        raise UnknownSegment(segment=value) from None


def is_cloud_revenue(product_type: ProductType) -> bool:
    """Revenue that counts toward the direct-bill threshold: everything but perpetual
    software (rules.md §2a)."""
    return product_type is not ProductType.SOFTWARE_PERPETUAL


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    """How long after purchase or renewal a subscription may be cancelled for a refund,
    whether the refund is prorated by day (``Partial``) or whole (``Full``), and whether
    seats can be reduced in that window (rules.md §9c)."""

    window: timedelta
    refund: str
    seat_reduction: bool

    @property
    def expires_after(self) -> str:
        """The window as the ISO-8601 duration of ``refundOptions[].expiresAfter``."""
        hours = int(self.window.total_seconds() // 3600)
        return f"P{hours // 24}D" if hours % 24 == 0 else f"PT{hours}H"


def cancellation_policy(
    product_type: ProductType, *, window_days: int = 7, perpetual_days: int = 30
) -> CancellationPolicy:
    """The policy by product type (PC:new-commerce-cancellation-policy.md): perpetual
    software a full refund within 30 days; software subscriptions a prorated refund within
    the window and no seat reductions; license-based a prorated refund within the window
    (7 days by default; the 72-hour era is a setting, rules.md §14)."""
    if product_type is ProductType.SOFTWARE_PERPETUAL:
        return CancellationPolicy(timedelta(days=perpetual_days), "Full", seat_reduction=False)
    seats = product_type is ProductType.ONLINE_SERVICES
    return CancellationPolicy(timedelta(days=window_days), "Partial", seat_reduction=seats)


def on_sale(end_of_sale: datetime | None, at: datetime) -> bool:
    """An offer leaves the catalog after its end-of-sale instant (rules.md §9k)."""
    return end_of_sale is None or at <= end_of_sale


@dataclass(frozen=True, slots=True)
class CatalogItemId:
    """``productId:skuId:availabilityId`` (rules.md §9a)."""

    product_id: str
    sku_id: str
    availability_id: str

    def __str__(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"


def parse_catalog_item_id(value: str | None) -> CatalogItemId:
    if value is None or not value.strip():
        raise CatalogItemIdMissing()
    parts = value.strip().split(":")
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise InvalidCatalogItemId(catalog_item_id=value)
    product, sku, availability = (part.strip().upper() for part in parts)
    return CatalogItemId(product, sku, availability)


# --- publishing: what a product spec may contain (catalog.service.publish_product) -------

PRODUCT_ID_PATTERN = r"[A-Z0-9-]{1,36}"
"""Partner Center product IDs: ``CFQ7TTC0LH18`` (12), Azure's GUIDs (36) (rules.md §9a)."""

SKU_ID_PATTERN = r"[A-Z0-9]{4}"
"""SKU IDs are four characters (``0001``; DESIGN.md §4)."""

AVAILABILITY_ID_PATTERN = r"[A-Z0-9]{1,16}"

ASSET_OWNERSHIP_LIMIT_TYPES = frozenset({"ConcurrentCount", "Lifetime"})
"""Offer matrix ``AssetOwnershipLimitType`` values (file-formats.md §2, rules.md §9i)."""


def is_term_allowed(
    product_type: ProductType, duration: TermDuration, plan: BillingPlan, *, trial: bool
) -> bool:
    """Whether a product of this type may be sold on a term with this billing plan:
    perpetual software only as a one-time purchase; a trial only for one month billed
    nothing (rules.md §9g: 30 days, plan "None"); everything else on P1M, P1Y or P3Y with
    a plan ``billing_plans_for`` allows (rules.md §9b)."""
    if product_type is ProductType.SOFTWARE_PERPETUAL:
        return (duration, plan) == (TermDuration.ONE_TIME, BillingPlan.ONE_TIME)
    if duration is TermDuration.ONE_TIME:
        return False
    if trial:
        return (duration, plan) == (TermDuration.P1M, BillingPlan.NONE)
    return plan in billing_plans_for(duration)


STANDARD_NCE_TERMS: tuple[tuple[TermDuration, BillingPlan], ...] = (
    (TermDuration.P1M, BillingPlan.MONTHLY),
    (TermDuration.P1Y, BillingPlan.MONTHLY),
    (TermDuration.P1Y, BillingPlan.ANNUAL),
    (TermDuration.P3Y, BillingPlan.MONTHLY),
    (TermDuration.P3Y, BillingPlan.ANNUAL),
    (TermDuration.P3Y, BillingPlan.TRIENNIAL),
)
"""The terms a license-based SKU created from the offer matrix is sold on: the monthly
term, and the annual and triennial terms on every plan they allow (rules.md §9b)."""


# --- the wire: term ids, descriptions, catalog links ---------------------------------------

_TERM_NAMES: dict[TermDuration, str] = {
    TermDuration.P1M: "One-Month commitment",
    TermDuration.P1Y: "One-Year commitment",
    TermDuration.P3Y: "Three-Year commitment",
    TermDuration.ONE_TIME: "One-time purchase",
}

_PLAN_NAMES: dict[BillingPlan, str] = {
    BillingPlan.MONTHLY: "monthly billing",
    BillingPlan.ANNUAL: "yearly billing",
    BillingPlan.TRIENNIAL: "three-yearly billing",
    BillingPlan.NONE: "a free trial",
    BillingPlan.ONE_TIME: "a one-time charge",
}


def term_id(availability_id: str, duration: TermDuration, plan: BillingPlan) -> str:
    """A term's ``id`` in the catalog: 12 lowercase base-32 characters of a hash of the
    availability, duration and plan, so it is short like Partner Center's
    (``5aeco6mffyxo``) and the same on every read (renewal instructions point at it)."""
    digest = hashlib.sha256(f"{availability_id}:{duration.value}:{plan.value}".encode()).digest()
    return base64.b32encode(digest).decode()[:12].lower()


def term_description(duration: TermDuration, plan: BillingPlan) -> str:
    """``terms[].description`` (sample: "One-Year commitment for monthly/yearly billing")."""
    return f"{_TERM_NAMES[duration]} for {_PLAN_NAMES[plan]}"


def matrix_availability_id(product_id: str, sku_id: str) -> str:
    """The ID of the commercial availability the offer-matrix import creates for a SKU it
    does not know: 12 upper-case base-32 characters of a hash of ``product:sku``, so the
    same file imported twice, or on two installations, names it the same."""
    digest = hashlib.sha256(f"{product_id}:{sku_id}:commercial".encode()).digest()
    return base64.b32encode(digest).decode()[:12]


# --- the offer matrix (file-formats.md §2) -------------------------------------------------

OFFER_MATRIX_COLUMNS: tuple[str, ...] = (
    "ProductTitle",
    "ProductId",
    "SkuId",
    "SkuTitle",
    "ProvisioningId",
    "ProvisioningString",
    "MinLicenses",
    "MaxLicenses",
    "AssetOwnershipLimit",
    "AssetOwnershipLimitType",
    "ProductSkuPreRequisites",
    "ProductSkuConversion",
    "Description",
    "AllowedCountries",
)
"""The new-commerce offer matrix columns, verbatim (PC:developer/get-an-offer-matrix.md)."""

OFFER_MATRIX_HEADER = ",".join(f'"{name}"' for name in OFFER_MATRIX_COLUMNS) + "\r\n"
"""The header line byte for byte: every field double-quoted, as the price list's."""


def check_seat_pool(
    requested: int, already_owned_by_all_partners: int, maximum: int, *, catalog_item_id: str
) -> int | None:
    """A small-business offer caps the seats of the customer tenant across every partner
    and channel (rules.md §9i). The pooled maximums include 300 itself: the documented
    example of a pooled Max Seat Count is Business Premium's 300, although §9i calls
    small-business offers those "below 300" — the example decides, so a 300-seat offer is
    pooled ([inferred]). The remaining limit is the maximum less the seats
    already owned (800088, cart 10015 with ``availableQuantity``; rules.md §9i). Answers
    the seats still available before this request, or None when the offer is not pooled.
    ``requested`` is the seats asked for now: the sum of a cart's lines for the SKU, or
    a subscription's increase."""
    if requested < 0 or already_owned_by_all_partners < 0:
        raise ValueError("seat counts are never negative")
    if maximum > SMALL_BUSINESS_MAX_SEATS:
        return None
    available = max(0, maximum - already_owned_by_all_partners)
    if requested > available:
        raise SeatPoolExceeded(
            requested=requested, available=available, catalog_item_id=catalog_item_id
        )
    return available
