"""Billing-frequency changes falling due (rules.md §9f: triennial billed monthly ↔ annual,
"scheduled, next cycle"; PC:create-a-new-subscription.md): a step of the ``renewals``
job, run before the term ends of the same run so a change due on a term's last cycle is
applied before that term renews.

A subscription whose ``next_billing_plan_from`` has come (00:00 UTC of that day) is
billed on ``next_billing_plan`` from then on: its ``billingCycle`` changes, the pending
change is cleared, and one ``changeBillingPlan`` event is written, effective at 00:00 UTC
of that day whatever time the job runs, keyed
``changeBillingPlan:{subscription}:{term}:{date}`` — so a re-run, or a concurrent worker,
changes nothing. Only active and suspended subscriptions are changed (both are billed,
rules.md §9e; suspension keeps next-charge instructions, §9d); a cancelled or expired one
keeps its pending change unapplied, as nothing is billed any more."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.subscriptions import events
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.lifecycle import AlreadyDone, after_cursor, handle_each, midnight
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status

BILLED = (Status.ACTIVE.value, Status.SUSPENDED.value)
CHANGED = "billing cycle changed"


def due_plan_changes(
    session: Session, *, today: date, after: tuple[date, uuid.UUID] | None, limit: int
) -> Sequence[Subscription]:
    """Billed subscriptions whose next-cycle plan takes effect on or before ``today``,
    earliest first."""
    return session.scalars(
        select(Subscription)
        .where(
            Subscription.status.in_(BILLED),
            Subscription.next_billing_plan.is_not(None),
            Subscription.next_billing_plan_from <= today,
            after_cursor(Subscription.next_billing_plan_from, after),
        )
        .order_by(Subscription.next_billing_plan_from, Subscription.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def apply_plan_change(session: Session, actor: Actor, sub: Subscription) -> str:
    """Bill ``sub`` on its next-cycle plan from the first day of that cycle."""
    effective, plan = sub.next_billing_plan_from, sub.next_billing_plan
    if effective is None or plan is None:  # removed since it was selected
        raise AlreadyDone()
    previous = sub.billing_plan
    sub.billing_plan = plan
    sub.next_billing_plan, sub.next_billing_plan_from = None, None
    sub.updated_at = clock.now()
    session.flush()
    recorded = events.record(
        session,
        sub,
        EventKind.CHANGE_BILLING_PLAN,
        at=midnight(effective),
        actor_id=None,
        quantity_before=sub.quantity,
        idempotency_key=f"{EventKind.CHANGE_BILLING_PLAN.value}:{sub.id}:{sub.term_number}:"
        f"{effective.isoformat()}",
        details={"change": "billingCycleChange", "previousBillingCycle": previous},
    )
    if recorded is None:
        raise AlreadyDone()
    audit.record(
        session,
        actor,
        "subscription.change_billing_cycle",
        "Subscription",
        resource_id=sub.id,
        old={"billingCycle": previous},
        new={"billingCycle": plan, "termNumber": sub.term_number},
        customer_id=sub.customer_id,
        partner_id=sub.organization_id,
        data={"effective": effective.isoformat()},
    )
    return CHANGED


def plan_changes_step(
    session: Session, actor: Actor, after: tuple[date, uuid.UUID] | None
) -> tuple[Counter[str], tuple[date, uuid.UUID] | None]:
    """One batch of billing-frequency changes due today."""
    today = clock.now().date()
    rows = due_plan_changes(session, today=today, after=after, limit=settings().job_batch_size)
    if not rows:
        return Counter(), None
    last = rows[-1]
    assert last.next_billing_plan_from is not None
    cursor = (last.next_billing_plan_from, last.id)
    counts = handle_each(session, rows, lambda sub: apply_plan_change(session, actor, sub))
    return counts, cursor
