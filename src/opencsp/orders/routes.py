"""Carts, checkout and orders as Partner Center has them (PC:developer/create-a-cart.md,
update-a-cart.md, checkout-a-cart.md, create-an-order.md, get-all-of-a-customer-s-
orders.md, get-an-order-by-id.md, get-order-provisioning-status.md), and opencsp's order
requests from resellers to their provider (``/customers/{id}/orderrequests``). A customer
the caller may not see is 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import collection
from opencsp.orders import cancellation, carts, checkout, queries, requests
from opencsp.orders.schemas import (
    CartCheckoutResult,
    CartIn,
    CartRead,
    LineProvisioningRead,
    OrderIn,
    OrderPatchIn,
    OrderRead,
    OrderRequestDecline,
    OrderRequestIn,
    OrderRequestRead,
    cart_read,
    order_read,
    order_request_read,
    provisioning_items,
)
from opencsp.web.deps import SessionDep, require, require_any

router = APIRouter(tags=["orders"])

Buyer = Annotated[Actor, require(Perm.ORDERS_MANAGE)]
Reader = Annotated[Actor, require_any(Perm.ORDERS_MANAGE, Perm.SUBSCRIPTIONS_READ)]
Requester = Annotated[Actor, require(Perm.CUSTOMERS_READ)]


@router.post(
    "/customers/{customer_id}/carts",
    response_model=CartRead,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def create_cart(
    customer_id: uuid.UUID, body: CartIn, session: SessionDep, actor: Buyer
) -> CartRead:
    cart = checkout.create_cart(
        session, actor, customer_id, body.requests(), custom_term_ends=body.custom_term_ends()
    )
    return cart_read(carts.cart_view(session, cart))


@router.put(
    "/customers/{customer_id}/carts/{cart_id}",
    response_model=CartRead,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def update_cart(
    customer_id: uuid.UUID, cart_id: uuid.UUID, body: CartIn, session: SessionDep, actor: Buyer
) -> CartRead:
    cart = checkout.update_cart(
        session,
        actor,
        customer_id,
        cart_id,
        body.requests(),
        custom_term_ends=body.custom_term_ends(),
    )
    return cart_read(carts.cart_view(session, cart))


@router.post(
    "/customers/{customer_id}/carts/{cart_id}/checkout",
    response_model=CartCheckoutResult,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def checkout_cart(
    customer_id: uuid.UUID, cart_id: uuid.UUID, session: SessionDep, actor: Buyer
) -> CartCheckoutResult:
    placed = checkout.checkout_placed(session, actor, customer_id, cart_id)
    return CartCheckoutResult(orders=[order_read(placed.view(), placed.country)])


@router.post(
    "/customers/{customer_id}/orders",
    response_model=OrderRead,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def create_order(
    customer_id: uuid.UUID, body: OrderIn, session: SessionDep, actor: Buyer
) -> OrderRead:
    """Create an order directly: a line's failure answers with its own code (400019,
    800088, 400041, 800015, …) rather than a cart's 800009."""
    placed = checkout.place(
        session,
        actor,
        customer_id,
        body.requests(),
        custom_term_ends=body.custom_term_ends(),
        first_error=True,
    )
    return order_read(placed.view(), placed.country)


@router.get(
    "/customers/{customer_id}/orders",
    response_model=Collection[OrderRead],
    response_model_exclude_none=True,
)
def list_orders(
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    billing_type: Annotated[str | None, Query(alias="billingType")] = None,
) -> Collection[OrderRead]:
    views = queries.list_orders(session, actor, customer_id, billing_type)
    country = queries.customer_country(session, customer_id)
    items = [order_read(v, country, prices=actor.can(Perm.PRICING_READ)) for v in views]
    return collection(
        items,
        total_count=len(items),
        path=f"/customers/{customer_id}/orders",
        query={"billingType": billing_type},
        next_token=None,
    )


@router.get(
    "/customers/{customer_id}/orders/{order_id}",
    response_model=OrderRead,
    response_model_exclude_none=True,
)
def get_order(
    customer_id: uuid.UUID, order_id: str, session: SessionDep, actor: Reader
) -> OrderRead:
    view = queries.get_order(session, actor, customer_id, order_id)
    return order_read(
        view,
        queries.customer_country(session, view.order.customer_id),
        prices=actor.can(Perm.PRICING_READ),
    )


@router.patch(
    "/customers/{customer_id}/orders/{order_id}",
    response_model=OrderRead,
    response_model_exclude_none=True,
)
def cancel_order(
    customer_id: uuid.UUID, order_id: str, body: OrderPatchIn, session: SessionDep, actor: Buyer
) -> OrderRead:
    """Cancel software purchases (PC:developer/cancel-software-purchases.md): ``status:
    cancelled``, optionally with the ``lineItems`` to cancel; answers the order with the
    cancelled lines at quantity 0."""
    lines = None
    if body.line_items is not None:
        lines = [cancellation.LineRef(li.line_item_number, li.offer_id) for li in body.line_items]
    view = cancellation.cancel_purchases(
        session,
        actor,
        customer_id,
        order_id,
        status=body.status,
        lines=lines,
        body_order_id=body.id,
    )
    return order_read(view, queries.customer_country(session, view.order.customer_id))


@router.get(
    "/customers/{customer_id}/orders/{order_id}/provisioningstatus",
    response_model=Collection[LineProvisioningRead],
    response_model_exclude_none=True,
)
def order_provisioning_status(
    customer_id: uuid.UUID, order_id: str, session: SessionDep, actor: Reader
) -> Collection[LineProvisioningRead]:
    items = provisioning_items(queries.get_order(session, actor, customer_id, order_id))
    return Collection[LineProvisioningRead](total_count=len(items), items=items)


# --- order requests (opencsp) ----------------------------------------------------------


@router.post(
    "/customers/{customer_id}/orderrequests",
    response_model=OrderRequestRead,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def submit_order_request(
    customer_id: uuid.UUID, body: OrderRequestIn, session: SessionDep, actor: Requester
) -> OrderRequestRead:
    lines = CartIn(line_items=body.line_items)
    row = requests.submit_request(
        session,
        actor,
        customer_id,
        lines.requests(),
        note=body.note,
        custom_term_ends=lines.custom_term_ends(),
    )
    return order_request_read(row)


@router.get(
    "/customers/{customer_id}/orderrequests",
    response_model=Collection[OrderRequestRead],
    response_model_exclude_none=True,
)
def list_order_requests(
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: Requester,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
) -> Collection[OrderRequestRead]:
    rows = requests.list_requests(session, actor, customer_id, status=status_filter)
    items = [order_request_read(r) for r in rows]
    return Collection[OrderRequestRead](total_count=len(items), items=items)


@router.get(
    "/customers/{customer_id}/orderrequests/{request_id}",
    response_model=OrderRequestRead,
    response_model_exclude_none=True,
)
def get_order_request(
    customer_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, actor: Requester
) -> OrderRequestRead:
    return order_request_read(requests.get_request(session, actor, customer_id, request_id))


@router.post(
    "/customers/{customer_id}/orderrequests/{request_id}/decline",
    response_model=OrderRequestRead,
    response_model_exclude_none=True,
)
def decline_order_request(
    customer_id: uuid.UUID,
    request_id: uuid.UUID,
    body: OrderRequestDecline,
    session: SessionDep,
    actor: Buyer,
) -> OrderRequestRead:
    row = requests.decline_request(session, actor, customer_id, request_id, body.reason)
    return order_request_read(row)


@router.post(
    "/customers/{customer_id}/orderrequests/{request_id}/convert",
    response_model=CartRead,
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_none=True,
)
def convert_order_request(
    customer_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, actor: Buyer
) -> CartRead:
    cart = requests.convert_request(session, actor, customer_id, request_id)
    return cart_read(carts.cart_view(session, cart))
