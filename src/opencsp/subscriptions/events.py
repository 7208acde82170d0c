"""Writing a subscription's history: one ``SubscriptionEvent`` per thing that happened,
in the charge vocabulary of the NCE reconciliation file (file-formats.md §8e,
PC:recon-file-charge-types.md), and with it the provisioning message to the vendor's
fulfillment system through the outbox (issue 5: "an outbox event per new or changed
subscription").

Every service and job that changes a subscription calls :func:`record` after changing
the row, in the same transaction, so the event, the row and the outbox message are
written together or not at all. An event with an ``idempotency_key`` is written once:
a second call with the same key writes nothing and returns ``None``, which is how a
lifecycle job re-run after a crash knows the work is already done."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.core import outbox
from opencsp.core.db import insert_unless_exists
from opencsp.core.http import WireEnum
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

PROVISIONING_TOPIC = "subscription.provisioning"


class EventKind(WireEnum):
    """What happened, named as the NCE reconciliation ``ChargeType`` where one exists
    (file-formats.md §8e); the lifecycle kinds that carry no charge have their own."""

    NEW = "new"
    RENEW = "renew"
    ADD_QUANTITY = "addQuantity"
    REMOVE_QUANTITY = "removeQuantity"
    MOVE_QUANTITY = "moveQuantity"
    CANCEL = "cancelImmediate"
    CONVERT = "convert"
    CHANGE_BILLING_PLAN = "changeBillingPlan"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    EXPIRE = "expire"
    DISABLE = "disable"
    DELETE = "delete"
    AUTO_RENEW = "autoRenew"
    RENAME = "rename"
    SCHEDULE = "schedule"
    UPGRADE = "upgrade"
    TRANSFER = "transfer"
    """The subscription's bill-to changed hands without a charge: a direct-bill partner
    became an indirect reseller and its provider is bill-to from the next period
    (rules.md §2d; ``program.transition_completion``). Same id, term, seats and price."""


PROVISIONED_KINDS = frozenset(
    {
        EventKind.NEW,
        EventKind.RENEW,
        EventKind.ADD_QUANTITY,
        EventKind.REMOVE_QUANTITY,
        EventKind.MOVE_QUANTITY,
        EventKind.CANCEL,
        EventKind.CONVERT,
        EventKind.SUSPEND,
        EventKind.REACTIVATE,
        EventKind.EXPIRE,
        EventKind.DISABLE,
        EventKind.DELETE,
        EventKind.UPGRADE,
    }
)
"""Events that change what the customer has (seats, offer, or whether it works), so the
fulfillment system is told; renames, auto-renew and scheduled changes are not."""


def next_sequence(session: Session, subscription_id: uuid.UUID) -> int:
    last = session.scalar(
        select(func.max(SubscriptionEvent.sequence)).where(
            SubscriptionEvent.subscription_id == subscription_id
        )
    )
    return int(last or 0) + 1


def record(
    session: Session,
    sub: Subscription,
    kind: EventKind,
    *,
    at: datetime,
    actor_id: uuid.UUID | None,
    quantity_before: int,
    refund: Decimal | None = None,
    idempotency_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> SubscriptionEvent | None:
    """Append an event for ``sub`` as it now stands (its term, status, quantity after and
    locked price), and enqueue its provisioning message when ``kind`` changes what the
    customer has. Returns ``None`` (writing nothing) when ``idempotency_key`` was used."""
    if idempotency_key is not None and session.scalar(
        select(SubscriptionEvent.id).where(SubscriptionEvent.idempotency_key == idempotency_key)
    ):
        return None
    sequence = next_sequence(session, sub.id)
    event = _event(
        sub,
        kind,
        sequence,
        at=at,
        actor_id=actor_id,
        quantity_before=quantity_before,
        refund=refund,
        idempotency_key=idempotency_key,
    )
    event.details = details or {}
    if not insert_unless_exists(session, event):
        return None
    if kind in PROVISIONED_KINDS:
        outbox.enqueue(
            session,
            topic=PROVISIONING_TOPIC,
            key=f"{sub.id}:{sequence}",
            payload=provisioning_payload(sub, kind, sequence),
            now=at,
        )
    return event


def record_first(
    session: Session,
    sub: Subscription,
    *,
    at: datetime,
    actor_id: uuid.UUID | None,
    details: dict[str, Any] | None = None,
) -> SubscriptionEvent:
    """The ``new`` event of a subscription created in this transaction, and its
    provisioning message: :func:`record` for a row that has no history yet, so its
    sequence is 1 and no twin can exist — no sequence read, no savepoints, nothing
    flushed here (the caller's one flush writes every new row of a checkout together)."""
    event = _event(sub, EventKind.NEW, 1, at=at, actor_id=actor_id, quantity_before=0)
    event.details = details or {}
    session.add(event)
    session.add(
        outbox.message(  # a new subscription's key cannot be taken yet
            topic=PROVISIONING_TOPIC,
            key=f"{sub.id}:1",
            payload=provisioning_payload(sub, EventKind.NEW, 1),
            now=at,
        )
    )
    return event


def _event(
    sub: Subscription,
    kind: EventKind,
    sequence: int,
    *,
    at: datetime,
    actor_id: uuid.UUID | None,
    quantity_before: int,
    refund: Decimal | None = None,
    idempotency_key: str | None = None,
) -> SubscriptionEvent:
    return SubscriptionEvent(
        subscription_id=sub.id,
        sequence=sequence,
        kind=kind.value,
        at=at,
        term_number=sub.term_number,
        term_start=sub.term_start,
        term_end=sub.term_end,
        term_duration=sub.term_duration,
        billing_plan=sub.billing_plan,
        status_after=sub.status,
        quantity_before=quantity_before,
        quantity_after=sub.quantity,
        unit_price=sub.unit_price,
        currency=sub.currency,
        refund=refund,
        idempotency_key=idempotency_key,
        actor_id=actor_id,
        details={},
    )


def provisioning_payload(sub: Subscription, kind: EventKind, sequence: int) -> dict[str, Any]:
    """What the fulfillment system is sent: which subscription, what happened, and what
    the customer should now have."""
    return {
        "subscriptionId": str(sub.id),
        "customerId": str(sub.customer_id),
        "sequence": sequence,
        "event": kind.value,
        "offerId": f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}",
        "quantity": sub.quantity,
        "status": sub.status,
        "termEndDate": sub.term_end.isoformat(),
    }
