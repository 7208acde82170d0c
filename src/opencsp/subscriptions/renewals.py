"""The ``renewals`` job: what happens to a subscription when its term ends (rules.md §9d–9g,
PC:create-a-new-subscription.md, PC:subscription-lifecycle.md).

At the renewal instant — 00:00 UTC of the day after the inclusive ``term_end``
(``terms.renewal_instant``) — a subscription that is

- **active with auto-renew on** renews: a new term (``terms.next_term``, ``term_number``
  + 1) on the scheduled next-term instructions (``scheduling.from_json`` laid over the
  current term by ``changes.apply_at_renewal``: offer, quantity, term, plan, custom end;
  then cleared), priced at the price list in force at the renewal instant, not the old
  locked price (DESIGN.md §4), with a new seat batch and a new cancellation window from
  the moment the renewal completes (§9d). The customer agreement is not checked again:
  renewals are exempt (13605 applies to orders);
- **a trial** with auto-renew on converts to paid the same way, on an annual term billed
  monthly unless scheduled otherwise (``changes.trial_conversion_target``, §9g), into the
  scheduled offer or else the trial SKU's conversion target in the catalog; event
  ``convert``;
- **active with auto-renew off** (a trial too) expires (``Action.TERM_END_WITHOUT_RENEW``);
- **suspended** becomes disabled (``Action.TERM_END_WHILE_SUSPENDED``).

Before the term ends, each run applies the billing-frequency changes falling due
(``billing_cycles``: a triennial term's next-cycle plan), so a change due in a term's last
cycle is made before that term renews.

Each is one event keyed ``{kind}:{subscription}:{term}`` (renew and convert: the new term's
number), written with the row in one savepoint, so a re-run or a concurrent worker
renews a subscription once per term. A term-end move takes effect at the renewal instant
whatever time the job runs; a subscription several terms behind is caught up term by
term, each priced at its own renewal instant.

**No price, no renewal** [opencsp's decision]: when the price list in force at the renewal
instant has no price for the next term (or the trial has no paid offer), the subscription
is left as it is — still active, past its term end, its renewal pending (``windows``
answers 409 to updates meanwhile) — logged with the reason and counted ``unpriced`` in
the job's result. Renewing at a guessed price would bill the partner an amount nobody
published; expiring would take the customer's service away for the vendor's omission.
Every run tries again, so the renewal happens, at the renewal instant's list, once the
vendor publishes the price.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.models import Availability
from opencsp.catalog.rules import (
    BillingPlan,
    CatalogItemId,
    ProductType,
    TermDuration,
    parse_catalog_item_id,
)
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.errors import NotFound
from opencsp.pricing import queries as pricing
from opencsp.subscriptions import (
    billing_cycles,
    changes,
    events,
    rules,
    scheduling,
    terms,
    windows,
)
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.lifecycle import (
    AlreadyDone,
    Skipped,
    Units,
    after_cursor,
    audit_status_change,
    handle_each,
    move,
    run_in_batches,
    summary,
    term_key,
)
from opencsp.subscriptions.models import SeatBatch, Subscription
from opencsp.subscriptions.rules import Action, Status

TERM_END_STATUSES = (Status.ACTIVE.value, Status.SUSPENDED.value)


def catalog_item_of(sub: Subscription) -> str:
    return str(CatalogItemId(sub.product_id, sub.sku_id, sub.availability_id))


# --- selection ----------------------------------------------------------------------------------


def due_term_ends(
    session: Session, *, today: date, after: tuple[date, uuid.UUID] | None, limit: int
) -> Sequence[Subscription]:
    """Active and suspended subscriptions whose term ended before ``today`` (their renewal
    instant has passed), earliest end first (index ``ix_subscriptions_due``)."""
    return session.scalars(
        select(Subscription)
        .where(
            Subscription.status.in_(TERM_END_STATUSES),
            Subscription.term_end < today,
            after_cursor(Subscription.term_end, after),
        )
        .order_by(Subscription.term_end, Subscription.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def anchor_days(rows: Sequence[Subscription]) -> dict[uuid.UUID, int]:
    """The day of month each current term's month step is anchored on
    (``terms.Term.anchor_day``): the subscription's ``anchor_day`` where a renewal kept
    one that differs from the term's start day, else the start day."""
    return {sub.id: sub.anchor_day or sub.term_start.day for sub in rows}


# --- the moves ----------------------------------------------------------------------------------


def process_term_end(
    session: Session, actor: Actor, sub: Subscription, *, now: datetime, anchor_day: int
) -> str:
    """Renew, convert, expire or disable ``sub``, whose renewal instant has passed (module
    docstring). Returns the outcome counted in the job's result."""
    status = Status(sub.status)
    if status is Status.SUSPENDED:
        return end_term(session, actor, sub, Action.TERM_END_WHILE_SUSPENDED, EventKind.DISABLE)
    if not sub.auto_renew:
        return end_term(session, actor, sub, Action.TERM_END_WITHOUT_RENEW, EventKind.EXPIRE)
    return renew(session, actor, sub, now=now, anchor_day=anchor_day)


def end_term(
    session: Session, actor: Actor, sub: Subscription, action: Action, kind: EventKind
) -> str:
    """The term ends without a renewal: expired (auto-renew off) or disabled (suspended),
    from the renewal instant, scheduled instructions dropped (rules.md §9d–9e)."""
    return move(session, actor, sub, action, kind, at=terms.renewal_instant(sub.term_end)).value


def next_settings(session: Session, sub: Subscription) -> changes.TermSettings:
    """The next term's offer, term, plan, quantity and custom end: the current ones with
    the scheduled instructions laid over them; a trial converts to its paid target."""
    current = changes.TermSettings(
        catalog_item_id=catalog_item_of(sub),
        term=TermDuration(sub.term_duration),
        plan=BillingPlan(sub.billing_plan),
        quantity=sub.quantity,
    )
    scheduled = scheduling.from_json(sub.scheduled_next_term)
    settings_ = changes.apply_at_renewal(current, scheduled)
    if not sub.is_trial:
        return settings_
    term, plan = changes.trial_conversion_target(
        scheduled.term if scheduled else None, scheduled.plan if scheduled else None
    )
    item = scheduled.catalog_item_id if scheduled and scheduled.catalog_item_id else None
    if item is not None and item.upper() == catalog_item_of(sub).upper():
        item = None  # instructions that keep the trial's own item: its paid target
    return changes.TermSettings(
        catalog_item_id=item or conversion_target(session, sub),
        term=term,
        plan=plan,
        quantity=settings_.quantity,
        custom_end=settings_.custom_end,
        promotion_id=None,  # promotions don't apply to trial conversion (§9g)
    )


def conversion_target(session: Session, sub: Subscription) -> str:
    """The paid offer a trial converts into: the first conversion target of its SKU in the
    catalog (``ProductSkuConversion``) sold to the same segment; none → ``Skipped``."""
    segment = catalog.get_availability(session, catalog_item_of(sub)).segment
    for product_id, sku_id in catalog.upgrade_targets_of(session, sub.product_id, sub.sku_id):
        availability_id = session.scalar(
            select(Availability.id)
            .where(
                Availability.product_id == product_id,
                Availability.sku_id == sku_id,
                Availability.segment == segment,
                Availability.is_purchasable.is_(True),
            )
            .order_by(Availability.id)
            .limit(1)
        )
        if availability_id is not None:
            return str(CatalogItemId(product_id, sku_id, availability_id))
    raise Skipped("unpriced", "the trial's SKU has no paid offer to convert into")


def renew(
    session: Session, actor: Actor, sub: Subscription, *, now: datetime, anchor_day: int
) -> str:
    """Start the next term (module docstring): the event ``renew`` (``convert`` for a
    trial) keyed with the new term's number, at the renewal instant."""
    kind = EventKind.CONVERT if sub.is_trial else EventKind.RENEW
    nxt = next_settings(session, sub)
    current = terms.Term(sub.term_start, sub.term_end, TermDuration(sub.term_duration), anchor_day)
    term = terms.next_term(current, nxt.term, custom_end=nxt.custom_end)
    at = terms.renewal_instant(sub.term_end)
    try:
        price = pricing.unit_price(
            session,
            nxt.catalog_item_id,
            sub.market_id,
            sub.currency,
            nxt.term,
            nxt.plan,
            at=at,
            quantity=nxt.quantity,
        )
    except NotFound as exc:  # no price, or the offer left the catalog
        raise Skipped("unpriced", exc.message) from exc
    old_price, quantity_before = sub.unit_price, sub.quantity
    item = parse_catalog_item_id(nxt.catalog_item_id)
    sub.product_id, sub.sku_id, sub.availability_id = (
        item.product_id,
        item.sku_id,
        item.availability_id,
    )
    sub.quantity = nxt.quantity
    sub.term_duration, sub.billing_plan = nxt.term.value, nxt.plan.value
    sub.term_number += 1
    sub.term_start, sub.term_end, sub.custom_term_end = term.start, term.end, nxt.custom_end
    sub.anchor_day = term.anchor_day if term.anchor_day != term.start.day else None
    sub.unit_price, sub.price_list_id = price.unit_price, price.price_list_id
    sub.is_trial = False
    sub.status = rules.transition(Status.ACTIVE, Action.RENEW).value
    sub.scheduled_next_term = None  # consumed (rules.effects(Action.RENEW).clear_scheduled)
    sub.cancellable_until = renewal_window_end(sub, now)
    sub.updated_at = now
    session.flush()
    recorded = events.record(
        session,
        sub,
        kind,
        at=at,
        actor_id=None,
        quantity_before=quantity_before,
        idempotency_key=term_key(kind, sub.id, sub.term_number),
        details={
            "anchorDay": term.anchor_day,
            "priceListId": str(price.price_list_id),
            "previousUnitPrice": str(old_price),
        },
    )
    if recorded is None:
        raise AlreadyDone()
    add_seat_batch(session, sub, now)
    audit_status_change(
        session,
        actor,
        sub,
        Status.ACTIVE,
        Status.ACTIVE,
        Action.RENEW,
        kind=kind.value,
        unitPrice=price.unit_price,
        termEnd=term.end.isoformat(),
    )
    return "converted" if kind is EventKind.CONVERT else "renewed"


def renewal_window_end(sub: Subscription, completed_at: datetime) -> datetime | None:
    """The new cancellation window starts when the renewal completes (rules.md §9d)."""
    s = settings()
    return windows.cancellation_deadline(
        completed_at,
        window_days=s.cancellation_window_days,
        product_type=ProductType(sub.product_type),
        upgraded=False,
        perpetual_days=s.perpetual_refund_days,
    )


def add_seat_batch(session: Session, sub: Subscription, added_at: datetime) -> None:
    """The renewed seats are one batch, reducible within the window (rules.md §9c)."""
    batch = windows.SeatBatch.added(
        sub.quantity, added_at, window_days=settings().cancellation_window_days
    )
    session.add(
        SeatBatch(
            subscription_id=sub.id,
            term_number=sub.term_number,
            added=batch.quantity,
            removed=0,
            added_at=batch.added_at,
            allowed_until=batch.allowed_until,
        )
    )
    session.flush()


# --- the job ------------------------------------------------------------------------------------


def renewals_step(
    session: Session, actor: Actor, after: tuple[date, uuid.UUID] | None
) -> tuple[Counter[str], tuple[date, uuid.UUID] | None]:
    """One batch of the ``renewals`` job."""
    now = clock.now()
    rows = due_term_ends(session, today=now.date(), after=after, limit=settings().job_batch_size)
    if not rows:
        return Counter(), None
    cursor = (rows[-1].term_end, rows[-1].id)
    anchors = anchor_days(rows)
    counts = handle_each(
        session,
        rows,
        lambda sub: process_term_end(session, actor, sub, now=now, anchor_day=anchors[sub.id]),
    )
    return counts, cursor


def run_renewals(units: Units) -> str:
    """The ``renewals`` job: the billing-frequency changes due (``billing_cycles``), then
    every term end due, batch by batch."""
    counts = run_in_batches(units, billing_cycles.plan_changes_step)
    counts.update(run_in_batches(units, renewals_step))
    return summary(counts)
