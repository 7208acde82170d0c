"""Checkout: turning a cart into one order, atomically (PC:developer/checkout-a-cart.md,
create-an-order.md; rules.md §5.1, §6.4, §9b–9j).

A checkout re-judges the cart at the purchase instant with the facts of the whole cart
(``carts.evaluate``); the buyer, the customer agreement (13605) and the market (2030)
refuse the whole checkout, and any failing line refuses it with 800009 carrying every
line's error — nothing is written. Otherwise, in the caller's one transaction: the
order (bill-to the buying organization, the customer's market and new-commerce
currency), its lines with the price locked from the month's list, for each term line a
subscription with its first seat batch and its ``new`` event (which enqueues the
provisioning message), one audit record, and the cart marked ``ordered``. One-time
purchases (perpetual software) are order lines with their charge and no subscription.

One order per cart: the cart moves from ``active`` with a conditional UPDATE before
anything else is written, so of two concurrent checkouts one updates the row and the
other finds it submitted (800065) once the first commits; ``orders.cart_id`` is unique
besides. Services never commit: the request, command or job that calls them does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.billing import credit
from opencsp.catalog.rules import BillingPlan
from opencsp.core import clock, refcache
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.orders import carts, facts, gates
from opencsp.orders.carts import (
    ACTIVE,
    CART_LIFETIME,
    ORDERED,
    Evaluation,
    PricedLine,
    cart_lines,
    create_cart,
    owned_cart,
    update_cart,
)
from opencsp.orders.charges import record_one_time
from opencsp.orders.errors import (
    CartAlreadySubmitted,
    CartBeingProcessed,
    CheckoutRejected,
)
from opencsp.orders.models import Cart, CartLine, Order, OrderLine
from opencsp.orders.queries import FULFILLED, UNFULFILLED, LineStatus, OrderView
from opencsp.orders.rules import (
    CartLineRequest,
    LineTransactionType,
    OrderStatus,
    OrderTransactionType,
    Participant,
    order_billing_cycle,
    order_id,
    order_total,
)
from opencsp.subscriptions import events, windows
from opencsp.subscriptions.models import SeatBatch, Subscription
from opencsp.subscriptions.rules import Status

__all__ = [
    "Placed",
    "checkout",
    "checkout_placed",
    "create_cart",
    "place",
    "place_order",
    "requests_of",
    "update_cart",
]


@dataclass(frozen=True, slots=True)
class Placed:
    """An order just written, with its lines and the customer's country: enough to answer
    the checkout without reading back what this transaction wrote."""

    order: Order
    lines: list[OrderLine]
    country: str

    def view(self) -> OrderView:
        """The order as ``queries.get_order`` would read it now: a subscription line is
        unfulfilled until its provisioning message is delivered, after the commit."""
        return OrderView(
            self.order,
            self.lines,
            [
                LineStatus(
                    ln.line_number, ln.quantity, UNFULFILLED if ln.subscription_id else FULFILLED
                )
                for ln in self.lines
            ],
        )


def requests_of(lines: Sequence[CartLine]) -> tuple[list[CartLineRequest], dict[int, date | None]]:
    """The stored cart lines as the client sent them, and their custom term end dates."""
    requests = [
        CartLineRequest(
            id=line.id,
            catalog_item_id=line.catalog_item_id,
            quantity=line.quantity,
            term_duration=line.term_duration or None,
            billing_cycle=line.billing_cycle or None,
            partner_id_on_record=line.partner_id_on_record,
            provisioning_context=dict(line.provisioning_context or {}),
            attestation_accepted=line.attestation_accepted,
            participants=tuple(
                Participant(str(p.get("key", "")), str(p.get("value", "")))
                for p in (line.participants or [])
            ),
        )
        for line in lines
    ]
    ends = {
        line.id: date.fromisoformat(line.custom_term_end) if line.custom_term_end else None
        for line in lines
    }
    return requests, ends


def _claim(
    session: Session,
    actor: Actor,
    customer: Customer,
    cart_id: uuid.UUID,
    *,
    now: datetime,
    new_order_id: str,
) -> Cart:
    """Move the buyer's active, unexpired cart to ordered (naming the order about to be
    written) in one conditional UPDATE, or learn why not, as ``get_cart`` would answer:
    not found or expired (800008), already checked out (800065), or another checkout
    holding it."""
    claimed = session.scalars(
        update(Cart)
        .where(
            Cart.id == cart_id,
            Cart.customer_id == customer.id,
            Cart.organization_id == actor.organization_id,
            Cart.status == ACTIVE,
            Cart.created_at >= now - CART_LIFETIME,
        )
        .values(status=ORDERED, updated_at=now, version=Cart.version + 1, order_id=new_order_id)
        .returning(Cart),
        execution_options={"synchronize_session": False, "populate_existing": True},
    ).one_or_none()
    if claimed is not None:
        return claimed
    cart = owned_cart(session, actor, customer, cart_id)  # 800008 when not found or expired
    if cart.status != ACTIVE:
        raise CartAlreadySubmitted(cart_id=cart.id)
    raise CartBeingProcessed(cart_id=cart.id)


def _ensure_whole_cart(evaluation: Evaluation, *, first_error: bool) -> None:
    """The gates of the whole purchase, then every line's (800009, or with
    ``first_error`` the first failing line's own error, as the order API answers)."""
    facts = evaluation.facts
    gates.ensure_can_buy(facts.buyer)
    gates.ensure_customer_agreement(facts.customer.agreement_accepted, is_auto_renewal=False)
    gates.ensure_sells_to(facts.buyer, facts.customer)
    if not evaluation.failures:
        return
    if first_error and evaluation.failures[0].exc is not None:
        raise evaluation.failures[0].exc
    details: list[dict[str, object]] = []
    for failure in evaluation.failures:
        entry: dict[str, object] = {
            "lineItemNumber": failure.line_id,
            "errorCode": failure.error.code,
            "errorDescription": failure.error.description,
            "code": failure.code,
        }
        if failure.error.available_quantity is not None:
            entry["additionalInformation"] = {"availableQuantity": failure.error.available_quantity}
        details.append(entry)
    raise CheckoutRejected(details)


def checkout(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    cart_id: uuid.UUID,
    *,
    first_error: bool = False,
) -> Order:
    """Check out the buyer's active cart for a visible customer: one order, or an error
    and nothing written (module docstring)."""
    return checkout_placed(session, actor, customer_id, cart_id, first_error=first_error).order


def checkout_placed(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    cart_id: uuid.UUID,
    *,
    first_error: bool = False,
) -> Placed:
    """``checkout``, answering with the order's lines too."""
    customer = customers.get_visible(session, actor, customer_id)
    now = clock.now()
    new_order_id = order_id(uuid.uuid4())
    cart = _claim(session, actor, customer, cart_id, now=now, new_order_id=new_order_id)
    requests, ends = requests_of(cart_lines(session, cart.id))
    generations = refcache.read(session)
    buyer = facts.buyer_facts(
        session, actor.organization_id, tier=actor.tier, generations=generations
    )
    evaluation = carts.evaluate(
        session,
        actor.organization_id,
        customer,
        requests,
        ends,
        at=now,
        buyer=buyer,
        generations=generations,
    )
    _ensure_whole_cart(evaluation, first_error=first_error)
    # a new purchase within the partner's credit limit (900121; rules.md §11)
    purchase = order_total((p.pricing for p in evaluation.priced), evaluation.currency)
    credit.ensure_credit_for(session, actor.organization_id, purchase, now=now)
    placed = _write_order(
        session, actor, customer, evaluation, cart_id=cart.id, now=now, new_order_id=new_order_id
    )
    session.flush()  # every row of the order in one flush: one INSERT per table
    return placed


def place_order(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    lines: Sequence[CartLineRequest],
    *,
    custom_term_ends: Mapping[int, date | None] | None = None,
    first_error: bool = False,
) -> Order:
    """Build a cart and check it out at once (the console, the demo, the CLI and
    ``POST /customers/{id}/orders``, PC:developer/create-an-order.md)."""
    placed = place(
        session,
        actor,
        customer_id,
        lines,
        custom_term_ends=custom_term_ends,
        first_error=first_error,
    )
    return placed.order


def place(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    lines: Sequence[CartLineRequest],
    *,
    custom_term_ends: Mapping[int, date | None] | None = None,
    first_error: bool = False,
) -> Placed:
    """``place_order``, answering with the order's lines too."""
    cart = create_cart(session, actor, customer_id, lines, custom_term_ends=custom_term_ends)
    return checkout_placed(session, actor, customer_id, cart.id, first_error=first_error)


# --- writing the order -----------------------------------------------------------------


def _write_order(
    session: Session,
    actor: Actor,
    customer: Customer,
    evaluation: Evaluation,
    *,
    cart_id: uuid.UUID | None,
    now: datetime,
    new_order_id: str,
) -> Placed:
    priced = sorted(evaluation.priced, key=lambda p: p.line.id)
    has_terms = any(p.end is not None for p in priced)
    order = Order(
        id=new_order_id,
        customer_id=customer.id,
        organization_id=actor.organization_id,
        cart_id=cart_id,
        market_id=evaluation.facts.market_id,
        currency=evaluation.currency.code,
        billing_currency=evaluation.billing.code if evaluation.billing else None,
        billing_cycle=order_billing_cycle(p.line.plan for p in priced).value,
        status=(OrderStatus.PENDING if has_terms else OrderStatus.COMPLETED).value,
        transaction_type=OrderTransactionType.USER_PURCHASE.value,
        total_price=order_total((p.pricing for p in priced), evaluation.currency).amount,
        created_at=now,
        completed_at=None if has_terms else now,
        created_by=actor.user_id,
    )
    # One INSERT per table, in foreign-key order (the session knows no relationships to
    # order them by): the order, then every subscription, then the rest in the caller's
    # flush.
    session.add(order)
    session.flush()
    titles = [evaluation.facts.titles.get(str(p.line.catalog_item), "") for p in priced]
    subs = {
        number: _subscription(order, number, line, titles[number], now)
        for number, line in enumerate(priced)
        if line.end is not None
    }
    session.add_all(subs.values())
    session.flush()
    data: dict[str, object] = {
        "OrderId": order.id,
        "AlternateId": order.id,
        "BillingCycle": order.billing_cycle,
    }
    lines: list[OrderLine] = []
    for number, line in enumerate(priced):
        sub = subs.get(number)
        if sub is not None:
            _start(session, actor, order, number, sub, now)
        lines.append(_order_line(order, number, line, titles[number], sub))
        data |= {
            f"OfferId-{number}": str(line.line.catalog_item),
            f"Quantity-{number}": line.line.quantity,
        }
        if sub is not None:
            data[f"SubscriptionId-{number}"] = sub.id
        if line.line.partner_id_on_record is not None:
            data[f"PartnerOnRecord-{number}"] = line.line.partner_id_on_record
    audit.record(
        session,
        actor,
        "create_order",
        "order",
        resource_id=order.id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        data=data,
    )
    session.add_all(lines)
    for written in lines:
        if written.billing_plan == BillingPlan.ONE_TIME.value:
            record_one_time(session, order, written, now=now)
    return Placed(order, lines, customer.country or "US")


def _order_line(
    order: Order, number: int, line: PricedLine, title: str, sub: Subscription | None
) -> OrderLine:
    item = line.line.catalog_item
    pid = line.line.partner_id_on_record
    return OrderLine(
        order_id=order.id,
        line_number=number,
        catalog_item_id=str(item),
        product_id=item.product_id,
        sku_id=item.sku_id,
        availability_id=item.availability_id,
        product_type=line.offer.product_type.value,
        friendly_name=title,
        quantity=line.line.quantity,
        term_duration=line.line.term.value,
        billing_plan=line.line.plan.value,
        transaction_type=LineTransactionType.NEW.value,
        partner_id_on_record=str(pid) if pid is not None else None,
        reseller_organization_id=line.reseller_id,
        subscription_id=sub.id if sub else None,
        price_list_id=line.price_list_id,
        unit_price=line.pricing.unit_price.amount,
        list_price=line.pricing.list_price.amount,
        extended_price=line.pricing.extended_price.amount,
        charge=line.pricing.charge.amount,
        currency=order.currency,
        provisioning_context=dict(line.line.provisioning_context),
        attestation_accepted=line.line.attestation_accepted,
    )


def _subscription(
    order: Order, number: int, line: PricedLine, title: str, now: datetime
) -> Subscription:
    """A term line's subscription: active from the purchase day, its first term (a trial's
    30 days, or to the custom end), the price locked for the term, the cancellation window
    of its product type (rules.md §9c)."""
    assert line.end is not None
    cfg = settings()
    item = line.line.catalog_item
    pid = line.line.partner_id_on_record
    sub = Subscription(
        id=uuid.uuid4(),
        customer_id=order.customer_id,
        organization_id=order.organization_id,
        reseller_organization_id=line.reseller_id,
        partner_id_on_record=str(pid) if pid is not None else None,
        order_id=order.id,
        order_line_number=number,
        product_id=item.product_id,
        sku_id=item.sku_id,
        availability_id=item.availability_id,
        product_type=line.offer.product_type.value,
        friendly_name=title,
        quantity=line.line.quantity,
        status=Status.ACTIVE.value,
        auto_renew=True,
        is_trial=line.is_trial,
        term_duration=line.line.term.value,
        billing_plan=line.line.plan.value,
        market_id=order.market_id,
        currency=order.currency,
        billing_currency=order.billing_currency,
        unit_price=line.pricing.unit_price.amount,
        price_list_id=line.price_list_id,
        term_number=1,
        term_start=line.start,
        term_end=line.end,
        custom_term_end=line.custom_end,
        cancellable_until=windows.cancellation_deadline(
            now,
            window_days=cfg.cancellation_window_days,
            product_type=line.offer.product_type,
            upgraded=False,
            perpetual_days=cfg.perpetual_refund_days,
        ),
        status_changed_at=now,
        scheduled_next_term=None,
        source_subscription_id=None,
        update_count=0,
        created_at=now,
        updated_at=now,
    )
    return sub


def _start(
    session: Session, actor: Actor, order: Order, number: int, sub: Subscription, now: datetime
) -> None:
    """A new subscription's first seat batch (rules.md §9c: seats removable within the
    cancellation window) and its ``new`` event with the provisioning message."""
    cfg = settings()
    session.add(
        SeatBatch(
            subscription_id=sub.id,
            term_number=1,
            added=sub.quantity,
            removed=0,
            added_at=now,
            allowed_until=now + timedelta(days=cfg.cancellation_window_days),
        )
    )
    events.record_first(
        session,
        sub,
        at=now,
        actor_id=actor.user_id,
        details={"orderId": order.id, "lineItemNumber": number},
    )
