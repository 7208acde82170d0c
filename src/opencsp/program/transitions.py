"""A direct-bill partner steps back to indirect reseller (rules.md §2d,
PC:transition-direct-to-indirect.md): the request and the vendor's decision (here), the
partner's steps up to the schedule (``program.transition_steps``), the switch and the move
of customers and subscriptions (``program.transition_completion``); the state machine and
dates are ``program.transition_rules``.

1. The partner's Global admin **requests** it: it enrolls as indirect reseller on the same
   tenant (the one exception to "two tiers, two tenants", rules.md §1.7). One open
   transition per organization; refused for a partner that is not direct-bill, has an
   open direct-bill application, is deauthorized, or has no active enrollment or location
   partner ID (rules.md §3.2). ``approve_by`` = five business days later.
2. The vendor's Program admin **approves** or **rejects** with a reason.
3. The partner **accepts the indirect reseller agreement** — in opencsp the partner
   agreement of its region (rules.md §1.6: one agreement for every CSP partner type, once
   per region; a direct-bill partner has normally signed it already, else it signs now) —
   then **chooses a provider**: an active indirect provider of its region in good
   standing; the partnership between them is created or renewed, as accepting a
   provider's link does (``partners.partnerships``).
4. It **records each customer's consent** to move to the provider (the reseller
   relationship extension: inform the customer and obtain consent first). Once the
   agreement is accepted, the provider chosen and every customer consented, the
   transition is **scheduled** for the next calendar month.

The partner may withdraw until the switch. Every step is audited and notified to the
partner (and to the provider once chosen; a request to the vendor's Program admins).
Services take the session first and never commit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.notifications.service import notify
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.program import transition_queries as queries
from opencsp.program import transition_rules as rules
from opencsp.program.errors import (
    TransitionAlreadyOpen,
    TransitionBlocked,
    TransitionNeedsGlobalAdmin,
    TransitionNotDirectBill,
)
from opencsp.program.models import DirectBillApplication, TierTransition
from opencsp.program.transition_rules import TransitionState

RESOURCE = "tier_transition"


def has_transitioned(session: Session, organization_id: uuid.UUID) -> bool:
    """The organization completed a transition from direct bill to indirect reseller: to
    be direct-bill again it needs a new tenant (rules.md §2d)."""
    return queries.has_completed(session, organization_id)


def ensure_global_admin(actor: Actor) -> None:
    if actor.is_vendor or Role.GLOBAL_ADMIN.value not in actor.roles:
        raise TransitionNeedsGlobalAdmin()


def ensure_program_admin(actor: Actor) -> None:
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()


def tell(
    session: Session,
    transition: TierTransition,
    step: str,
    *,
    now: datetime,
    params: dict[str, object] | None = None,
    provider_too: bool = False,
    key: str | None = None,
) -> None:
    """Notify the partner of a step (and the provider, once chosen and when asked), once
    per transition and step (``key`` tells apart repeats of a step)."""
    key = f"transition:{transition.id}:{key or step}"
    body: dict[str, object] = {
        "transitionId": str(transition.id),
        "state": transition.state,
        "approveBy": transition.approve_by.isoformat(),
        "effectivePeriod": transition.effective_period,
        **(params or {}),
    }
    notify(
        session,
        transition.organization_id,
        kind=f"transition_{step}",
        key=key,
        params=body,
        now=now,
    )
    if provider_too and transition.provider_id is not None:
        notify(
            session,
            transition.provider_id,
            kind=f"transition_{step}",
            key=f"{key}:provider",
            params={**body, "partnerId": str(transition.organization_id)},
            now=now,
        )


def record(
    session: Session,
    actor: Actor,
    operation: str,
    transition: TierTransition,
    *,
    old: dict[str, object] | None = None,
    new: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        actor,
        operation,
        RESOURCE,
        resource_id=transition.id,
        partner_id=transition.organization_id,
        old=old,
        new={"state": transition.state, **(new or {})},
    )


def move(
    session: Session, actor: Actor, transition: TierTransition, target: TransitionState, op: str
) -> TransitionState:
    current = TransitionState(transition.state)
    rules.ensure_move(current, target)
    transition.state = target.value
    if not rules.is_open(target):
        transition.open_key = None
    record(session, actor, op, transition, old={"state": current.value})
    return current


# --- 1. the request -----------------------------------------------------------------------


def _ensure_may_request(session: Session, org: Organization) -> None:
    if org.tier != Tier.DIRECT_BILL.value:
        raise TransitionNotDirectBill()
    found = queries.open_transition_of(session, org.id)
    if found is not None:
        raise TransitionAlreadyOpen(transition_id=str(found.id))
    application = session.scalar(
        select(DirectBillApplication.id)
        .where(DirectBillApplication.open_key == str(org.id))
        .limit(1)
    )
    if application is not None:
        raise TransitionBlocked(reason="a direct-bill application is open; withdraw it first")
    row = standing.standing_of(session, org.id)
    if row is not None and row.status == standing.DEAUTHORIZED:
        raise TransitionBlocked(reason="the partner is deauthorized (rules.md §3.4)")
    enrollment = partners.enrollment_of(session, org.id)
    if enrollment is not None and enrollment.state != queries.ACTIVE:
        raise TransitionBlocked(reason="the partner's enrollment is not active")
    if partners.location_partner_id(session, org.id) is None:
        raise TransitionBlocked(
            reason="an indirect reseller needs an active partner ID of type Location in its "
            "country (rules.md §3.2)"
        )


def request_transition(session: Session, actor: Actor) -> TierTransition:
    """The partner's Global admin asks to become an indirect reseller on its own tenant."""
    ensure_global_admin(actor)
    org = session.get(Organization, actor.organization_id, with_for_update=True)
    assert org is not None
    _ensure_may_request(session, org)
    now = clock.now()
    transition = TierTransition(
        id=new_id(),
        organization_id=org.id,
        open_key=str(org.id),
        state=TransitionState.REQUESTED.value,
        requested_at=now,
        requested_by=actor.user_id,
        approve_by=rules.approve_by(now.date()),
    )
    try:
        with session.begin_nested():
            session.add(transition)
            session.flush()
    except IntegrityError:  # a concurrent request took the open slot
        found = queries.open_transition_of(session, org.id)
        raise TransitionAlreadyOpen(transition_id=str(found.id if found else "")) from None
    record(
        session,
        actor,
        "request_tier_transition",
        transition,
        new={"approveBy": transition.approve_by.isoformat(), "tier": Tier.INDIRECT_RESELLER},
    )
    tell(session, transition, "requested", now=now)
    vendor = auth_service.vendor_organization(session)
    if vendor is not None:
        notify(
            session,
            vendor.id,
            kind="transition_review",
            key=f"transition:{transition.id}:review",
            params={
                "transitionId": str(transition.id),
                "partnerId": str(org.id),
                "partnerName": partners.partner_name(session, org.id),
                "approveBy": transition.approve_by.isoformat(),
            },
            now=now,
            roles=(Role.PROGRAM_ADMIN,),
        )
    return transition


# --- 2. the vendor's decision -------------------------------------------------------------


def approve(session: Session, actor: Actor, transition_id: uuid.UUID) -> TierTransition:
    """The vendor approves the reseller enrollment on the same tenant."""
    ensure_program_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("approve", TransitionState(transition.state))
    now = clock.now()
    transition.approved_at, transition.approved_by = now, actor.user_id
    move(session, actor, transition, TransitionState.APPROVED, "approve_tier_transition")
    tell(session, transition, "approved", now=now)
    return transition


def reject(
    session: Session, actor: Actor, transition_id: uuid.UUID, reason: str | None
) -> TierTransition:
    """The vendor rejects it, saying why; the partner stays direct-bill."""
    ensure_program_admin(actor)
    text = rules.clean_reason(reason)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("reject", TransitionState(transition.state))
    transition.reason = text
    move(session, actor, transition, TransitionState.REJECTED, "reject_tier_transition")
    tell(session, transition, "rejected", now=clock.now(), params={"reason": text})
    return transition


def withdraw(session: Session, actor: Actor, transition_id: uuid.UUID) -> TierTransition:
    """The partner gives up before the switch; nothing moved, it stays direct-bill (a
    partnership made for it stays: either side may end it)."""
    ensure_global_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    rules.ensure_step("withdraw", TransitionState(transition.state))
    move(session, actor, transition, TransitionState.WITHDRAWN, "withdraw_tier_transition")
    tell(session, transition, "withdrawn", now=clock.now(), provider_too=True)
    return transition


# --- reads for the adapters ---------------------------------------------------------------


def view_of(session: Session, transition: TierTransition) -> queries.TransitionView:
    """The transition with its customers and consents, as the partner and vendor see it."""
    return queries.view_of(session, transition, today=clock.now().date())


def get_view(session: Session, actor: Actor, transition_id: uuid.UUID) -> queries.TransitionView:
    return view_of(session, queries.get_visible(session, actor, transition_id))


def list_views(
    session: Session, actor: Actor, *, state: TransitionState | None = None
) -> list[queries.TransitionView]:
    """The actor's transitions (all of them for the vendor's Program admin) in review
    order: overdue requests first."""
    today = clock.now().date()
    rows = queries.list_visible(session, actor, state=state, today=today)
    names = queries.partner_names(session, rows)
    return [
        queries.TransitionView(
            transition=t,
            partner_name=names.get(t.organization_id, str(t.organization_id)),
            provider_name=names.get(t.provider_id) if t.provider_id else None,
            customers=[],
            overdue=rules.is_overdue(TransitionState(t.state), t.approve_by, today=today),
            next_step=rules.next_step(
                TransitionState(t.state),
                agreement_accepted=t.agreement_accepted_at is not None,
                provider_chosen=t.provider_id is not None,
            ),
        )
        for t in rows
    ]


def own_open(session: Session, actor: Actor) -> TierTransition | None:
    """The partner's open transition, else its latest one (the wizard's subject)."""
    rows = queries.list_visible(session, actor, today=clock.now().date())
    mine = [t for t in rows if t.organization_id == actor.organization_id]
    open_ones = [t for t in mine if rules.is_open(TransitionState(t.state))]
    found = open_ones or mine
    return found[0] if found else None


def providers_for(
    session: Session, actor: Actor, transition_id: uuid.UUID
) -> list[queries.ProviderChoice]:
    """The providers the partner of this transition may choose (its region's)."""
    transition = queries.get_visible(session, actor, transition_id)
    return queries.eligible_providers(session, transition.organization_id)
