"""The vendor changes a partner's indirect tier, seeing the effect first (issue 7;
``tier_rules``).

``preview`` answers what the change would do, set-based (a handful of queries):

- **grant** (indirect reseller → indirect provider): nothing ends. What blocks it
  (``partners.rules.ensure_provider_grantable``: not an active reseller, or still a
  reseller of providers) and the customers it holds as a reseller, which it keeps.
- **revoke** (indirect provider → indirect reseller): its active partnerships (they end;
  each reseller keeps its customers, rules.md §6.7, and is notified), the customers it
  holds as provider (those relationships end: a reseller holds customers only through a
  provider, rules.md §6.5 [inferred]), the customers its resellers hold through it (kept),
  its open order requests (declined), and the active subscriptions it is bill-to for,
  which block the change until moved or ended.

``confirm`` takes the preview's fingerprint, re-reads the world, refuses a stale one,
applies the change in the caller's unit of work, audits each step and notifies the
partner and the resellers. Program admin only; never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import queries as auth_queries
from opencsp.auth.models import Organization
from opencsp.catalog.rules import ProductType
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import DomainError, PermissionDenied
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.notifications.service import notify
from opencsp.orders.models import OrderRequest
from opencsp.partners import enrollment, queries
from opencsp.partners import rules as partner_rules
from opencsp.partners.models import Partnership
from opencsp.partners.rules import EnrollmentState, PartnershipState
from opencsp.program import tier_rules
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import SEATED

ACTIVE, ENDED, OPEN, DECLINED = "active", "ended", "open", "declined"
DECLINE_REASON = "The indirect provider's tier was revoked by the vendor"


@dataclass(frozen=True, slots=True)
class Named:
    id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class HeldCustomer:
    """A customer and, for one a reseller holds through the provider, that reseller."""

    id: uuid.UUID
    name: str
    reseller: Named | None = None


@dataclass(frozen=True, slots=True)
class Blocker:
    code: int | str
    description: str


@dataclass(frozen=True)
class TierEffect:
    """What a tier change would do; ``fingerprint`` hashes all of it."""

    organization: Named
    current: Tier
    target: Tier
    blockers: tuple[Blocker, ...] = ()
    partnerships_ending: tuple[Named, ...] = ()
    providers: tuple[Named, ...] = ()
    customers_ending: tuple[HeldCustomer, ...] = ()
    customers_kept: tuple[HeldCustomer, ...] = ()
    subscriptions: tuple[uuid.UUID, ...] = ()
    order_requests: tuple[HeldCustomer, ...] = ()
    fingerprint: str = field(default="")

    @property
    def can_confirm(self) -> bool:
        return not self.blockers

    def content(self) -> dict[str, Any]:
        return {
            "organization": str(self.organization.id),
            "current": self.current.value,
            "target": self.target.value,
            "blockers": [str(b.code) for b in self.blockers],
            "partnerships": sorted(str(p.id) for p in self.partnerships_ending),
            "providers": sorted(str(p.id) for p in self.providers),
            "customersEnding": sorted(str(c.id) for c in self.customers_ending),
            "customersKept": sorted(
                f"{c.id}:{c.reseller.id if c.reseller else ''}" for c in self.customers_kept
            ),
            "subscriptions": sorted(str(s) for s in self.subscriptions),
            "orderRequests": sorted(str(r.id) for r in self.order_requests),
        }


def _ensure_program_admin(actor: Actor) -> None:
    if not actor.is_vendor or not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()


def _names(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {k: v.name for k, v in queries.summaries(session, ids).items()}


def _customers(session: Session, *conditions: Any) -> list[tuple[Customer, CustomerRelationship]]:
    rows = session.execute(
        select(Customer, CustomerRelationship)
        .join(CustomerRelationship, CustomerRelationship.customer_id == Customer.id)
        .where(CustomerRelationship.state == ACTIVE, *conditions)
        .order_by(Customer.company_name, Customer.id)
    ).all()
    return [(c, r) for c, r in rows]


def _subscriptions(session: Session, organization_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    """The subscriptions it is bill-to for that are not ended (perpetual software aside:
    nothing recurs to bill)."""
    return tuple(
        session.scalars(
            select(Subscription.id)
            .where(
                Subscription.organization_id == organization_id,
                Subscription.status.in_(sorted(s.value for s in SEATED)),
                Subscription.product_type != ProductType.SOFTWARE_PERPETUAL.value,
            )
            .order_by(Subscription.id)
        )
    )


def _grant_blockers(session: Session, org: Organization, name: str) -> tuple[Blocker, ...]:
    state = queries.enrollment_of(session, org.id)
    try:
        partner_rules.ensure_provider_grantable(
            tier=Tier(org.tier),
            enrollment_state=EnrollmentState(state.state) if state else None,
            name=name,
            providers=len(queries.providers_of(session, org.id)),
        )
    except DomainError as exc:
        return (Blocker(exc.code, exc.message),)
    return ()


def _revoke_blockers(org: Organization, name: str, subscriptions: int) -> tuple[Blocker, ...]:
    try:
        tier_rules.ensure_revocable(Tier(org.tier), subscriptions, name=name)
    except DomainError as exc:
        return (Blocker(exc.code, exc.message),)
    return ()


def preview(
    session: Session, actor: Actor, organization_id: uuid.UUID, target: str | None = None
) -> TierEffect:
    """What changing the partner's tier to ``target`` would do (the other indirect tier
    when None), and whether it can be confirmed now."""
    _ensure_program_admin(actor)
    org = auth_queries.get_visible_organization(session, actor, organization_id)
    current = Tier(org.tier)
    wanted = tier_rules.parse_target(target, current)
    name = queries.partner_name(session, org.id)
    tier_rules.ensure_changes(current, wanted, name=name)
    me = Named(org.id, name)
    if wanted is Tier.INDIRECT_PROVIDER:
        providers = [p.provider_id for p in queries.providers_of(session, org.id)]
        names = _names(session, providers)
        kept = _customers(
            session,
            CustomerRelationship.partner_id == org.id,
            CustomerRelationship.role == "reseller",
        )
        effect = TierEffect(
            me,
            current,
            wanted,
            blockers=_grant_blockers(session, org, name),
            providers=tuple(Named(p, names[p]) for p in providers),
            customers_kept=tuple(HeldCustomer(c.id, c.company_name) for c, _ in kept),
        )
    else:
        effect = _revoke_effect(session, org, me, current, wanted)
    return _sealed(effect)


def _revoke_effect(
    session: Session, org: Organization, me: Named, current: Tier, wanted: Tier
) -> TierEffect:
    resellers = [p.reseller_id for p in queries.resellers_of(session, org.id)]
    ending = _customers(
        session, CustomerRelationship.partner_id == org.id, CustomerRelationship.role == "provider"
    )
    through = _customers(
        session,
        CustomerRelationship.provider_id == org.id,
        CustomerRelationship.role == "reseller",
    )
    requests = session.execute(
        select(OrderRequest, Customer.company_name)
        .join(Customer, Customer.id == OrderRequest.customer_id)
        .where(OrderRequest.provider_organization_id == org.id, OrderRequest.status == OPEN)
        .order_by(OrderRequest.created_at, OrderRequest.id)
    ).all()
    names = _names(
        session,
        [
            *resellers,
            *(r.partner_id for _, r in through),
            *(o.reseller_organization_id for o, _ in requests),
        ],
    )
    subscriptions = _subscriptions(session, org.id)
    return TierEffect(
        me,
        current,
        wanted,
        blockers=_revoke_blockers(org, me.name, len(subscriptions)),
        partnerships_ending=tuple(Named(r, names[r]) for r in resellers),
        customers_ending=tuple(HeldCustomer(c.id, c.company_name) for c, _ in ending),
        customers_kept=tuple(
            HeldCustomer(c.id, c.company_name, Named(r.partner_id, names[r.partner_id]))
            for c, r in through
        ),
        subscriptions=subscriptions,
        order_requests=tuple(
            HeldCustomer(
                o.id,
                company,
                Named(o.reseller_organization_id, names[o.reseller_organization_id]),
            )
            for o, company in requests
        ),
    )


def _sealed(effect: TierEffect) -> TierEffect:
    return TierEffect(
        **{f: getattr(effect, f) for f in TierEffect.__dataclass_fields__ if f != "fingerprint"},
        fingerprint=tier_rules.fingerprint(effect.content()),
    )


@dataclass(frozen=True)
class TierChanged:
    organization: Organization
    effect: TierEffect


def confirm(
    session: Session,
    actor: Actor,
    organization_id: uuid.UUID,
    target: str | None,
    fingerprint: str | None,
) -> TierChanged:
    """Apply the change the vendor previewed, provided nothing it affects changed since
    (``fingerprint``) and nothing blocks it now (the blocker's own error)."""
    effect = preview(session, actor, organization_id, target)
    tier_rules.ensure_fingerprint(fingerprint, effect.fingerprint)
    now = clock.now()
    if effect.target is Tier.INDIRECT_PROVIDER:
        org = enrollment.grant_provider_tier(session, actor, organization_id)
        kind = "provider_tier_granted"
    else:
        org = revoke_provider_tier(session, actor, effect)
        kind = "provider_tier_revoked"
    notify(
        session,
        org.id,
        kind=kind,
        key=f"tier:{org.id}:{effect.target.value}:{now.isoformat()}",
        params={
            "tier": effect.target.value,
            "partnershipsEnded": len(effect.partnerships_ending),
            "customersEnded": len(effect.customers_ending),
        },
        now=now,
    )
    return TierChanged(org, effect)


def revoke_provider_tier(session: Session, actor: Actor, effect: TierEffect) -> Organization:
    """Provider → indirect reseller, as ``effect`` (a fresh preview) shows it: refused
    while it is bill-to for active subscriptions; its partnerships end (resellers keep
    their customers and are notified), its own customer relationships as provider end,
    its open order requests are declined, then the tier changes."""
    _ensure_program_admin(actor)
    org = session.get(Organization, effect.organization.id)
    assert org is not None
    tier_rules.ensure_revocable(
        Tier(org.tier), len(effect.subscriptions), name=effect.organization.name
    )
    now = clock.now()
    _end_partnerships(session, actor, org, now)
    _end_customer_relationships(session, actor, org, now)
    _decline_order_requests(session, actor, org, now)
    old = org.tier
    org.tier = Tier.INDIRECT_RESELLER.value
    session.flush()
    audit.record(
        session,
        actor,
        "revoke_indirect_provider_tier",
        "organization",
        resource_id=org.id,
        partner_id=org.id,
        old={"tier": old},
        new={"tier": org.tier},
        data={
            "partnershipsEnded": str(len(effect.partnerships_ending)),
            "customerRelationshipsEnded": str(len(effect.customers_ending)),
            "orderRequestsDeclined": str(len(effect.order_requests)),
        },
    )
    return org


def _end_partnerships(session: Session, actor: Actor, org: Organization, now: Any) -> None:
    rows = session.scalars(
        select(Partnership).where(
            Partnership.provider_id == org.id, Partnership.state == PartnershipState.ACTIVE.value
        )
    ).all()
    for row in rows:
        row.state, row.ended_at, row.ended_by = PartnershipState.ENDED.value, now, actor.user_id
        for side in (row.provider_id, row.reseller_id):
            audit.record(
                session,
                actor,
                "end_partnership",
                "partner_relationship",
                resource_id=row.id,
                partner_id=side,
                old={"state": "active"},
                new={"state": "ended"},
                data={"customersKept": "true", "reason": "provider tier revoked"},
            )
        notify(
            session,
            row.reseller_id,
            kind="partnership_ended_provider_tier_revoked",
            key=f"tier-revoke:{org.id}:{row.id}:{now.isoformat()}",
            params={"providerId": str(org.id), "providerName": org.name},
            now=now,
        )


def _end_customer_relationships(
    session: Session, actor: Actor, org: Organization, now: Any
) -> None:
    rows = _customers(
        session, CustomerRelationship.partner_id == org.id, CustomerRelationship.role == "provider"
    )
    for customer, row in rows:
        row.state, row.ended_at = ENDED, now
        audit.record(
            session,
            actor,
            "remove_partner_customer_relationship",
            "customer",
            resource_id=customer.id,
            old={"relationshipToPartner": "reseller", "role": row.role},
            new={"relationshipToPartner": "none", "reason": "provider tier revoked"},
            customer_id=customer.id,
            customer_name=customer.company_name,
            partner_id=org.id,
        )


def _decline_order_requests(session: Session, actor: Actor, org: Organization, now: Any) -> None:
    rows = session.scalars(
        select(OrderRequest).where(
            OrderRequest.provider_organization_id == org.id, OrderRequest.status == OPEN
        )
    ).all()
    for row in rows:
        row.status, row.decline_reason, row.updated_at = DECLINED, DECLINE_REASON, now
        audit.record(
            session,
            actor,
            "decline_order_request",
            "order_request",
            resource_id=row.id,
            old={"status": OPEN},
            new={"status": DECLINED, "reason": DECLINE_REASON},
            customer_id=row.customer_id,
            partner_id=row.reseller_organization_id,
        )
