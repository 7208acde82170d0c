"""A customer's order history and one order (PC:developer/get-all-of-a-customer-s-orders.md,
get-an-order-by-id.md): date, lines with the price locked at purchase, total, status with
provisioning, and the subscriptions the order created. What an actor sees is what
``orders.queries`` lets it see (the buyer and the vendor; an order of someone else is the
same 404 as none). Indirect resellers manage no order history (rules.md §1.4): they
ask their provider through order requests instead.

The buyer cancels a perpetual software line for a full refund while its 30 calendar days
last (``orders.cancellation``, PC:new-commerce-cancellation-policy.md); a cancelled line
shows when it was cancelled and its refund, and a refusal shows the order again with the
message and its code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.console import rendering
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages import commerce
from opencsp.console.session import Visit, allowed, db, signed_in
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.config import settings
from opencsp.core.errors import InvalidInput
from opencsp.orders import cancellation, queries
from opencsp.subscriptions import queries as subscriptions

router = APIRouter()

Reader = Annotated[Visit, commerce.any_of(Perm.ORDERS_MANAGE, Perm.SUBSCRIPTIONS_READ)]
Buyer = Annotated[Visit, allowed(Perm.ORDERS_MANAGE, post=True)]


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


def order_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    """The order page; shown again with ``error`` after a refused cancellation."""
    visit = signed_in(request)
    if error is not None and status == 404:
        return commerce.not_found(request, error, status)
    store = db(request)
    customer = commerce.customer_of(request, visit)
    found = queries.get_order(
        store, visit.actor, customer.id, request.path_params.get("order_id", "")
    )
    now = clock.now()
    refundable = {}
    if visit.actor.can(Perm.ORDERS_MANAGE) and cancellation.can_cancel(visit.actor, found.order):
        refundable = cancellation.refundable_lines(
            found, now, days=settings().perpetual_refund_days
        )
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
        "refundable": refundable,
        "error": commerce.with_code(request, error),
        "notice": commerce.notice(request),
        **commerce.formatters(request),
    }
    return rendering.render(request, "order.html", context, status=status)


@router.get("/customers/{customer_id}/orders/{order_id}")
def show_order(request: Request, customer_id: str, order_id: str, visit: Reader) -> Response:
    return order_view(request)


@router.post(
    "/customers/{customer_id}/orders/{order_id}/cancel",
    dependencies=[on_error(order_view, shown_with=Perm.ORDERS_MANAGE)],
)
def cancel_line(request: Request, customer_id: str, order_id: str, visit: Buyer) -> Response:
    """Cancel one perpetual line for its full refund, then back to the order."""
    form: FormData = request.state.console_form
    raw = form.get("line")
    try:
        number = int(raw) if isinstance(raw, str) else -1
    except ValueError:
        number = -1
    if number < 0:
        raise InvalidInput(description=N_("Choose a line of the order to cancel."))
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        view = cancellation.cancel_purchases(
            db(request),
            visit.actor,
            customer.id,
            order_id,
            status="cancelled",
            lines=[cancellation.LineRef(number)],
        )
    return commerce.done(f"/customers/{customer.id}/orders/{view.order.id}", "purchase_cancelled")
