"""Wire shapes of subscriptions (PC:developer/subscription-resources.md; samples
``subscriptions-list*``, ``subscriptions-patch*``, ``subscriptions-provisioning-status``,
``subscriptions-custom-term-end-dates``, ``subscriptions-transition-eligibilities-nce``,
``subscriptions-transitions-list-nce``). Dates are instants at 00:00 UTC for the inclusive
whole-day term dates; ``attributes.etag`` is the subscription's version."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from pydantic import Field

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.errors import EtagMismatch
from opencsp.core.http import Attributes, Link, Resource, WireModel
from opencsp.subscriptions.changes import ScheduledInstructions
from opencsp.subscriptions.models import Subscription, Transition
from opencsp.subscriptions.queries import SubscriptionView
from opencsp.subscriptions.rules import Status
from opencsp.subscriptions.service import SubscriptionChange
from opencsp.subscriptions.upgrades import UpgradeRequest

BILLED = frozenset({Status.ACTIVE.value, Status.SUSPENDED.value})
"""Statuses whose pending billing-cycle change is shown (both are billed, rules.md §9e)."""


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def parse_etag(value: str | None) -> int | None:
    """An ETag as sent in ``If-Match`` or ``attributes.etag`` (quoted, weak or bare) as
    the version it names; ``*`` or none: no check. Anything else names no version of this
    subscription, so it is stale: 2055."""
    if value is None or not value.strip() or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise EtagMismatch()
    return int(text)


class ProductTypeRead(WireModel):
    id: str
    display_name: str


class RefundableDetailRead(WireModel):
    quantity: int
    allowed_until_date_time: datetime


class RefundableQuantityRead(WireModel):
    total_quantity: int
    details: list[RefundableDetailRead]


class ScheduledProduct(WireModel):
    product_id: str | None = None
    sku_id: str | None = None
    availability_id: str | None = None
    billing_cycle: BillingPlan | None = None
    term_duration: TermDuration | None = None
    promotion_id: str | None = None


class ScheduledNextTerm(WireModel):
    """``scheduledNextTermInstructions`` (PC:developer/create-scheduled-changes.md)."""

    product: ScheduledProduct | None = None
    quantity: int | None = Field(default=None, ge=1)
    custom_term_end_date: datetime | None = None

    def instructions(self) -> ScheduledInstructions:
        product = self.product or ScheduledProduct()
        parts = (product.product_id, product.sku_id, product.availability_id)
        item = ":".join(p.strip() for p in parts if p) if all(parts) else None
        end = self.custom_term_end_date
        return ScheduledInstructions(
            catalog_item_id=item,
            term=product.term_duration,
            plan=product.billing_cycle,
            quantity=self.quantity,
            custom_end=end.date() if end else None,
            promotion_id=product.promotion_id,
        )

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> ScheduledNextTerm | None:
        if not stored:
            return None
        product_id, _, rest = str(stored.get("catalogItemId", "")).partition(":")
        sku_id, _, availability_id = rest.partition(":")
        end = stored.get("customTermEndDate")
        return cls(
            product=ScheduledProduct(
                product_id=product_id or None,
                sku_id=sku_id or None,
                availability_id=availability_id or None,
                billing_cycle=stored.get("billingCycle"),
                term_duration=stored.get("termDuration"),
                promotion_id=stored.get("promotionId"),
            ),
            quantity=stored.get("quantity"),
            custom_term_end_date=day_start(date.fromisoformat(end)) if end else None,
        )


class NextChargeInstructions(WireModel):
    """``nextChargeInstructions`` (PC:developer/subscription-resources.md): the billing
    cycle the subscription moves to at its next billing cycle (rules.md §9f, triennial
    monthly ↔ annual). ``effectiveDate`` is opencsp's addition: the first day billed on
    it. Sent back as read it changes nothing; sent as null it removes the change."""

    product: ScheduledProduct | None = None
    quantity: int | None = None
    effective_date: datetime | None = None

    @classmethod
    def of(cls, sub: Subscription) -> NextChargeInstructions | None:
        if sub.next_billing_plan is None or sub.status not in BILLED:
            return None
        start = sub.next_billing_plan_from
        return cls(
            product=ScheduledProduct(
                product_id=sub.product_id,
                sku_id=sub.sku_id,
                availability_id=sub.availability_id,
                billing_cycle=BillingPlan(sub.next_billing_plan),
                term_duration=TermDuration(sub.term_duration),
            ),
            quantity=sub.quantity,
            effective_date=day_start(start) if start else None,
        )


class SubscriptionLinks(WireModel):
    product: Link
    sku: Link
    availability: Link
    self: Link


class SubscriptionRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Subscription"

    id: uuid.UUID
    offer_id: str
    offer_name: str
    friendly_name: str
    product_type: ProductTypeRead
    quantity: int
    unit_type: str = "Licenses"
    has_purchasable_addons: bool
    creation_date: datetime
    effective_start_date: datetime
    commitment_end_date: datetime
    cancellation_allowed_until_date: datetime | None = None
    status: str
    auto_renew_enabled: bool
    is_trial: bool
    billing_type: str = "license"
    billing_cycle: str
    term_duration: str
    refundable_quantity: RefundableQuantityRead
    scheduled_next_term_instructions: ScheduledNextTerm | None = None
    next_charge_instructions: NextChargeInstructions | None = None
    partner_id: str
    contract_type: str = "subscription"
    links: SubscriptionLinks
    order_id: str
    etag: str = Field(exclude=True)

    def resource_etag(self) -> str | None:
        return self.etag


def subscription_read(view: SubscriptionView) -> SubscriptionRead:
    sub = view.sub
    product = f"/products/{sub.product_id}"
    sku = f"{product}/skus/{sub.sku_id}"
    country = f"?country={view.country}"
    return SubscriptionRead(
        id=sub.id,
        offer_id=f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}",
        offer_name=view.offer_name,
        friendly_name=sub.friendly_name,
        product_type=ProductTypeRead(id=sub.product_type, display_name=sub.product_type),
        quantity=sub.quantity,
        has_purchasable_addons=view.has_purchasable_addons,
        creation_date=sub.created_at,
        effective_start_date=day_start(sub.term_start),
        commitment_end_date=day_start(sub.term_end),
        cancellation_allowed_until_date=view.cancellation_allowed_until,
        status=sub.status,
        auto_renew_enabled=sub.auto_renew,
        is_trial=sub.is_trial,
        billing_cycle=sub.billing_plan,
        term_duration=sub.term_duration,
        refundable_quantity=RefundableQuantityRead(
            total_quantity=view.refundable.total_quantity,
            details=[
                RefundableDetailRead(quantity=d.quantity, allowed_until_date_time=d.allowed_until)
                for d in view.refundable.details
            ],
        ),
        scheduled_next_term_instructions=ScheduledNextTerm.of(sub.scheduled_next_term),
        next_charge_instructions=NextChargeInstructions.of(sub),
        partner_id=sub.partner_id_on_record or "",
        links=SubscriptionLinks(
            product=Link(uri=product + country),
            sku=Link(uri=sku + country),
            availability=Link(uri=f"{sku}/availabilities/{sub.availability_id}{country}"),
            self=Link(uri=f"/customers/{sub.customer_id}/subscriptions/{sub.id}"),
        ),
        order_id=sub.order_id,
        etag=str(sub.version),
    )


class EtagIn(WireModel):
    etag: str | None = None


class SubscriptionPatch(WireModel):
    """The whole subscription as the client read it, changed where it wants a change
    (PC:developer/update-a-subscription-by-id.md). Read-only fields (ids, dates, offer,
    order) are ignored; a field left out keeps its value; ``scheduledNextTermInstructions``
    sent as null removes the instructions, ``nextChargeInstructions`` sent as null the
    pending billing-cycle change. ``termDuration`` and ``billingCycle`` ask for a midterm
    change when they differ from the subscription's (rules.md §9f)."""

    quantity: int | None = Field(default=None, ge=0)
    status: Status | None = None
    auto_renew_enabled: bool | None = None
    friendly_name: str | None = Field(default=None, min_length=1, max_length=256)
    scheduled_next_term_instructions: ScheduledNextTerm | None = None
    next_charge_instructions: NextChargeInstructions | None = None
    billing_cycle: BillingPlan | None = None
    term_duration: TermDuration | None = None
    partner_id: str | None = None
    attributes: EtagIn | None = None

    def change(self) -> SubscriptionChange:
        scheduled = self.scheduled_next_term_instructions
        next_charge = self.next_charge_instructions
        next_product = next_charge.product if next_charge else None
        return SubscriptionChange(
            quantity=self.quantity,
            status=self.status,
            auto_renew=self.auto_renew_enabled,
            friendly_name=self.friendly_name,
            scheduled_next_term=scheduled.instructions() if scheduled else None,
            clear_scheduled_next_term=(
                "scheduled_next_term_instructions" in self.model_fields_set and scheduled is None
            ),
            term_duration=self.term_duration,
            billing_cycle=self.billing_cycle,
            partner_id=self.partner_id,
            next_billing_cycle=next_product.billing_cycle if next_product else None,
            clear_next_billing_cycle=(
                "next_charge_instructions" in self.model_fields_set and next_charge is None
            ),
        )


# --- custom term end dates, provisioning ----------------------------------------------------


class CustomTermEndDateRead(WireModel):
    allowed_custom_term_end_date_type: str
    coterm_subscription_ids: list[uuid.UUID] | None = None
    allowed_custom_term_end_date: datetime


class ProvisioningStatusRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "SubscriptionProvisioningStatus"

    sku_id: str
    status: str
    quantity: int
    end_date: datetime


# --- transitions (upgrades) -------------------------------------------------------------------


class TransitionError(WireModel):
    code: int | str
    description: str


class Eligibility(WireModel):
    is_eligible: bool
    transition_type: str
    errors: list[TransitionError] = Field(default_factory=list)


class SubscriptionEligibility(WireModel):
    """``TargetSubscriptionEligibilityDetail``: an existing subscription the seats could
    move into (PC:developer/transition-resources.md)."""

    is_eligible: bool
    subscription_id: uuid.UUID
    subscription_friendly_name: str
    subscription_term_duration: str
    subscription_billing_cycle: str
    errors: list[TransitionError] = Field(default_factory=list)


class TransitionEligibilityRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "TransitionEligibility"

    catalog_item_id: str
    title: str
    description: str
    quantity: int
    subscription_eligibilities: list[SubscriptionEligibility] | None = None
    eligibilities: list[Eligibility]


class TransitionCreate(WireModel):
    """``POST .../transitions`` (PC:developer/transition-a-new-commerce-subscription.md)."""

    to_catalog_item_id: str
    quantity: int
    from_catalog_item_id: str | None = None
    to_subscription_id: uuid.UUID | None = None
    transition_type: str | None = None
    term_duration: TermDuration | None = None
    billing_cycle: BillingPlan | None = None

    def request(self) -> UpgradeRequest:
        return UpgradeRequest(
            to_catalog_item_id=self.to_catalog_item_id,
            quantity=self.quantity,
            to_subscription_id=self.to_subscription_id,
            term=self.term_duration,
            plan=self.billing_cycle,
        )


class TransitionEventRead(WireModel):
    name: str
    status: str
    timestamp: datetime
    attributes: Attributes = Field(
        default_factory=lambda: Attributes(object_type="TransitionEvent")
    )


class TransitionRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Transition"

    id: uuid.UUID
    from_catalog_item_id: str
    to_catalog_item_id: str
    from_subscription_id: uuid.UUID
    to_subscription_id: uuid.UUID | None = None
    quantity: int
    transition_type: str
    status: str
    events: list[TransitionEventRead]


class TransitionList(WireModel):
    """The history envelope as the sample has it: ``transition`` rather than ``items``."""

    transition: list[TransitionRead]
    attributes: Attributes = Field(default_factory=lambda: Attributes(object_type="Collection"))


def transition_read(row: Transition) -> TransitionRead:
    started = TransitionEventRead(name="Conversion", status="Started", timestamp=row.created_at)
    done = (
        [TransitionEventRead(name="Conversion", status="Completed", timestamp=row.completed_at)]
        if row.completed_at is not None
        else []
    )
    return TransitionRead(
        id=row.id,
        from_catalog_item_id=row.from_catalog_item_id,
        to_catalog_item_id=row.to_catalog_item_id,
        from_subscription_id=row.from_subscription_id,
        to_subscription_id=row.to_subscription_id,
        quantity=row.quantity,
        transition_type=row.transition_type,
        status=row.status,
        events=[started, *done],
    )
