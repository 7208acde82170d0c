"""Reads of orders through the actor's visibility (PC:developer/get-all-of-a-customer-s-
orders.md, get-an-order-by-id.md, get-order-provisioning-status.md).

An order is visible to the organization billed for it (the direct-bill partner or the
indirect provider), to the indirect reseller of record of any of its lines, and to the
vendor; the customer itself must be visible to the actor first. Anything else is 404.
Provisioning status comes from the outbox: a subscription line is fulfilled once the
provisioning message of its purchase was delivered to the fulfillment system."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from opencsp.catalog.rules import BillingPlan
from opencsp.core import outbox
from opencsp.core.actor import Actor
from opencsp.core.errors import InvalidInput
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.orders.errors import OrderNotFound
from opencsp.orders.models import Order, OrderLine
from opencsp.orders.rules import parse_order_id
from opencsp.subscriptions.events import PROVISIONING_TOPIC, EventKind
from opencsp.subscriptions.models import SubscriptionEvent

FULFILLED, UNFULFILLED = "fulfilled", "unfulfilled"


def visible(actor: Actor) -> Select[Order]:
    stmt = select(Order)
    if actor.is_vendor:
        return stmt
    return stmt.where(
        or_(
            Order.organization_id == actor.organization_id,
            exists().where(
                OrderLine.order_id == Order.id,
                OrderLine.reseller_organization_id == actor.organization_id,
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class LineStatus:
    """``provisioningstatus`` of one line: ``fulfilled`` or ``unfulfilled``."""

    line_number: int
    quantity: int
    status: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its lines, and the provisioning status of each line. ``status`` is
    the stored one: ``pending`` until the provisioning job has delivered the purchase of
    every subscription line (``subscriptions.provisioning.complete_orders``; an order of
    one-time purchases only is completed at checkout), ``cancelled`` once every line is
    (``orders.cancellation``)."""

    order: Order
    lines: list[OrderLine]
    provisioning: list[LineStatus]

    @property
    def status(self) -> str:
        return self.order.status


def _parse_billing_type(value: str | None) -> BillingPlan | None:
    if value is None or not value.strip():
        return None
    try:
        return BillingPlan(value.strip())
    except ValueError:
        raise InvalidInput(description=f"Unknown billingType {value!r}") from None


def _provisioning(session: Session, lines: Sequence[OrderLine]) -> dict[tuple[str, int], str]:
    """Delivery state of each subscription line's purchase message, in two queries."""
    by_sub = {
        ln.subscription_id: (ln.order_id, ln.line_number) for ln in lines if ln.subscription_id
    }
    if not by_sub:
        return {}
    keys: dict[str, tuple[str, int]] = {}
    for sub_id, sequence in session.execute(
        select(SubscriptionEvent.subscription_id, SubscriptionEvent.sequence).where(
            SubscriptionEvent.subscription_id.in_(by_sub),
            SubscriptionEvent.kind == EventKind.NEW.value,
        )
    ):
        keys[f"{sub_id}:{sequence}"] = by_sub[sub_id]
    delivered = set(
        session.scalars(
            select(outbox.OutboxMessage.key).where(
                outbox.OutboxMessage.topic == PROVISIONING_TOPIC,
                outbox.OutboxMessage.key.in_(keys),
                outbox.OutboxMessage.status == outbox.DELIVERED,
            )
        )
    )
    result = {place: UNFULFILLED for place in by_sub.values()}
    for key, place in keys.items():
        if key in delivered:
            result[place] = FULFILLED
    return result


def _views(session: Session, orders: Sequence[Order]) -> list[OrderView]:
    if not orders:
        return []
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    all_lines = session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.order_id, OrderLine.line_number)
    ).all()
    for ln in all_lines:
        lines[ln.order_id].append(ln)
    states = _provisioning(session, all_lines)
    return [
        OrderView(
            o,
            lines[o.id],
            [
                LineStatus(
                    ln.line_number,
                    ln.quantity,
                    states.get((o.id, ln.line_number), FULFILLED),
                )
                for ln in lines[o.id]
            ],
        )
        for o in orders
    ]


def list_orders(
    session: Session, actor: Actor, customer_id: uuid.UUID, billing_type: str | None = None
) -> list[OrderView]:
    """The customer's orders the actor may see, oldest first, optionally of one billing
    cycle type (``?billingType=``: ``monthly``, ``one_time``, …)."""
    customer = customers.get_visible(session, actor, customer_id)
    stmt = visible(actor).where(Order.customer_id == customer.id)
    plan = _parse_billing_type(billing_type)
    if plan is not None:
        stmt = stmt.where(Order.billing_cycle == plan.value)
    orders = session.scalars(stmt.order_by(Order.created_at, Order.id)).all()
    return _views(session, orders)


def get_order(session: Session, actor: Actor, customer_id: uuid.UUID, order_id: str) -> OrderView:
    """One order of a visible customer; 20000 when it is not one the actor may see."""
    customer = customers.get_visible(session, actor, customer_id)
    found = session.scalar(
        visible(actor).where(Order.customer_id == customer.id, Order.id == parse_order_id(order_id))
    )
    if found is None:
        raise OrderNotFound()
    return _views(session, [found])[0]


def customer_country(session: Session, customer_id: uuid.UUID) -> str:
    """The customer's tenant country (``?country=`` of an order line's catalog links)."""
    country = session.scalar(select(Customer.country).where(Customer.id == customer_id))
    return country or "US"
