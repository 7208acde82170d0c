"""Enrollment: a company applies, the vendor verifies it, and the vendor may later grant it
the indirect-provider tier.

- Since October 2020 every new partner enrolls as an indirect reseller (rules.md §1.5).
- Enrollment needs a partner ID of type Location in the partner's own country, and a
  primary contact that is not a web-mail address (PC:indirect-reseller-tasks-in-partner-
  center.md, rules.md §3.2); a registration number where the country requires it
  (PC:enrolling-in-the-csp-program.md, rules.md §3.3); a country in a CSP market.
- Verification: submitted → verifying → active or rejected (``rules.TRANSITIONS``); a
  rejected partner may apply again.

Services take the session first, never commit, and audit every change with
``partner_id`` = the partner the change is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import queries as auth_queries
from opencsp.auth import rules as auth_rules
from opencsp.auth import service as auth_service
from opencsp.auth.errors import EmailTaken
from opencsp.auth.models import Organization, User
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.config import settings
from opencsp.core.errors import Conflict, NotFound, PermissionDenied
from opencsp.core.ids import new_id
from opencsp.markets import queries as markets
from opencsp.markets import rules as market_rules
from opencsp.partners import queries, rules, standing
from opencsp.partners.errors import CountryNotSupported, TenantDomainTaken
from opencsp.partners.models import Enrollment, PartnerId, PartnerProfile
from opencsp.partners.rules import EnrollmentState
from opencsp.partners.schemas import EnrollmentApplication

GLOBAL = "global"
LOCATION = "location"
ACTIVE = "active"
INACTIVE = "inactive"
ALLOCATION_ATTEMPTS = 5


@dataclass(frozen=True)
class Enrolled:
    organization: Organization
    user: User
    profile: PartnerProfile
    enrollment: Enrollment


def csp_country(session: Session, value: str) -> str:
    """An ISO code of a country in a CSP market: a partner's market is decided by its
    location (PC:regional-authorization-overview.md)."""
    code = market_rules.normalize_country_code(value)
    try:
        markets.market_for(session, code)
    except NotFound as exc:
        raise CountryNotSupported(country=code) from exc
    return code


def _checked_application(session: Session, application: EnrollmentApplication) -> dict[str, Any]:
    """Every check before anything is written, so a refused application leaves nothing;
    a tenant domain deauthorized less than a year ago cannot enroll (rules.md §3.4)."""
    country = csp_country(session, application.country)
    domain = rules.normalize_tenant_domain(application.tenant_domain)
    values: dict[str, Any] = {
        "company_name": rules.required_text(
            application.company_name, field="companyName", maximum=256
        ),
        "country": country,
        "address": rules.clean_address(
            country=country,
            address_line1=application.address_line1,
            address_line2=application.address_line2,
            city=application.city,
            state=application.state,
            postal_code=application.postal_code,
            phone_number=application.phone_number,
        ),
        "contact_first_name": rules.required_text(
            application.contact_first_name, field="firstName", maximum=50
        ),
        "contact_last_name": rules.required_text(
            application.contact_last_name, field="lastName", maximum=50
        ),
        "contact_email": rules.normalize_contact_email(application.contact_email),
        "contact_phone": rules.optional_text(
            application.contact_phone, field="phoneNumber", maximum=40
        ),
        "tax_id": rules.optional_text(application.tax_id, field="taxId", maximum=64),
        "registration_number": rules.clean_registration_number(
            application.registration_number,
            country=country,
            countries=settings().registration_number_countries,
        ),
        "tenant_domain": domain,
        "admin_email": auth_rules.normalize_email(application.admin_email),
    }
    auth_rules.ensure_password_strength(application.admin_password)
    standing.ensure_may_reenroll(session, clock.now().date(), tenant_domain=domain)
    if queries.tenant_domain_taken(session, domain):
        raise TenantDomainTaken(domain=domain)
    if auth_queries.user_by_email(session, values["admin_email"]) is not None:
        raise EmailTaken(email=values["admin_email"])
    return values


def allocate_partner_id(
    session: Session, organization_id: uuid.UUID, *, kind: str, country: str | None, status: str
) -> PartnerId:
    """The next number of the one sequence: max + 1 inside the transaction, the primary
    key guarding it. A concurrent enrollment that took the same number first makes the
    insert fail in its savepoint, and the next attempt reads the new maximum."""
    for _attempt in range(ALLOCATION_ATTEMPTS):
        row = PartnerId(
            mpn_id=rules.next_partner_id(queries.max_partner_id(session)),
            organization_id=organization_id,
            kind=kind,
            country=country,
            status=status,
            created_at=clock.now(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        return row
    raise Conflict(description="Could not allocate a partner ID; try again")


def enroll(session: Session, application: EnrollmentApplication) -> Enrolled:
    """A company applies: its organization (an indirect reseller), its first user as
    Global admin, the legal and support profile, a global and a location partner ID
    (inactive until approved) and the enrollment, ``submitted``."""
    values = _checked_application(session, application)
    system = auth_service.system_actor(session)
    org = auth_service.create_organization(
        session,
        system,
        name=values["company_name"],
        tier=Tier.INDIRECT_RESELLER,
        country=values["country"],
    )
    user = auth_service.create_user(
        session,
        system,
        organization_id=org.id,
        email=values["admin_email"],
        display_name=(application.admin_display_name or "").strip()
        or f"{values['contact_first_name']} {values['contact_last_name']}",
        roles=[Role.GLOBAL_ADMIN],
        password=application.admin_password,
    )
    now = clock.now()
    profile = PartnerProfile(
        organization_id=org.id,
        company_name=values["company_name"],
        country=values["country"],
        address=values["address"],
        contact_first_name=values["contact_first_name"],
        contact_last_name=values["contact_last_name"],
        contact_email=values["contact_email"],
        contact_phone=values["contact_phone"],
        tax_id=values["tax_id"],
        registration_number=values["registration_number"],
        tenant_domain=values["tenant_domain"],
        support_email=values["contact_email"],
        support_phone=values["contact_phone"],
        support_website=None,
        version=1,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(profile)
    except IntegrityError as exc:  # a concurrent enrollment took the domain meanwhile
        raise TenantDomainTaken(domain=values["tenant_domain"]) from exc
    allocate_partner_id(session, org.id, kind=GLOBAL, country=None, status=INACTIVE)
    location = allocate_partner_id(
        session, org.id, kind=LOCATION, country=values["country"], status=INACTIVE
    )
    enrollment = Enrollment(
        id=new_id(),
        organization_id=org.id,
        program=rules.RESELLER_PROGRAM,
        state=EnrollmentState.SUBMITTED.value,
        location_mpn_id=location.mpn_id,
        submitted_at=now,
    )
    session.add(enrollment)
    session.flush()
    applicant = auth_service.actor_for(session, user)
    audit.record(
        session,
        applicant,
        "submit_enrollment",
        "enrollment",
        resource_id=enrollment.id,
        partner_id=org.id,
        new={
            "program": enrollment.program,
            "state": enrollment.state,
            "country": values["country"],
            "tenantDomain": values["tenant_domain"],
            "locationPartnerId": location.mpn_id,
        },
    )
    return Enrolled(organization=org, user=user, profile=profile, enrollment=enrollment)


def _ensure_program_admin(actor: Actor) -> None:
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()


def _move(
    session: Session,
    actor: Actor,
    enrollment: Enrollment,
    target: EnrollmentState,
    operation: str,
    **extra: Any,
) -> Enrollment:
    current = EnrollmentState(enrollment.state)
    rules.ensure_transition(current, target)
    enrollment.state = target.value
    audit.record(
        session,
        actor,
        operation,
        "enrollment",
        resource_id=enrollment.id,
        partner_id=enrollment.organization_id,
        old={"state": current.value},
        new={"state": target.value, **extra},
    )
    return enrollment


def start_verification(session: Session, actor: Actor, organization_id: uuid.UUID) -> Enrollment:
    """The vendor takes a submitted enrollment into verification (Program admin)."""
    _ensure_program_admin(actor)
    enrollment = queries.get_partner(session, actor, organization_id).enrollment
    _move(session, actor, enrollment, EnrollmentState.VERIFYING, "start_enrollment_verification")
    enrollment.verifying_at = clock.now()
    return enrollment


def approve(session: Session, actor: Actor, organization_id: uuid.UUID) -> Enrollment:
    """Verified: the enrollment becomes active and so do the partner's partner IDs — the
    location one in its own country first of all (rules.md §3.2); a deauthorized
    reseller's re-enrollment approved reinstates it (``standing.reinstate``)."""
    _ensure_program_admin(actor)
    row = queries.get_partner(session, actor, organization_id)
    ids = queries.partner_ids_of(session, organization_id)
    rules.ensure_transition(EnrollmentState(row.enrollment.state), EnrollmentState.ACTIVE)
    rules.ensure_location_partner_id(
        [p.country for p in ids if p.kind == LOCATION], row.profile.country
    )
    activated = []
    for partner_id in ids:
        if partner_id.kind == GLOBAL or partner_id.country == row.profile.country:
            partner_id.status = ACTIVE
            activated.append(partner_id.mpn_id)
    enrollment = _move(
        session,
        actor,
        row.enrollment,
        EnrollmentState.ACTIVE,
        "approve_enrollment",
        activatedPartnerIds=activated,
    )
    enrollment.decided_at = clock.now()
    enrollment.decided_by = actor.user_id
    enrollment.reason = None
    standing.reinstate(session, actor, enrollment, now=enrollment.decided_at)
    return enrollment


def reject(session: Session, actor: Actor, organization_id: uuid.UUID, reason: str) -> Enrollment:
    """Not verified: the enrollment is rejected with the reason the partner will read;
    its partner IDs stay inactive."""
    _ensure_program_admin(actor)
    text = rules.clean_rejection_reason(reason)
    enrollment = queries.get_partner(session, actor, organization_id).enrollment
    _move(session, actor, enrollment, EnrollmentState.REJECTED, "reject_enrollment", reason=text)
    enrollment.decided_at = clock.now()
    enrollment.decided_by = actor.user_id
    enrollment.reason = text
    return enrollment


def resubmit(session: Session, actor: Actor) -> Enrollment:
    """A rejected partner applies again (after correcting its profile): the enrollment is
    submitted anew and the previous decision cleared (it stays in the audit log). A
    deauthorized reseller does so only on or after its ``reenroll_after`` (rules.md §3.4)."""
    if not actor.can(Perm.PROFILES_MANAGE):
        raise PermissionDenied()
    enrollment = queries.get_partner(session, actor, actor.organization_id).enrollment
    standing.ensure_may_reenroll(
        session, clock.now().date(), organization_id=enrollment.organization_id
    )
    _move(session, actor, enrollment, EnrollmentState.SUBMITTED, "resubmit_enrollment")
    enrollment.submitted_at = clock.now()
    enrollment.verifying_at = None
    enrollment.decided_at = None
    enrollment.decided_by = None
    enrollment.reason = None
    return enrollment


def grant_provider_tier(session: Session, actor: Actor, organization_id: uuid.UUID) -> Organization:
    """The vendor grants the indirect-provider tier to an active indirect reseller
    (DESIGN §1; ``rules.ensure_provider_grantable``)."""
    _ensure_program_admin(actor)
    org = auth_queries.get_visible_organization(session, actor, organization_id)
    enrollment = queries.enrollment_of(session, org.id)
    rules.ensure_provider_grantable(
        tier=Tier(org.tier),
        enrollment_state=EnrollmentState(enrollment.state) if enrollment else None,
        name=queries.partner_name(session, org.id),
        providers=len(queries.providers_of(session, org.id)),
    )
    old_tier = org.tier
    org.tier = Tier.INDIRECT_PROVIDER.value
    audit.record(
        session,
        actor,
        "grant_indirect_provider_tier",
        "organization",
        resource_id=org.id,
        partner_id=org.id,
        old={"tier": old_tier},
        new={"tier": org.tier},
    )
    return org
