"""Delivering subscriptions to the vendor's fulfillment system, and what the partner sees
of it (issue 5 "Provisioning"; ``provisioningstatus``, PC:developer/get-subscription-
provisioning-status.md, get-order-provisioning-status.md).

``events.record`` writes one outbox message of topic ``subscription.provisioning`` per
event that changes what the customer has, in the transaction of the change. The
``provisioning.deliver`` job POSTs each as JSON to ``settings().provisioning_url`` (the
header ``Idempotency-Key`` carries the message key ``{subscription}:{sequence}``, so the
receiver can drop a duplicate: delivery is at least once). Empty URL: the in-process
provisioner of the demo accepts every message.

A delivery runs outside any database transaction, so a slow endpoint never holds a lock
or SQLite's write lock: a batch of due messages is **claimed** in one unit of work (on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two deliverers never take the same message)
by moving their ``available_at`` past a lease long enough to send the whole batch; the
messages are sent; their outcomes are **settled** in a second unit of work: delivered, or
attempts + 1, the error kept and the next attempt after ``outbox.backoff`` (30 s doubled
per failure, at most an hour), ``failed`` after the last allowed attempt. A deliverer
that dies mid-batch leaves its messages to be sent again when the lease ends.

Delivery also settles the orders it fulfils, in the unit of work that records the batch:
an order is ``completed`` (with ``completed_at``) once the purchase message — the ``new``
event's — of every subscription it created is delivered; the orders of the batch's
subscriptions are checked, and only a ``pending`` order moves, so a re-run or a late
duplicate changes nothing (``complete_orders``). Orders sit above subscriptions
(DESIGN.md §3), so this module names just the three columns of the ``orders`` row it
settles, as the foreign key ``subscriptions.order_id`` already names that table.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, column, func, select, table, update
from sqlalchemy.orm import Session

from opencsp.core import clock, outbox
from opencsp.core.config import settings
from opencsp.core.http import WireEnum
from opencsp.core.outbox import OutboxMessage
from opencsp.core.types import UTCDateTime
from opencsp.subscriptions.errors import SubscriptionNotFound
from opencsp.subscriptions.events import PROVISIONING_TOPIC, EventKind
from opencsp.subscriptions.lifecycle import Units, summary
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

log = logging.getLogger("opencsp.subscriptions.provisioning")

Sender = Callable[[str, Mapping[str, Any]], None]
"""Delivers one message (key, payload); raises ``DeliveryFailed`` (or any ``OSError``)."""


class DeliveryFailed(Exception):
    """The fulfillment endpoint did not accept a message."""


def accept_all(_key: str, _payload: Mapping[str, Any]) -> None:
    """The in-process provisioner of the demo: every subscription is provisioned at once."""


def http_sender(url: str, *, timeout: float) -> Sender:
    """POST each message as JSON to ``url``; any 2xx answer accepts it."""

    def send(key: str, payload: Mapping[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
            url,
            data=json.dumps(payload, sort_keys=True).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}")

    return send


def configured_sender() -> Sender:
    s = settings()
    if not s.provisioning_url:
        return accept_all
    return http_sender(s.provisioning_url, timeout=s.provisioning_timeout_seconds)


# --- claim, send, settle ------------------------------------------------------------------------


Claimed = outbox.Claimed


def lease(batch_size: int) -> timedelta:
    """How long claimed messages stay with their deliverer: the whole batch timing out,
    and a minute."""
    seconds = settings().provisioning_timeout_seconds * batch_size + 60
    return timedelta(seconds=seconds)


def claim(session: Session, *, now: datetime, after: int | None, limit: int) -> list[Claimed]:
    """Take up to ``limit`` due provisioning messages after id ``after``, oldest first,
    for the lease (module docstring)."""
    return outbox.claim(
        session, PROVISIONING_TOPIC, now=now, after=after, limit=limit, lease=lease(limit)
    )


def send_all(messages: Sequence[Claimed], sender: Sender) -> dict[int, str | None]:
    """Send each message; its error text, or None when it was accepted."""
    outcomes: dict[int, str | None] = {}
    for message in messages:
        try:
            sender(message.key, message.payload)
        except (DeliveryFailed, OSError) as exc:
            log.warning("provisioning message %s not delivered: %s", message.key, exc)
            outcomes[message.id] = str(exc) or type(exc).__name__
        else:
            outcomes[message.id] = None
    return outcomes


settle = outbox.settle


ORDERS = table(
    "orders",
    column("id", String),
    column("status", String),
    column("completed_at", UTCDateTime()),
)
"""The ``orders`` columns delivery settles (module docstring); ``orders.models.Order``
owns the table."""

PENDING_ORDER, COMPLETED_ORDER = "pending", "completed"  # orders.rules.OrderStatus values


def complete_orders(session: Session, delivered_keys: Sequence[str], *, now: datetime) -> int:
    """Complete the pending orders of the subscriptions whose messages ``delivered_keys``
    were, when the purchase message of each of their subscriptions is delivered (the
    order's ``provisioningstatus`` all fulfilled). Four queries for the whole batch;
    answers how many orders completed."""
    touched = {uuid.UUID(key.partition(":")[0]) for key in delivered_keys}
    if not touched:
        return 0
    orders = session.scalars(
        select(ORDERS.c.id).where(
            ORDERS.c.status == PENDING_ORDER,
            ORDERS.c.id.in_(select(Subscription.order_id).where(Subscription.id.in_(touched))),
        )
    ).all()
    if not orders:
        return 0
    purchases = session.execute(
        select(Subscription.id, Subscription.order_id, SubscriptionEvent.sequence)
        .outerjoin(
            SubscriptionEvent,
            (SubscriptionEvent.subscription_id == Subscription.id)
            & (SubscriptionEvent.kind == EventKind.NEW.value),
        )
        .where(Subscription.order_id.in_(orders))
    ).all()
    keys = {f"{sid}:{seq}": oid for sid, oid, seq in purchases if seq is not None}
    delivered = set(
        session.scalars(
            select(OutboxMessage.key).where(
                OutboxMessage.topic == PROVISIONING_TOPIC,
                OutboxMessage.key.in_(list(keys)),
                OutboxMessage.status == outbox.DELIVERED,
            )
        )
    )
    waiting = {oid for _, oid, seq in purchases if seq is None}
    waiting |= {oid for key, oid in keys.items() if key not in delivered}
    done = sorted(set(orders) - waiting)
    if not done:
        return 0
    result = session.execute(
        update(ORDERS)
        .where(ORDERS.c.id.in_(done), ORDERS.c.status == PENDING_ORDER)
        .values(status=COMPLETED_ORDER, completed_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def deliver(units: Units, sender: Sender | None = None) -> str:
    """The ``provisioning.deliver`` job: every due message once, batch by batch; a batch's
    outcomes and the orders it completes are recorded in one unit of work."""
    send = sender or configured_sender()
    limit = settings().job_batch_size

    total: Counter[str] = Counter()
    after: int | None = None
    while True:
        with units() as (session, _actor):
            claimed = claim(session, now=clock.now(), after=after, limit=limit)
        if not claimed:
            return summary(total)
        outcomes = send_all(claimed, send)
        with units() as (session, _actor):
            now = clock.now()
            total.update(settle(session, outcomes, now=now))
            sent = [m.key for m in claimed if m.id in outcomes and outcomes[m.id] is None]
            complete_orders(session, sent, now=now)
        after = claimed[-1].id


# --- provisioning status ------------------------------------------------------------------------


class ProvisioningState(WireEnum):
    """``SubscriptionProvisioningStatus.status`` (sample subscriptions-provisioning-status)."""

    SUCCESS = "success"
    PENDING = "pending"
    FAILED = "failed"


class LineState(WireEnum):
    """An order line's provisioning ``status`` (api-surface.md §5: Fulfilled | Unfulfilled |
    PrefulfillmentPending). [inferred] Delivered is fulfilled, still being delivered is
    pending, given up is unfulfilled."""

    FULFILLED = "fulfilled"
    PENDING = "prefulfillmentPending"
    UNFULFILLED = "unfulfilled"


LINE_STATE = {
    ProvisioningState.SUCCESS: LineState.FULFILLED,
    ProvisioningState.PENDING: LineState.PENDING,
    ProvisioningState.FAILED: LineState.UNFULFILLED,
}


@dataclass(frozen=True, slots=True)
class ProvisioningStatus:
    """``SubscriptionProvisioningStatus{skuId, status, quantity, endDate}``."""

    sku_id: str
    status: ProvisioningState
    quantity: int
    end_date: datetime


@dataclass(frozen=True, slots=True)
class LineProvisioning:
    """One item of the order's ``provisioningstatus`` collection."""

    line_item_number: int
    status: LineState
    quantity: int


def state_of(statuses: Mapping[str, int]) -> ProvisioningState:
    """Any message given up → failed; else any still pending → pending; else success
    (nothing to deliver is success too)."""
    if statuses.get(outbox.FAILED):
        return ProvisioningState.FAILED
    if statuses.get(outbox.PENDING):
        return ProvisioningState.PENDING
    return ProvisioningState.SUCCESS


def message_states(
    session: Session, subscription_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ProvisioningState]:
    """The provisioning state of each subscription from its messages (keys
    ``{subscription}:{sequence}``), one query for all."""
    counts: dict[uuid.UUID, dict[str, int]] = {sid: {} for sid in subscription_ids}
    if not subscription_ids:
        return {}
    prefix = func.substr(OutboxMessage.key, 1, 36)
    wanted = {str(sid): sid for sid in subscription_ids}
    rows = session.execute(
        select(prefix, OutboxMessage.status, func.count())
        .where(OutboxMessage.topic == PROVISIONING_TOPIC, prefix.in_(list(wanted)))
        .group_by(prefix, OutboxMessage.status)
    )
    for key, status, n in rows:
        counts[wanted[key]][status] = int(n)
    return {sid: state_of(c) for sid, c in counts.items()}


def status_of(session: Session, subscription_id: uuid.UUID) -> ProvisioningStatus:
    """``GET …/subscriptions/{id}/provisioningstatus``; the caller checks visibility."""
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise SubscriptionNotFound()
    state = message_states(session, [sub.id])[sub.id]
    end = datetime.combine(sub.term_end, time(), tzinfo=UTC)
    return ProvisioningStatus(sub.sku_id, state, sub.quantity, end)


def order_status(session: Session, order_id: str) -> list[LineProvisioning]:
    """``GET …/orders/{id}/provisioningstatus``: the state of each line's subscription, by
    line number; lines without a subscription (one-time purchases) are the caller's."""
    subs = session.execute(
        select(Subscription.id, Subscription.order_line_number, Subscription.quantity)
        .where(Subscription.order_id == order_id)
        .order_by(Subscription.order_line_number)
    ).all()
    states = message_states(session, [sid for sid, _, _ in subs])
    return [
        LineProvisioning(line, LINE_STATE[states[sid]], quantity) for sid, line, quantity in subs
    ]
