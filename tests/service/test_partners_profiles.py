"""A partner's profiles and partner IDs, against the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opencsp.audit.models import AuditRecord
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.errors import EtagMismatch, PermissionDenied
from opencsp.partners import profiles, queries
from opencsp.partners.errors import (
    CountryImmutable,
    EtagRequired,
    InvalidTenantDomain,
    PartnerIdNotFound,
    ProfileNotFound,
    RegistrationNumberRequired,
    TenantDomainImmutable,
    TenantDomainTaken,
    WebMailContact,
)
from opencsp.partners.schemas import (
    Address,
    AttributesIn,
    Contact,
    LegalBusinessProfileUpdate,
    SupportProfileUpdate,
)
from tests.factories import member, organization
from tests.factories.parties import partner
from tests.factories.partners import approved, enrolled


def legal_update(**overrides) -> LegalBusinessProfileUpdate:
    values = {
        "company_name": "Lucerne Publishing",
        "address": Address(
            country="US",
            city="Redmond",
            state="WA",
            address_line1="123 Main Street",
            address_line2="",
            postal_code="98052",
            phone_number="4255550110",
        ),
        "primary_contact": Contact(
            first_name="Gena",
            last_name="Soto",
            email="gena@lucernepublishing.com",
            phone_number="4255550110",
        ),
    }
    return LegalBusinessProfileUpdate(**(values | overrides))


def test_update_the_legal_profile_with_the_current_etag(session):
    applicant = enrolled(session)
    view = profiles.own_profile(session, applicant.actor)
    updated = profiles.update_legal_profile(
        session, applicant.actor, legal_update(tax_id="98-7654321"), etag=view.etag
    )
    profile = updated.profile
    assert profile.company_name == "Lucerne Publishing"
    assert profile.contact_email == "gena@lucernepublishing.com"
    assert profile.address["addressLine1"] == "123 Main Street"
    assert profile.tax_id == "98-7654321"
    assert profile.version == 2
    assert updated.etag != view.etag
    assert session.get(Organization, profile.organization_id).name == "Lucerne Publishing"
    record = session.scalar(
        select(AuditRecord).where(AuditRecord.operation_type == "update_legal_business_profile")
    )
    assert record is not None
    assert record.partner_id == profile.organization_id
    assert "Lucerne Publishing" in record.resource_new_value


def test_the_etag_may_come_in_the_body(session):
    applicant = enrolled(session)
    etag = profiles.own_profile(session, applicant.actor).etag
    body = legal_update(attributes=AttributesIn(etag=etag))
    assert (
        profiles.update_legal_profile(session, applicant.actor, body, etag=None).profile.version
        == 2
    )


def test_a_stale_or_missing_etag_is_refused(session):
    applicant = enrolled(session)
    first = profiles.own_profile(session, applicant.actor).etag
    profiles.update_legal_profile(session, applicant.actor, legal_update(), etag=first)
    with pytest.raises(EtagMismatch) as err:
        profiles.update_legal_profile(
            session, applicant.actor, legal_update(company_name="Lost update"), etag=first
        )
    assert err.value.code == 2055
    with pytest.raises(EtagRequired):
        profiles.update_legal_profile(session, applicant.actor, legal_update(), etag=None)
    assert (
        profiles.own_profile(session, applicant.actor).profile.company_name == "Lucerne Publishing"
    )


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {
                "primary_contact": Contact(
                    first_name="Gena", last_name="Soto", email="gena@yahoo.com"
                )
            },
            WebMailContact,
        ),
        (
            {"address": Address(country="CA", city="Toronto", address_line1="1 King St")},
            CountryImmutable,
        ),
        ({"tenant_domain": "bad domain"}, InvalidTenantDomain),
    ],
)
def test_invalid_legal_updates_change_nothing(session, overrides, error):
    applicant = enrolled(session)
    view = profiles.own_profile(session, applicant.actor)
    with pytest.raises(error):
        profiles.update_legal_profile(
            session, applicant.actor, legal_update(**overrides), etag=view.etag
        )
    assert profiles.own_profile(session, applicant.actor).profile.version == 1


def test_the_tenant_domain_can_change_until_the_enrollment_is_active(session):
    applicant = enrolled(session)
    view = profiles.own_profile(session, applicant.actor)
    changed = profiles.update_legal_profile(
        session, applicant.actor, legal_update(tenant_domain="Lucerne.Example"), etag=view.etag
    )
    assert changed.profile.tenant_domain == "lucerne.example"

    other = enrolled(session)
    taken = profiles.own_profile(session, other.actor)
    with pytest.raises(TenantDomainTaken):
        profiles.update_legal_profile(
            session, other.actor, legal_update(tenant_domain="lucerne.example"), etag=taken.etag
        )

    active = approved(session)
    view = profiles.own_profile(session, active.actor)
    with pytest.raises(TenantDomainImmutable):
        profiles.update_legal_profile(
            session, active.actor, legal_update(tenant_domain="elsewhere.example"), etag=view.etag
        )
    # unchanged, or absent: fine once active
    same = legal_update(tenant_domain=view.profile.tenant_domain)
    assert (
        profiles.update_legal_profile(session, active.actor, same, etag=view.etag).profile.version
        == 2
    )


def test_opencsp_fields_keep_their_value_when_absent(session):
    applicant = enrolled(session, "IN", registration_number="27AAPFU0939F1ZV", tax_id="T-1")
    view = profiles.own_profile(session, applicant.actor)
    body = legal_update(address=Address(country="IN", city="Pune", address_line1="1 MG Road"))
    updated = profiles.update_legal_profile(session, applicant.actor, body, etag=view.etag).profile
    assert (updated.registration_number, updated.tax_id) == ("27AAPFU0939F1ZV", "T-1")
    with pytest.raises(RegistrationNumberRequired):
        profiles.update_legal_profile(
            session,
            applicant.actor,
            body.model_copy(update={"organization_registration_number": ""}),
            etag=profiles.own_profile(session, applicant.actor).etag,
        )


def test_updating_profiles_needs_profiles_manage(session):
    applicant = enrolled(session)
    helpdesk = member(session, applicant.enrolled.organization, roles=(Role.HELPDESK_AGENT,))
    etag = profiles.own_profile(session, helpdesk.actor).etag
    with pytest.raises(PermissionDenied):
        profiles.update_legal_profile(session, helpdesk.actor, legal_update(), etag=etag)
    with pytest.raises(PermissionDenied):
        profiles.update_support_profile(session, helpdesk.actor, SupportProfileUpdate(), etag=None)


def test_the_support_profile(session):
    applicant = enrolled(session)
    body = SupportProfileUpdate(
        email="Help@Contoso.example", telephone="4255555555", website="www.contoso.example"
    )
    view = profiles.update_support_profile(session, applicant.actor, body, etag=None)
    assert (
        view.profile.support_email,
        view.profile.support_phone,
        view.profile.support_website,
    ) == (
        "help@contoso.example",
        "4255555555",
        "www.contoso.example",
    )
    with pytest.raises(EtagMismatch):
        profiles.update_support_profile(session, applicant.actor, body, etag="stale")


def test_the_vendor_and_unprofiled_organizations_have_no_profile(session):
    bare = member(session, organization(session, Tier.DIRECT_BILL))
    with pytest.raises(ProfileNotFound):
        profiles.own_profile(session, bare.actor)
    with pytest.raises(ProfileNotFound):
        profiles.own_partner_network_profile(session, bare.actor)


def test_own_partner_id_and_the_lookup(session):
    existing = partner(session, Tier.INDIRECT_RESELLER, name="Fabrikam")
    applicant = enrolled(session, "KR")
    mine = profiles.own_partner_network_profile(session, applicant.actor)
    assert mine.partner_id.kind == "location"
    assert mine.partner_id.country == "KR"
    # not verified yet: its own ID exists but is not found by others
    with pytest.raises(PartnerIdNotFound):
        profiles.find_by_partner_id(session, str(mine.partner_id.mpn_id))
    location = queries.location_partner_id(session, existing.org.id)
    found = profiles.find_by_partner_id(session, f" {location.mpn_id} ")
    assert (found.partner_name, found.partner_id.mpn_id) == ("Fabrikam", location.mpn_id)


@pytest.mark.parametrize("value", ["9999999", "abc", "12a", "", "-1", "99999999999999999999"])
def test_an_unknown_or_malformed_partner_id_is_3000(session, value):
    with pytest.raises(PartnerIdNotFound) as err:
        profiles.find_by_partner_id(session, value)
    assert (err.value.status, err.value.code) == (404, 3000)
    assert (
        err.value.message
        == f"Partner Organization with partner_id {value.strip()} could not be found"
    )
