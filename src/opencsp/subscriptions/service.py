"""Changing a subscription the actor manages (``PATCH /customers/{id}/subscriptions/{sid}``,
PC:developer/update-a-subscription-by-id.md): seats, status (suspend, reactivate,
cancel), auto-renew, friendly name, scheduled next-term instructions, and midterm term and
billing-frequency changes (``term_changes``, rules.md §9f matrix).

Each update names the version it read (``If-Match`` / ``attributes.etag``; stale: 2055),
counts toward the 1,200-update ceiling (900311), is refused while a renewal is pending
(409, 800082), records one history event per change with ``events.record`` (which
enqueues provisioning) and one audit record. Only the partner the subscription is billed
to changes it; its reseller of record reads it (403). Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from opencsp import audit
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import EtagMismatch
from opencsp.subscriptions import (
    changes,
    events,
    queries,
    rules,
    scheduling,
    seats,
    statuses,
    term_changes,
    windows,
)
from opencsp.subscriptions.changes import ChangeEvent, ScheduledInstructions
from opencsp.subscriptions.errors import (
    BillingCycleNotChangeable,
    PartnerOnRecordNotChangeable,
    QuantityWhileSuspending,
    ReadOnlyForReseller,
    StatusNotChangeable,
    SubscriptionDeleted,
    SubscriptionNotActivated,
)
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status

CHANGEABLE_STATUSES = frozenset({Status.ACTIVE, Status.SUSPENDED, Status.DELETED})
"""The statuses a PATCH may ask for: reactivate, suspend, cancel (rules.md §9d–9e)."""


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """What a caller wants to be different; None leaves a field as it is.
    ``clear_scheduled_next_term`` removes the scheduled instructions. ``term_duration``
    and ``billing_cycle`` are what the subscription should be (a different value asks for
    a midterm change, ``term_changes.decide``); ``next_billing_cycle`` is
    ``nextChargeInstructions``' plan and ``clear_next_billing_cycle`` its explicit removal.
    ``partner_id`` can't change (``ensure_partner_kept``)."""

    quantity: int | None = None
    status: Status | None = None
    auto_renew: bool | None = None
    friendly_name: str | None = None
    scheduled_next_term: ScheduledInstructions | None = None
    clear_scheduled_next_term: bool = False
    term_duration: TermDuration | None = None
    billing_cycle: BillingPlan | None = None
    partner_id: str | None = None
    next_billing_cycle: BillingPlan | None = None
    clear_next_billing_cycle: bool = False


@contextmanager
def stale_as_etag_mismatch() -> Iterator[None]:
    """The one place a lost optimistic-concurrency race becomes 2055: another request
    changed the row after this one read it, so the ``version`` the UPDATE names is gone
    (``version_id_col``; PC:developer/headers.md)."""
    try:
        yield
    except StaleDataError as exc:
        raise EtagMismatch() from exc


def ensure_manages(actor: Actor, sub: Subscription) -> None:
    """The partner billed for the subscription manages it; the reseller of record only
    reads it (rules.md §1, §6.4)."""
    if not actor.is_vendor and sub.organization_id != actor.organization_id:
        raise ReadOnlyForReseller()


def ensure_version(sub: Subscription, if_match: int | None) -> None:
    """The caller read the current version (2055 otherwise); no ETag, no check, as
    Partner Center ("an If-Match ETag is sometimes required", rules.md §9d)."""
    if if_match is not None and if_match != sub.version:
        raise EtagMismatch()


def ensure_updatable(sub: Subscription, now: datetime) -> None:
    """Refuse any change to a deleted (2011) or not yet provisioned (800081)
    subscription, past the update ceiling (900311) or while its renewal is pending (409)."""
    status = Status(sub.status)
    if status is Status.DELETED:
        raise SubscriptionDeleted(subscription_id=sub.id)
    if status is Status.PENDING:
        raise SubscriptionNotActivated()
    windows.check_update_count(sub.update_count)
    windows.ensure_not_pending_renewal(
        now, sub.term_end, term_end_processed=not rules.is_billed(status)
    )


def ensure_partner_kept(sub: Subscription, change: SubscriptionChange) -> None:
    """The partner of record can't change (800098)."""
    if change.partner_id is not None and change.partner_id.strip() != (
        sub.partner_id_on_record or ""
    ):
        raise PartnerOnRecordNotChangeable()


def plan_decision(sub: Subscription, change: SubscriptionChange) -> term_changes.PlanDecision:
    """What ``change`` asks of the term and billing plan (``term_changes.decide``)."""
    return term_changes.decide(
        sub,
        term=change.term_duration,
        plan=change.billing_cycle,
        next_plan=change.next_billing_cycle,
        clear_next=change.clear_next_billing_cycle,
    )


def snapshot(sub: Subscription) -> dict[str, Any]:
    return {
        "quantity": sub.quantity,
        "status": sub.status,
        "autoRenewEnabled": sub.auto_renew,
        "friendlyName": sub.friendly_name,
        "scheduledNextTermInstructions": sub.scheduled_next_term,
        "termDuration": sub.term_duration,
        "billingCycle": sub.billing_plan,
        "commitmentEndDate": sub.term_end.isoformat(),
        "nextChargeBillingCycle": sub.next_billing_plan,
    }


def update(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    change: SubscriptionChange,
    *,
    if_match: int | None,
) -> Subscription:
    """Apply ``change`` to the subscription and return it. Fields equal to the stored ones
    are no change; a request changing nothing changes nothing (no event, no count).
    Cancelling (``deleted``) ignores the other fields; suspending turns auto-renew off
    whatever the body says (rules.md §9d). A term or billing-cycle change is made first,
    so seats, auto-renew and scheduled instructions sent with it apply to the new term;
    with a suspension or reactivation it is refused (800097: one, then the other)."""
    with stale_as_etag_mismatch():
        sub = queries.get(session, actor, customer_id, subscription_id)
        ensure_manages(actor, sub)
        ensure_version(sub, if_match)
        ensure_partner_kept(sub, change)
        plan = plan_decision(sub, change)
        wanted = _differences(sub, change)
        if wanted == SubscriptionChange() and not plan.is_change:
            return sub
        now = clock.now()
        ensure_updatable(sub, now)
        old = snapshot(sub)
        if plan.is_change and wanted.status is not Status.DELETED:
            if wanted.status is not None:
                raise BillingCycleNotChangeable(
                    description="Change the status and the term or billing cycle in "
                    "separate updates"
                )
            term_changes.apply(session, actor, sub, plan, now)
        _apply(session, actor, sub, wanted, now)
        sub.update_count += 1
        sub.updated_at = now
        session.flush()
    audit.record(
        session,
        actor,
        "update_subscription",
        "subscription",
        resource_id=sub.id,
        old=old,
        new=snapshot(sub),
        customer_id=sub.customer_id,
        partner_id=sub.organization_id,
    )
    return sub


def _differences(sub: Subscription, change: SubscriptionChange) -> SubscriptionChange:
    stored = scheduling.from_json(sub.scheduled_next_term)
    scheduled = change.scheduled_next_term
    return SubscriptionChange(
        quantity=change.quantity if change.quantity not in (None, sub.quantity) else None,
        status=change.status if change.status not in (None, Status(sub.status)) else None,
        auto_renew=change.auto_renew if change.auto_renew not in (None, sub.auto_renew) else None,
        friendly_name=(
            change.friendly_name if change.friendly_name not in (None, sub.friendly_name) else None
        ),
        scheduled_next_term=scheduled if scheduled not in (None, stored) else None,
        clear_scheduled_next_term=change.clear_scheduled_next_term and stored is not None,
    )


def _apply(
    session: Session, actor: Actor, sub: Subscription, wanted: SubscriptionChange, now: datetime
) -> None:
    if wanted.status is not None:
        changes.ensure_not_trial(is_trial=sub.is_trial, changing="status")
        if wanted.status not in CHANGEABLE_STATUSES:
            raise StatusNotChangeable()
        if wanted.status is Status.DELETED:
            statuses.cancel(session, actor, sub, now)
            return
        if wanted.status is Status.SUSPENDED and wanted.quantity is not None:
            raise QuantityWhileSuspending()
        statuses.move(session, actor, sub, wanted.status, now)
    if wanted.quantity is not None:
        seats.change_quantity(session, actor, sub, wanted.quantity, now)
    if wanted.auto_renew is not None and wanted.status is not Status.SUSPENDED:
        _set_auto_renew(session, actor, sub, wanted.auto_renew, now)
    if wanted.friendly_name is not None:
        quantity = sub.quantity
        sub.friendly_name = wanted.friendly_name.strip()
        events.record(
            session, sub, EventKind.RENAME, at=now, actor_id=actor.user_id, quantity_before=quantity
        )
    if wanted.scheduled_next_term is not None:
        ins = scheduling.check(session, sub, wanted.scheduled_next_term)
        _set_scheduled(session, actor, sub, scheduling.to_json(ins), now)
    elif wanted.clear_scheduled_next_term and sub.scheduled_next_term is not None:
        _set_scheduled(session, actor, sub, None, now)


def _set_auto_renew(
    session: Session, actor: Actor, sub: Subscription, on: bool, now: datetime
) -> None:
    """Auto-renew on or off on an active subscription; off removes scheduled changes
    (rules.md §9d, §9f)."""
    seats.ensure_active(sub)
    sub.auto_renew = on
    if not on:
        seats.clear_scheduled(sub, ChangeEvent.AUTO_RENEW_OFF)
    events.record(
        session,
        sub,
        EventKind.AUTO_RENEW,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        details={"autoRenewEnabled": on},
    )


def _set_scheduled(
    session: Session,
    actor: Actor,
    sub: Subscription,
    instructions: dict[str, Any] | None,
    now: datetime,
) -> None:
    sub.scheduled_next_term = instructions
    events.record(
        session,
        sub,
        EventKind.SCHEDULE,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        details={"scheduledNextTermInstructions": instructions},
    )


# --- one change each (console, CLI, demo) ----------------------------------------------------


def change_quantity(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    quantity: int,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(quantity=quantity),
        if_match=if_match,
    )


def suspend(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(status=Status.SUSPENDED),
        if_match=if_match,
    )


def reactivate(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(status=Status.ACTIVE),
        if_match=if_match,
    )


def cancel(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(status=Status.DELETED),
        if_match=if_match,
    )


def set_auto_renew(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    on: bool,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(auto_renew=on),
        if_match=if_match,
    )


def rename(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    friendly_name: str,
    *,
    if_match: int | None = None,
) -> Subscription:
    return update(
        session,
        actor,
        customer_id,
        subscription_id,
        SubscriptionChange(friendly_name=friendly_name),
        if_match=if_match,
    )


def schedule_next_term(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    instructions: ScheduledInstructions | None,
    *,
    if_match: int | None = None,
) -> Subscription:
    """Set the next term's instructions, or remove them with None."""
    change = (
        SubscriptionChange(scheduled_next_term=instructions)
        if instructions is not None
        else SubscriptionChange(clear_scheduled_next_term=True)
    )
    return update(session, actor, customer_id, subscription_id, change, if_match=if_match)
