"""Rules about customers — pure: values in, values out or a domain error.

Sources: company names PC:validate-names-addresses.md; emails, registration numbers and
phones PC:developer/create-a-customer.md and PC:developer/error-codes.md; who creates
customers PC:transition-direct-to-indirect.md; markets PC:regional-authorization-overview.md;
relationship values PC:developer/customer-resources.md (rules.md §5.4–§5.9)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from opencsp.auth.rules import normalize_email
from opencsp.core.actor import Tier
from opencsp.core.errors import EtagMismatch
from opencsp.core.http import WireEnum
from opencsp.core.ids import parse_guid
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

# --- relationships --------------------------------------------------------------------------


class RelationshipToPartner(WireEnum):
    """``relationshipToPartner`` (PC:developer/customer-resources.md)."""

    NONE = "none"
    RESELLER = "reseller"
    ADVISOR = "advisor"
    SYNDICATION = "syndication"
    MICROSOFT_SUPPORT = "microsoft_support"


class RelationshipRole(StrEnum):
    """A partner's part in a customer relationship: a direct-bill partner sells
    ``direct``; a customer of an indirect reseller has a ``provider`` row and a
    ``reseller`` row (both must have the relationship — rules.md §6.5)."""

    DIRECT = "direct"
    PROVIDER = "provider"
    RESELLER = "reseller"


ACTIVE = "active"
ENDED = "ended"
SOURCE_CREATED = "created"
SOURCE_INVITATION = "invitation"

_ROLE_BY_TIER = {
    Tier.DIRECT_BILL: RelationshipRole.DIRECT,
    Tier.INDIRECT_PROVIDER: RelationshipRole.PROVIDER,
    Tier.INDIRECT_RESELLER: RelationshipRole.RESELLER,
}


def role_for_tier(tier: Tier) -> RelationshipRole | None:
    """The relationship role a partner of ``tier`` holds; None for the vendor."""
    return _ROLE_BY_TIER.get(tier)


def ensure_can_create_customers(tier: Tier) -> None:
    """Direct-bill partners and indirect providers create customer tenants; indirect
    resellers cannot, and the vendor does not (PC:transition-direct-to-indirect.md,
    PC:developer/create-a-customer.md)."""
    if tier not in (Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER):
        raise CustomerCreationNotAllowed()


def ensure_enrollment_active(state: str | None) -> None:
    """Only an active CSP enrollment transacts; an organization with no enrollment is
    not enrolled (PC:indirect-reseller-tasks-in-partner-center.md; error 800039)."""
    if state != ACTIVE:
        raise PartnerNotActive()


def ensure_sells_in(partner_region: str | None, customer_market: str, country: str) -> None:
    """A partner sells only to customers whose tenant country is in the market of its
    own location (PC:regional-authorization-overview.md; error 2030)."""
    if partner_region is None or partner_region != customer_market:
        raise PartnerNotInMarket(country=country)


# --- company name ---------------------------------------------------------------------------

COMPANY_NAME_MAX = 256

# Legal forms refused when they are the whole name ("llc", "inc" are the documented
# examples). Compared with case, spaces and punctuation removed: "L.L.C." is "llc",
# "Co., Ltd." is "coltd", "Sp. z o.o." is "spzoo", "(주)" is "주".
LEGAL_FORMS: frozenset[str] = frozenset(
    {
        # English-speaking countries
        "llc", "inc", "ltd", "co", "corp", "corporation", "incorporated", "limited",
        "company", "plc", "llp", "lp", "pllc", "pty", "ptyltd", "coltd", "coinc",
        "pvtltd", "pteltd", "lc",
        # Europe
        "gmbh", "ag", "kg", "ohg", "ug", "se", "sa", "sas", "sarl", "srl", "spa", "bv",
        "nv", "oy", "oyj", "ab", "as", "asa", "aps", "kft", "zrt", "nyrt", "sro", "doo",
        "spzoo", "ooo", "oao", "zao", "pao", "ao", "jsc", "pjsc", "tov",
        # Latin America, Asia
        "ltda", "sadecv", "sdnbhd", "bhd", "pt", "tbk", "kk", "gk",
        "주식회사", "유한회사", "주", "株式会社", "有限会社", "合同会社",
    }
)  # fmt: skip

_NOT_WORD = re.compile(r"[\W_]+")
_TLD = re.compile(
    r"(?<=[^\W_])\.(?:[a-z]{2}|com|net|org|info|biz|io|ai|app|dev|cloud|online|shop|store"
    r"|tech|site|xyz)(?=$|[\s,;:)/])",
    re.IGNORECASE,
)
_REPEATED = re.compile(r"(\S)\1{2,}", re.IGNORECASE)
SPACED_RUN = 3


class NameWarning(WireEnum):
    """Names accepted with a warning (PC:validate-names-addresses.md)."""

    TOP_LEVEL_DOMAIN = "TopLevelDomain"
    REPEATED_CHARACTER = "RepeatedCharacter"
    SPACED_CHARACTERS = "SpacedCharacters"


WARNING_TEXT: dict[NameWarning, str] = {
    NameWarning.TOP_LEVEL_DOMAIN: "The name contains a top-level domain such as .com",
    NameWarning.REPEATED_CHARACTER: "The name repeats one character three or more times",
    NameWarning.SPACED_CHARACTERS: "The name has single characters separated by spaces",
}


def check_company_name(name: str) -> tuple[str, list[NameWarning]]:
    """The name as it will be kept (surrounding blanks removed), with its warnings.

    Refused: only spaces or tabs (or nothing); a single character; only special
    characters; a standalone legal form (``LEGAL_FORMS``). Warned, not refused: a
    top-level domain (``contoso.com``); a character repeated three or more times
    (``Contosooo``); three or more single characters separated by spaces (``1 2 3``)."""
    clean = name.strip()
    if not clean:
        raise CompanyNameBlank()
    if len(clean) == 1:
        raise CompanyNameSingleCharacter()
    if not any(ch.isalnum() for ch in clean):
        raise CompanyNameOnlySpecialCharacters()
    if _NOT_WORD.sub("", clean.casefold()) in LEGAL_FORMS:
        raise CompanyNameLegalFormOnly(name=clean)
    if len(clean) > COMPANY_NAME_MAX:
        raise CompanyNameTooLong(maximum=COMPANY_NAME_MAX)
    return clean, name_warnings(clean)


def name_warnings(name: str) -> list[NameWarning]:
    warnings = []
    if _TLD.search(name):
        warnings.append(NameWarning.TOP_LEVEL_DOMAIN)
    if _REPEATED.search(name):
        warnings.append(NameWarning.REPEATED_CHARACTER)
    if _spaced_single_characters(name):
        warnings.append(NameWarning.SPACED_CHARACTERS)
    return warnings


def _spaced_single_characters(name: str) -> bool:
    run = 0
    for token in name.split():
        run = run + 1 if len(token) == 1 and token.isalnum() else 0
        if run >= SPACED_RUN:
            return True
    return False


# --- email ------------------------------------------------------------------------------


def email_domain(email: str) -> str | None:
    _, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return None
    return domain.rstrip(".") or None


def _within(domain: str, owner: str) -> bool:
    owner = owner.strip().lower().lstrip("@").rstrip(".")
    return bool(owner) and (domain == owner or domain.endswith("." + owner))


def check_customer_email(
    email: str, *, vendor_domains: Iterable[str], partner_domains: Iterable[str]
) -> str:
    """A valid address (kept as written, blanks removed) outside the vendor's own domains
    (``@microsoft.com`` in Partner Center) and outside the partner's own domains — its
    tenant domain and its primary contact's domain — subdomains included
    (PC:developer/create-a-customer.md)."""
    domain = normalize_email(email).rpartition("@")[2]
    for owner in vendor_domains:
        if _within(domain, owner):
            raise VendorEmailDomain(domain=domain)
    for owner in partner_domains:
        if _within(domain, owner):
            raise PartnerEmailDomain(domain=domain)
    return email.strip()


# --- domain -----------------------------------------------------------------------------

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Partner Center clients send <name>.onmicrosoft.com; it names the same default domain.
COMPATIBLE_SUFFIXES = ("onmicrosoft.com",)


def default_domain(value: str, *, suffix: str) -> str:
    """The tenant's default domain ``<name>.<suffix>`` from ``companyProfile.domain``,
    given as ``<name>``, ``<name>.<suffix>`` or ``<name>.onmicrosoft.com``; the name is a
    DNS label (letters, digits, inner hyphens, at most 63), kept in lower case."""
    text = value.strip().lower().rstrip(".")
    suffix = suffix.strip().lower().strip(".")
    label = text
    for known in (suffix, *COMPATIBLE_SUFFIXES):
        if text.endswith("." + known):
            label = text[: -len(known) - 1]
            break
    if not _LABEL.fullmatch(label):
        raise InvalidDomain(domain=value.strip(), suffix=suffix)
    return f"{label}.{suffix}"


def domain_to_check(value: str, *, suffix: str) -> str:
    """What ``HEAD /v1/domains/{domain}`` looks up: the default domain a name stands for,
    or any other domain as written (lower case)."""
    try:
        return default_domain(value, suffix=suffix)
    except InvalidDomain:
        return value.strip().lower().rstrip(".")


# --- culture ----------------------------------------------------------------------------

_CULTURE = re.compile(r"([A-Za-z]{2,3})[-_]([A-Za-z]{2})")
_LANGUAGE = re.compile(r"[A-Za-z]{2}")


def check_culture(culture: str, language: str) -> tuple[str, str]:
    """``culture`` as ``ll-CC`` (``EN-US`` → ``en-US``, as Partner Center answers) and a
    two-letter ``language`` kept as given (the documented response echoes ``En``)."""
    found = _CULTURE.fullmatch(culture.strip())
    if found is None or not _LANGUAGE.fullmatch(language.strip()):
        raise InvalidCulture()
    return f"{found.group(1).lower()}-{found.group(2).upper()}", language.strip()


# --- list filter ------------------------------------------------------------------------


class FilterField(WireEnum):
    COMPANY_NAME = "CompanyName"
    DOMAIN = "Domain"
    INDIRECT_RESELLER = "IndirectReseller"
    INDIRECT_CLOUD_SOLUTION_PROVIDER = "IndirectCloudSolutionProvider"


TENANT_FIELDS = frozenset(
    {FilterField.INDIRECT_RESELLER, FilterField.INDIRECT_CLOUD_SOLUTION_PROVIDER}
)


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    field: FilterField
    value: str
    tenant_id: uuid.UUID | None = None


def parse_filter(raw: str | None) -> CustomerFilter | None:
    """``{"Field": ..., "Value": ..., "Operator": "starts_with"}``, keys and names read
    case-insensitively; only ``starts_with`` exists (PC:developer/get-a-customer-by-name.md).
    CompanyName and Domain match a case-insensitive prefix. IndirectReseller and
    IndirectCloudSolutionProvider take a whole tenant ID (a prefix of a whole ID is the
    ID itself): the customers that reseller, or that provider, holds a relationship with
    (PC:developer/get-customers-of-an-indirect-reseller.md)."""
    if raw is None or not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidCustomerFilter() from exc
    if not isinstance(data, dict):
        raise InvalidCustomerFilter()
    folded = {str(key).lower(): value for key, value in data.items()}
    field_name, value, operator = (folded.get(k) for k in ("field", "value", "operator"))
    if not isinstance(field_name, str) or not isinstance(value, str):
        raise InvalidCustomerFilter()
    try:
        field = FilterField(field_name)
    except ValueError as exc:
        raise UnsupportedFilterField(field=field_name) from exc
    if not isinstance(operator, str) or operator.strip().lower() != "starts_with":
        raise UnsupportedFilterOperator(operator=str(operator))
    if field in TENANT_FIELDS:
        tenant = parse_guid(value)
        if tenant is None:
            raise InvalidTenantIdFilter(field=field.value)
        return CustomerFilter(field, value.strip().lower(), tenant)
    return CustomerFilter(field, value)


# --- billing profile ETag -----------------------------------------------------------------


def billing_etag(customer_id: uuid.UUID, version: int) -> str:
    """An opaque ETag that changes with every billing profile version (shaped like
    Partner Center's, a signed 64-bit number)."""
    digest = hashlib.sha256(f"{customer_id}:{version}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big", signed=True))


def ensure_etag_matches(sent: str | None, current: str) -> None:
    """``If-Match`` (or ``attributes.etag``) must be the profile's current ETag, quoted
    or not; ``*`` matches any (RFC 9110). Missing → EtagRequired; stale → 2055
    (PC:developer/test-and-debug.md)."""
    if sent is None or not sent.strip():
        raise EtagRequired()
    value = sent.strip()
    value = value.removeprefix("W/").strip('"')
    if value not in ("*", current):
        raise EtagMismatch()


def partner_domains(*sources: str | None) -> list[str]:
    """Own domains of a partner from its tenant domain and its contact's email."""
    out: list[str] = []
    for source in sources:
        if not source:
            continue
        domain = email_domain(source) if "@" in source else source.strip().lower()
        if domain and domain not in out:
            out.append(domain)
    return out


def in_any(country: str, countries: Collection[str]) -> bool:
    return country.upper() in {c.upper() for c in countries}
