"""Enrollment, its verification by the vendor and the provider tier, against the database."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth import service as auth_service
from opencsp.auth.errors import EmailTaken, OrganizationNotFound, WeakPassword
from opencsp.auth.models import Organization, User, UserRole
from opencsp.core.actor import Tier
from opencsp.core.errors import PermissionDenied
from opencsp.markets.errors import InvalidCountryCode
from opencsp.partners import enrollment, queries
from opencsp.partners.errors import (
    AlreadyProvider,
    ApprovalNeedsVerifying,
    CountryNotSupported,
    EnrollmentNotActive,
    InvalidTenantDomain,
    PartnerNotFound,
    RegistrationNumberRequired,
    RejectionNeedsOpen,
    RejectionReasonRequired,
    ResubmissionNeedsRejected,
    StillResellerOfProviders,
    TenantDomainTaken,
    VendorHasNoTier,
    VerificationNeedsSubmitted,
    WebMailContact,
)
from opencsp.partners.models import Enrollment, PartnerId, PartnerProfile
from tests.factories import member
from tests.factories.parties import partner, partnership
from tests.factories.partners import application, approved, enrolled


def count(session: Session, model: type, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def vendor(session: Session):
    return auth_service.system_actor(session)


# --- applying ---------------------------------------------------------------------------


def test_a_company_enrolls_as_an_indirect_reseller(session):
    result = enrollment.enroll(session, application("KR", company_name="Seoul Cloud Works"))
    org, user = result.organization, result.user
    assert org.tier == Tier.INDIRECT_RESELLER.value
    assert org.country == "KR"
    assert org.name == "Seoul Cloud Works"
    assert session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)).all() == [
        "global_admin"
    ]
    assert user.password_hash  # the first user can sign in to the console
    assert result.enrollment.state == "submitted"
    assert result.enrollment.program == "indirect_reseller"
    ids = queries.partner_ids_of(session, org.id)
    assert [(p.kind, p.country, p.status) for p in ids] == [
        ("global", None, "inactive"),
        ("location", "KR", "inactive"),
    ]
    assert result.enrollment.location_mpn_id == ids[1].mpn_id
    assert result.profile.support_email == result.profile.contact_email
    # not yet verified: no active partner ID of type Location, so no partnership or MPA yet
    assert queries.location_partner_id(session, org.id) is None
    submitted = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "submit_enrollment")
    ).all()
    assert [(r.partner_id, r.user_principal_name) for r in submitted] == [(org.id, user.email)]


def test_partner_ids_are_a_sequence(session):
    partner(session)  # counter-made IDs first (tests/factories/partners.py)
    first = enrolled(session).enrolled.organization
    second = enrolled(session).enrolled.organization
    numbers = [p.mpn_id for o in (first, second) for p in queries.partner_ids_of(session, o.id)]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 4
    assert numbers[1:] == [numbers[0] + 1, numbers[0] + 2, numbers[0] + 3]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"contact_email": "gena.soto@gmail.com"}, WebMailContact),
        ({"contact_email": "gena@outlook.com"}, WebMailContact),
        ({"country": "IN", "registration_number": ""}, RegistrationNumberRequired),
        ({"country": "BR"}, RegistrationNumberRequired),
        ({"country": "RU"}, CountryNotSupported),  # a country no CSP market covers
        ({"country": "ZZ"}, CountryNotSupported),
        ({"country": "USA"}, InvalidCountryCode),
        ({"tenant_domain": "not a domain"}, InvalidTenantDomain),
        ({"admin_password": "short"}, WeakPassword),
    ],
)
def test_a_refused_application_writes_nothing(session, overrides, error):
    before = [
        count(session, m) for m in (Organization, User, PartnerProfile, PartnerId, Enrollment)
    ]
    with pytest.raises(error):
        enrollment.enroll(session, application(**overrides))
    after = [count(session, m) for m in (Organization, User, PartnerProfile, PartnerId, Enrollment)]
    assert after == before


def test_a_registration_number_is_accepted_where_required(session):
    result = enrollment.enroll(session, application("IN", registration_number="27AAPFU0939F1ZV"))
    assert result.profile.registration_number == "27AAPFU0939F1ZV"
    assert result.profile.country == "IN"


def test_the_tenant_domain_and_admin_email_are_unique(session):
    first = enrolled(session)
    with pytest.raises(TenantDomainTaken):
        enrollment.enroll(
            session, application(tenant_domain=first.enrolled.profile.tenant_domain.upper())
        )
    with pytest.raises(EmailTaken):
        enrollment.enroll(session, application(admin_email=first.enrolled.user.email))


# --- verification -----------------------------------------------------------------------


def test_the_vendor_verifies_and_approves(session):
    applicant = enrolled(session, "KR")
    org_id = applicant.enrolled.organization.id
    row = enrollment.start_verification(session, vendor(session), org_id)
    assert row.state == "verifying"
    assert row.verifying_at is not None
    row = enrollment.approve(session, vendor(session), org_id)
    assert row.state == "active"
    assert row.decided_at is not None
    statuses = {p.kind: p.status for p in queries.partner_ids_of(session, org_id)}
    assert statuses == {"global": "active", "location": "active"}
    location = queries.location_partner_id(session, org_id)
    assert location is not None
    assert location.country == "KR"
    operations = session.scalars(
        select(AuditRecord.operation_type)
        .where(AuditRecord.partner_id == org_id)
        .order_by(AuditRecord.operation_date, AuditRecord.operation_type)
    ).all()
    assert {"start_enrollment_verification", "approve_enrollment"} <= set(operations)


def test_the_vendor_rejects_with_a_reason_and_the_partner_applies_again(session):
    applicant = enrolled(session)
    org_id = applicant.enrolled.organization.id
    with pytest.raises(RejectionReasonRequired):
        enrollment.reject(session, vendor(session), org_id, "  ")
    row = enrollment.reject(session, vendor(session), org_id, "Address could not be verified")
    assert (row.state, row.reason) == ("rejected", "Address could not be verified")
    assert all(p.status == "inactive" for p in queries.partner_ids_of(session, org_id))
    row = enrollment.resubmit(session, applicant.actor)
    assert (row.state, row.reason, row.decided_at) == ("submitted", None, None)


@pytest.mark.parametrize(
    ("steps", "step", "error"),
    [
        ([], "approve", ApprovalNeedsVerifying),
        ([], "resubmit", ResubmissionNeedsRejected),
        (["verify"], "verify", VerificationNeedsSubmitted),
        (["verify", "approve"], "reject", RejectionNeedsOpen),
        (["verify", "approve"], "verify", VerificationNeedsSubmitted),
        (["reject"], "approve", ApprovalNeedsVerifying),
        (["reject"], "reject", RejectionNeedsOpen),
    ],
)
def test_steps_off_the_table_are_refused_and_change_nothing(session, steps, step, error):
    applicant = enrolled(session)
    org_id = applicant.enrolled.organization.id
    actions = {
        "verify": lambda: enrollment.start_verification(session, vendor(session), org_id),
        "approve": lambda: enrollment.approve(session, vendor(session), org_id),
        "reject": lambda: enrollment.reject(session, vendor(session), org_id, "No"),
        "resubmit": lambda: enrollment.resubmit(session, applicant.actor),
    }
    for done in steps:
        actions[done]()
    before = queries.enrollment_of(session, org_id).state
    records = count(session, AuditRecord)
    with pytest.raises(error):
        actions[step]()
    assert queries.enrollment_of(session, org_id).state == before
    assert count(session, AuditRecord) == records


def test_only_the_program_admin_verifies(session):
    applicant = enrolled(session)
    someone = member(session, tier=Tier.DIRECT_BILL)
    with pytest.raises(PermissionDenied):
        enrollment.start_verification(session, someone.actor, applicant.enrolled.organization.id)
    with pytest.raises(PermissionDenied):
        enrollment.grant_provider_tier(session, someone.actor, applicant.enrolled.organization.id)


def test_an_unknown_partner_is_not_found(session):
    with pytest.raises(PartnerNotFound):
        enrollment.approve(session, vendor(session), uuid.uuid4())


def test_a_partner_sees_only_its_own_enrollment(session):
    mine, other = enrolled(session), enrolled(session)
    rows = queries.list_partners(session, mine.actor)
    assert [r.organization.id for r in rows] == [mine.enrolled.organization.id]
    with pytest.raises(PartnerNotFound):
        queries.get_partner(session, mine.actor, other.enrolled.organization.id)


def test_the_queue_lists_by_state(session):
    a, b = enrolled(session), enrolled(session)
    enrollment.start_verification(session, vendor(session), b.enrolled.organization.id)
    submitted = {
        r.organization.id
        for r in queries.list_partners(session, vendor(session), state="submitted")
    }
    verifying = {
        r.organization.id
        for r in queries.list_partners(session, vendor(session), state="verifying")
    }
    assert a.enrolled.organization.id in submitted
    assert b.enrolled.organization.id not in submitted
    assert b.enrolled.organization.id in verifying


# --- the provider tier ------------------------------------------------------------------


def test_the_vendor_grants_the_provider_tier(session):
    reseller = approved(session)
    org = enrollment.grant_provider_tier(
        session, vendor(session), reseller.enrolled.organization.id
    )
    assert org.tier == Tier.INDIRECT_PROVIDER.value
    assert session.get(Organization, org.id).tier == "indirect_provider"
    record = session.scalar(
        select(AuditRecord).where(AuditRecord.operation_type == "grant_indirect_provider_tier")
    )
    assert record is not None
    assert record.partner_id == org.id
    with pytest.raises(AlreadyProvider):
        enrollment.grant_provider_tier(session, vendor(session), org.id)


def test_the_provider_tier_needs_an_active_enrollment(session):
    applicant = enrolled(session)
    with pytest.raises(EnrollmentNotActive):
        enrollment.grant_provider_tier(session, vendor(session), applicant.enrolled.organization.id)
    assert applicant.enrolled.organization.tier == "indirect_reseller"


def test_the_vendor_cannot_be_granted_a_tier(session):
    actor = vendor(session)
    with pytest.raises(VendorHasNoTier):
        enrollment.grant_provider_tier(session, actor, actor.organization_id)


def test_a_reseller_with_providers_ends_its_partnerships_first(session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, provider.org, reseller.org)
    with pytest.raises(StillResellerOfProviders):
        enrollment.grant_provider_tier(session, vendor(session), reseller.org.id)


def test_an_unknown_organization_is_not_found_for_the_tier(session):
    with pytest.raises(OrganizationNotFound):
        enrollment.grant_provider_tier(session, vendor(session), uuid.uuid4())
