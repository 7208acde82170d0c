"""The pure rules of agreements, as tables of cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.agreements import errors, rules
from opencsp.agreements.rules import AgreementType, DocumentText
from opencsp.core.actor import Tier

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
ZERO = uuid.UUID(int=0)

# --- agreement types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MicrosoftCustomerAgreement", AgreementType.CUSTOMER),
        ("microsoftcustomeragreement", AgreementType.CUSTOMER),
        (" MicrosoftPartnerAgreement ", AgreementType.PARTNER),
        ("MicrosoftCloudAgreement", AgreementType.CLOUD),
        ("customer", AgreementType.CUSTOMER),
        ("Partner", AgreementType.PARTNER),
    ],
)
def test_agreement_types_are_read_case_insensitively(value, expected):
    assert rules.parse_agreement_type(value) is expected


@pytest.mark.parametrize("value", ["", "MicrosoftAgreement", "MCA", "*"])
def test_unknown_agreement_types_are_refused(value):
    with pytest.raises(errors.InvalidAgreementType):
        rules.parse_agreement_type(value)


ALL = frozenset(AgreementType)


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (None, AgreementType.CUSTOMER, {AgreementType.CUSTOMER}),
        ("", AgreementType.CUSTOMER, {AgreementType.CUSTOMER}),
        ("*", AgreementType.CUSTOMER, ALL),
        ("MicrosoftCloudAgreement", AgreementType.CUSTOMER, {AgreementType.CLOUD}),
        ("MicrosoftPartnerAgreement", AgreementType.CUSTOMER, {AgreementType.PARTNER}),
        (None, None, ALL),
        ("MicrosoftCustomerAgreement", None, {AgreementType.CUSTOMER}),
    ],
)
def test_type_filter(value, default, expected):
    assert rules.type_filter(value, default=default) == expected


@pytest.mark.parametrize(
    ("kind", "publishable", "confirmable"),
    [
        (AgreementType.CUSTOMER, True, True),
        (AgreementType.PARTNER, True, False),
        (AgreementType.CLOUD, False, False),  # legacy: read-only
    ],
)
def test_which_types_can_be_published_and_confirmed(kind, publishable, confirmable):
    for check, allowed in (
        (rules.ensure_publishable, publishable),
        (rules.ensure_confirmable, confirmable),
    ):
        if allowed:
            check(kind)
        else:
            with pytest.raises(errors.AgreementTypeNotWritable):
                check(kind)


@pytest.mark.parametrize(
    ("tier", "allowed"),
    [
        (Tier.DIRECT_BILL, True),
        (Tier.INDIRECT_PROVIDER, True),
        (Tier.INDIRECT_RESELLER, False),  # its provider attests
        (Tier.VENDOR, False),
    ],
)
def test_who_may_attest(tier, allowed):
    if allowed:
        rules.ensure_can_attest(tier)
    else:
        with pytest.raises(errors.AttestationNotForTier) as raised:
            rules.ensure_can_attest(tier)
        assert raised.value.status == 403
        assert raised.value.code == 900150


def test_consent_must_be_given():
    rules.ensure_consent(True)
    with pytest.raises(errors.ConsentRequired):
        rules.ensure_consent(False)


# --- the date agreed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-06-14T00:00:00.000Z", datetime(2018, 6, 14, tzinfo=UTC)),
        ("2019-08-26T00:00:00", datetime(2019, 8, 26, tzinfo=UTC)),  # no offset: UTC
        ("2026-11-21", datetime(2026, 11, 21, tzinfo=UTC)),  # a date: that UTC day
        ("2026-11-21T18:30:00+09:00", datetime(2026, 11, 21, 9, 30, tzinfo=UTC)),
        (" 2026-11-20T23:59:59.999Z ", datetime(2026, 11, 20, 23, 59, 59, 999000, tzinfo=UTC)),
    ],
)
def test_date_agreed_is_read_as_utc(value, expected):
    parsed = rules.parse_date_agreed(value)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01", "14/06/2018", "2026-11-21T25:00"])
def test_malformed_dates_are_refused(value):
    with pytest.raises(errors.InvalidDateAgreed):
        rules.parse_date_agreed(value)


@pytest.mark.parametrize(
    ("value", "in_future"),
    [
        ("2018-06-14T00:00:00Z", False),
        ("2026-11-21", False),  # today (UTC): its start is not in the future
        ("2026-11-21T09:30:00Z", False),  # exactly now
        ("2026-11-21T09:30:01Z", True),
        ("2026-11-22", True),  # tomorrow
        ("2026-11-21T18:31:00+09:00", True),  # a minute ahead in Seoul
    ],
)
def test_date_agreed_cannot_be_in_the_future(value, in_future):
    agreed = rules.parse_date_agreed(value)
    if in_future:
        with pytest.raises(errors.DateAgreedInFuture):
            rules.ensure_not_in_future(agreed, now=NOW)
    else:
        rules.ensure_not_in_future(agreed, now=NOW)


@given(st.timedeltas(min_value=timedelta(days=-3650), max_value=timedelta(days=3650)))
def test_a_date_is_in_the_future_exactly_when_it_is_after_now(offset):
    agreed = NOW + offset
    if agreed > NOW:
        with pytest.raises(errors.DateAgreedInFuture):
            rules.ensure_not_in_future(agreed, now=NOW)
    else:
        rules.ensure_not_in_future(agreed, now=NOW)


# --- the signer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "email", "phone", "error"),
    [
        ("Tania", "Carr", "someone@example.com", "1234567890", None),
        ("Tania", "Carr", "SomeEmail@Outlook.com", None, None),
        ("김", "민지", "minji@example.kr", "+82 2-555-0101", None),
        ("T" * 50, "C" * 50, "a@b.co", "", None),
        ("", "Carr", "someone@example.com", None, errors.InvalidFirstName),
        ("   ", "Carr", "someone@example.com", None, errors.InvalidFirstName),
        ("T" * 51, "Carr", "someone@example.com", None, errors.InvalidFirstName),
        ("Tania", "", "someone@example.com", None, errors.InvalidLastName),
        ("Tania", "C" * 51, "someone@example.com", None, errors.InvalidLastName),
        ("Tania", "Carr", "someone", None, errors.InvalidSignerEmail),
        ("Tania", "Carr", "some one@example.com", None, errors.InvalidSignerEmail),
        ("Tania", "Carr", "a@b..c", None, errors.InvalidSignerEmail),
        ("Tania", "Carr", "someone@example.com", "call me", errors.InvalidSignerPhone),
        ("Tania", "Carr", "someone@example.com", "12", errors.InvalidSignerPhone),
        ("Tania", "Carr", "someone@example.com", "1" * 41, errors.InvalidSignerPhone),
    ],
)
def test_signer_contact(first, last, email, phone, error):
    if error is None:
        contact = rules.clean_contact(first, last, email, phone)
        assert contact.first_name == first.strip()
        assert contact.email == email  # kept as typed, as the samples echo it
        assert contact.phone == ((phone or "").strip() or None)
    else:
        with pytest.raises(error):
            rules.clean_contact(first, last, email, phone)


# --- templates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class T:
    name: str
    agreement_type: str = AgreementType.CUSTOMER.value
    region: str | None = None
    status: str = "published"
    day: int = 1
    version: str = "v1"
    id: uuid.UUID = ZERO

    @property
    def published_at(self) -> datetime:
        return datetime(2026, 1, self.day, tzinfo=UTC)


def tpl(name: str, **kw) -> T:
    return T(name=name, id=uuid.uuid5(uuid.NAMESPACE_URL, name), **kw)


CATALOG = [
    tpl("all-old", day=1, version="v1"),
    tpl("all-new", day=5, version="v2"),
    tpl("all-retired", day=9, version="v3", status="retired"),
    tpl("kr-old", region="korea", day=2, version="k1"),
    tpl("kr-new", region="korea", day=6, version="k2"),
    tpl("eu", region="europe", day=3),
    tpl("mpa-all", agreement_type=AgreementType.PARTNER.value, day=4),
    tpl("mpa-kr", agreement_type=AgreementType.PARTNER.value, region="korea", day=7),
]


@pytest.mark.parametrize(
    ("kind", "region", "expected"),
    [
        (AgreementType.CUSTOMER, "korea", ["kr-new", "kr-old"]),  # the region's own
        (AgreementType.CUSTOMER, "united-states", ["all-new", "all-old"]),  # fallback
        (AgreementType.CUSTOMER, None, ["all-new", "all-old"]),
        (AgreementType.CUSTOMER, "europe", ["eu"]),
        (AgreementType.PARTNER, "korea", ["mpa-kr"]),
        (AgreementType.PARTNER, "europe", ["mpa-all"]),
        (AgreementType.CLOUD, "korea", []),
    ],
)
def test_applicable_templates_newest_first_with_ranks(kind, region, expected):
    found = rules.applicable(CATALOG, kind, region)
    assert [t.name for t, _ in found] == expected
    assert [rank for _, rank in found] == list(range(len(expected)))
    current = rules.current(CATALOG, kind, region)
    assert (current.name if current else None) == (expected[0] if expected else None)


def test_version_rank_is_per_type_and_region_and_skips_retired():
    ranks = {
        t.name: rank
        for t in CATALOG
        if (rank := rules.version_ranks(CATALOG).get(t.id)) is not None
    }
    assert ranks == {
        "all-new": 0,
        "all-old": 1,
        "kr-new": 0,
        "kr-old": 1,
        "eu": 0,
        "mpa-all": 0,
        "mpa-kr": 0,
    }


def test_same_instant_breaks_ties_by_natural_version_order():
    same_day = [tpl("a", version="v9"), tpl("b", version="v10"), tpl("c", version="v2")]
    assert [t.name for t, _ in rules.applicable(same_day, AgreementType.CUSTOMER, None)] == [
        "b",
        "a",
        "c",
    ]


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("ko-KR", ["en", "ko"], "ko"),
        ("ko", ["en", "ko"], "ko"),
        ("ko_kr", ["en", "ko"], "ko"),
        ("KO", ["en", "ko"], "ko"),
        ("en-US", ["en", "ko"], "en"),
        ("ja-JP", ["en", "ko"], "en"),
        (None, ["en", "ko"], "en"),
        ("", ["en", "ko"], "en"),
        ("ja", ["en", "ja", "ko"], "ja"),
    ],
)
def test_document_language_falls_back_to_english(requested, available, expected):
    assert rules.document_language(requested, available) == expected


@pytest.mark.parametrize(
    ("requested", "served", "tag"),
    [("ko-kr", "ko", "ko-KR"), ("ko", "ko", "ko"), ("en-US", "en", "en-US"), ("ja-JP", "en", "en")],
)
def test_served_language_tag(requested, served, tag):
    assert rules.served_language_tag(requested, served) == tag


def doc(title: str = "Customer Agreement", body: str = "Text") -> DocumentText:
    return DocumentText(title, body)


@pytest.mark.parametrize(
    ("documents", "error"),
    [
        ({"en": doc(), "ko": doc("고객 계약")}, None),
        ({"EN": doc(), "ko": doc(), "ja": doc()}, None),
        ({"en": doc()}, errors.DocumentsMissing),
        ({"ko": doc()}, errors.DocumentsMissing),
        ({}, errors.DocumentsMissing),
        ({"en": doc(title=""), "ko": doc()}, errors.InvalidDocument),
        ({"en": doc(body="  "), "ko": doc()}, errors.InvalidDocument),
        ({"en": doc(title="x" * 257), "ko": doc()}, errors.InvalidDocument),
        ({"english": doc(), "ko": doc()}, errors.InvalidLanguage),
        ([("en", doc()), ("EN", doc()), ("ko", doc())], errors.DuplicateDocumentLanguage),
    ],
)
def test_documents_need_english_and_korean(documents, error):
    if error is None:
        cleaned = rules.clean_documents(documents)
        assert {"en", "ko"} <= set(cleaned)
    else:
        with pytest.raises(error):
            rules.clean_documents(documents)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("https://agreements.example/mca", "https://agreements.example/mca"),
        ("http://example.com", "http://example.com"),
        ("javascript:alert(1)", errors.InvalidAgreementLink),
        ("ftp://example.com/x", errors.InvalidAgreementLink),
        ("https://", errors.InvalidAgreementLink),
        ("https://exa mple.com", errors.InvalidAgreementLink),
        ("https://example.com/" + "x" * 2048, errors.InvalidAgreementLink),
    ],
)
def test_agreement_link(value, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            rules.clean_link(value)
    else:
        assert rules.clean_link(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 2026-11 ", "2026-11"), ("v1", "v1"), ("", None), ("x" * 33, None), ("a\nb", None)],
)
def test_version(value, expected):
    if expected is None:
        with pytest.raises(errors.InvalidTemplateVersion):
            rules.clean_version(value)
    else:
        assert rules.clean_version(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("all", None), ("*", None), (" Korea ", "korea")],
)
def test_region(value, expected):
    assert rules.normalize_region(value) == expected


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ("# Customer Agreement\n\nTerms.", "Customer Agreement", "Terms."),
        ("Terms only.", None, "Terms only."),
        ("\n# 고객 계약\n본문", "고객 계약", "본문"),
    ],
)
def test_a_file_names_its_title_on_its_first_line(text, title, body):
    assert rules.split_title(text) == (title, body)
    document = rules.document_from_text(AgreementType.CUSTOMER, "ko", text)
    assert document.title == (title or "고객 계약")


# --- the partner-agreement status API ----------------------------------------------------------

TENANT = "12345678-acbd-1234-abcd-123456789abc"


@pytest.mark.parametrize(
    ("mpn_id", "tenant_id", "expected"),
    [
        ("123456", None, 123456),
        (" 6100001 ", "", 6100001),
        (None, TENANT, uuid.UUID(TENANT)),
        ("", TENANT.upper(), uuid.UUID(TENANT)),
        (None, None, errors.PartnerIdAndTenantIdEmpty),  # 2001
        ("", "  ", errors.PartnerIdAndTenantIdEmpty),  # 2001
        ("123456", TENANT, errors.BothPartnerIdAndTenantId),  # 2000
        ("12a456", None, errors.PartnerIdNotNumeric),  # 2000
        ("-5", None, errors.PartnerIdNotNumeric),
        ("١٢٣", None, errors.PartnerIdNotNumeric),  # digits, but not ASCII
        (None, "not-a-guid", errors.TenantIdNotGuid),  # 2000
    ],
)
def test_exactly_one_of_partner_id_and_tenant_id(mpn_id, tenant_id, expected):
    if isinstance(expected, type):
        with pytest.raises(expected) as raised:
            rules.parse_status_query(mpn_id, tenant_id)
        assert raised.value.code == (2001 if expected is errors.PartnerIdAndTenantIdEmpty else 2000)
        assert raised.value.status == 400
    else:
        assert rules.parse_status_query(mpn_id, tenant_id) == expected


@pytest.mark.parametrize(
    ("value", "possible"),
    [(1, True), (2**31 - 1, True), (0, False), (2**31, False), (10**30, False)],
)
def test_partner_ids_are_positive_32_bit_numbers(value, possible):
    assert rules.is_possible_partner_id(value) is possible
