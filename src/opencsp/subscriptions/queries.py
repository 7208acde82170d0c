"""Reads of subscriptions through the actor's visibility.

A subscription is visible to the partner it is billed to (the direct-bill partner or the
indirect provider, who manage it) and to its indirect reseller of record (who reads it
only), and to the vendor; the customer must be visible to the caller as well. Anything
else answers 404 (DESIGN §5). Lists are set-based: the extra facts of a page of
subscriptions (seat batches, window starts, add-ons) are one query each, not one per row.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.models import Availability, Sku, SkuPrerequisite
from opencsp.catalog.rules import ProductType
from opencsp.core import outbox
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.visibility import owned_by
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.subscriptions import windows
from opencsp.subscriptions.errors import SubscriptionNotFound
from opencsp.subscriptions.events import PROVISIONING_TOPIC, EventKind
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent, Transition
from opencsp.subscriptions.rules import Status

WINDOW_START_KINDS = (EventKind.NEW.value, EventKind.RENEW.value, EventKind.CONVERT.value)
"""Events that open a term's cancellation window: the purchase, the renewal, a trial's
conversion to paid (rules.md §9c "7 days after purchase or renewal")."""


def visible(actor: Actor) -> Select[Subscription]:
    """The subscriptions the actor may read: billed to it or resold by it (vendor: all)."""
    return select(Subscription).where(
        owned_by(actor, Subscription.organization_id, Subscription.reseller_organization_id)
    )


def customer_of(session: Session, actor: Actor, customer_id: uuid.UUID) -> Customer:
    """The customer, if the actor may see it (404 otherwise)."""
    return customers.get_visible(session, actor, customer_id)


def list_for_customer(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    order_id: str | None = None,
    mpn_id: str | None = None,
) -> list[Subscription]:
    """The customer's subscriptions the actor may see, oldest first; ``order_id`` those
    of one order (PC:developer/get-a-list-of-subscriptions-by-order.md), ``mpn_id`` those
    resold by that partner ID (``partnerIdOnRecord``, PC:developer/get-all-subscriptions-
    by-partner.md)."""
    customer_of(session, actor, customer_id)
    stmt = visible(actor).where(Subscription.customer_id == customer_id)
    if order_id is not None:
        stmt = stmt.where(func.lower(Subscription.order_id) == order_id.strip().lower())
    if mpn_id is not None:
        stmt = stmt.where(Subscription.partner_id_on_record == mpn_id.strip())
    stmt = stmt.order_by(Subscription.created_at, Subscription.id)
    return list(session.scalars(stmt))


def get(
    session: Session, actor: Actor, customer_id: uuid.UUID, subscription_id: uuid.UUID
) -> Subscription:
    """One subscription of a visible customer, visible to the actor, or 20003 (404)."""
    customer_of(session, actor, customer_id)
    sub = session.scalar(
        visible(actor).where(
            Subscription.customer_id == customer_id, Subscription.id == subscription_id
        )
    )
    if sub is None:
        raise SubscriptionNotFound(description=f"Subscription with ID {subscription_id} not found.")
    return sub


def timeline(
    session: Session, actor: Actor, customer_id: uuid.UUID, subscription_id: uuid.UUID
) -> list[SubscriptionEvent]:
    """The subscription's history, oldest first (what the console draws)."""
    sub = get(session, actor, customer_id, subscription_id)
    return list(
        session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscription_id == sub.id)
            .order_by(SubscriptionEvent.sequence)
        )
    )


# --- seat batches and windows -------------------------------------------------------------


def open_batches(
    session: Session, subs: Sequence[Subscription]
) -> dict[uuid.UUID, list[SeatBatch]]:
    """The seat batches of each subscription's current term that still hold seats,
    oldest first."""
    if not subs:
        return {}
    keys = [(s.id, s.term_number) for s in subs]
    rows = session.scalars(
        select(SeatBatch)
        .where(
            tuple_(SeatBatch.subscription_id, SeatBatch.term_number).in_(keys),
            SeatBatch.added > SeatBatch.removed,
        )
        .order_by(SeatBatch.added_at, SeatBatch.id)
    )
    out: dict[uuid.UUID, list[SeatBatch]] = defaultdict(list)
    for row in rows:
        out[row.subscription_id].append(row)
    return out


def as_rule_batches(rows: Sequence[SeatBatch]) -> list[windows.SeatBatch]:
    return [windows.SeatBatch(r.added - r.removed, r.added_at, r.allowed_until) for r in rows]


def refundable_for(
    session: Session, subs: Sequence[Subscription], now: datetime
) -> dict[uuid.UUID, windows.Refundable]:
    """``refundableQuantity`` of each subscription at ``now`` (rules.md §9c)."""
    batches = open_batches(session, subs)
    return {s.id: windows.refundable(as_rule_batches(batches.get(s.id, [])), now) for s in subs}


def refundable_quantity(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    now: datetime,
) -> windows.Refundable:
    """The seats that may still be reduced, per batch with its deadline (rules.md §9c)."""
    sub = get(session, actor, customer_id, subscription_id)
    return refundable_for(session, [sub], now)[sub.id]


def window_starts(session: Session, subs: Sequence[Subscription]) -> dict[uuid.UUID, datetime]:
    """When each subscription's current term was purchased, renewed or converted: the
    instant its cancellation window runs from (rules.md §9c); the creation instant when
    the history has no such event."""
    if not subs:
        return {}
    keys = [(s.id, s.term_number) for s in subs]
    rows = session.execute(
        select(SubscriptionEvent.subscription_id, func.max(SubscriptionEvent.at))
        .where(
            tuple_(SubscriptionEvent.subscription_id, SubscriptionEvent.term_number).in_(keys),
            SubscriptionEvent.kind.in_(WINDOW_START_KINDS),
        )
        .group_by(SubscriptionEvent.subscription_id)
    )
    found = {sid: at for sid, at in rows}
    return {s.id: found.get(s.id, s.created_at) for s in subs}


def cancellation_deadline(sub: Subscription, started: datetime) -> datetime | None:
    """``cancellationAllowedUntilDate``: none after an upgrade (``cancellable_until``
    cleared) or once the subscription is gone (rules.md §9c, §9f)."""
    if Status(sub.status) not in {Status.ACTIVE, Status.SUSPENDED}:
        return None
    cfg = settings()
    return windows.cancellation_deadline(
        started,
        window_days=cfg.cancellation_window_days,
        product_type=ProductType(sub.product_type),
        upgraded=sub.cancellable_until is None,
        perpetual_days=cfg.perpetual_refund_days,
    )


def with_addons(session: Session, subs: Sequence[Subscription]) -> set[tuple[str, str]]:
    """The ``(productId, skuId)`` among ``subs`` that some add-on needs
    (``hasPurchasableAddons``, rules.md §9h)."""
    skus = {(s.product_id, s.sku_id) for s in subs}
    if not skus:
        return set()
    rows = session.execute(
        select(SkuPrerequisite.required_product_id, SkuPrerequisite.required_sku_id)
        .where(
            tuple_(SkuPrerequisite.required_product_id, SkuPrerequisite.required_sku_id).in_(
                list(skus)
            )
        )
        .distinct()
    )
    return {(p, s) for p, s in rows}


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription with what its wire shape shows besides its row."""

    sub: Subscription
    country: str
    offer_name: str
    refundable: windows.Refundable
    cancellation_allowed_until: datetime | None
    has_purchasable_addons: bool


def views(
    session: Session, customer: Customer, subs: Sequence[Subscription], now: datetime
) -> list[SubscriptionView]:
    """The views of ``subs`` of ``customer`` at ``now``, in a fixed number of queries.
    Only an active subscription has refundable seats (a cancelled one has refunded
    them all)."""
    refundable = refundable_for(session, subs, now)
    starts = window_starts(session, subs)
    addons = with_addons(session, subs)
    titles = sku_titles(session, subs)
    nothing = windows.Refundable(0, ())
    return [
        SubscriptionView(
            sub=s,
            country=customer.country,
            offer_name=titles.get((s.product_id, s.sku_id), s.friendly_name),
            refundable=refundable[s.id] if s.status == Status.ACTIVE.value else nothing,
            cancellation_allowed_until=cancellation_deadline(s, starts[s.id]),
            has_purchasable_addons=(s.product_id, s.sku_id) in addons,
        )
        for s in subs
    ]


def list_views(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    *,
    now: datetime,
    order_id: str | None = None,
    mpn_id: str | None = None,
) -> list[SubscriptionView]:
    subs = list_for_customer(session, actor, customer_id, order_id=order_id, mpn_id=mpn_id)
    return views(session, customer_of(session, actor, customer_id), subs, now)


def view(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    now: datetime,
) -> SubscriptionView:
    sub = get(session, actor, customer_id, subscription_id)
    return views(session, customer_of(session, actor, customer_id), [sub], now)[0]


def sku_titles(session: Session, subs: Sequence[Subscription]) -> dict[tuple[str, str], str]:
    """``offerName``: the title of each subscription's SKU."""
    skus = list({(s.product_id, s.sku_id) for s in subs})
    if not skus:
        return {}
    rows = session.execute(
        select(Sku.product_id, Sku.id, Sku.title).where(tuple_(Sku.product_id, Sku.id).in_(skus))
    )
    return {(p, k): title for p, k, title in rows}


def upgrade_offers(
    session: Session, sub: Subscription, country: str
) -> list[tuple[Availability, Sku]]:
    """The purchasable availabilities, sold in ``country``, of the SKUs the catalog lists
    as upgrades of ``sub``'s SKU (rules.md §9f: higher SKUs only), with their SKU."""
    targets = catalog.upgrade_targets_of(session, sub.product_id, sub.sku_id)
    if not targets:
        return []
    stmt = (
        catalog.sold_in(country)
        .add_columns(Sku)
        .join(Sku, and_(Sku.product_id == Availability.product_id, Sku.id == Availability.sku_id))
        .where(
            tuple_(Availability.product_id, Availability.sku_id).in_(list(targets)),
            Availability.is_purchasable.is_(True),
        )
        .order_by(Availability.product_id, Availability.sku_id, Availability.id)
    )
    return [(a, k) for a, k in session.execute(stmt)]


def transitions_of(session: Session, subscription_id: uuid.UUID) -> list[Transition]:
    """The upgrades from or into a subscription, oldest first."""
    return list(
        session.scalars(
            select(Transition)
            .where(
                or_(
                    Transition.from_subscription_id == subscription_id,
                    Transition.to_subscription_id == subscription_id,
                )
            )
            .order_by(Transition.created_at, Transition.id)
        )
    )


# --- coterminosity ----------------------------------------------------------------------------


def coterm_candidates(
    session: Session,
    customer_id: uuid.UUID,
    organization_id: uuid.UUID,
    *,
    exclude: uuid.UUID | None = None,
) -> list[Subscription]:
    """The partner's own active, non-trial OnlineServicesNCE subscriptions of the
    customer, by end date: the ends a new term may align to (rules.md §9f "only the
    partner's own subscriptions for the customer")."""
    stmt = select(Subscription).where(
        Subscription.customer_id == customer_id,
        Subscription.organization_id == organization_id,
        Subscription.status == Status.ACTIVE.value,
        Subscription.is_trial.is_(False),
        Subscription.product_type == ProductType.ONLINE_SERVICES.value,
    )
    if exclude is not None:
        stmt = stmt.where(Subscription.id != exclude)
    return list(session.scalars(stmt.order_by(Subscription.term_end, Subscription.id)))


# --- provisioning ----------------------------------------------------------------------------


def provisioning_messages(session: Session, sub: Subscription) -> list[outbox.OutboxMessage]:
    """The subscription's provisioning messages, oldest first (keys ``{id}:{sequence}``,
    ``events.record``)."""
    prefix = f"{sub.id}:"
    return list(
        session.scalars(
            select(outbox.OutboxMessage)
            .where(
                and_(
                    outbox.OutboxMessage.topic == PROVISIONING_TOPIC,
                    outbox.OutboxMessage.key.startswith(prefix, autoescape=True),
                )
            )
            .order_by(outbox.OutboxMessage.id)
        )
    )


def provisioning_state(messages: Sequence[outbox.OutboxMessage]) -> str:
    """``success`` once every message reached the fulfillment system, ``failed`` when one
    gave up, otherwise ``pending`` (sample subscriptions-provisioning-status)."""
    states = {m.status for m in messages}
    if outbox.FAILED in states:
        return "failed"
    if outbox.PENDING in states:
        return "pending"
    return "success"


# --- upgrade into an existing subscription (added with ``upgrade_into``) ---------------------


def upgrade_target_subscriptions(
    session: Session, source: Subscription, items: Sequence[tuple[str, str, str]]
) -> list[Subscription]:
    """The subscriptions an upgrade of ``source`` could move seats into: the same
    customer's subscriptions billed to the same partner, active or suspended (a suspended
    one is listed as ineligible, 900258), on one of the catalog items ``items``
    (``(productId, skuId, availabilityId)``), ordered by end date (rules.md §9f)."""
    if not items:
        return []
    return list(
        session.scalars(
            select(Subscription)
            .where(
                Subscription.customer_id == source.customer_id,
                Subscription.organization_id == source.organization_id,
                Subscription.id != source.id,
                Subscription.status.in_([Status.ACTIVE.value, Status.SUSPENDED.value]),
                tuple_(
                    Subscription.product_id, Subscription.sku_id, Subscription.availability_id
                ).in_(list(items)),
            )
            .order_by(Subscription.term_end, Subscription.id)
        )
    )
