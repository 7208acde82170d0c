"""A partner's own profiles and partner IDs: the legal business profile and the support
profile (PC:developer/profile-resources.md), read and updated with an ETag; the partner
network profile (its partner ID) and the look-up of a partner by partner ID
(PC:developer/get-partner-by-mpn-id.md: unknown → 404, code 3000).

The legal profile's country cannot change (it decides the market and the location partner
ID); the tenant domain cannot change once the enrollment is active (rules.md §2a). Updates
need Profiles manage and are audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.auth.rules import normalize_email
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.errors import PermissionDenied
from opencsp.partners import queries, rules
from opencsp.partners.errors import (
    CountryImmutable,
    PartnerIdNotFound,
    ProfileNotFound,
    TenantDomainTaken,
)
from opencsp.partners.models import PartnerId, PartnerProfile
from opencsp.partners.rules import EnrollmentState
from opencsp.partners.schemas import LegalBusinessProfileUpdate, SupportProfileUpdate

LOCATION = "location"
ACTIVE = "active"


@dataclass(frozen=True)
class ProfileView:
    """A profile with what its wire shapes add: the enrollment's state and the ETag."""

    profile: PartnerProfile
    state: EnrollmentState | None
    etag: str


@dataclass(frozen=True)
class PartnerNetworkProfile:
    partner_name: str
    partner_id: PartnerId


def _view(session: Session, profile: PartnerProfile) -> ProfileView:
    enrollment = queries.enrollment_of(session, profile.organization_id)
    return ProfileView(
        profile=profile,
        state=EnrollmentState(enrollment.state) if enrollment else None,
        etag=rules.etag_for(profile.organization_id, profile.version),
    )


def own_profile(session: Session, actor: Actor) -> ProfileView:
    """The actor's organization's profile (the vendor has none: 404)."""
    return _view(session, queries.own_profile(session, actor))


def _ensure_manager(actor: Actor) -> None:
    if not actor.can(Perm.PROFILES_MANAGE):
        raise PermissionDenied()


def _legal_snapshot(profile: PartnerProfile) -> dict[str, Any]:
    return {
        "companyName": profile.company_name,
        "address": profile.address,
        "primaryContact": {
            "firstName": profile.contact_first_name,
            "lastName": profile.contact_last_name,
            "email": profile.contact_email,
            "phoneNumber": profile.contact_phone,
        },
        "tenantDomain": profile.tenant_domain,
        "taxId": profile.tax_id,
        "organizationRegistrationNumber": profile.registration_number,
    }


def _touch(profile: PartnerProfile) -> None:
    profile.version += 1
    profile.updated_at = clock.now()


def update_legal_profile(
    session: Session, actor: Actor, body: LegalBusinessProfileUpdate, *, etag: str | None
) -> ProfileView:
    """Replace the legal business profile. ``etag`` (``If-Match``, else the body's
    ``attributes.etag``) is required and must be current (2055 otherwise). The opencsp
    fields (``tenantDomain``, ``taxId``, ``organizationRegistrationNumber``) keep their
    value when absent, so a Partner Center client that does not know them clears
    nothing."""
    _ensure_manager(actor)
    view = own_profile(session, actor)
    profile = view.profile
    sent = etag or (body.attributes.etag if body.attributes else None)
    rules.ensure_etag(view.etag, sent, required=True)
    country = profile.country
    if body.address.country and body.address.country.strip().upper() != country:
        raise CountryImmutable()
    contact = body.primary_contact
    address = rules.clean_address(
        country=country,
        address_line1=body.address.address_line1,
        address_line2=body.address.address_line2,
        city=body.address.city,
        state=body.address.state,
        postal_code=body.address.postal_code,
        phone_number=body.address.phone_number,
    )
    company = rules.required_text(body.company_name, field="companyName", maximum=256)
    first = rules.required_text(contact.first_name, field="firstName", maximum=50)
    last = rules.required_text(contact.last_name, field="lastName", maximum=50)
    email = rules.normalize_contact_email(contact.email or "")
    phone = rules.optional_text(contact.phone_number, field="phoneNumber", maximum=40)
    domain = profile.tenant_domain
    if body.tenant_domain is not None:
        state = view.state or EnrollmentState.SUBMITTED
        domain = rules.ensure_tenant_domain_change(
            profile.tenant_domain, body.tenant_domain, state=state
        )
        if domain != profile.tenant_domain and queries.tenant_domain_taken(
            session, domain, other_than=profile.organization_id
        ):
            raise TenantDomainTaken(domain=domain)
    tax_id = profile.tax_id
    if body.tax_id is not None:
        tax_id = rules.optional_text(body.tax_id, field="taxId", maximum=64)
    registration = profile.registration_number
    if body.organization_registration_number is not None:
        registration = rules.clean_registration_number(
            body.organization_registration_number,
            country=country,
            countries=settings().registration_number_countries,
        )
    old = _legal_snapshot(profile)
    profile.company_name = company
    profile.address = address
    profile.contact_first_name, profile.contact_last_name = first, last
    profile.contact_email, profile.contact_phone = email, phone
    profile.tenant_domain, profile.tax_id, profile.registration_number = (
        domain,
        tax_id,
        registration,
    )
    org = session.get(Organization, profile.organization_id)
    if org is not None:
        org.name = company  # the organization is known by its legal name
    _touch(profile)
    audit.record(
        session,
        actor,
        "update_legal_business_profile",
        "legal_business_profile",
        resource_id=profile.organization_id,
        partner_id=profile.organization_id,
        old=old,
        new=_legal_snapshot(profile),
    )
    return _view(session, profile)


def update_support_profile(
    session: Session, actor: Actor, body: SupportProfileUpdate, *, etag: str | None
) -> ProfileView:
    """Replace the support profile (PUT ``/v1/profiles/supportprofile``, the full resource:
    PC:developer/update-support-profile.md). Partner Center sends no ETag here, so one is
    checked only when given."""
    _ensure_manager(actor)
    view = own_profile(session, actor)
    profile = view.profile
    sent = etag or (body.attributes.etag if body.attributes else None)
    rules.ensure_etag(view.etag, sent, required=False)
    email = normalize_email(body.email) if body.email and body.email.strip() else None
    telephone = rules.optional_text(body.telephone, field="telephone", maximum=40)
    website = rules.optional_text(body.website, field="website", maximum=2048)
    old = {
        "email": profile.support_email,
        "telephone": profile.support_phone,
        "website": profile.support_website,
    }
    profile.support_email, profile.support_phone, profile.support_website = (
        email,
        telephone,
        website,
    )
    _touch(profile)
    audit.record(
        session,
        actor,
        "update_support_profile",
        "support_profile",
        resource_id=profile.organization_id,
        partner_id=profile.organization_id,
        old=old,
        new={"email": email, "telephone": telephone, "website": website},
    )
    return _view(session, profile)


def own_partner_network_profile(session: Session, actor: Actor) -> PartnerNetworkProfile:
    """The partner's own partner ID: its location account in its own country
    (PC:developer/get-partner-network-profile.md)."""
    profile = queries.own_profile(session, actor)
    for partner_id in queries.partner_ids_of(session, profile.organization_id):
        if partner_id.kind == LOCATION and partner_id.country == profile.country:
            return PartnerNetworkProfile(profile.company_name, partner_id)
    raise ProfileNotFound()


def find_by_partner_id(session: Session, value: str) -> PartnerNetworkProfile:
    """Verify a partner ID: an active one names its partner; an unknown, inactive or
    non-numeric one is 404 with code 3000 (PC:developer/get-partner-by-mpn-id.md). Any
    signed-in partner may verify a partner ID, as in Partner Center."""
    number = rules.parse_partner_id(value)
    found = queries.by_partner_id(session, number) if number is not None else None
    if found is None or found.status != ACTIVE:
        raise PartnerIdNotFound(partner_id=value.strip()[:64])
    return PartnerNetworkProfile(queries.partner_name(session, found.organization_id), found)
