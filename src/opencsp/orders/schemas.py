"""Wire shapes of carts, orders and order requests (PC:developer/cart-resources.md,
order-resources.md; samples ``carts-*``, ``orders-*``). Keys are read case-insensitively
and written camelCase; absent values are left out. Prices are exact decimals written as
strings, never floats (DESIGN.md §4: no float near money), in the samples' fields.

Order requests are opencsp's own resource (a reseller asking its provider to buy, not a
Partner Center API), in the same conventions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from babel.numbers import get_currency_symbol
from pydantic import Field

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.http import Link, Resource, WireModel
from opencsp.core.money import Currency, round_amount
from opencsp.orders.carts import CART_LIFETIME, CartView
from opencsp.orders.models import Order, OrderLine, OrderRequest
from opencsp.orders.queries import OrderView
from opencsp.orders.rules import CartLineRequest, Participant

# --- requests --------------------------------------------------------------------------


class ParticipantIn(WireModel):
    key: str = ""
    value: str = ""


class CartLineItemIn(WireModel):
    """``lineItems[]`` of a cart as sent; values are judged by the rules, not here."""

    id: int = 0
    catalog_item_id: str | None = None
    quantity: int | None = None
    term_duration: str | None = None
    billing_cycle: str | None = None
    partner_id_on_record: str | None = None
    provisioning_context: dict[str, str] = Field(default_factory=dict)
    attestation_accepted: bool = False
    participants: list[ParticipantIn] = Field(default_factory=list)
    custom_term_end_date: date | None = None

    def to_request(self) -> CartLineRequest:
        return CartLineRequest(
            id=self.id,
            catalog_item_id=self.catalog_item_id,
            quantity=self.quantity,
            term_duration=self.term_duration,
            billing_cycle=self.billing_cycle,
            partner_id_on_record=self.partner_id_on_record,
            provisioning_context=dict(self.provisioning_context),
            attestation_accepted=self.attestation_accepted,
            participants=tuple(Participant(p.key, p.value) for p in self.participants),
        )


class CartIn(WireModel):
    line_items: list[CartLineItemIn] = Field(default_factory=list)

    def requests(self) -> list[CartLineRequest]:
        return [line.to_request() for line in self.line_items]

    def custom_term_ends(self) -> dict[int, date | None]:
        return {line.id: line.custom_term_end_date for line in self.line_items}


class OrderLineItemIn(WireModel):
    """``lineItems[]`` of ``POST /customers/{id}/orders`` (create-an-order.md)."""

    line_item_number: int = 0
    offer_id: str | None = None
    quantity: int | None = None
    term_duration: str | None = None
    billing_cycle: str | None = None
    partner_id_on_record: str | None = None
    provisioning_context: dict[str, str] = Field(default_factory=dict)
    attestation_accepted: bool = False
    custom_term_end_date: date | None = None


class OrderIn(WireModel):
    reference_customer_id: str | None = None
    billing_cycle: str | None = None
    line_items: list[OrderLineItemIn] = Field(default_factory=list)

    def requests(self) -> list[CartLineRequest]:
        return [
            CartLineRequest(
                id=li.line_item_number,
                catalog_item_id=li.offer_id,
                quantity=li.quantity,
                term_duration=li.term_duration,
                billing_cycle=li.billing_cycle or self.billing_cycle,
                partner_id_on_record=li.partner_id_on_record,
                provisioning_context=dict(li.provisioning_context),
                attestation_accepted=li.attestation_accepted,
            )
            for li in self.line_items
        ]

    def custom_term_ends(self) -> dict[int, date | None]:
        return {li.line_item_number: li.custom_term_end_date for li in self.line_items}


class OrderPatchLineIn(WireModel):
    """``lineItems[]`` of the order PATCH that cancels software purchases: which line, and
    optionally its offer (PC:developer/cancel-software-purchases.md). Other fields of a
    full order sent back are ignored."""

    line_item_number: int
    offer_id: str | None = None


class OrderPatchIn(WireModel):
    """``PATCH /customers/{id}/orders/{id}``: ``status: cancelled`` and, optionally, the
    lines to cancel (none: the whole order)."""

    id: str | None = None
    status: str | None = None
    line_items: list[OrderPatchLineIn] | None = None


# --- carts -----------------------------------------------------------------------------


class AdditionalInformation(WireModel):
    available_quantity: int | None = None


class CartLineError(WireModel):
    error_code: int
    error_description: str
    additional_information: AdditionalInformation | None = None


class CartLineItemRead(WireModel):
    id: int
    catalog_item_id: str
    quantity: int
    currency_code: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    partner_id_on_record: str | None = None
    participants: list[ParticipantIn] | None = None
    provisioning_context: dict[str, Any] = Field(default_factory=dict)
    attestation_accepted: bool | None = None
    custom_term_end_date: str | None = None
    order_group: str = "0"
    error: CartLineError | None = None


class CartLinks(WireModel):
    self: Link


class CartRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Cart"

    id: uuid.UUID
    creation_timestamp: datetime
    last_modified_timestamp: datetime
    expiration_timestamp: datetime
    last_modified_user: uuid.UUID | None = None
    status: str
    order_id: str | None = None
    line_items: list[CartLineItemRead]
    links: CartLinks


def _plan(value: str) -> str | None:
    try:
        return BillingPlan(value).value if value else None
    except ValueError:
        return value


def cart_read(view: CartView) -> CartRead:
    cart = view.cart
    items = []
    for line in view.lines:
        error = view.errors.get(line.id)
        items.append(
            CartLineItemRead(
                id=line.id,
                catalog_item_id=line.catalog_item_id,
                quantity=line.quantity,
                currency_code=view.currency,
                billing_cycle=_plan(line.billing_cycle),
                term_duration=line.term_duration or None,
                partner_id_on_record=line.partner_id_on_record,
                participants=[ParticipantIn(**p) for p in line.participants] or None,
                provisioning_context=dict(line.provisioning_context or {}),
                attestation_accepted=line.attestation_accepted or None,
                custom_term_end_date=line.custom_term_end,
                error=None
                if error is None
                else CartLineError(
                    error_code=error.code,
                    error_description=error.description,
                    additional_information=None
                    if error.available_quantity is None
                    else AdditionalInformation(available_quantity=error.available_quantity),
                ),
            )
        )
    return CartRead(
        id=cart.id,
        creation_timestamp=cart.created_at,
        last_modified_timestamp=cart.updated_at,
        expiration_timestamp=cart.created_at + CART_LIFETIME,
        last_modified_user=cart.created_by,
        status="Ordered" if cart.status == "ordered" else "Active",
        order_id=cart.order_id,
        line_items=items,
        links=CartLinks(self=Link(uri=f"/customers/{cart.customer_id}/carts/{cart.id}")),
    )


# --- orders ----------------------------------------------------------------------------


class LinePricingRead(WireModel):
    list_price: Decimal
    discounted_price: Decimal
    prorated_price: Decimal
    price: Decimal
    extended_price: Decimal


class OrderLineLinks(WireModel):
    product: Link | None = None
    sku: Link | None = None
    availability: Link | None = None
    subscription: Link | None = None
    provisioning_status: Link | None = None


class OrderLineRead(WireModel):
    line_item_number: int
    offer_id: str
    subscription_id: uuid.UUID | None = None
    term_duration: str | None = None
    transaction_type: str
    friendly_name: str
    quantity: int
    partner_id_on_record: str | None = None
    pricing: LinePricingRead | None = None  # left out for callers who may not see prices
    links: OrderLineLinks


class OrderLinks(WireModel):
    self: Link
    provisioning_status: Link
    patch_operation: Link


class OrderRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Order"

    id: str
    alternate_id: str
    reference_customer_id: uuid.UUID
    billing_cycle: str
    currency_code: str
    currency_symbol: str
    line_items: list[OrderLineRead]
    creation_date: datetime
    status: str
    transaction_type: str
    total_price: Decimal | None = None
    links: OrderLinks
    client: dict[str, Any] = Field(default_factory=dict)


def _amount(value: Decimal, currency: Currency) -> Decimal:
    """An exact amount written with at least the currency's minor digits (120 → 120.00;
    an exact unit price with more digits keeps them)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -currency.minor_units:
        return value.quantize(currency.quantum)
    return value


def _line_read(order: Order, line: OrderLine, country: str, *, prices: bool) -> OrderLineRead:
    base = f"/products/{line.product_id}"
    sub_link = sub_status = None
    if line.subscription_id is not None:
        sub_link = Link(uri=f"/customers/{order.customer_id}/subscriptions/{line.subscription_id}")
        sub_status = Link(uri=f"/subscriptions/{line.subscription_id}/provisioningstatus")
    currency = Currency.of(line.currency)
    prorated = round_amount(line.extended_price / line.quantity, currency)
    return OrderLineRead(
        line_item_number=line.line_number,
        offer_id=line.catalog_item_id,
        subscription_id=line.subscription_id,
        term_duration=None
        if line.term_duration == TermDuration.ONE_TIME.value
        else line.term_duration,
        transaction_type=line.transaction_type,
        friendly_name=line.friendly_name,
        # a cancelled line reads quantity 0 (PC:developer/cancel-software-purchases.md)
        quantity=0 if line.cancelled_at is not None else line.quantity,
        partner_id_on_record=line.partner_id_on_record,
        pricing=LinePricingRead(
            list_price=_amount(line.list_price, currency),
            discounted_price=_amount(line.unit_price, currency),
            prorated_price=_amount(prorated, currency),
            price=_amount(line.unit_price, currency),
            extended_price=_amount(line.extended_price, currency),
        )
        if prices
        else None,
        links=OrderLineLinks(
            product=Link(uri=f"{base}?country={country}"),
            sku=Link(uri=f"{base}/skus/{line.sku_id}?country={country}"),
            availability=Link(
                uri=f"{base}/skus/{line.sku_id}/availabilities/{line.availability_id}"
                f"?country={country}"
            ),
            subscription=sub_link,
            provisioning_status=sub_status,
        ),
    )


def order_read(view: OrderView, country: str, *, prices: bool = True) -> OrderRead:
    """The order as Partner Center shows it; without ``prices`` (an indirect reseller
    reading its provider's order: it may not see the provider's price, rules.md §1.4)
    the line pricing and the total are left out."""
    order = view.order
    path = f"/customers/{order.customer_id}/orders/{order.id}"
    return OrderRead(
        id=order.id,
        alternate_id=order.id,
        reference_customer_id=order.customer_id,
        billing_cycle=order.billing_cycle,
        currency_code=order.currency,
        currency_symbol=get_currency_symbol(order.currency, locale="en_US"),
        line_items=[_line_read(order, ln, country, prices=prices) for ln in view.lines],
        creation_date=order.created_at,
        status=view.status,
        transaction_type=order.transaction_type,
        total_price=_amount(order.total_price, Currency.of(order.currency)) if prices else None,
        links=OrderLinks(
            self=Link(uri=path),
            provisioning_status=Link(uri=f"{path}/provisioningstatus"),
            patch_operation=Link(uri=path, method="PATCH"),
        ),
    )


class OrderErrorRead(WireModel):
    order_group_id: str
    code: int | str
    description: str


class CartCheckoutResult(WireModel):
    orders: list[OrderRead]
    order_errors: list[OrderErrorRead] = Field(default_factory=list)


class QuantityProvisioning(WireModel):
    quantity: int
    status: str


class LineProvisioningRead(WireModel):
    order_line_item_id: int
    line_item_number: int
    status: str
    quantity_provisioning_information: list[QuantityProvisioning]


def provisioning_items(view: OrderView) -> list[LineProvisioningRead]:
    return [
        LineProvisioningRead(
            order_line_item_id=p.line_number,
            line_item_number=p.line_number,
            status=p.status,
            quantity_provisioning_information=[
                QuantityProvisioning(quantity=p.quantity, status=p.status)
            ],
        )
        for p in view.provisioning
    ]


# --- order requests --------------------------------------------------------------------


class OrderRequestIn(WireModel):
    line_items: list[CartLineItemIn] = Field(default_factory=list)
    note: str = Field(default="", max_length=1024)


class OrderRequestDecline(WireModel):
    reason: str = Field(default="", max_length=512)


class OrderRequestRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "OrderRequest"

    id: uuid.UUID
    customer_id: uuid.UUID
    reseller_id: uuid.UUID
    provider_id: uuid.UUID
    line_items: list[dict[str, Any]]
    note: str
    status: str
    cart_id: uuid.UUID | None = None
    decline_reason: str | None = None
    creation_date: datetime
    last_modified_date: datetime


def order_request_read(row: OrderRequest) -> OrderRequestRead:
    return OrderRequestRead(
        id=row.id,
        customer_id=row.customer_id,
        reseller_id=row.reseller_organization_id,
        provider_id=row.provider_organization_id,
        line_items=list(row.lines),
        note=row.note,
        status=row.status,
        cart_id=row.cart_id,
        decline_reason=row.decline_reason or None,
        creation_date=row.created_at,
        last_modified_date=row.updated_at,
    )
