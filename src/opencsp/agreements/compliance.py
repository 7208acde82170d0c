"""``GET /v1/compliance/csp/agreementstatus?mpnId=|tenantId=``: whether a partner — in
practice an indirect reseller a provider is about to work with — has signed the partner
agreement for its CSP region (PC:developer/verify-indirect-reseller-mpa-status.md;
rules.md §6.8).

Any signed-in partner may ask. The answer is ``isAgreementSigned: true`` or one of the
documented errors, all 400 as in the samples: a partner that has not signed is ``2203``
(asked by partner ID) or ``2206`` (asked by tenant), never ``false``. Errors about the
partner carry a help link in ``data``, as Partner Center's do."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from opencsp.agreements import queries, rules
from opencsp.agreements.errors import (
    PartnerIdInvalid,
    PartnerIdNotReseller,
    PartnerIdNotSigned,
    RegionMismatch,
    TenantNotFound,
    TenantNotSigned,
)
from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Tier
from opencsp.core.errors import NotFound
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners

PROGRAM = "csp"
ACTIVE = "active"


def _region(session: Session, organization_id: uuid.UUID) -> str | None:
    try:
        return partners.region_of(session, organization_id)
    except NotFound:  # a location no market covers: no region
        return None


def _region_of_partner_id(session: Session, mpn_id: int, org: Organization) -> str | None:
    """A location partner ID's own country decides; a global ID uses the partner's."""
    found = partners.by_partner_id(session, mpn_id)
    if found is not None and found.kind == "location" and found.country:
        try:
            return markets.market_for(session, found.country).id
        except NotFound:
            return None
    return _region(session, org.id)


def _by_partner_id(
    session: Session, mpn_id: int, caller_region: str | None, help_link: list[str]
) -> bool:
    found = (
        partners.by_partner_id(session, mpn_id) if rules.is_possible_partner_id(mpn_id) else None
    )
    if found is None or found.status != ACTIVE:
        raise PartnerIdInvalid(mpn_id=mpn_id, data=help_link)
    org = session.get(Organization, found.organization_id)
    enrollment = partners.enrollment_of(session, found.organization_id)
    if (
        org is None
        or org.tier != Tier.INDIRECT_RESELLER.value
        or enrollment is None
        or enrollment.state != ACTIVE
    ):
        raise PartnerIdNotReseller(mpn_id=mpn_id, data=help_link)
    region = _region_of_partner_id(session, mpn_id, org)
    if region is None:
        raise PartnerIdNotReseller(mpn_id=mpn_id, data=help_link)
    if caller_region is not None and region != caller_region:
        raise RegionMismatch(data=help_link)
    if not queries.has_signed_partner_agreement(session, org.id, region):
        raise PartnerIdNotSigned(mpn_id=mpn_id, region=region, data=help_link)
    return True


def _by_tenant(
    session: Session, tenant_id: uuid.UUID, caller_region: str | None, help_link: list[str]
) -> bool:
    org = session.get(Organization, tenant_id)
    if org is None or org.tier == Tier.VENDOR.value:
        raise TenantNotFound(tenant_id=tenant_id, data=help_link)
    region = _region(session, org.id)
    if region is None:
        raise TenantNotSigned(tenant_id=tenant_id, data=help_link)
    if caller_region is not None and region != caller_region:
        raise RegionMismatch(data=help_link)
    if not queries.has_signed_partner_agreement(session, org.id, region):
        raise TenantNotSigned(tenant_id=tenant_id, data=help_link)
    return True


def agreement_status(
    session: Session,
    actor: Actor,
    *,
    program: str,
    mpn_id: str | None,
    tenant_id: str | None,
    help_link: str,
) -> bool:
    """True when the partner named by ``mpn_id`` or ``tenant_id`` signed the partner
    agreement for its region; otherwise the documented error: 2000/2001 for the
    parameters, 2200 unknown or inactive partner ID, 2204 not an (active) indirect
    reseller, 2201 a reseller of another region than the caller's (the vendor has none),
    2203/2206 not signed, 2205 no partner account with that tenant id. ``program`` is
    the path's ``{ProgramName}``: only ``csp`` exists."""
    if program.strip().lower() != PROGRAM:
        raise NotFound()
    subject = rules.parse_status_query(mpn_id, tenant_id)
    caller_region = None if actor.is_vendor else _region(session, actor.organization_id)
    link = [help_link]
    if isinstance(subject, int):
        return _by_partner_id(session, subject, caller_region, link)
    return _by_tenant(session, subject, caller_region, link)
