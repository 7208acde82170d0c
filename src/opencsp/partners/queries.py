"""Reads of partners: profiles, partner IDs, enrollments and partnerships. Other domains
call these to learn a partner's region, whether it is an active partner, and whether a
provider and a reseller are in partnership."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core.actor import Actor
from opencsp.core.pagination import Page, check_size, paginate
from opencsp.core.visibility import owned_by
from opencsp.markets import queries as markets
from opencsp.partners.errors import PartnerNotFound, PartnershipRequestNotFound, ProfileNotFound
from opencsp.partners.models import (
    Enrollment,
    PartnerId,
    PartnerProfile,
    Partnership,
    PartnershipRequest,
)

ACTIVE = "active"
LOCATION = "location"
RESELLER_PROGRAM = "indirect_reseller"


def profile_of(session: Session, organization_id: uuid.UUID) -> PartnerProfile | None:
    return session.get(PartnerProfile, organization_id)


def country_of(session: Session, organization_id: uuid.UUID) -> str | None:
    """Where the partner is located: its legal profile's country, else its organization's."""
    profile = profile_of(session, organization_id)
    if profile is not None:
        return profile.country
    org = session.get(Organization, organization_id)
    return org.country if org is not None else None


def region_of(session: Session, organization_id: uuid.UUID) -> str | None:
    """The partner's CSP region: the market of its location, where it may sell
    (PC:regional-authorization-overview.md). None when it has no known location."""
    country = country_of(session, organization_id)
    if country is None:
        return None
    return markets.market_for(session, country).id


def enrollment_of(
    session: Session, organization_id: uuid.UUID, program: str = RESELLER_PROGRAM
) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(
            Enrollment.organization_id == organization_id, Enrollment.program == program
        )
    )


def location_partner_id(session: Session, organization_id: uuid.UUID) -> PartnerId | None:
    """The partner's active partner ID of type Location in its own country, which the
    program requires to sign the partner agreement and to transact
    (PC:indirect-reseller-tasks-in-partner-center.md)."""
    country = country_of(session, organization_id)
    if country is None:
        return None
    return session.scalar(
        select(PartnerId).where(
            PartnerId.organization_id == organization_id,
            PartnerId.kind == LOCATION,
            PartnerId.country == country,
            PartnerId.status == ACTIVE,
        )
    )


def partner_ids_of(session: Session, organization_id: uuid.UUID) -> Sequence[PartnerId]:
    return session.scalars(
        select(PartnerId)
        .where(PartnerId.organization_id == organization_id)
        .order_by(PartnerId.kind, PartnerId.mpn_id)
    ).all()


def by_partner_id(session: Session, mpn_id: int) -> PartnerId | None:
    return session.get(PartnerId, mpn_id)


def active_partnership(
    session: Session, provider_id: uuid.UUID, reseller_id: uuid.UUID
) -> Partnership | None:
    return session.scalar(
        select(Partnership).where(
            Partnership.provider_id == provider_id,
            Partnership.reseller_id == reseller_id,
            Partnership.state == ACTIVE,
        )
    )


def resellers_of(session: Session, provider_id: uuid.UUID) -> Sequence[Partnership]:
    return session.scalars(
        select(Partnership)
        .where(Partnership.provider_id == provider_id, Partnership.state == ACTIVE)
        .order_by(Partnership.accepted_at, Partnership.id)
    ).all()


def providers_of(session: Session, reseller_id: uuid.UUID) -> Sequence[Partnership]:
    return session.scalars(
        select(Partnership)
        .where(Partnership.reseller_id == reseller_id, Partnership.state == ACTIVE)
        .order_by(Partnership.accepted_at, Partnership.id)
    ).all()


# --- visibility and the domain's own reads ------------------------------------------------


def visible_profiles(actor: Actor) -> Select[PartnerProfile]:
    """Partner profiles the actor may see: its own (every one, for the vendor)."""
    return select(PartnerProfile).where(owned_by(actor, PartnerProfile.organization_id))


def get_visible_profile(
    session: Session, actor: Actor, organization_id: uuid.UUID
) -> PartnerProfile:
    profile = session.scalar(
        visible_profiles(actor).where(PartnerProfile.organization_id == organization_id)
    )
    if profile is None:
        raise PartnerNotFound()
    return profile


def own_profile(session: Session, actor: Actor) -> PartnerProfile:
    """The actor's organization's profile; the vendor has none."""
    profile = profile_of(session, actor.organization_id)
    if profile is None:
        raise ProfileNotFound()
    return profile


@dataclass(frozen=True)
class PartnerRow:
    organization: Organization
    profile: PartnerProfile
    enrollment: Enrollment


def _partner_rows() -> Select[Organization, PartnerProfile, Enrollment]:
    return (
        select(Organization, PartnerProfile, Enrollment)
        .join(PartnerProfile, PartnerProfile.organization_id == Organization.id)
        .join(
            Enrollment,
            (Enrollment.organization_id == Organization.id)
            & (Enrollment.program == RESELLER_PROGRAM),
        )
    )


def list_partners(session: Session, actor: Actor, *, state: str | None = None) -> list[PartnerRow]:
    """Enrolled partners with their enrollment, oldest submission first (the vendor's
    verification queue); a partner sees only itself."""
    stmt = _partner_rows().where(owned_by(actor, Organization.id))
    if state is not None:
        stmt = stmt.where(Enrollment.state == state)
    stmt = stmt.order_by(Enrollment.submitted_at, Organization.id)
    return [
        PartnerRow(org, profile, enrollment) for org, profile, enrollment in session.execute(stmt)
    ]


def get_partner(session: Session, actor: Actor, organization_id: uuid.UUID) -> PartnerRow:
    row = session.execute(
        _partner_rows().where(owned_by(actor, Organization.id), Organization.id == organization_id)
    ).first()
    if row is None:
        raise PartnerNotFound()
    return PartnerRow(row[0], row[1], row[2])


def partner_by_domain(session: Session, actor: Actor, tenant_domain: str) -> PartnerRow:
    row = session.execute(
        _partner_rows().where(
            owned_by(actor, Organization.id),
            PartnerProfile.tenant_domain == tenant_domain.strip().lower(),
        )
    ).first()
    if row is None:
        raise PartnerNotFound()
    return PartnerRow(row[0], row[1], row[2])


def tenant_domain_taken(
    session: Session, domain: str, *, other_than: uuid.UUID | None = None
) -> bool:
    stmt = select(PartnerProfile.organization_id).where(PartnerProfile.tenant_domain == domain)
    if other_than is not None:
        stmt = stmt.where(PartnerProfile.organization_id != other_than)
    return session.scalar(stmt.limit(1)) is not None


def max_partner_id(session: Session) -> int | None:
    return session.scalar(select(func.max(PartnerId.mpn_id)))


def partner_name(session: Session, organization_id: uuid.UUID) -> str:
    """The legal company name, else the organization's name."""
    profile = profile_of(session, organization_id)
    if profile is not None:
        return profile.company_name
    org = session.get(Organization, organization_id)
    return org.name if org is not None else str(organization_id)


def partnership_between(
    session: Session, provider_id: uuid.UUID, reseller_id: uuid.UUID
) -> Partnership | None:
    """The pair's partnership row in any state (one row per pair, reused if renewed)."""
    return session.scalar(
        select(Partnership).where(
            Partnership.provider_id == provider_id, Partnership.reseller_id == reseller_id
        )
    )


def request_by_token_hash(session: Session, token_hash: str) -> PartnershipRequest | None:
    return session.scalar(
        select(PartnershipRequest).where(PartnershipRequest.token_hash == token_hash)
    )


def visible_requests(actor: Actor) -> Select[PartnershipRequest]:
    """Partnership requests the actor may see: those its organization sent."""
    return select(PartnershipRequest).where(owned_by(actor, PartnershipRequest.provider_id))


def requests_sent(session: Session, actor: Actor) -> Sequence[PartnershipRequest]:
    return session.scalars(
        visible_requests(actor)
        .where(PartnershipRequest.provider_id == actor.organization_id)
        .order_by(PartnershipRequest.created_at.desc(), PartnershipRequest.id)
    ).all()


def get_visible_request(
    session: Session, actor: Actor, request_id: uuid.UUID
) -> PartnershipRequest:
    found = session.scalar(visible_requests(actor).where(PartnershipRequest.id == request_id))
    if found is None:
        raise PartnershipRequestNotFound()
    return found


@dataclass(frozen=True)
class PartnerSummary:
    """How a partner appears in another partner's lists: name, country, and its active
    location partner ID in that country (None while it has none)."""

    organization_id: uuid.UUID
    name: str
    country: str | None
    location_partner_id: int | None


def summaries(
    session: Session, organization_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PartnerSummary]:
    """Summaries of many partners in three statements, whatever their number."""
    ids = list(dict.fromkeys(organization_ids))
    if not ids:
        return {}
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    profiles = {
        p.organization_id: p
        for p in session.scalars(
            select(PartnerProfile).where(PartnerProfile.organization_id.in_(ids))
        )
    }
    locations: dict[tuple[uuid.UUID, str | None], int] = {}
    for row in session.scalars(
        select(PartnerId)
        .where(
            PartnerId.organization_id.in_(ids),
            PartnerId.kind == LOCATION,
            PartnerId.status == ACTIVE,
        )
        .order_by(PartnerId.mpn_id)
    ):
        locations.setdefault((row.organization_id, row.country), row.mpn_id)
    out: dict[uuid.UUID, PartnerSummary] = {}
    for oid in ids:
        profile, org = profiles.get(oid), orgs.get(oid)
        country = profile.country if profile else (org.country if org else None)
        name = profile.company_name if profile else (org.name if org else str(oid))
        out[oid] = PartnerSummary(oid, name, country, locations.get((oid, country)))
    return out


def page_of_partners(
    session: Session, actor: Actor, *, state: str | None, size: int | None, token: str | None
) -> Page[PartnerRow]:
    """One page of ``list_partners`` (100 by default, 500 at most), for the vendor's API."""
    stmt = (
        select(Enrollment)
        .join(PartnerProfile, PartnerProfile.organization_id == Enrollment.organization_id)
        .where(Enrollment.program == RESELLER_PROGRAM, owned_by(actor, Enrollment.organization_id))
    )
    if state is not None:
        stmt = stmt.where(Enrollment.state == state)
    stmt = stmt.order_by(Enrollment.submitted_at, Enrollment.organization_id)
    page = paginate(session, stmt, size=check_size(size, default=100, maximum=500), token=token)
    ids = [e.organization_id for e in page.items]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    profiles = {
        p.organization_id: p
        for p in session.scalars(
            select(PartnerProfile).where(PartnerProfile.organization_id.in_(ids))
        )
    }
    rows = [PartnerRow(orgs[e.organization_id], profiles[e.organization_id], e) for e in page.items]
    return Page(items=rows, total_count=page.total_count, next_token=page.next_token)
