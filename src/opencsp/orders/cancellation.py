"""Cancelling software purchases through the order (``PATCH /customers/{id}/orders/{id}``
with ``status: cancelled`` and optionally the ``lineItems`` to cancel, PC:developer/
cancel-software-purchases.md; rules.md §9c, §12).

- Perpetual software: a full refund of the line's charge within 30 calendar days of the
  purchase (``settings().perpetual_refund_days``, PC:new-commerce-cancellation-policy.md).
  The line gets ``cancelled_at`` and ``refund`` (its whole ``charge``, exact): these two
  columns are the one record that the one-time charge is credited (issue 6's bill run
  reads them). ``refund`` is never written for any other line.
- Software subscriptions: cancelled through their subscription (``subscriptions.service.
  cancel``: 7-day window, 900117, prorated refund recorded on the subscription's cancel
  event, which is what bills it); the order line is marked ``cancelled_at`` only.
- Anything else: 800063 when the whole order is license-based (use the subscription
  PATCH), 800019 when a line asked for is not software (opencsp is never a sandbox).

The order reads ``cancelled`` once every line is, else keeps its status (the answer is the
order with the cancelled lines at quantity 0). Asking again for lines already cancelled
changes nothing: they are skipped, and if nothing is left to cancel the answer is 800061
— never a second refund, even for two requests racing (the lines are taken with one
conditional UPDATE). Only the partner billed for the order cancels; its reseller of
record reads it (403), anyone else gets 404. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.catalog.rules import ProductType
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.orders import queries
from opencsp.orders.charges import record_one_time
from opencsp.orders.errors import (
    LicenseOrderNotCancellable,
    LineItemNumberOutOfRange,
    LineOfferMismatch,
    LinesAlreadyCancelled,
    NotASoftwarePurchase,
    OrderCancelledByReseller,
    OrderIdMismatch,
    OrderPatchNotSupported,
)
from opencsp.orders.models import Order, OrderLine
from opencsp.orders.queries import OrderView
from opencsp.orders.rules import OrderStatus, ensure_order_transition
from opencsp.subscriptions import service as subscriptions
from opencsp.subscriptions.errors import CancellationWindowPassed
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status

SOFTWARE = frozenset(
    {ProductType.SOFTWARE_PERPETUAL.value, ProductType.SOFTWARE_SUBSCRIPTIONS.value}
)
"""The product types order PATCH cancels outside the sandbox (rules.md §12, 800019)."""


@dataclass(frozen=True, slots=True)
class LineRef:
    """A ``lineItems[]`` entry of the request: its number and, if sent, its offer."""

    line_item_number: int
    offer_id: str | None = None


# --- rules (pure: values in, values or an error out) ---------------------------------------


def refund_deadline(purchased_at: datetime, *, days: int) -> datetime:
    """The last instant perpetual software is refundable: the end of the UTC calendar day
    ``days`` after the purchase day. "Full refund within 30 calendar days of purchase"
    (PC:new-commerce-cancellation-policy.md) counts whole days from the purchase date, as
    the software sample shows: bought 2021-10-15T21:28Z, ``cancellationAllowedUntilDate``
    2021-11-14T23:59Z (samples/subscriptions-list-software.response.json). Bought any time
    on day 0, it is refundable through day 30 at 23:59:59.999999 UTC, not on day 31."""
    last_day = purchased_at.astimezone(UTC).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC) - timedelta(
        microseconds=1
    )


def is_refundable(purchased_at: datetime, now: datetime, *, days: int) -> bool:
    return now <= refund_deadline(purchased_at, days=days)


def ensure_refundable(purchased_at: datetime, now: datetime, *, days: int) -> None:
    """900117 with the window's day count once it has passed (rules.md §9c)."""
    if not is_refundable(purchased_at, now, days=days):
        raise CancellationWindowPassed(days=days)


def ensure_cancel_request(status: str | None, body_order_id: str | None, order_id: str) -> None:
    """The body asks for ``status: cancelled`` (800042 otherwise) of this order."""
    if (status or "").strip().lower() not in ("cancelled", "canceled"):
        raise OrderPatchNotSupported()
    if body_order_id is not None and body_order_id.strip().lower() != order_id.lower():
        raise OrderIdMismatch(given=body_order_id, order_id=order_id)


def targets(lines: Sequence[OrderLine], refs: Sequence[LineRef] | None) -> list[OrderLine]:
    """The lines asked for, by number (800071 out of range), each matching its offer when
    one is sent; no ``lineItems`` (or an empty list) is the whole order."""
    if not refs:
        return list(lines)
    by_number = {ln.line_number: ln for ln in lines}
    chosen: dict[int, OrderLine] = {}
    for ref in refs:
        found = by_number.get(ref.line_item_number)
        if found is None:
            raise LineItemNumberOutOfRange(line=ref.line_item_number, last=len(lines) - 1)
        offer = (ref.offer_id or "").strip()
        if offer and offer.lower() != found.catalog_item_id.lower():
            raise LineOfferMismatch(
                line=found.line_number, actual=found.catalog_item_id, offer_id=offer
            )
        chosen[found.line_number] = found
    return [chosen[n] for n in sorted(chosen)]


def ensure_software(order: Order, lines: Sequence[OrderLine], chosen: Sequence[OrderLine]) -> None:
    """A license-based order is cancelled through its subscriptions (800063); in an order
    with software, every line asked for must be software (800019)."""
    if not any(ln.product_type in SOFTWARE for ln in lines):
        raise LicenseOrderNotCancellable(order_id=order.id, customer_id=order.customer_id)
    for ln in chosen:
        if ln.product_type not in SOFTWARE:
            raise NotASoftwarePurchase(line=ln.line_number, product_type=ln.product_type)


# --- the use case ----------------------------------------------------------------------------


def ensure_buyer(actor: Actor, order: Order) -> None:
    """Only the partner billed for the order cancels it; its reseller of record (and the
    vendor) read it."""
    if not can_cancel(actor, order):
        raise OrderCancelledByReseller()


def _deleted_subscriptions(session: Session, lines: Sequence[OrderLine]) -> set[uuid.UUID]:
    ids = [ln.subscription_id for ln in lines if ln.subscription_id is not None]
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Subscription.id).where(
                Subscription.id.in_(ids), Subscription.status == Status.DELETED.value
            )
        )
    )


def _mark(
    session: Session, order: Order, numbers: Sequence[int], now: datetime, *, refund: bool
) -> int:
    """Cancel the lines still open among ``numbers`` in one UPDATE; ``refund`` credits
    each line's whole charge. Answers how many rows it took."""
    if not numbers:
        return 0
    values: dict[str, object] = {"cancelled_at": now}
    if refund:
        values["refund"] = OrderLine.charge
    result = session.execute(
        update(OrderLine)
        .where(
            OrderLine.order_id == order.id,
            OrderLine.line_number.in_(numbers),
            OrderLine.cancelled_at.is_(None),
        )
        .values(values)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel_purchases(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    order_id: str,
    *,
    status: str | None,
    lines: Sequence[LineRef] | None = None,
    body_order_id: str | None = None,
) -> OrderView:
    """Cancel the software purchases asked for (module docstring) and answer the order."""
    view = queries.get_order(session, actor, customer_id, order_id)
    order = view.order
    ensure_buyer(actor, order)
    ensure_cancel_request(status, body_order_id, order.id)
    ensure_order_transition(OrderStatus(order.status), OrderStatus.CANCELLED)  # 800061
    chosen = targets(view.lines, lines)
    ensure_software(order, view.lines, chosen)
    deleted = _deleted_subscriptions(session, chosen)
    open_lines = [
        ln for ln in chosen if ln.cancelled_at is None and ln.subscription_id not in deleted
    ]
    if not open_lines:
        _already(chosen)
    now = clock.now()
    perpetual = [ln for ln in open_lines if ln.subscription_id is None]
    if perpetual:
        ensure_refundable(order.created_at, now, days=settings().perpetual_refund_days)
    for ln in open_lines:
        if ln.subscription_id is not None:  # its window, its refund: the subscription's
            subscriptions.cancel(session, actor, order.customer_id, ln.subscription_id)
    numbers = [ln.line_number for ln in perpetual]
    others = [ln.line_number for ln in open_lines if ln.subscription_id is not None]
    taken = _mark(session, order, numbers, now, refund=True)
    for ln in perpetual:  # the refund credited through billing (orders.charges)
        session.refresh(ln, ["cancelled_at", "refund"])
        record_one_time(session, order, ln, now=now)
    taken += _mark(session, order, others, now, refund=False)
    if taken != len(open_lines):  # another request cancelled them meanwhile
        _already(chosen)
    old = order.status
    if all(ln.cancelled_at is not None for ln in view.lines):
        order.status = OrderStatus.CANCELLED.value
    session.flush()
    _audit(session, actor, order, open_lines, old)
    return queries.get_order(session, actor, customer_id, order.id)


def _already(chosen: Sequence[OrderLine]) -> None:
    raise LinesAlreadyCancelled(
        lines=", ".join(str(ln.line_number) for ln in chosen),
        data=[
            {
                "lineItemNumber": ln.line_number,
                "cancelledAt": ln.cancelled_at.isoformat() if ln.cancelled_at else None,
            }
            for ln in chosen
        ],
    )


def _audit(
    session: Session, actor: Actor, order: Order, cancelled: Sequence[OrderLine], old: str
) -> None:
    data: dict[str, object] = {"OrderId": order.id}
    for ln in cancelled:
        data[f"OfferId-{ln.line_number}"] = ln.catalog_item_id
        if ln.refund is not None:
            data[f"Refund-{ln.line_number}"] = f"{ln.refund} {ln.currency}"
        if ln.subscription_id is not None:
            data[f"SubscriptionId-{ln.line_number}"] = str(ln.subscription_id)
    audit.record(
        session,
        actor,
        "cancel_order",
        "order",
        resource_id=order.id,
        old={"status": old},
        new={"status": order.status},
        customer_id=order.customer_id,
        data=data,
        partner_id=order.organization_id,
    )


def refundable_lines(view: OrderView, now: datetime, *, days: int) -> dict[int, datetime]:
    """The perpetual lines of ``view`` that can still be cancelled for a full refund at
    ``now``, each with its last instant (what the console offers to cancel)."""
    deadline = refund_deadline(view.order.created_at, days=days)
    if now > deadline or view.order.status == OrderStatus.CANCELLED.value:
        return {}
    return {
        ln.line_number: deadline
        for ln in view.lines
        if ln.product_type == ProductType.SOFTWARE_PERPETUAL.value and ln.cancelled_at is None
    }


def can_cancel(actor: Actor, order: Order) -> bool:
    return order.organization_id == actor.organization_id
