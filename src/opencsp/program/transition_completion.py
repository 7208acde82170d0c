"""The switch and the completion of a transition to indirect reseller (rules.md §2d), which
the job ``program.transitions`` and the vendor's "complete" action take
(``program.transition_jobs``).

- **Switch** (from the first instant of ``effective_period``): the organization becomes
  an indirect reseller. From then on it buys nothing (checkout refuses resellers,
  ``PurchaseNotAllowed``), changes no seats, sees no price lists and creates no customer
  tenants (rules.md §1.4): it has lost its direct API commerce rights. So no purchase or
  seat change of the partner can fall in the month the provider pays for.
- **Completion** (once the bill run has closed ``effective_period`` − 1, the last month
  billed to the partner directly), in one unit of work: each customer the partner holds
  directly gets the provider relationship (role ``provider``) and the partner's becomes
  ``reseller`` through that provider; each of their subscriptions billed to the partner
  with seats (active, suspended, pending) gets the provider as ``organization_id`` (the
  bill-to the bill run reads when it writes a month's lines), the partner as reseller of
  record and its location partner ID as ``partnerIdOnRecord`` — same id, term, price,
  status and renewals — and a ``transfer`` event; the reseller enrollment is active; a
  restriction of its direct-bill status is lifted (it is no longer direct-bill).

Every line accruing before ``effective_period`` was written (to the partner) by the
closed bill runs; every later one is written after completion, to the provider; a line is
written once (``uq_charges_tier_key``). When the bill run closed later months before the
completion ran, those stay the partner's and the provider starts with the first open
month (``transition_rules.switch_period``). Re-running changes nothing: a completed
transition is final."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.billing import run as bill_run
from opencsp.billing.models import BillingPeriod
from opencsp.core.actor import Actor, Tier
from opencsp.core.ids import new_id
from opencsp.customers.models import CustomerRelationship
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.partners.models import Enrollment
from opencsp.program import transition_queries as queries
from opencsp.program import transition_rules as rules
from opencsp.program.errors import CustomersWithoutConsent, LastDirectMonthOpen
from opencsp.program.models import TierTransition, TierTransitionCustomer
from opencsp.program.transition_rules import TransitionState
from opencsp.program.transitions import record, tell
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

PROVIDER, RESELLER = "provider", "reseller"
SOURCE = "extension"
"""``source`` of a relationship made by the reseller relationship extension (rules.md §2d)."""


@dataclass(frozen=True)
class Completed:
    transition: TierTransition
    customers: int
    subscriptions: int


# --- the switch ---------------------------------------------------------------------------


def switch(session: Session, actor: Actor, transition: TierTransition, *, now: datetime) -> bool:
    """From the start of ``effective_period`` the partner is an indirect reseller; True
    when it switched now (False before its month)."""
    rules.ensure_step("switch", TransitionState(transition.state))
    assert transition.effective_period is not None
    if now.date() < rules.parse_period(transition.effective_period):
        return False
    org = session.get(Organization, transition.organization_id, with_for_update=True)
    assert org is not None
    old_tier = org.tier
    org.tier = Tier.INDIRECT_RESELLER.value
    transition.state = TransitionState.SWITCHING.value
    record(
        session,
        actor,
        "switch_tier_transition",
        transition,
        old={"state": TransitionState.SCHEDULED.value, "tier": old_tier},
        new={"tier": org.tier, "effectivePeriod": transition.effective_period},
    )
    audit.record(
        session,
        actor,
        "change_partner_tier",
        "organization",
        resource_id=org.id,
        partner_id=org.id,
        old={"tier": old_tier},
        new={"tier": org.tier},
        data={"transitionId": str(transition.id)},
    )
    tell(session, transition, "switched", now=now, provider_too=True)
    return True


# --- completion ---------------------------------------------------------------------------


def _closing_from(session: Session, period: date) -> bool:
    """A bill run of ``period`` or later is under way (its lines may be half written)."""
    found = session.scalar(
        select(BillingPeriod.period)
        .where(BillingPeriod.status == "closing", BillingPeriod.period >= period)
        .limit(1)
    )
    return found is not None


def complete(
    session: Session, actor: Actor, transition: TierTransition, *, now: datetime
) -> Completed:
    """Move the customers and subscriptions (module docstring); raises
    ``LastDirectMonthOpen`` before the bill run has closed the last direct month and
    ``CustomersWithoutConsent`` while a customer's consent is missing."""
    rules.ensure_step("complete", TransitionState(transition.state))
    assert transition.effective_period is not None and transition.provider_id is not None
    scheduled = rules.parse_period(transition.effective_period)
    period = rules.switch_period(scheduled, bill_run.latest_closed(session))
    if period is None or _closing_from(session, period):
        raise LastDirectMonthOpen(period=rules.period_text(rules.previous_month(scheduled)))
    missing = queries.missing_consents(session, transition)
    if missing:
        raise CustomersWithoutConsent(
            count=len(missing), names=", ".join(name for _, name in missing)
        )
    org_id, provider_id = transition.organization_id, transition.provider_id
    customers = [cid for cid, _ in queries.moving_customers(session, org_id)]
    _move_relationships(session, org_id, provider_id, customers, now)
    moved = _move_subscriptions(session, actor, transition, customers, now)
    session.execute(
        update(TierTransitionCustomer)
        .where(
            TierTransitionCustomer.transition_id == transition.id,
            TierTransitionCustomer.customer_id.in_(customers),
        )
        .values(moved_at=now)
        .execution_options(synchronize_session=False)
    )
    _ensure_reseller_enrollment(session, actor, org_id, now)
    _lift_restriction(session, actor, org_id, now)
    transition.effective_period = rules.period_text(period)
    transition.completed_at = now
    transition.state = TransitionState.COMPLETED.value
    transition.open_key = None
    record(
        session,
        actor,
        "complete_tier_transition",
        transition,
        old={"state": TransitionState.SWITCHING.value},
        new={
            "providerId": str(provider_id),
            "effectivePeriod": transition.effective_period,
            "scheduledPeriod": rules.period_text(scheduled),
            "customers": len(customers),
            "subscriptions": moved,
        },
    )
    tell(
        session,
        transition,
        "completed",
        now=now,
        params={"customers": len(customers), "subscriptions": moved},
        provider_too=True,
    )
    return Completed(transition, len(customers), moved)


def _move_relationships(
    session: Session,
    org_id: uuid.UUID,
    provider_id: uuid.UUID,
    customers: list[uuid.UUID],
    now: datetime,
) -> None:
    """The partner's ``direct`` rows become ``reseller`` through the provider; the
    provider's rows are made (or renewed) as ``provider`` — rules.md §6.5: both hold the
    relationship."""
    if not customers:
        return
    r = CustomerRelationship
    session.execute(
        update(r)
        .where(
            r.partner_id == org_id,
            r.customer_id.in_(customers),
            r.role == queries.DIRECT,
            r.state == queries.ACTIVE,
        )
        .values(role=RESELLER, provider_id=provider_id)
        .execution_options(synchronize_session="fetch")
    )
    held = set(
        session.scalars(
            select(r.customer_id).where(r.partner_id == provider_id, r.customer_id.in_(customers))
        )
    )
    if held:
        session.execute(
            update(r)
            .where(r.partner_id == provider_id, r.customer_id.in_(held))
            .values(role=PROVIDER, provider_id=None, state=queries.ACTIVE, ended_at=None)
            .execution_options(synchronize_session="fetch")
        )
    session.add_all(
        r(
            id=new_id(),
            customer_id=cid,
            partner_id=provider_id,
            role=PROVIDER,
            provider_id=None,
            state=queries.ACTIVE,
            source=SOURCE,
            created_at=now,
        )
        for cid in customers
        if cid not in held
    )
    session.flush()


def _move_subscriptions(
    session: Session,
    actor: Actor,
    transition: TierTransition,
    customers: list[uuid.UUID],
    now: datetime,
) -> int:
    """Bill-to → the provider, reseller of record → the partner, set-based; one
    ``transfer`` event per subscription (no charge: ``billing.history`` prices nothing
    for it)."""
    if not customers:
        return 0
    s = Subscription
    org_id, provider_id = transition.organization_id, transition.provider_id
    assert provider_id is not None
    location = partners.location_partner_id(session, org_id)
    mpn = str(location.mpn_id) if location is not None else None
    wanted = (
        s.organization_id == org_id,
        s.customer_id.in_(customers),
        s.status.in_(queries.MOVED_STATUSES),
    )
    subs = session.scalars(select(s).where(*wanted).order_by(s.id)).all()
    if not subs:
        return 0
    ids = [sub.id for sub in subs]
    last = dict(
        session.execute(
            select(SubscriptionEvent.subscription_id, func.max(SubscriptionEvent.sequence))
            .where(SubscriptionEvent.subscription_id.in_(ids))
            .group_by(SubscriptionEvent.subscription_id)
        ).all()
    )
    session.execute(
        update(s)
        .where(s.id.in_(ids))
        .values(
            organization_id=provider_id,
            reseller_organization_id=org_id,
            partner_id_on_record=mpn,
            updated_at=now,
            version=s.version + 1,
        )
        .execution_options(synchronize_session="fetch")
    )
    details = {
        "transitionId": str(transition.id),
        "fromOrganizationId": str(org_id),
        "toOrganizationId": str(provider_id),
        "partnerIdOnRecord": mpn,
    }
    session.add_all(
        SubscriptionEvent(
            subscription_id=sub.id,
            sequence=int(last.get(sub.id) or 0) + 1,
            kind=EventKind.TRANSFER.value,
            at=now,
            term_number=sub.term_number,
            term_start=sub.term_start,
            term_end=sub.term_end,
            term_duration=sub.term_duration,
            billing_plan=sub.billing_plan,
            status_after=sub.status,
            quantity_before=sub.quantity,
            quantity_after=sub.quantity,
            unit_price=sub.unit_price,
            currency=sub.currency,
            refund=None,
            idempotency_key=f"transfer:{sub.id}:{transition.id}",
            actor_id=actor.user_id,
            details=details,
        )
        for sub in subs
    )
    session.flush()
    for sub in subs:
        audit.record(
            session,
            actor,
            "transfer_subscription",
            "subscription",
            resource_id=sub.id,
            partner_id=org_id,
            customer_id=sub.customer_id,
            old={"organizationId": str(org_id)},
            new={"organizationId": str(provider_id), "resellerOrganizationId": str(org_id)},
            data={"TransitionId": transition.id},
        )
    return len(subs)


def _ensure_reseller_enrollment(
    session: Session, actor: Actor, org_id: uuid.UUID, now: datetime
) -> None:
    """The organization's indirect reseller enrollment (on the same tenant) is active."""
    enrollment = partners.enrollment_of(session, org_id)
    if enrollment is not None and enrollment.state == queries.ACTIVE:
        return
    location = partners.location_partner_id(session, org_id)
    if enrollment is None:
        enrollment = Enrollment(
            id=new_id(),
            organization_id=org_id,
            program=partners.RESELLER_PROGRAM,
            submitted_at=now,
        )
        session.add(enrollment)
    old_state = enrollment.state
    enrollment.state = queries.ACTIVE
    enrollment.location_mpn_id = location.mpn_id if location is not None else None
    enrollment.decided_at, enrollment.decided_by = now, actor.user_id
    session.flush()
    audit.record(
        session,
        actor,
        "approve_enrollment",
        "enrollment",
        resource_id=enrollment.id,
        partner_id=org_id,
        old={"state": old_state},
        new={"state": queries.ACTIVE, "cause": "tier_transition"},
    )


def _lift_restriction(session: Session, actor: Actor, org_id: uuid.UUID, now: datetime) -> None:
    """A restriction of the direct-bill status (rules.md §2c) ends with that status."""
    row = standing.standing_of(session, org_id)
    if row is not None and row.status == standing.RESTRICTED:
        standing.lift(
            session,
            actor,
            org_id,
            reason="The partner transitioned from direct bill to indirect reseller",
            now=now,
        )
