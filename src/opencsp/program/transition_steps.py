"""The partner's steps of a transition to indirect reseller after the vendor's approval
(rules.md §2d, PC:transition-direct-to-indirect.md; the flow is described in
``program.transitions``):

- **accept the indirect reseller agreement** — in opencsp the partner agreement of its
  region (rules.md §1.6: one agreement for every CSP partner type, signed once per
  region; a direct-bill partner has normally signed it already, else it signs now);
- **choose a provider**: an active indirect provider of its region in good standing; the
  partnership between them is created or renewed, as accepting a provider's link does
  (``partners.partnerships``);
- **record each customer's consent** to move to that provider (the reseller relationship
  extension: the partner informs the customer and obtains consent first).

Once all three are done the transition is **scheduled** for the next calendar month.
Every step is audited and notified; services take the session first and never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.agreements import partner_agreement
from opencsp.agreements import queries as agreements
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.ids import new_id
from opencsp.customers.errors import CustomerNotFound
from opencsp.partners import queries as partners
from opencsp.partners import rules as partner_rules
from opencsp.partners import standing
from opencsp.partners.models import Partnership
from opencsp.partners.rules import PartnershipState
from opencsp.program import transition_queries as queries
from opencsp.program import transition_rules as rules
from opencsp.program.errors import (
    AgreementAlreadyAccepted,
    AgreementNotAccepted,
    ConsentDateInvalid,
    ProviderNotChosen,
    ProviderNotEligible,
)
from opencsp.program.models import TierTransition, TierTransitionCustomer
from opencsp.program.transition_rules import TransitionState
from opencsp.program.transitions import RESOURCE, ensure_global_admin, move, record, tell

# --- 3. agreement and provider ------------------------------------------------------------


def accept_agreement(session: Session, actor: Actor, transition_id: uuid.UUID) -> TierTransition:
    """The partner accepts the indirect reseller agreement: the partner agreement of its
    region, signed now if it has not been (``agreements.partner_agreement``)."""
    ensure_global_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("accept_agreement", TransitionState(transition.state))
    if transition.agreement_accepted_at is not None:
        raise AgreementAlreadyAccepted()
    region = partners.region_of(session, actor.organization_id)
    signed = region is not None and agreements.has_signed_partner_agreement(
        session, actor.organization_id, region
    )
    if not signed:
        partner_agreement.sign_partner_agreement(session, actor, None)
    now = clock.now()
    transition.agreement_accepted_at = now
    record(
        session,
        actor,
        "accept_reseller_agreement",
        transition,
        new={"region": region, "signedNow": not signed},
    )
    tell(session, transition, "agreement_accepted", now=now)
    maybe_schedule(session, actor, transition, now=now)
    return transition


def _ensure_provider(session: Session, reseller_id: uuid.UUID, provider: Organization) -> None:
    name = partners.partner_name(session, provider.id)
    if provider.tier != Tier.INDIRECT_PROVIDER.value:
        raise ProviderNotEligible(name=name, reason="it is not an indirect provider")
    enrollment = partners.enrollment_of(session, provider.id)
    if enrollment is None or enrollment.state != queries.ACTIVE:
        raise ProviderNotEligible(name=name, reason="its enrollment is not active")
    if standing.is_restricted(session, provider.id):
        raise ProviderNotEligible(name=name, reason="it is not in good standing")
    partner_rules.ensure_same_region(
        partners.region_of(session, provider.id), partners.region_of(session, reseller_id)
    )


def _partnership(
    session: Session, actor: Actor, provider_id: uuid.UUID, reseller_id: uuid.UUID, now: datetime
) -> Partnership:
    """The pair's partnership, active: reused, renewed, or created (one row per pair)."""
    row = partners.partnership_between(session, provider_id, reseller_id)
    if row is not None and row.state == PartnershipState.ACTIVE.value:
        return row
    row = row or Partnership(id=new_id(), provider_id=provider_id, reseller_id=reseller_id)
    row.state = PartnershipState.ACTIVE.value
    row.accepted_at, row.accepted_by = now, actor.user_id
    row.ended_at, row.ended_by = None, None
    session.add(row)
    session.flush()
    for side in (reseller_id, provider_id):
        audit.record(
            session,
            actor,
            "accept_partnership",
            "partner_relationship",
            resource_id=row.id,
            partner_id=side,
            new={"providerId": str(provider_id), "resellerId": str(reseller_id), "state": "active"},
            data={"cause": "tier_transition"},
        )
    return row


def choose_provider(
    session: Session, actor: Actor, transition_id: uuid.UUID, provider_id: uuid.UUID
) -> TierTransition:
    """The partner chooses its indirect provider (after accepting the agreement). Choosing
    another one later clears the consents recorded so far: customers consented to move
    to a named provider."""
    ensure_global_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("choose_provider", TransitionState(transition.state))
    if transition.agreement_accepted_at is None:
        raise AgreementNotAccepted()
    provider = session.get(Organization, provider_id)
    if provider is None or provider.id == actor.organization_id:
        raise ProviderNotEligible(name=str(provider_id), reason="it is not an indirect provider")
    _ensure_provider(session, actor.organization_id, provider)
    now = clock.now()
    previous = transition.provider_id
    if previous is not None and previous != provider.id:
        session.execute(
            delete(TierTransitionCustomer).where(
                TierTransitionCustomer.transition_id == transition.id
            )
        )
    _partnership(session, actor, provider.id, actor.organization_id, now)
    transition.provider_id, transition.provider_chosen_at = provider.id, now
    record(
        session,
        actor,
        "choose_indirect_provider",
        transition,
        old={"providerId": str(previous) if previous else None},
        new={"providerId": str(provider.id)},
    )
    tell(
        session,
        transition,
        "provider_chosen",
        key=f"provider_chosen:{provider.id}",
        now=now,
        params={"providerName": partners.partner_name(session, provider.id)},
        provider_too=True,
    )
    maybe_schedule(session, actor, transition, now=now)
    return transition


# --- 4. consent and the schedule ----------------------------------------------------------


def record_consent(
    session: Session,
    actor: Actor,
    transition_id: uuid.UUID,
    customer_id: uuid.UUID,
    *,
    consent_by: str | None,
    consented_at: datetime | None = None,
) -> TierTransitionCustomer:
    """The partner records that a customer consented to move to the chosen provider: who
    consented and when (not in the future). Recording it again replaces it."""
    ensure_global_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("record_consent", TransitionState(transition.state))
    if transition.provider_id is None:
        raise ProviderNotChosen()
    who = rules.clean_consent_by(consent_by)
    now = clock.now()
    when = clock.ensure_aware_utc(consented_at) if consented_at is not None else now
    if when > now:
        raise ConsentDateInvalid()
    moving = dict(queries.moving_customers(session, transition.organization_id))
    if customer_id not in moving:
        raise CustomerNotFound()
    row = session.get(TierTransitionCustomer, (transition.id, customer_id))
    old = {"consentBy": row.consent_by} if row is not None else None
    if row is None:
        row = TierTransitionCustomer(transition_id=transition.id, customer_id=customer_id)
        session.add(row)
    row.consent_by, row.consent_recorded_at = who, when
    session.flush()
    audit.record(
        session,
        actor,
        "record_transition_consent",
        RESOURCE,
        resource_id=transition.id,
        partner_id=transition.organization_id,
        customer_id=customer_id,
        customer_name=moving[customer_id],
        old=old,
        new={"consentBy": who, "consentedAt": when.isoformat(), "recordedAt": now.isoformat()},
    )
    maybe_schedule(session, actor, transition, now=now)
    return row


def maybe_schedule(
    session: Session, actor: Actor, transition: TierTransition, *, now: datetime
) -> bool:
    """An approved transition whose agreement is accepted, provider chosen and every
    customer consented is scheduled for the next calendar month; True when it was now."""
    if transition.state != TransitionState.APPROVED.value:
        return False
    ready = rules.is_ready(
        agreement_accepted=transition.agreement_accepted_at is not None,
        provider_chosen=transition.provider_id is not None,
        missing=queries.missing_consents(session, transition),
    )
    if not ready:
        return False
    period = rules.period_text(rules.effective_period_for(now.date()))
    transition.effective_period = period
    move(session, actor, transition, TransitionState.SCHEDULED, "schedule_tier_transition")
    tell(session, transition, "scheduled", now=now, provider_too=True)
    return True
