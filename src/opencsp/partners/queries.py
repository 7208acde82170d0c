"""Reads of partners: profiles, partner IDs, enrollments and partnerships. Other domains
call these to learn a partner's region, whether it is an active partner, and whether a
provider and a reseller are in partnership."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.markets import queries as markets
from opencsp.partners.models import Enrollment, PartnerId, PartnerProfile, Partnership

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
