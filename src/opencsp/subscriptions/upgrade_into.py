"""Upgrades into an existing subscription (``transitions`` with ``toSubscriptionId``,
PC:developer/transition-a-new-commerce-subscription.md, PC:developer/transition-resources.md;
rules.md §9f): ``quantity`` seats leave the source and join a subscription the customer
already has on the target offer.

The target must be active (900258), not the source (900259), on the requested catalog
item (900260), past its own cancellation window (900261), on the source's term (shorter
900267, otherwise 900268) and not end before the source (900236) —
``changes.check_upgrade``. It takes the seats within its seat range (2002) and a
small-business offer's pooled limit (800088).

- **The target**: quantity + n, the seats one new batch with no reduction window (no
  cancellation window after an upgrade, §9f), priced at the target's locked price for
  the rest of its term; its scheduled instructions go as with any quantity change; event
  ``moveQuantity`` (the NCE charge type of an upgrade into an existing subscription,
  file-formats.md §8e).
- **The source**: quantity − n with the unused part of the moved seats credited (prorated
  by day, ``rules.prorated_refund``, in the event's ``refund``), no cancellation window
  any more, scheduled changes removed; when every seat moves it ends (``deleted``, quantity
  0, auto-renew off). Event ``upgrade``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.catalog import queries as catalog
from opencsp.catalog.rules import TermDuration, check_seat_pool
from opencsp.core.actor import Actor
from opencsp.core.errors import DomainError
from opencsp.core.money import Currency
from opencsp.subscriptions import changes, events, queries, rules, seats
from opencsp.subscriptions.changes import ChangeEvent, UpgradePlan, UpgradeSide
from opencsp.subscriptions.errors import QuantityOutsideRange, TransitionTermInvalid
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import SeatBatch, Subscription, Transition
from opencsp.subscriptions.rules import Action, Status
from opencsp.subscriptions.scheduling import catalog_item_of


@dataclass(frozen=True, slots=True)
class TargetOption:
    """One of the customer's subscriptions on an upgrade's target offer, and why seats
    can't move into it now (``subscriptionEligibilities``, sample
    subscriptions-transition-eligibilities-nce)."""

    subscription_id: uuid.UUID
    friendly_name: str
    term_duration: str
    billing_cycle: str
    errors: tuple[DomainError, ...]

    @property
    def is_eligible(self) -> bool:
        return not self.errors


def side(sub: Subscription) -> UpgradeSide:
    return UpgradeSide(
        subscription_id=str(sub.id),
        catalog_item_id=catalog_item_of(sub),
        status=Status(sub.status),
        quantity=sub.quantity,
        term=TermDuration(sub.term_duration),
        end=sub.term_end,
        trial=sub.is_trial,
    )


def windows_open(
    session: Session, subs: list[Subscription], now: datetime
) -> dict[uuid.UUID, bool]:
    """Whether each subscription is still within its cancellation window (a target
    that is can't take an upgrade yet, 900261)."""
    starts = queries.window_starts(session, subs)
    out = {}
    for sub in subs:
        deadline = queries.cancellation_deadline(sub, starts[sub.id])
        out[sub.id] = deadline is not None and now <= deadline
    return out


def check_target(
    source: Subscription,
    target: Subscription,
    to_item: str,
    *,
    quantity: int,
    term: TermDuration,
    upgrade_targets: set[str],
    window_open: bool,
) -> UpgradePlan:
    """The documented checks of an upgrade into ``target`` (module docstring); a term
    asked for in the request must be the target's (900268)."""
    plan = changes.check_upgrade(
        side(source),
        to_item,
        quantity=quantity,
        term=term,
        upgrade_targets=upgrade_targets,
        target=side(target),
        target_window_open=window_open,
    )
    if term is not TermDuration(target.term_duration):
        raise TransitionTermInvalid()
    return plan


def target_options(
    session: Session,
    source: Subscription,
    items: list[str],
    upgrade_targets: set[str],
    now: datetime,
) -> dict[str, list[TargetOption]]:
    """For each upgrade target catalog item, the customer's subscriptions on it with the
    reasons each can't take all the source's seats now; two queries for all."""
    keys = [tuple(item.split(":")) for item in items]
    found = queries.upgrade_target_subscriptions(
        session, source, [(k[0], k[1], k[2]) for k in keys if len(k) == 3]
    )
    open_ = windows_open(session, found, now)
    out: dict[str, list[TargetOption]] = {item.upper(): [] for item in items}
    for target in found:
        item = catalog_item_of(target).upper()
        errors: tuple[DomainError, ...] = ()
        try:
            check_target(
                source,
                target,
                item,
                quantity=source.quantity,
                term=TermDuration(source.term_duration),
                upgrade_targets=upgrade_targets,
                window_open=open_[target.id],
            )
        except DomainError as exc:
            errors = (exc,)
        option = TargetOption(
            target.id, target.friendly_name, target.term_duration, target.billing_plan, errors
        )
        out.setdefault(item, []).append(option)
    return out


def move_seats(
    session: Session,
    actor: Actor,
    source: Subscription,
    target: Subscription,
    plan: UpgradePlan,
    quantity: int,
    now: datetime,
    *,
    transition_type: str,
) -> Transition:
    """Move ``quantity`` seats from ``source`` into ``target`` (module docstring)."""
    item = catalog_item_of(target)
    sku = catalog.get_sku(session, target.product_id, target.sku_id)
    if target.quantity + quantity > sku.max_quantity:
        raise QuantityOutsideRange(minimum=sku.min_quantity, maximum=sku.max_quantity)
    check_seat_pool(
        quantity, seats.pooled_seats(session, target), sku.max_quantity, catalog_item_id=item
    )
    row = Transition(
        id=uuid.uuid4(),
        customer_id=source.customer_id,
        from_subscription_id=source.id,
        to_subscription_id=target.id,
        from_catalog_item_id=catalog_item_of(source),
        to_catalog_item_id=item,
        quantity=quantity,
        transition_type=transition_type,
        status="completed",
        created_at=now,
        completed_at=now,
    )
    credit = rules.prorated_refund(
        source.unit_price,
        quantity,
        source.term_start,
        source.term_end,
        now.date(),
        currency=Currency.of(source.currency),
    )
    source_before, target_before = source.quantity, target.quantity
    _add_seats(session, target, quantity, now)
    _remove_seats(source, quantity, now)
    session.add(row)
    session.flush()
    details = {
        "transitionId": str(row.id),
        "from": row.from_catalog_item_id,
        "to": item,
        "fromSubscriptionId": str(source.id),
        "toSubscriptionId": str(target.id),
        "kind": plan.kind.value,
    }
    events.record(
        session,
        source,
        EventKind.UPGRADE,
        at=now,
        actor_id=actor.user_id,
        quantity_before=source_before,
        refund=credit,
        details=details,
    )
    events.record(
        session,
        target,
        EventKind.MOVE_QUANTITY,
        at=now,
        actor_id=actor.user_id,
        quantity_before=target_before,
        details=details,
    )
    audit.record(
        session,
        actor,
        "update_subscription",
        "subscription",
        resource_id=target.id,
        old={"quantity": target_before},
        new={"quantity": target.quantity, "transitionId": str(row.id)},
        customer_id=target.customer_id,
        partner_id=target.organization_id,
    )
    return row


def _add_seats(session: Session, target: Subscription, quantity: int, now: datetime) -> None:
    """The moved seats join the target as one batch whose reduction window closes at
    once: no window after an upgrade (rules.md §9f)."""
    session.add(
        SeatBatch(
            subscription_id=target.id,
            term_number=target.term_number,
            added=quantity,
            removed=0,
            added_at=now,
            allowed_until=now,
        )
    )
    target.quantity += quantity
    seats.clear_scheduled(target, ChangeEvent.QUANTITY_CHANGE)
    target.update_count += 1
    target.updated_at = now


def _remove_seats(source: Subscription, quantity: int, now: datetime) -> None:
    source.quantity -= quantity
    source.cancellable_until = None  # no cancellation window after an upgrade (§9f)
    seats.clear_scheduled(source, ChangeEvent.UPGRADE)
    if source.quantity == 0:
        effect = rules.effects(Action.CANCEL)
        source.status = rules.transition(Status(source.status), Action.CANCEL).value
        source.status_changed_at = now
        source.auto_renew = source.auto_renew and not effect.auto_renew_off
        source.scheduled_next_term = None
    source.update_count += 1
    source.updated_at = now
