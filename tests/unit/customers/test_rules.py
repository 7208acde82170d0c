"""Rules of the customers domain as tables: company names (refused and warned), emails,
default domains, cultures, who creates customers, market matching, list filters, ETags."""

from __future__ import annotations

import uuid

import pytest

from opencsp.auth.errors import InvalidEmail
from opencsp.core.actor import Tier
from opencsp.core.errors import EtagMismatch
from opencsp.customers import rules
from opencsp.customers.errors import (
    CompanyNameBlank,
    CompanyNameLegalFormOnly,
    CompanyNameOnlySpecialCharacters,
    CompanyNameSingleCharacter,
    CompanyNameTooLong,
    CustomerCreationNotAllowed,
    EtagRequired,
    InvalidCulture,
    InvalidCustomerFilter,
    InvalidDomain,
    InvalidTenantIdFilter,
    PartnerEmailDomain,
    PartnerNotActive,
    PartnerNotInMarket,
    UnsupportedFilterField,
    UnsupportedFilterOperator,
    VendorEmailDomain,
)
from opencsp.customers.rules import FilterField, NameWarning, RelationshipRole

# --- company names (PC:validate-names-addresses.md) ---------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", CompanyNameBlank),
        ("   ", CompanyNameBlank),
        ("\t \t", CompanyNameBlank),
        ("A", CompanyNameSingleCharacter),
        ("  7  ", CompanyNameSingleCharacter),
        ("가", CompanyNameSingleCharacter),
        ("!!", CompanyNameOnlySpecialCharacters),
        ("#$%&*", CompanyNameOnlySpecialCharacters),
        ("- - -", CompanyNameOnlySpecialCharacters),
        ("llc", CompanyNameLegalFormOnly),
        ("LLC", CompanyNameLegalFormOnly),
        ("L.L.C.", CompanyNameLegalFormOnly),
        ("Inc.", CompanyNameLegalFormOnly),
        ("ltd", CompanyNameLegalFormOnly),
        ("GmbH", CompanyNameLegalFormOnly),
        ("Co., Ltd.", CompanyNameLegalFormOnly),
        ("Sp. z o.o.", CompanyNameLegalFormOnly),
        ("S.A. de C.V.", CompanyNameLegalFormOnly),
        ("주식회사", CompanyNameLegalFormOnly),
        ("AB", CompanyNameLegalFormOnly),
        ("(주)", CompanyNameLegalFormOnly),
        ("x" * 257, CompanyNameTooLong),
    ],
)
def test_refused_company_names(name, error):
    with pytest.raises(error):
        rules.check_company_name(name)


@pytest.mark.parametrize(
    ("name", "kept", "warnings"),
    [
        ("Contoso", "Contoso", []),
        ("  Contoso Ltd  ", "Contoso Ltd", []),
        ("Wingtip Toys678152504", "Wingtip Toys678152504", []),
        ("XY", "XY", []),
        ("3M", "3M", []),
        ("AT & T", "AT & T", []),
        ("주식회사 한빛", "주식회사 한빛", []),
        ("Ltd Holdings", "Ltd Holdings", []),
        ("x" * 256, "x" * 256, [NameWarning.REPEATED_CHARACTER]),
        ("contoso.com", "contoso.com", [NameWarning.TOP_LEVEL_DOMAIN]),
        ("Contoso.COM Inc", "Contoso.COM Inc", [NameWarning.TOP_LEVEL_DOMAIN]),
        ("fabrikam.kr", "fabrikam.kr", [NameWarning.TOP_LEVEL_DOMAIN]),
        ("St. Louis Bread", "St. Louis Bread", []),
        ("Contosooo", "Contosooo", [NameWarning.REPEATED_CHARACTER]),
        ("AAA Plumbing", "AAA Plumbing", [NameWarning.REPEATED_CHARACTER]),
        ("1 2 3", "1 2 3", [NameWarning.SPACED_CHARACTERS]),
        ("A B C Trading", "A B C Trading", [NameWarning.SPACED_CHARACTERS]),
        ("A B Trading", "A B Trading", []),
        (
            "www.contoso.com",
            "www.contoso.com",
            [NameWarning.TOP_LEVEL_DOMAIN, NameWarning.REPEATED_CHARACTER],
        ),
    ],
)
def test_accepted_company_names_and_their_warnings(name, kept, warnings):
    assert rules.check_company_name(name) == (kept, warnings)


def test_every_warning_has_a_text():
    assert set(rules.WARNING_TEXT) == set(NameWarning)


# --- emails (PC:developer/create-a-customer.md) --------------------------------------------

VENDOR = ("microsoft.com",)
PARTNER = ("tailwind.example", "p1234.partners.example")


@pytest.mark.parametrize(
    ("email", "outcome"),
    [
        ("gena@wingtiptoys.com", "gena@wingtiptoys.com"),
        ("  Gena@WingtipToys.com ", "Gena@WingtipToys.com"),
        ("someone@microsoft.com", VendorEmailDomain),
        ("someone@MICROSOFT.COM", VendorEmailDomain),
        ("someone@eu.microsoft.com", VendorEmailDomain),
        ("someone@notmicrosoft.com", "someone@notmicrosoft.com"),
        ("sales@tailwind.example", PartnerEmailDomain),
        ("sales@us.tailwind.example", PartnerEmailDomain),
        ("a@p1234.partners.example", PartnerEmailDomain),
        ("a@partners.example", "a@partners.example"),
        ("not an email", InvalidEmail),
        ("a@b", InvalidEmail),
        ("@x.example", InvalidEmail),
    ],
)
def test_customer_emails(email, outcome):
    check = lambda: rules.check_customer_email(  # noqa: E731
        email, vendor_domains=VENDOR, partner_domains=PARTNER
    )
    if isinstance(outcome, str):
        assert check() == outcome
    else:
        with pytest.raises(outcome):
            check()


def test_the_vendor_domain_is_whatever_the_vendor_says():
    with pytest.raises(VendorEmailDomain):
        rules.check_customer_email(
            "x@nimbus.example", vendor_domains=["nimbus.example"], partner_domains=[]
        )
    assert rules.check_customer_email("x@microsoft.com", vendor_domains=[], partner_domains=[])


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            ("p1.partners.example", "pat@Tailwind.example"),
            ["p1.partners.example", "tailwind.example"],
        ),
        ((None, "pat@tailwind.example", "x@tailwind.example"), ["tailwind.example"]),
        (("",), []),
    ],
)
def test_partner_domains(sources, expected):
    assert rules.partner_domains(*sources) == expected


# --- default domains --------------------------------------------------------------------

SUFFIX = "onopencsp.example"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("wingtip", "wingtip.onopencsp.example"),
        ("WingtipToys678152504", "wingtiptoys678152504.onopencsp.example"),
        ("WingtipToys678152504.onmicrosoft.com", "wingtiptoys678152504.onopencsp.example"),
        ("contoso.onopencsp.example", "contoso.onopencsp.example"),
        ("contoso.onopencsp.example.", "contoso.onopencsp.example"),
        ("a-b-c", "a-b-c.onopencsp.example"),
        ("x" * 63, "x" * 63 + ".onopencsp.example"),
        ("x" * 64, InvalidDomain),
        ("-contoso", InvalidDomain),
        ("contoso-", InvalidDomain),
        ("con_toso", InvalidDomain),
        ("contoso.com", InvalidDomain),
        ("a.b.onopencsp.example", InvalidDomain),
        ("", InvalidDomain),
        ("콘토소", InvalidDomain),
    ],
)
def test_default_domains(given, expected):
    if isinstance(expected, str):
        assert rules.default_domain(given, suffix=SUFFIX) == expected
    else:
        with pytest.raises(expected):
            rules.default_domain(given, suffix=SUFFIX)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("contoso", "contoso.onopencsp.example"),
        ("Contoso.onmicrosoft.com", "contoso.onopencsp.example"),
        ("P1.Partners.Example", "p1.partners.example"),
    ],
)
def test_domains_to_check(given, expected):
    assert rules.domain_to_check(given, suffix=SUFFIX) == expected


# --- cultures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("culture", "language", "expected"),
    [
        ("EN-US", "En", ("en-US", "En")),
        ("ko-kr", "ko", ("ko-KR", "ko")),
        ("en_GB", "en", ("en-GB", "en")),
        ("english", "en", InvalidCulture),
        ("en-US", "eng", InvalidCulture),
        ("", "en", InvalidCulture),
    ],
)
def test_cultures(culture, language, expected):
    if isinstance(expected, tuple):
        assert rules.check_culture(culture, language) == expected
    else:
        with pytest.raises(expected):
            rules.check_culture(culture, language)


# --- who creates customers, where ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "allowed", "role"),
    [
        (Tier.DIRECT_BILL, True, RelationshipRole.DIRECT),
        (Tier.INDIRECT_PROVIDER, True, RelationshipRole.PROVIDER),
        (Tier.INDIRECT_RESELLER, False, RelationshipRole.RESELLER),
        (Tier.VENDOR, False, None),
    ],
)
def test_who_creates_customers_and_in_which_role(tier, allowed, role):
    assert rules.role_for_tier(tier) == role
    if allowed:
        rules.ensure_can_create_customers(tier)
    else:
        with pytest.raises(CustomerCreationNotAllowed):
            rules.ensure_can_create_customers(tier)


@pytest.mark.parametrize(
    ("state", "active"),
    [
        ("active", True),
        (None, False),
        ("submitted", False),
        ("verifying", False),
        ("rejected", False),
    ],
)
def test_only_an_active_enrollment_works_with_customers(state, active):
    if active:
        rules.ensure_enrollment_active(state)
    else:
        with pytest.raises(PartnerNotActive) as caught:
            rules.ensure_enrollment_active(state)
        assert caught.value.code == 800039


@pytest.mark.parametrize(
    ("partner_region", "customer_market", "sells"),
    [
        ("united-states", "united-states", True),
        ("europe", "europe", True),
        ("united-states", "canada", False),
        ("korea-republic-of", "japan", False),
        (None, "united-states", False),
    ],
)
def test_a_partner_sells_only_in_its_own_market(partner_region, customer_market, sells):
    if sells:
        rules.ensure_sells_in(partner_region, customer_market, "XX")
    else:
        with pytest.raises(PartnerNotInMarket) as caught:
            rules.ensure_sells_in(partner_region, customer_market, "CA")
        assert caught.value.code == 2030
        assert caught.value.status == 403
        assert "CA" in caught.value.message


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("none", rules.RelationshipToPartner.NONE),
        ("Reseller", rules.RelationshipToPartner.RESELLER),
        ("advisor", rules.RelationshipToPartner.ADVISOR),
        ("syndication", rules.RelationshipToPartner.SYNDICATION),
        ("MicrosoftSupport", rules.RelationshipToPartner.MICROSOFT_SUPPORT),
        ("microsoft_support", rules.RelationshipToPartner.MICROSOFT_SUPPORT),
    ],
)
def test_relationship_to_partner_values(value, member):
    assert rules.RelationshipToPartner(value) is member


# --- list filter (PC:developer/get-a-customer-by-name.md) ---------------------------------

TENANT = uuid.UUID("484e548c-f5f3-4528-93a9-c16c6373cb59")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        (
            '{"Field":"CompanyName","Value":"Cont","Operator":"starts_with"}',
            (FilterField.COMPANY_NAME, "Cont", None),
        ),
        (
            '{"field":"companyname","value":"x","operator":"STARTS_WITH"}',
            (FilterField.COMPANY_NAME, "x", None),
        ),
        (
            '{"Field":"Domain","Value":"cont","Operator":"starts_with"}',
            (FilterField.DOMAIN, "cont", None),
        ),
        (
            f'{{"Field":"IndirectReseller","Value":"{TENANT}","Operator":"starts_with"}}',
            (FilterField.INDIRECT_RESELLER, str(TENANT), TENANT),
        ),
        (
            f'{{"Field":"IndirectCloudSolutionProvider","Value":"{str(TENANT).upper()}","Operator":"starts_with"}}',
            (FilterField.INDIRECT_CLOUD_SOLUTION_PROVIDER, str(TENANT), TENANT),
        ),
        ("not json", InvalidCustomerFilter),
        ("[1, 2]", InvalidCustomerFilter),
        ('{"Field":"CompanyName","Operator":"starts_with"}', InvalidCustomerFilter),
        ('{"Field":"CompanyName","Value":3,"Operator":"starts_with"}', InvalidCustomerFilter),
        ('{"Field":"Country","Value":"US","Operator":"starts_with"}', UnsupportedFilterField),
        ('{"Field":"CompanyName","Value":"x","Operator":"equals"}', UnsupportedFilterOperator),
        ('{"Field":"CompanyName","Value":"x","Operator":"substring"}', UnsupportedFilterOperator),
        ('{"Field":"CompanyName","Value":"x"}', UnsupportedFilterOperator),
        (
            '{"Field":"IndirectReseller","Value":"484e","Operator":"starts_with"}',
            InvalidTenantIdFilter,
        ),
    ],
)
def test_list_filters(raw, expected):
    if expected is None:
        assert rules.parse_filter(raw) is None
    elif isinstance(expected, tuple):
        flt = rules.parse_filter(raw)
        assert flt is not None
        assert (flt.field, flt.value, flt.tenant_id) == expected
    else:
        with pytest.raises(expected) as caught:
            rules.parse_filter(raw)
        assert caught.value.status == 400


# --- billing profile ETag -----------------------------------------------------------------

CID = uuid.UUID("eebd1b55-5360-4438-a11d-5c06918c3014")


def test_the_etag_changes_with_every_version_and_is_stable():
    tags = [rules.billing_etag(CID, v) for v in range(1, 50)]
    assert len(set(tags)) == len(tags)
    assert rules.billing_etag(CID, 3) == rules.billing_etag(CID, 3)
    assert rules.billing_etag(uuid.uuid4(), 3) != rules.billing_etag(CID, 3)
    assert all(-(2**63) <= int(t) < 2**63 for t in tags)


@pytest.mark.parametrize(
    ("sent", "outcome"),
    [
        ("CURRENT", None),
        ('"CURRENT"', None),
        ('W/"CURRENT"', None),
        ("*", None),
        ("OLD", EtagMismatch),
        (None, EtagRequired),
        ("  ", EtagRequired),
    ],
)
def test_etag_matching(sent, outcome):
    current = rules.billing_etag(CID, 2)
    value = sent.replace("CURRENT", current) if sent else sent
    value = value.replace("OLD", rules.billing_etag(CID, 1)) if value else value
    if outcome is None:
        rules.ensure_etag_matches(value, current)
    else:
        with pytest.raises(outcome) as caught:
            rules.ensure_etag_matches(value, current)
        if outcome is EtagMismatch:
            assert caught.value.code == 2055
