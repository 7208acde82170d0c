"""Status changes of a subscription through the lifecycle table (``rules.TRANSITIONS``):
suspend, reactivate and cancel (rules.md §9c–9e). Called by ``service.update``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from opencsp.catalog.rules import ProductType
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.money import Currency
from opencsp.subscriptions import events, queries, rules, windows
from opencsp.subscriptions.errors import StatusNotChangeable
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Action, Status


def move(session: Session, actor: Actor, sub: Subscription, target: Status, now: datetime) -> None:
    """Suspend (auto-renew off, scheduled changes removed) or reactivate (auto-renew
    stays off until turned on, rules.md §9d)."""
    action = Action.SUSPEND if target is Status.SUSPENDED else Action.REACTIVATE
    new_status = rules.transition(Status(sub.status), action)
    if new_status is not target:
        raise StatusNotChangeable()
    effect = rules.effects(action)
    if effect.auto_renew_off:
        sub.auto_renew = False
    if effect.clear_scheduled:
        sub.scheduled_next_term = None
    sub.status = new_status.value
    sub.status_changed_at = now
    kind = EventKind.SUSPEND if action is Action.SUSPEND else EventKind.REACTIVATE
    events.record(session, sub, kind, at=now, actor_id=actor.user_id, quantity_before=sub.quantity)


def cancel(session: Session, actor: Actor, sub: Subscription, now: datetime) -> None:
    """Cancel within the window after purchase or renewal with a prorated refund of the
    unused term (rules.md §9c; none after an upgrade, §9f): the subscription is deleted at
    once, auto-renew off and scheduled changes removed (``rules.effects``)."""
    new_status = rules.transition(Status(sub.status), Action.CANCEL)
    cfg = settings()
    started = queries.window_starts(session, [sub])[sub.id]
    windows.ensure_cancellation_allowed(
        started,
        now,
        window_days=cfg.cancellation_window_days,
        product_type=ProductType(sub.product_type),
        upgraded=sub.cancellable_until is None,
        perpetual_days=cfg.perpetual_refund_days,
    )
    refund = rules.prorated_refund(
        sub.unit_price,
        sub.quantity,
        sub.term_start,
        sub.term_end,
        now.date(),
        currency=Currency.of(sub.currency),
    )
    effect = rules.effects(Action.CANCEL)
    if effect.auto_renew_off:
        sub.auto_renew = False
    if effect.clear_scheduled:
        sub.scheduled_next_term = None
    sub.status = new_status.value
    sub.status_changed_at = now
    events.record(
        session,
        sub,
        EventKind.CANCEL,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        refund=refund,
    )
