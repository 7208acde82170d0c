"""Relationship invitations to existing customers (PC:request-a-relationship-with-a-customer.md,
PC:developer/request-reseller-relationship.md; rules.md §5.5, §6.5).

A partner gets a link (``GET /v1/customers/relationshiprequests``) and sends it to the
customer; the customer's Global admin — here the tenant's administrator, signed in with
the credentials created with the tenant — opens it and accepts. The link of a direct-bill
partner or a provider is ``/customer/relationship?partnerId={partner}``; an indirect
reseller's also names its partner ID for the location and its provider
(``&msppId={partner ID}&indirectCSP={provider}``): one link authorizing both, since both
must have a relationship with the customer. Only customers whose tenant country is in the
partner's market can accept (2030)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.db import insert_unless_exists
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id, parse_guid
from opencsp.customers import credentials, queries, rules
from opencsp.customers.creation import ensure_active_partner, ensure_sells_in
from opencsp.customers.errors import (
    IndirectProviderNotExpected,
    IndirectProviderRequired,
    InvalidInvitation,
    InvitationNotAccepted,
    LocationPartnerIdMissing,
    PartnerNotActive,
    ProviderNotInPartnership,
)
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.customers.rules import RelationshipRole
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.partners.errors import RelationshipInvitationRestricted

PAGE = "/customer/relationship"


@dataclass(frozen=True)
class Invitation:
    """Who invites: the partner, and for an indirect reseller its provider and its
    location partner ID."""

    partner: Organization
    provider: Organization | None = None
    mspp_id: int | None = None


def request_link(session: Session, actor: Actor, *, indirect_csp: str | None = None) -> str:
    """The path and query of the actor's invitation link. An indirect reseller names its
    provider (``indirectCSP``), which must be in an active partnership with it, and needs
    its active partner ID for the location; others name none. A restricted or
    deauthorized partner generates none (rules.md §2c, §3.4)."""
    if not actor.can(Perm.CUSTOMER_RELATIONSHIP_REQUEST) or actor.is_vendor:
        raise PermissionDenied()
    standing.ensure_not_restricted(session, actor.organization_id, RelationshipInvitationRestricted)
    ensure_active_partner(session, actor.organization_id)
    params = {"partnerId": str(actor.organization_id)}
    if actor.tier is Tier.INDIRECT_RESELLER:
        if not indirect_csp or not indirect_csp.strip():
            raise IndirectProviderRequired()
        provider_id = parse_guid(indirect_csp)
        if (
            provider_id is None
            or partners.active_partnership(session, provider_id, actor.organization_id) is None
        ):
            raise ProviderNotInPartnership(provider_id=indirect_csp.strip())
        location = partners.location_partner_id(session, actor.organization_id)
        if location is None:
            raise LocationPartnerIdMissing()
        params |= {"msppId": str(location.mpn_id), "indirectCSP": str(provider_id)}
    elif indirect_csp:
        raise IndirectProviderNotExpected()
    return f"{PAGE}?{urlencode(params)}"


def _active_partner(session: Session, value: str | None, tier: set[Tier]) -> Organization:
    organization_id = parse_guid(value or "")
    org = session.get(Organization, organization_id) if organization_id else None
    if org is None or Tier(org.tier) not in tier or standing.is_restricted(session, org.id):
        raise InvalidInvitation()
    try:
        ensure_active_partner(session, org.id)
    except PartnerNotActive as exc:
        raise InvalidInvitation() from exc
    return org


def read_invitation(
    session: Session,
    *,
    partner_id: str | None,
    mspp_id: str | None = None,
    indirect_csp: str | None = None,
) -> Invitation:
    """The invitation a link stands for; a link naming no active partner (a restricted
    or deauthorized one is not: rules.md §2c, §3.4), or a reseller
    without its own location partner ID and an active partnership with the named
    provider, is not valid (404)."""
    if not indirect_csp:
        partner = _active_partner(session, partner_id, {Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER})
        return Invitation(partner)
    reseller = _active_partner(session, partner_id, {Tier.INDIRECT_RESELLER})
    provider = _active_partner(session, indirect_csp, {Tier.INDIRECT_PROVIDER})
    location = partners.location_partner_id(session, reseller.id)
    if (
        location is None
        or str(location.mpn_id) != (mspp_id or "").strip()
        or partners.active_partnership(session, provider.id, reseller.id) is None
    ):
        raise InvalidInvitation()
    return Invitation(reseller, provider, location.mpn_id)


def _planned(
    invitation: Invitation,
) -> list[tuple[Organization, RelationshipRole, uuid.UUID | None]]:
    if invitation.provider is not None:
        provider = invitation.provider
        return [
            (provider, RelationshipRole.PROVIDER, None),
            (invitation.partner, RelationshipRole.RESELLER, provider.id),
        ]
    role = rules.role_for_tier(Tier(invitation.partner.tier))
    assert role is not None  # read_invitation admits partners only
    return [(invitation.partner, role, None)]


def accept(
    session: Session, customer: Customer, invitation: Invitation, *, consent: bool
) -> list[CustomerRelationship]:
    """The customer's administrator accepts: each inviting partner gets an active
    relationship (``source`` ``invitation``), provided the customer's country is in its
    market (2030). A relationship already active is kept as it is, so accepting twice
    changes nothing; an ended one is started again. Audited for each partner. The
    administrator must say so explicitly (``consent``)."""
    if not consent:
        raise InvitationNotAccepted()
    planned = _planned(invitation)
    for org, _role, _provider in planned:
        ensure_sells_in(session, org.id, customer.country)
    actor = credentials.admin_actor(customer)
    now = clock.now()
    rows = []
    for org, role, provider_id in planned:
        row = queries.any_relationship_of(session, customer.id, org.id)
        if row is not None and row.state == rules.ACTIVE:
            rows.append(row)
            continue
        fields = {
            "role": role.value,
            "provider_id": provider_id,
            "state": rules.ACTIVE,
            "source": rules.SOURCE_INVITATION,
            "created_at": now,
            "ended_at": None,
        }
        if row is None:
            row = CustomerRelationship(
                id=new_id(), customer_id=customer.id, partner_id=org.id, **fields
            )
            if not insert_unless_exists(session, row):  # a concurrent acceptance created it first
                twin = queries.any_relationship_of(session, customer.id, org.id)
                assert twin is not None
                rows.append(twin)
                continue
        else:
            for name, value in fields.items():
                setattr(row, name, value)
        rows.append(row)
        audit.record(
            session,
            actor,
            "add_partner_customer_relationship",
            "customer",
            resource_id=customer.id,
            new={"partnerId": str(org.id), "role": role.value, "source": row.source},
            customer_id=customer.id,
            customer_name=customer.company_name,
            partner_id=org.id,
        )
    session.flush()
    return rows
