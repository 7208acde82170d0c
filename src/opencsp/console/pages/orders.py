"""A customer's order history and one order (PC:developer/get-all-of-a-customer-s-orders.md,
get-an-order-by-id.md): date, lines with the price locked at purchase, total, status with
provisioning, and the subscriptions the order created. What an actor sees is what
``orders.queries`` lets it see (the buyer and the vendor; an order of someone else is the
same 404 as none). Indirect resellers manage no order history (rules.md §1.4): they
ask their provider through order requests instead."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from opencsp.console import rendering
from opencsp.console.pages import commerce
from opencsp.console.session import Visit, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.orders import queries
from opencsp.subscriptions import queries as subscriptions

router = APIRouter()

Reader = Annotated[Visit, commerce.any_of(Perm.ORDERS_MANAGE, Perm.SUBSCRIPTIONS_READ)]


@router.get("/customers/{customer_id}/orders")
def list_orders(request: Request, customer_id: str, visit: Reader) -> Response:
    customer = commerce.customer_of(request, visit)
    orders = queries.list_orders(db(request), visit.actor, customer.id)
    context: dict[str, Any] = {
        "customer": customer,
        "orders": list(reversed(orders)),  # newest first
        "can_buy": visit.actor.can(Perm.ORDERS_MANAGE),
        **commerce.formatters(request),
    }
    return rendering.render(request, "orders.html", context)


@router.get("/customers/{customer_id}/orders/{order_id}")
def show_order(request: Request, customer_id: str, order_id: str, visit: Reader) -> Response:
    store = db(request)
    customer = commerce.customer_of(request, visit)
    found = queries.get_order(store, visit.actor, customer.id, order_id)
    subs = []
    if visit.actor.can(Perm.SUBSCRIPTIONS_READ):
        subs = subscriptions.list_views(
            store, visit.actor, customer.id, now=clock.now(), order_id=found.order.id
        )
    context: dict[str, Any] = {
        "customer": customer,
        "view": found,
        "order": found.order,
        "provisioning": {p.line_number: p.status for p in found.provisioning},
        "subscriptions": {v.sub.id: v for v in subs},
        "notice": commerce.notice(request),
        **commerce.formatters(request),
    }
    return rendering.render(request, "order.html", context)
