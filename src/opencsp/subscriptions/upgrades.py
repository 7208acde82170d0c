"""Upgrades of new-commerce subscriptions (``transitionEligibilities`` and ``transitions``,
PC:developer/transition-a-new-commerce-subscription.md; rules.md §9f): to a higher SKU
only, as the catalog lists it; all seats (full: the subscription keeps its ID and moves to
the target offer) or some (partial: a second subscription, coterminous with the source,
takes the moved seats). The upgraded seats are priced from the current price list, have
no cancellation window until the next renewal, and the upgrade removes scheduled
changes. Each upgrade is a ``Transition`` row, history events and an audit record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.catalog.models import Availability, Sku
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import DomainError
from opencsp.pricing import queries as pricing
from opencsp.subscriptions import changes, events, queries, upgrade_into
from opencsp.subscriptions.changes import ChangeEvent, UpgradeKind, UpgradePlan
from opencsp.subscriptions.errors import UpgradeNotSupported
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, Transition
from opencsp.subscriptions.rules import Status
from opencsp.subscriptions.scheduling import catalog_item_of
from opencsp.subscriptions.service import (
    ensure_manages,
    ensure_updatable,
    stale_as_etag_mismatch,
)
from opencsp.subscriptions.upgrade_into import side

TRANSITION_TYPE = {
    UpgradeKind.FULL: "transition_with_license_transfer",
    UpgradeKind.PARTIAL: "transition_only",
}
"""Full upgrades move the licenses by themselves; partial ones leave it to the partner
(rules.md §9f)."""

COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class TransitionOption:
    """One upgrade target and whether ``sub`` can move to it now."""

    catalog_item_id: str
    title: str
    description: str
    quantity: int
    transition_type: str
    errors: tuple[DomainError, ...]
    targets: tuple[upgrade_into.TargetOption, ...] = ()
    """The customer's subscriptions on this offer seats could move into (§9f)."""

    @property
    def is_eligible(self) -> bool:
        return not self.errors


def _targets(session: Session, sub: Subscription, country: str) -> list[tuple[str, Sku]]:
    offers = queries.upgrade_offers(session, sub, country)
    return [(_item(a), sku) for a, sku in offers]


def _item(availability: Availability) -> str:
    return f"{availability.product_id}:{availability.sku_id}:{availability.id}"


def eligibilities(
    session: Session, actor: Actor, customer_id: uuid.UUID, subscription_id: uuid.UUID
) -> list[TransitionOption]:
    """Every upgrade target of the subscription sold in the customer's country, with the
    reasons it can't be taken now (``changes.check_upgrade`` for all seats), and the
    customer's subscriptions on each that the seats could move into, with theirs
    (``upgrade_into.target_options``)."""
    sub = queries.get(session, actor, customer_id, subscription_id)
    customer = queries.customer_of(session, actor, customer_id)
    targets = _targets(session, sub, customer.country)
    ids = {item.upper() for item, _ in targets}
    existing = upgrade_into.target_options(
        session, sub, [item for item, _ in targets], ids, clock.now()
    )
    options = []
    for item, sku in targets:
        errors: tuple[DomainError, ...] = ()
        try:
            changes.check_upgrade(
                side(sub),
                item.upper(),
                quantity=sub.quantity,
                term=TermDuration(sub.term_duration),
                upgrade_targets=ids,
            )
        except DomainError as exc:
            errors = (exc,)
        options.append(
            TransitionOption(
                item,
                sku.title,
                sku.description,
                sub.quantity,
                TRANSITION_TYPE[UpgradeKind.FULL],
                errors,
                tuple(existing.get(item.upper(), ())),
            )
        )
    return options


@dataclass(frozen=True, slots=True)
class UpgradeRequest:
    to_catalog_item_id: str
    quantity: int
    to_subscription_id: uuid.UUID | None = None
    term: TermDuration | None = None
    plan: BillingPlan | None = None


def transition(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    request: UpgradeRequest,
) -> Transition:
    """Upgrade ``request.quantity`` seats of the subscription to the target offer now
    (rules.md §9f): checked by ``changes.check_upgrade`` (800012, 900267, only catalog
    upgrade targets, 1..all seats); the upgraded seats keep the source's term and end
    date. With ``to_subscription_id`` the seats move into that existing subscription
    (``upgrade_into``: 900258–900261, 900236, 900267/900268). To another term: not yet
    (refused)."""
    with stale_as_etag_mismatch():
        sub = queries.get(session, actor, customer_id, subscription_id)
        ensure_manages(actor, sub)
        now = clock.now()
        ensure_updatable(sub, now)
        customer = queries.customer_of(session, actor, customer_id)
        targets = {item.upper(): item for item, _ in _targets(session, sub, customer.country)}
        wanted = request.to_catalog_item_id.strip().upper()
        term = request.term or TermDuration(sub.term_duration)
        if request.to_subscription_id is not None:
            row = _into_existing(session, actor, sub, request, wanted, set(targets), now)
            kind = UpgradeKind.FULL if sub.quantity == 0 else UpgradeKind.PARTIAL
            before = sub.quantity + request.quantity
        else:
            plan = changes.check_upgrade(
                side(sub),
                wanted,
                quantity=request.quantity,
                term=term,
                upgrade_targets=set(targets),
            )
            if term is not TermDuration(sub.term_duration):
                raise UpgradeNotSupported(
                    description="Upgrading to another term isn't supported yet; upgrade on "
                    "the same term, or schedule it for renewal",
                )
            billing_plan = request.plan or BillingPlan(sub.billing_plan)
            before, kind = sub.quantity, plan.kind
            row = _perform(
                session, actor, sub, plan, targets[wanted], billing_plan, request.quantity, now
            )
        session.flush()
    audit.record(
        session,
        actor,
        "upgrade_subscription",
        "subscription",
        resource_id=sub.id,
        old={"offerId": row.from_catalog_item_id, "quantity": before},
        new={
            "offerId": row.to_catalog_item_id,
            "quantity": row.quantity,
            "kind": kind.value,
            "toSubscriptionId": str(row.to_subscription_id),
        },
        customer_id=sub.customer_id,
        partner_id=sub.organization_id,
    )
    return row


def _into_existing(
    session: Session,
    actor: Actor,
    sub: Subscription,
    request: UpgradeRequest,
    wanted: str,
    upgrade_targets: set[str],
    now: datetime,
) -> Transition:
    """Check and make an upgrade into ``request.to_subscription_id``, which the actor
    must see (404) and manage (403) like the source."""
    assert request.to_subscription_id is not None
    target = queries.get(session, actor, sub.customer_id, request.to_subscription_id)
    ensure_manages(actor, target)
    plan = upgrade_into.check_target(
        sub,
        target,
        wanted,
        quantity=request.quantity,
        term=request.term or TermDuration(sub.term_duration),
        upgrade_targets=upgrade_targets,
        window_open=upgrade_into.windows_open(session, [target], now)[target.id],
    )
    ensure_updatable(target, now)
    return upgrade_into.move_seats(
        session,
        actor,
        sub,
        target,
        plan,
        request.quantity,
        now,
        transition_type=TRANSITION_TYPE[plan.kind],
    )


def _perform(
    session: Session,
    actor: Actor,
    sub: Subscription,
    plan: UpgradePlan,
    target_item: str,
    billing_plan: BillingPlan,
    quantity: int,
    now: datetime,
) -> Transition:
    source_item = catalog_item_of(sub)
    price = pricing.unit_price(
        session,
        target_item,
        sub.market_id,
        sub.currency,
        TermDuration(sub.term_duration),
        billing_plan,
        at=now,
        quantity=quantity,
    )
    product_id, sku_id, availability_id = target_item.split(":")
    row = Transition(
        id=uuid.uuid4(),
        customer_id=sub.customer_id,
        from_subscription_id=sub.id,
        to_subscription_id=sub.id,
        from_catalog_item_id=source_item,
        to_catalog_item_id=target_item,
        quantity=quantity,
        transition_type=TRANSITION_TYPE[plan.kind],
        status=COMPLETED,
        created_at=now,
        completed_at=now,
    )
    details = {"transitionId": str(row.id), "from": source_item, "to": target_item}
    before = sub.quantity
    if plan.kind is UpgradeKind.FULL:
        sub.product_id, sub.sku_id, sub.availability_id = product_id, sku_id, availability_id
        sub.unit_price, sub.price_list_id = price.unit_price, price.price_list_id
        sub.billing_plan = billing_plan.value
    else:
        sub.quantity = before - quantity
        new = _coterminous_copy(sub, target_item, quantity, now)
        new.unit_price, new.price_list_id = price.unit_price, price.price_list_id
        new.billing_plan = billing_plan.value
        session.add(new)
        session.flush()
        row.to_subscription_id = new.id
        events.record(
            session,
            new,
            EventKind.CONVERT,
            at=now,
            actor_id=actor.user_id,
            quantity_before=0,
            details=details,
        )
    # No cancellation window after an upgrade; scheduled changes are removed (§9f).
    sub.cancellable_until = None
    if changes.clears_scheduled(ChangeEvent.UPGRADE):
        sub.scheduled_next_term = None
    sub.update_count += 1
    sub.updated_at = now
    session.add(row)
    events.record(
        session,
        sub,
        EventKind.UPGRADE,
        at=now,
        actor_id=actor.user_id,
        quantity_before=before,
        details=details,
    )
    return row


def _coterminous_copy(
    source: Subscription, target_item: str, quantity: int, now: datetime
) -> Subscription:
    """The second subscription of a partial upgrade: the moved seats on the target offer,
    from today to the source's end (coterminous, rules.md §9f), no cancellation window."""
    product_id, sku_id, availability_id = target_item.split(":")
    return Subscription(
        id=uuid.uuid4(),
        customer_id=source.customer_id,
        organization_id=source.organization_id,
        reseller_organization_id=source.reseller_organization_id,
        partner_id_on_record=source.partner_id_on_record,
        order_id=source.order_id,
        order_line_number=source.order_line_number,
        product_id=product_id,
        sku_id=sku_id,
        availability_id=availability_id,
        product_type=source.product_type,
        friendly_name=source.friendly_name,
        quantity=quantity,
        status=Status.ACTIVE.value,
        auto_renew=source.auto_renew,
        is_trial=False,
        term_duration=source.term_duration,
        billing_plan=source.billing_plan,
        market_id=source.market_id,
        currency=source.currency,
        billing_currency=source.billing_currency,
        unit_price=source.unit_price,
        price_list_id=source.price_list_id,
        term_number=1,
        term_start=now.date(),
        term_end=source.term_end,
        custom_term_end=source.term_end,
        cancellable_until=None,
        status_changed_at=now,
        scheduled_next_term=None,
        source_subscription_id=source.id,
        update_count=0,
        created_at=now,
        updated_at=now,
    )


def history(
    session: Session, actor: Actor, customer_id: uuid.UUID, subscription_id: uuid.UUID
) -> list[Transition]:
    """The upgrades from or into the subscription, oldest first
    (PC:developer/get-transitions.md)."""
    sub = queries.get(session, actor, customer_id, subscription_id)
    return queries.transitions_of(session, sub.id)
