"""The partners domain's pure rules, as tables of cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.auth.errors import InvalidEmail
from opencsp.core.actor import Tier
from opencsp.core.config import Settings
from opencsp.core.errors import EtagMismatch
from opencsp.partners import rules
from opencsp.partners.errors import (
    AlreadyProvider,
    ApprovalNeedsVerifying,
    EnrollmentNotActive,
    EtagRequired,
    GlobalAdminRequired,
    InvalidField,
    InvalidRegistrationNumber,
    InvalidTenantDomain,
    LocationPartnerIdMissing,
    NotAnActiveReseller,
    NotAResellerForTier,
    PartnershipRequestNotFound,
    ProviderNoLongerProvider,
    RegionMismatch,
    RegistrationNumberRequired,
    RejectionNeedsOpen,
    RejectionReasonRequired,
    ResubmissionNeedsRejected,
    StillResellerOfProviders,
    TenantDomainImmutable,
    VendorHasNoTier,
    VerificationNeedsSubmitted,
    WebMailContact,
)
from opencsp.partners.rules import EnrollmentState as S
from opencsp.partners.rules import RelationshipType, RequestStatus

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
COUNTRIES = Settings().registration_number_countries

# --- the primary contact: web-mail is refused (rules.md §3.2) ----------------------------


@pytest.mark.parametrize(
    ("email", "webmail"),
    [
        ("someone@gmail.com", True),
        ("Someone@GMAIL.com", True),
        ("someone@googlemail.com", True),
        ("someone@yahoo.com", True),
        ("someone@yahoo.co.jp", True),
        ("someone@yahoo.com.br", True),
        ("someone@ymail.com", True),
        ("someone@icloud.com", True),
        ("someone@me.com", True),
        ("someone@mac.com", True),
        ("someone@aol.com", True),
        ("someone@outlook.com", True),
        ("someone@outlook.kr", True),
        ("someone@hotmail.com", True),
        ("someone@hotmail.co.uk", True),
        ("someone@live.com", True),
        ("someone@live.com.au", True),
        ("someone@msn.com", True),
        ("someone@mail.gmail.com", True),  # a subdomain of a web-mail service
        ("someone@contoso.com", False),
        ("someone@live.contoso.com", False),  # a company's host named "live"
        ("someone@outlookconsulting.com", False),
        ("someone@yahoo-partners.example", False),
        ("someone@gmail.com.contoso.example", False),
        ("someone@notgmail.com", False),
        ("someone@hotmail.example.com", False),
        ("someone@me.company.example", False),
    ],
)
def test_web_mail_addresses_are_recognized(email, webmail):
    assert rules.is_webmail(email) is webmail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" Gena@Lucernepublishing.com ", "gena@lucernepublishing.com"),
        ("pat.lee+csp@contoso.co.kr", "pat.lee+csp@contoso.co.kr"),
        ("gena@gmail.com", WebMailContact),
        ("GENA@Hotmail.FR", WebMailContact),
        ("not-an-email", InvalidEmail),
        ("two@@contoso.com", InvalidEmail),
        ("a@b..com", InvalidEmail),
        ("", InvalidEmail),
    ],
)
def test_the_primary_contact_email_is_well_formed_and_not_web_mail(value, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.normalize_contact_email(value)
    else:
        assert rules.normalize_contact_email(value) == expected


# --- registration number (rules.md §3.3) ------------------------------------------------


def test_the_default_registration_countries_are_the_24_of_the_source():
    assert len(COUNTRIES) == 24
    assert {"BR", "IN", "PL", "TR", "VN", "ZA", "AE", "SA"} <= set(COUNTRIES)


@pytest.mark.parametrize(
    ("country", "required"),
    [
        ("IN", True),
        ("in", True),
        ("BR", True),
        ("PL", True),
        ("TR", True),
        ("UA", True),
        ("VN", True),
        ("US", False),
        ("KR", False),
        ("DE", False),
        ("JP", False),
    ],
)
def test_registration_number_is_required_in_the_listed_countries(country, required):
    assert rules.registration_number_required(country, COUNTRIES) is required


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("27AAPFU0939F1ZV", "IN", "27AAPFU0939F1ZV"),
        ("  12.345.678/0001-90 ", "BR", "12.345.678/0001-90"),
        ("", "US", None),
        (None, "KR", None),
        ("HRB 12345", "DE", "HRB 12345"),  # optional elsewhere, kept when given
        ("", "IN", RegistrationNumberRequired),
        ("   ", "PL", RegistrationNumberRequired),
        (None, "TR", RegistrationNumberRequired),
        ("-123", "IN", InvalidRegistrationNumber),
        ("12#34", "US", InvalidRegistrationNumber),
        ("1" * 65, "IN", InvalidRegistrationNumber),
    ],
)
def test_registration_number(value, country, expected):
    if isinstance(expected, type):
        with pytest.raises(expected) as err:
            rules.clean_registration_number(value, country=country, countries=COUNTRIES)
        assert err.value.code in (600049, 600050)
    else:
        assert (
            rules.clean_registration_number(value, country=country, countries=COUNTRIES) == expected
        )


def test_the_registration_countries_come_from_the_setting():
    assert rules.registration_number_required("US", ("US",)) is True
    assert rules.registration_number_required("IN", ("US",)) is False


# --- tenant domain (rules.md §2a) --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("contoso.example", "contoso.example"),
        (" Contoso.Example ", "contoso.example"),
        ("contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
        ("my-company.co.kr", "my-company.co.kr"),
        ("xn--9n2bp8q.example", "xn--9n2bp8q.example"),
        ("contoso.example.", "contoso.example"),
        ("a.b", "a.b"),
        ("contoso", InvalidTenantDomain),
        ("-contoso.example", InvalidTenantDomain),
        ("contoso-.example", InvalidTenantDomain),
        ("con_toso.example", InvalidTenantDomain),
        ("contoso..example", InvalidTenantDomain),
        ("contoso example.com", InvalidTenantDomain),
        ("10.0.0.1", InvalidTenantDomain),
        ("한국.example", InvalidTenantDomain),
        ("a" * 64 + ".example", InvalidTenantDomain),
        (".".join(["a" * 63] * 4), InvalidTenantDomain),  # 255 characters
        ("", InvalidTenantDomain),
    ],
)
def test_tenant_domain_syntax(value, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.normalize_tenant_domain(value)
    else:
        assert rules.normalize_tenant_domain(value) == expected


@pytest.mark.parametrize(
    ("state", "new", "expected"),
    [
        (S.SUBMITTED, "other.example", "other.example"),
        (S.VERIFYING, "other.example", "other.example"),
        (S.REJECTED, "Other.Example", "other.example"),
        (S.ACTIVE, "contoso.example", "contoso.example"),  # unchanged is fine
        (S.ACTIVE, "CONTOSO.example", "contoso.example"),
        (S.ACTIVE, "other.example", TenantDomainImmutable),
    ],
)
def test_the_tenant_domain_is_immutable_once_active(state, new, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.ensure_tenant_domain_change("contoso.example", new, state=state)
    else:
        assert rules.ensure_tenant_domain_change("contoso.example", new, state=state) == expected


# --- the enrollment state machine -------------------------------------------------------

ALLOWED = {
    (S.SUBMITTED, S.VERIFYING),
    (S.SUBMITTED, S.REJECTED),
    (S.VERIFYING, S.ACTIVE),
    (S.VERIFYING, S.REJECTED),
    (S.REJECTED, S.SUBMITTED),
}
REFUSALS = {
    S.VERIFYING: VerificationNeedsSubmitted,
    S.ACTIVE: ApprovalNeedsVerifying,
    S.REJECTED: RejectionNeedsOpen,
    S.SUBMITTED: ResubmissionNeedsRejected,
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_enrollment_moves_only_along_the_table(current, target):
    if (current, target) in ALLOWED:
        assert rules.can_transition(current, target)
        assert rules.ensure_transition(current, target) is target
    else:
        assert not rules.can_transition(current, target)
        with pytest.raises(REFUSALS[target]) as err:
            rules.ensure_transition(current, target)
        assert err.value.status == 409
        assert err.value.code == "InvalidEnrollmentTransition"


def test_an_active_enrollment_is_final():
    assert rules.TRANSITIONS[S.ACTIVE] == frozenset()


@pytest.mark.parametrize(
    ("state", "vetting"),
    [
        (S.SUBMITTED, ("pending", "entry")),
        (S.VERIFYING, ("pending", "businessVerification")),
        (S.ACTIVE, ("authorized", "none")),
        (S.REJECTED, ("rejected", "none")),
        (None, ("none", "none")),
    ],
)
def test_vetting_status_follows_the_enrollment(state, vetting):
    assert rules.vetting_of(state) == vetting


@pytest.mark.parametrize(
    ("reason", "ok"),
    [
        ("Address could not be verified", True),
        (" x ", True),
        ("", False),
        ("   ", False),
        (None, False),
        ("r" * 1025, False),
    ],
)
def test_a_rejection_needs_a_reason(reason, ok):
    if ok:
        assert rules.clean_rejection_reason(reason) == reason.strip()
    else:
        with pytest.raises(RejectionReasonRequired):
            rules.clean_rejection_reason(reason)


@pytest.mark.parametrize(
    ("locations", "country", "ok"),
    [
        (["US"], "US", True),
        (["KR", "US"], "us", True),
        (["KR"], "US", False),
        ([None], "US", False),
        ([], "US", False),
    ],
)
def test_approval_needs_a_location_partner_id_in_the_own_country(locations, country, ok):
    if ok:
        rules.ensure_location_partner_id(locations, country)
    else:
        with pytest.raises(LocationPartnerIdMissing):
            rules.ensure_location_partner_id(locations, country)


# --- partner IDs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4847383", 4847383),
        (" 4847383 ", 4847383),
        ("1", 1),
        ("2147483647", 2_147_483_647),
        ("2147483648", None),  # beyond the 32-bit column
        ("99999999999", None),
        ("0", None),
        ("0123", None),
        ("-5", None),
        ("+5", None),
        ("48a7383", None),
        ("4847383.0", None),
        ("", None),
        ("١٢٣", None),  # digits of another script are not a partner ID
    ],
)
def test_partner_ids_are_numeric(value, expected):
    assert rules.parse_partner_id(value) == expected


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (None, 1_000_001),
        (0, 1_000_001),
        (5, 1_000_001),
        (1_000_001, 1_000_002),
        (6_100_007, 6_100_008),
    ],
)
def test_the_next_partner_id(current, expected):
    assert rules.next_partner_id(current) == expected


def test_partner_ids_do_not_overflow_the_column():
    with pytest.raises(OverflowError):
        rules.next_partner_id(rules.PARTNER_ID_MAX)


@given(st.integers(min_value=0, max_value=rules.PARTNER_ID_MAX - 1))
def test_the_next_partner_id_is_always_new_and_parses_back(current):
    number = rules.next_partner_id(current)
    assert number > current
    assert rules.parse_partner_id(str(number)) == number


# --- profile ETag -----------------------------------------------------------------------

ORG = uuid.UUID("00000000-0000-0000-0000-000000000001")


def test_the_etag_changes_with_the_version_and_the_organization():
    assert rules.etag_for(ORG, 1) == rules.etag_for(ORG, 1)
    assert rules.etag_for(ORG, 1) != rules.etag_for(ORG, 2)
    assert rules.etag_for(ORG, 1) != rules.etag_for(uuid.uuid4(), 1)


@pytest.mark.parametrize(
    ("sent", "required", "expected"),
    [
        ("CURRENT", True, None),
        ('"CURRENT"', True, None),
        ('W/"CURRENT"', True, None),
        ("STALE", True, EtagMismatch),
        ("STALE", False, EtagMismatch),
        (None, True, EtagRequired),
        ("  ", True, EtagRequired),
        (None, False, None),
    ],
)
def test_etag_check(sent, required, expected):
    current = "CURRENT"
    if expected is None:
        rules.ensure_etag(current, sent, required=required)
    else:
        with pytest.raises(expected) as err:
            rules.ensure_etag(current, sent, required=required)
        if expected is EtagMismatch:
            assert err.value.code == 2055


# --- provider tier ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "state", "providers", "expected"),
    [
        (Tier.INDIRECT_RESELLER, S.ACTIVE, 0, None),
        (Tier.VENDOR, None, 0, VendorHasNoTier),
        (Tier.INDIRECT_PROVIDER, S.ACTIVE, 0, AlreadyProvider),
        (Tier.DIRECT_BILL, S.ACTIVE, 0, NotAResellerForTier),
        (Tier.INDIRECT_RESELLER, S.SUBMITTED, 0, EnrollmentNotActive),
        (Tier.INDIRECT_RESELLER, S.VERIFYING, 0, EnrollmentNotActive),
        (Tier.INDIRECT_RESELLER, S.REJECTED, 0, EnrollmentNotActive),
        (Tier.INDIRECT_RESELLER, None, 0, EnrollmentNotActive),
        (Tier.INDIRECT_RESELLER, S.ACTIVE, 2, StillResellerOfProviders),
    ],
)
def test_who_can_be_granted_the_provider_tier(tier, state, providers, expected):
    call = lambda: rules.ensure_provider_grantable(  # noqa: E731
        tier=tier, enrollment_state=state, name="Fabrikam", providers=providers
    )
    if expected is None:
        call()
    else:
        with pytest.raises(expected):
            call()


# --- partnerships -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "reseller", "ok"),
    [
        ("united-states", "united-states", True),
        ("europe", "europe", True),
        ("korea-republic-of", "korea-republic-of", True),
        ("united-states", "korea-republic-of", False),
        ("europe", "united-states", False),
        (None, "united-states", False),
        ("united-states", None, False),
        (None, None, False),
    ],
)
def test_provider_and_reseller_must_share_the_region(provider, reseller, ok):
    if ok:
        rules.ensure_same_region(provider, reseller)
    else:
        with pytest.raises(RegionMismatch) as err:
            rules.ensure_same_region(provider, reseller)
        assert err.value.code == 2201
        assert err.value.message == "Reseller CSP region doesn't match provider's region"


@pytest.mark.parametrize(
    ("tier", "state", "has_location", "ok"),
    [
        (Tier.INDIRECT_RESELLER, S.ACTIVE, True, True),
        (Tier.INDIRECT_RESELLER, S.ACTIVE, False, False),
        (Tier.INDIRECT_RESELLER, S.VERIFYING, True, False),
        (Tier.INDIRECT_RESELLER, S.SUBMITTED, True, False),
        (Tier.INDIRECT_RESELLER, S.REJECTED, True, False),
        (Tier.INDIRECT_RESELLER, None, True, False),
        (Tier.INDIRECT_PROVIDER, S.ACTIVE, True, False),
        (Tier.DIRECT_BILL, S.ACTIVE, True, False),
        (Tier.VENDOR, None, False, False),
    ],
)
def test_only_an_active_reseller_authorizes_a_provider(tier, state, has_location, ok):
    if ok:
        rules.ensure_active_reseller(tier, state, has_location_partner_id=has_location)
    else:
        with pytest.raises(NotAnActiveReseller):
            rules.ensure_active_reseller(tier, state, has_location_partner_id=has_location)


@pytest.mark.parametrize(
    ("tier", "ok"),
    [
        (Tier.INDIRECT_PROVIDER, True),
        (Tier.INDIRECT_RESELLER, False),
        (Tier.DIRECT_BILL, False),
        (Tier.VENDOR, False),
    ],
)
def test_the_link_needs_its_provider_to_still_be_one(tier, ok):
    if ok:
        rules.ensure_still_provider(tier)
    else:
        with pytest.raises(ProviderNoLongerProvider):
            rules.ensure_still_provider(tier)


@pytest.mark.parametrize(
    ("roles", "ok"),
    [
        ({"global_admin"}, True),
        ({"global_admin", "admin_agent"}, True),
        ({"admin_agent"}, False),
        ({"account_admin", "user_management_admin"}, False),
        (set(), False),
    ],
)
def test_partnerships_need_a_global_admin(roles, ok):
    if ok:
        rules.ensure_global_admin(roles)
    else:
        with pytest.raises(GlobalAdminRequired) as err:
            rules.ensure_global_admin(roles)
        assert err.value.status == 403


EXPIRES = NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("used", "revoked", "now", "status"),
    [
        (None, None, NOW, RequestStatus.PENDING),
        (None, None, EXPIRES - timedelta(seconds=1), RequestStatus.PENDING),
        (None, None, EXPIRES, RequestStatus.EXPIRED),
        (None, NOW, NOW, RequestStatus.REVOKED),
        (NOW, None, NOW, RequestStatus.ACCEPTED),
        (NOW, None, EXPIRES + timedelta(days=1), RequestStatus.ACCEPTED),
        (None, NOW, EXPIRES + timedelta(days=1), RequestStatus.REVOKED),
    ],
)
def test_a_link_works_once_until_it_expires_or_is_revoked(used, revoked, now, status):
    kwargs = {"used_at": used, "revoked_at": revoked, "expires_at": EXPIRES, "now": now}
    assert rules.request_status(**kwargs) is status
    if status is RequestStatus.PENDING:
        rules.ensure_request_usable(**kwargs)
    else:
        with pytest.raises(PartnershipRequestNotFound) as err:
            rules.ensure_request_usable(**kwargs)
        assert err.value.status == 404


@pytest.mark.parametrize("days", [1, 30, 90])
def test_a_link_expires_after_the_configured_days(days):
    assert rules.request_expiry(NOW, days=days) == NOW + timedelta(days=days)


def test_the_default_link_lifetime_is_30_days():
    assert Settings().partnership_request_days == 30


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "IsIndirectCloudSolutionProviderOf",
            RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
        ),
        (
            "isindirectcloudsolutionproviderof",
            RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
        ),
        (
            "is_indirect_cloud_solution_provider_of",
            RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF,
        ),
        ("IsIndirectResellerOf", RelationshipType.IS_INDIRECT_RESELLER_OF),
        ("is_indirect_reseller_of", RelationshipType.IS_INDIRECT_RESELLER_OF),
    ],
)
def test_relationship_types_are_read_case_insensitively(value, expected):
    assert RelationshipType(value) is expected


@pytest.mark.parametrize("value", ["", "IsReseller", "customer"])
def test_unknown_relationship_types_are_refused(value):
    with pytest.raises(ValueError):
        RelationshipType(value)


# --- text fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "maximum", "expected"),
    [
        ("  Contoso  ", 10, "Contoso"),
        ("", 10, InvalidField),
        (None, 10, InvalidField),
        ("x" * 11, 10, InvalidField),
    ],
)
def test_required_text(value, maximum, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.required_text(value, field="companyName", maximum=maximum)
    else:
        assert rules.required_text(value, field="companyName", maximum=maximum) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), (None, None), (" 42 ", "42"), ("x" * 41, InvalidField)]
)
def test_optional_text(value, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.optional_text(value, field="phoneNumber", maximum=40)
    else:
        assert rules.optional_text(value, field="phoneNumber", maximum=40) == expected


def test_an_address_is_stored_with_partner_center_keys():
    address = rules.clean_address(
        country="US",
        address_line1=" 1 Microsoft Way ",
        address_line2="",
        city="Redmond",
        state="WA",
        postal_code="98052",
        phone_number=None,
    )
    assert address == {
        "country": "US",
        "addressLine1": "1 Microsoft Way",
        "addressLine2": None,
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "phoneNumber": None,
    }
    with pytest.raises(InvalidField) as err:
        rules.clean_address(
            country="US",
            address_line1="x" * 201,
            address_line2=None,
            city="Redmond",
            state=None,
            postal_code=None,
            phone_number=None,
        )
    assert err.value.params["field"] == "addressLine1"
