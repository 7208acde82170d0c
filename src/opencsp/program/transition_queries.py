"""Reads of tier transitions (rules.md §2d) through the actor's visibility: a partner sees
its own transitions, the vendor's Program admin sees all; anything else is 404. Also the
facts a transition is judged on — the customers that move, their consents, the providers
the partner may choose — each in one statement, whatever the number of customers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, case, false, func, select, true
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners
from opencsp.partners.models import Enrollment, PartnerStanding
from opencsp.program import transition_rules as rules
from opencsp.program.errors import TransitionNotFound
from opencsp.program.models import TierTransition, TierTransitionCustomer
from opencsp.program.transition_rules import TransitionState
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import SEATED

ACTIVE = "active"
DIRECT = "direct"
MOVED_STATUSES = tuple(sorted(s.value for s in SEATED))
"""Subscriptions that move to the provider: those with seats (active, suspended, pending)."""


def visible(actor: Actor) -> Select[TierTransition]:
    """The transitions the actor may see (module docstring)."""
    stmt = select(TierTransition)
    if actor.is_vendor:
        return stmt.where(true() if actor.can(Perm.PROGRAM_ADMIN) else false())
    return stmt.where(TierTransition.organization_id == actor.organization_id)


def get_visible(session: Session, actor: Actor, transition_id: uuid.UUID) -> TierTransition:
    found = session.scalar(visible(actor).where(TierTransition.id == transition_id))
    if found is None:
        raise TransitionNotFound()
    return found


def get_for_update(session: Session, actor: Actor, transition_id: uuid.UUID) -> TierTransition:
    """The visible transition, locked for the step about to change it (PostgreSQL)."""
    found = session.scalar(
        visible(actor).where(TierTransition.id == transition_id).with_for_update()
    )
    if found is None:
        raise TransitionNotFound()
    return found


def list_visible(
    session: Session, actor: Actor, *, state: TransitionState | None = None, today: date
) -> Sequence[TierTransition]:
    """The review queue order: requests waiting for the vendor first, overdue ones (past
    ``approve_by``) before the rest, each by deadline; then the others, newest first."""
    t = TierTransition
    waiting = t.state == TransitionState.REQUESTED.value
    stmt = visible(actor)
    if state is not None:
        stmt = stmt.where(t.state == state.value)
    return session.scalars(
        stmt.order_by(
            case((waiting, 0), else_=1),
            case((and_(waiting, t.approve_by < today), 0), else_=1),
            case((waiting, t.approve_by), else_=None),
            t.requested_at.desc(),
            t.id,
        )
    ).all()


def open_transition_of(session: Session, organization_id: uuid.UUID) -> TierTransition | None:
    return session.scalar(
        select(TierTransition).where(TierTransition.open_key == str(organization_id))
    )


def has_completed(session: Session, organization_id: uuid.UUID) -> bool:
    return (
        session.scalar(
            select(TierTransition.id)
            .where(
                TierTransition.organization_id == organization_id,
                TierTransition.state == TransitionState.COMPLETED.value,
            )
            .limit(1)
        )
        is not None
    )


def moving_customers(session: Session, organization_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The customers the partner holds directly (an active ``direct`` relationship), by
    name: every one of them moves to the provider (rules.md §2d)."""
    rows = session.execute(
        select(Customer.id, Customer.company_name)
        .join(CustomerRelationship, CustomerRelationship.customer_id == Customer.id)
        .where(
            CustomerRelationship.partner_id == organization_id,
            CustomerRelationship.role == DIRECT,
            CustomerRelationship.state == ACTIVE,
        )
        .order_by(Customer.company_name, Customer.id)
    ).all()
    return [(cid, name) for cid, name in rows]


def consents_of(
    session: Session, transition_id: uuid.UUID
) -> dict[uuid.UUID, TierTransitionCustomer]:
    rows = session.scalars(
        select(TierTransitionCustomer).where(TierTransitionCustomer.transition_id == transition_id)
    )
    return {row.customer_id: row for row in rows}


def missing_consents(session: Session, transition: TierTransition) -> list[tuple[uuid.UUID, str]]:
    """The moving customers without a recorded consent, by name."""
    customers = moving_customers(session, transition.organization_id)
    consented = {str(c) for c in consents_of(session, transition.id)}
    missing = rules.missing_consents([(str(c), n) for c, n in customers], consented)
    return [(uuid.UUID(cid), name) for cid, name in missing]


def subscription_counts(
    session: Session, organization_id: uuid.UUID, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Per customer, the subscriptions billed to the partner that would move."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Subscription.customer_id, func.count())
        .where(
            Subscription.organization_id == organization_id,
            Subscription.customer_id.in_(customer_ids),
            Subscription.status.in_(MOVED_STATUSES),
        )
        .group_by(Subscription.customer_id)
    ).all()
    return {cid: int(n) for cid, n in rows}


@dataclass(frozen=True)
class ProviderChoice:
    organization_id: uuid.UUID
    name: str
    country: str | None
    location_partner_id: int | None


def eligible_providers(session: Session, organization_id: uuid.UUID) -> list[ProviderChoice]:
    """The providers the partner may choose: active indirect providers (enrollment
    active, in good standing) of the partner's own CSP region (rules.md §1.8), by name."""
    country = partners.country_of(session, organization_id)
    if country is None:
        return []
    _region, countries = markets.market_countries(session, country)
    ids = list(
        session.scalars(
            select(Organization.id)
            .join(Enrollment, Enrollment.organization_id == Organization.id)
            .outerjoin(PartnerStanding, PartnerStanding.organization_id == Organization.id)
            .where(
                Organization.tier == Tier.INDIRECT_PROVIDER.value,
                Enrollment.program == partners.RESELLER_PROGRAM,
                Enrollment.state == ACTIVE,
                PartnerStanding.organization_id.is_(None),
            )
        )
    )
    found = partners.summaries(session, ids)
    same = [s for s in found.values() if s.country in countries]
    return sorted(
        (ProviderChoice(s.organization_id, s.name, s.country, s.location_partner_id) for s in same),
        key=lambda p: (p.name.casefold(), str(p.organization_id)),
    )


# --- views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerLine:
    """A customer that moves, with its consent (if recorded) and subscriptions."""

    customer_id: uuid.UUID
    company_name: str
    consent_by: str | None
    consented_at: datetime | None
    moved_at: datetime | None
    subscriptions: int


@dataclass(frozen=True)
class TransitionView:
    transition: TierTransition
    partner_name: str
    provider_name: str | None
    customers: list[CustomerLine]
    overdue: bool
    next_step: str

    @property
    def state(self) -> TransitionState:
        return TransitionState(self.transition.state)

    @property
    def missing(self) -> list[CustomerLine]:
        return [c for c in self.customers if c.consent_by is None]


def view_of(session: Session, transition: TierTransition, *, today: date) -> TransitionView:
    """The transition with its customers: while open, every customer the partner holds
    now (consented or not); once closed, the customers recorded with it."""
    state = TransitionState(transition.state)
    consents = consents_of(session, transition.id)
    if rules.is_open(state):
        customers = moving_customers(session, transition.organization_id)
    else:
        names = _names(session, list(consents))
        customers = sorted(
            ((cid, names.get(cid, str(cid))) for cid in consents),
            key=lambda c: (c[1].casefold(), str(c[0])),
        )
    counted_for = transition.provider_id if state is TransitionState.COMPLETED else None
    counts = subscription_counts(
        session, counted_for or transition.organization_id, [c for c, _ in customers]
    )
    lines = [
        CustomerLine(
            customer_id=cid,
            company_name=name,
            consent_by=consents[cid].consent_by if cid in consents else None,
            consented_at=consents[cid].consent_recorded_at if cid in consents else None,
            moved_at=consents[cid].moved_at if cid in consents else None,
            subscriptions=counts.get(cid, 0),
        )
        for cid, name in customers
    ]
    names = partner_names(session, [transition])
    return TransitionView(
        transition=transition,
        partner_name=names[transition.organization_id],
        provider_name=names[transition.provider_id] if transition.provider_id else None,
        customers=lines,
        overdue=rules.is_overdue(state, transition.approve_by, today=today),
        next_step=rules.next_step(
            state,
            agreement_accepted=transition.agreement_accepted_at is not None,
            provider_chosen=transition.provider_id is not None,
        ),
    )


def _names(session: Session, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Customer.id, Customer.company_name).where(Customer.id.in_(customer_ids))
    ).all()
    return {cid: name for cid, name in rows}


def partner_names(session: Session, transitions: Sequence[TierTransition]) -> dict[uuid.UUID, str]:
    """Names of the partners and providers of many transitions, in three statements."""
    ids: list[uuid.UUID] = []
    for t in transitions:
        ids.append(t.organization_id)
        if t.provider_id is not None:
            ids.append(t.provider_id)
    return {oid: s.name for oid, s in partners.summaries(session, ids).items()}
