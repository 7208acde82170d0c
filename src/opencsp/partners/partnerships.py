"""Provider–reseller partnerships (PC:indirect-provider-tasks-in-partner-center.md,
PC:indirect-reseller-tasks-in-partner-center.md; rules.md §6).

- The provider initiates: a Global admin of an indirect provider issues a partnership
  request, a link carrying a single-use token (only its SHA-256 is stored), valid for
  ``partnership_request_days`` (30 by default) and revocable.
- A Global admin of an active indirect reseller accepts it ("Authorize indirect
  provider"), only within the same CSP region (code 2201, rules.md §1.8).
- Either side's Global admin may end the partnership. Ending it keeps the customers and
  their relationships (rules.md §6.7): the result says so.

Services take the session first, never commit, and audit every change for both sides."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.auth.rules import normalize_email
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.config import settings
from opencsp.core.crypto import digest
from opencsp.core.ids import new_id, new_secret
from opencsp.partners import queries, rules, standing
from opencsp.partners.errors import (
    NotAProvider,
    PartnershipExists,
    PartnershipInvitationRestricted,
    PartnershipNotFound,
    PartnershipRequestNotFound,
    PartnershipRequestUsed,
)
from opencsp.partners.models import Partnership, PartnershipRequest
from opencsp.partners.rules import EnrollmentState, PartnershipState, RelationshipType

ACCEPT_PATH = "/partnerships/accept/{token}"


@dataclass(frozen=True)
class IssuedRequest:
    """A new request with its token, which exists only here: it is shown once."""

    request: PartnershipRequest
    token: str

    @property
    def path(self) -> str:
        return ACCEPT_PATH.format(token=self.token)


@dataclass(frozen=True)
class RequestPreview:
    """What the accept page shows a reseller before it authorizes the provider."""

    request: PartnershipRequest
    provider: queries.PartnerSummary
    provider_region: str | None


@dataclass(frozen=True)
class Relationship:
    """One line of ``GET /v1/relationships``: the other partner, from the actor's side."""

    partner: queries.PartnerSummary
    relationship_type: RelationshipType
    partnership: Partnership


@dataclass(frozen=True)
class EndedPartnership:
    """An ended partnership. ``customers_kept`` is always true: ending a partnership
    removes no customer and no customer relationship (rules.md §6.7)."""

    relationship: Relationship
    customers_kept: bool = True


def request_partnership(
    session: Session, actor: Actor, *, invited_email: str | None = None, message: str | None = None
) -> IssuedRequest:
    """A provider's Global admin asks a reseller to partner: a link to send it — not while
    the provider is restricted or deauthorized (rules.md §2c, §3.4)."""
    rules.ensure_global_admin(actor.roles)
    if actor.tier is not Tier.INDIRECT_PROVIDER:
        raise NotAProvider()
    standing.ensure_not_restricted(session, actor.organization_id, PartnershipInvitationRestricted)
    email = normalize_email(invited_email) if invited_email and invited_email.strip() else None
    note = rules.optional_text(message, field="message", maximum=1024)
    token = new_secret(32)
    now = clock.now()
    request = PartnershipRequest(
        id=new_id(),
        provider_id=actor.organization_id,
        token_hash=digest(token),
        invited_email=email,
        message=note,
        created_by=actor.user_id,
        created_at=now,
        expires_at=rules.request_expiry(now, days=settings().partnership_request_days),
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "create_partnership_request",
        "partnership_request",
        resource_id=request.id,
        partner_id=actor.organization_id,
        new={"invitedEmail": email, "expiresAt": request.expires_at.isoformat()},
    )
    return IssuedRequest(request=request, token=token)


def request_status(request: PartnershipRequest) -> rules.RequestStatus:
    return rules.request_status(
        used_at=request.used_at,
        revoked_at=request.revoked_at,
        expires_at=request.expires_at,
        now=clock.now(),
    )


def revoke_request(session: Session, actor: Actor, request_id: uuid.UUID) -> PartnershipRequest:
    """The provider withdraws a link; revoking one already revoked or expired changes
    nothing, one already accepted cannot be revoked (end the partnership instead)."""
    rules.ensure_global_admin(actor.roles)
    request = queries.get_visible_request(session, actor, request_id)
    status = request_status(request)
    if status is rules.RequestStatus.ACCEPTED:
        raise PartnershipRequestUsed()
    if status is rules.RequestStatus.PENDING:
        request.revoked_at = clock.now()
        audit.record(
            session,
            actor,
            "revoke_partnership_request",
            "partnership_request",
            resource_id=request.id,
            partner_id=request.provider_id,
        )
    return request


def _usable(session: Session, token: str) -> PartnershipRequest:
    request = queries.request_by_token_hash(session, digest(token.strip()))
    if request is None:
        raise PartnershipRequestNotFound()
    rules.ensure_request_usable(
        used_at=request.used_at,
        revoked_at=request.revoked_at,
        expires_at=request.expires_at,
        now=clock.now(),
    )
    return request


def preview_request(session: Session, token: str) -> RequestPreview:
    """The provider behind a valid link (whoever holds the link may see who sent it)."""
    request = _usable(session, token)
    provider = queries.summaries(session, [request.provider_id])[request.provider_id]
    return RequestPreview(request, provider, queries.region_of(session, request.provider_id))


def accept_partnership(session: Session, actor: Actor, token: str) -> Relationship:
    """A reseller's Global admin authorizes the provider behind the link."""
    rules.ensure_global_admin(actor.roles)
    request = _usable(session, token)
    provider = session.get(Organization, request.provider_id)
    reseller = session.get(Organization, actor.organization_id)
    if provider is None or reseller is None:
        raise PartnershipRequestNotFound()
    enrollment = queries.enrollment_of(session, reseller.id)
    rules.ensure_active_reseller(
        Tier(reseller.tier),
        EnrollmentState(enrollment.state) if enrollment else None,
        has_location_partner_id=queries.location_partner_id(session, reseller.id) is not None,
    )
    rules.ensure_still_provider(Tier(provider.tier))
    rules.ensure_same_region(
        queries.region_of(session, provider.id), queries.region_of(session, reseller.id)
    )
    names = queries.summaries(session, [provider.id, reseller.id])
    existing = queries.partnership_between(session, provider.id, reseller.id)
    if existing is not None and existing.state == PartnershipState.ACTIVE:
        raise PartnershipExists(provider=names[provider.id].name, reseller=names[reseller.id].name)
    now = clock.now()
    # single use even against a concurrent acceptance: only one UPDATE finds it unused
    claimed = session.execute(
        update(PartnershipRequest)
        .where(
            PartnershipRequest.id == request.id,
            PartnershipRequest.used_at.is_(None),
            PartnershipRequest.revoked_at.is_(None),
        )
        .values(used_at=now, used_by_organization_id=reseller.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise PartnershipRequestNotFound()
    session.expire(request)
    partnership = existing or Partnership(
        id=new_id(), provider_id=provider.id, reseller_id=reseller.id
    )
    partnership.state = PartnershipState.ACTIVE.value
    partnership.accepted_at, partnership.accepted_by = now, actor.user_id
    partnership.ended_at, partnership.ended_by = None, None
    session.add(partnership)
    session.flush()
    for side in (reseller.id, provider.id):
        audit.record(
            session,
            actor,
            "accept_partnership",
            "partner_relationship",
            resource_id=partnership.id,
            partner_id=side,
            new={"providerId": str(provider.id), "resellerId": str(reseller.id), "state": "active"},
            data={"partnershipRequestId": request.id},
        )
    return Relationship(names[provider.id], RelationshipType.IS_INDIRECT_RESELLER_OF, partnership)


def end_partnership(session: Session, actor: Actor, partner_id: uuid.UUID) -> EndedPartnership:
    """Either side's Global admin ends the partnership with ``partner_id``. Customers and
    their relationships are untouched; the partner gives any legal notice itself
    (PC:indirect-provider-tasks-in-partner-center.md)."""
    rules.ensure_global_admin(actor.roles)
    me = actor.organization_id
    partnership = session.scalar(
        select(Partnership).where(
            Partnership.state == PartnershipState.ACTIVE.value,
            or_(
                (Partnership.provider_id == me) & (Partnership.reseller_id == partner_id),
                (Partnership.provider_id == partner_id) & (Partnership.reseller_id == me),
            ),
        )
    )
    if partnership is None:
        raise PartnershipNotFound()
    partnership.state = PartnershipState.ENDED.value
    partnership.ended_at, partnership.ended_by = clock.now(), actor.user_id
    for side in (partnership.provider_id, partnership.reseller_id):
        audit.record(
            session,
            actor,
            "end_partnership",
            "partner_relationship",
            resource_id=partnership.id,
            partner_id=side,
            old={"state": "active"},
            new={"state": "ended"},
            data={"customersKept": "true"},
        )
    kind = (
        RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF
        if partnership.provider_id == me
        else RelationshipType.IS_INDIRECT_RESELLER_OF
    )
    other = queries.summaries(session, [partner_id])[partner_id]
    return EndedPartnership(Relationship(other, kind, partnership))


def relationships(
    session: Session, actor: Actor, relationship_type: RelationshipType
) -> list[Relationship]:
    """The actor's active partnerships of one kind: a provider's resellers
    (``IsIndirectCloudSolutionProviderOf``) or a reseller's providers
    (``IsIndirectResellerOf``), PC:developer/retrieve-a-list-of-indirect-resellers.md; by
    name."""
    if relationship_type is RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF:
        rows = queries.resellers_of(session, actor.organization_id)
        others = [p.reseller_id for p in rows]
    else:
        rows = queries.providers_of(session, actor.organization_id)
        others = [p.provider_id for p in rows]
    found = queries.summaries(session, others)
    listed = [
        Relationship(found[other], relationship_type, row)
        for other, row in zip(others, rows, strict=True)
    ]
    return sorted(listed, key=lambda r: (r.partner.name.casefold(), str(r.partner.organization_id)))
