"""Seats of a subscription: more any time as a new batch, fewer only from batches still
in their window, newest first, with a prorated refund (rules.md §9c,
PC:developer/change-the-quantity-of-a-subscription.md). Called by ``service.update``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.rules import ProductType, check_seat_pool
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.money import Currency
from opencsp.subscriptions import changes, events, purchases, queries, rules, windows
from opencsp.subscriptions.changes import ChangeEvent
from opencsp.subscriptions.errors import (
    QuantityOutsideRange,
    SubscriptionNotActive,
    SubscriptionSuspended,
)
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import SeatBatch, Subscription
from opencsp.subscriptions.rules import Status


def ensure_active(sub: Subscription) -> None:
    """Seats and auto-renew change only on an active subscription: suspended 800091,
    otherwise 800012."""
    status = Status(sub.status)
    if status is Status.SUSPENDED:
        raise SubscriptionSuspended()
    if status is not Status.ACTIVE:
        raise SubscriptionNotActive()


def clear_scheduled(sub: Subscription, event: ChangeEvent) -> None:
    if changes.clears_scheduled(event):
        sub.scheduled_next_term = None


def pooled_seats(session: Session, sub: Subscription) -> int:
    """The seats of ``sub``'s SKU on the customer's tenant through every partner and
    channel, this subscription included (rules.md §9i)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Subscription.quantity), 0)).where(
            Subscription.customer_id == sub.customer_id,
            Subscription.product_id == sub.product_id,
            Subscription.sku_id == sub.sku_id,
            Subscription.status.in_([s.value for s in rules.SEATED]),
        )
    )
    return int(total or 0)


def change_quantity(
    session: Session, actor: Actor, sub: Subscription, quantity: int, now: datetime
) -> None:
    """More seats any time, as a new batch reducible for the window; fewer only from
    batches still in their window, newest first, with a prorated refund (rules.md §9c).
    Either way within the SKU's seat range (2002) and never during a trial (800095); an
    increase also within a small-business offer's seats pooled over every partner on the
    customer (800088, rules.md §9i) and the checks layers above register on purchases
    (``purchases``: the credit limit, 900121)."""
    changes.ensure_not_trial(is_trial=sub.is_trial, changing="quantity")
    ensure_active(sub)
    sku = catalog.get_sku(session, sub.product_id, sub.sku_id)
    if not sku.min_quantity <= quantity <= sku.max_quantity:
        raise QuantityOutsideRange(minimum=sku.min_quantity, maximum=sku.max_quantity)
    before = sub.quantity
    window_days = settings().cancellation_window_days
    if quantity > before:
        check_seat_pool(
            quantity - before,
            pooled_seats(session, sub),
            sku.max_quantity,
            catalog_item_id=f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}",
        )
        session.add(
            SeatBatch(
                subscription_id=sub.id,
                term_number=sub.term_number,
                added=quantity - before,
                removed=0,
                added_at=now,
                allowed_until=now + timedelta(days=window_days),
            )
        )
        sub.quantity = quantity
        clear_scheduled(sub, ChangeEvent.QUANTITY_CHANGE)
        events.record(
            session,
            sub,
            EventKind.ADD_QUANTITY,
            at=now,
            actor_id=actor.user_id,
            quantity_before=before,
        )
        purchases.seats_added(session, sub, now)  # the credit limit (rules.md §11)
        return
    _remove_seats(session, sub, before - quantity, now, window_days=window_days)
    refund = rules.prorated_refund(
        sub.unit_price,
        before - quantity,
        sub.term_start,
        sub.term_end,
        now.date(),
        currency=Currency.of(sub.currency),
    )
    sub.quantity = quantity
    clear_scheduled(sub, ChangeEvent.QUANTITY_CHANGE)
    events.record(
        session,
        sub,
        EventKind.REMOVE_QUANTITY,
        at=now,
        actor_id=actor.user_id,
        quantity_before=before,
        refund=refund,
    )


def _remove_seats(
    session: Session, sub: Subscription, by: int, now: datetime, *, window_days: int
) -> None:
    """Take ``by`` seats back as ``windows.reduce`` decides (900257 / 800090) and write
    the result to the batch rows. Batches with the same window are interchangeable, so
    the rule's result is matched back per (added, allowed until) group."""
    rows = queries.open_batches(session, [sub]).get(sub.id, [])
    after = windows.reduce(
        queries.as_rule_batches(rows),
        by,
        now,
        product_type=ProductType(sub.product_type),
        window_days=window_days,
    )
    remaining: dict[tuple[datetime, datetime], int] = defaultdict(int)
    for batch in after:
        remaining[(batch.added_at, batch.allowed_until)] += batch.quantity
    groups: dict[tuple[datetime, datetime], list[SeatBatch]] = defaultdict(list)
    for row in rows:
        groups[(row.added_at, row.allowed_until)].append(row)
    for key, members in groups.items():
        taken = sum(r.added - r.removed for r in members) - remaining[key]
        for row in sorted(members, key=lambda r: r.id, reverse=True):
            take = min(taken, row.added - row.removed)
            row.removed += take
            taken -= take
