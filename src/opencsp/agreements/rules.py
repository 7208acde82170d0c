"""Pure rules of agreements: types, the acceptance date, the signer's contact, which
template applies where (and its ``versionRank``), the language a document is served in,
and the parameters of the partner-agreement status API. No session, clock or I/O: time
comes in as ``now=``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Protocol, TypeVar

from opencsp.agreements.errors import (
    AgreementTypeNotWritable,
    AttestationNotForTier,
    BothPartnerIdAndTenantId,
    ConsentRequired,
    DateAgreedInFuture,
    DocumentsMissing,
    DuplicateDocumentLanguage,
    InvalidAgreementLink,
    InvalidAgreementType,
    InvalidDateAgreed,
    InvalidDocument,
    InvalidFirstName,
    InvalidLanguage,
    InvalidLastName,
    InvalidSignerEmail,
    InvalidSignerPhone,
    InvalidTemplateVersion,
    PartnerIdAndTenantIdEmpty,
    PartnerIdNotNumeric,
    TenantIdNotGuid,
)
from opencsp.auth.errors import InvalidEmail
from opencsp.auth.rules import normalize_email
from opencsp.core.actor import Tier
from opencsp.core.http import WireEnum
from opencsp.core.ids import parse_guid


class AgreementType(WireEnum):
    """Agreement types (PC:developer/agreement-resources.md). The cloud agreement is the
    legacy predecessor of the customer agreement: accepted as a filter on reads, never
    published or confirmed here."""

    CUSTOMER = "MicrosoftCustomerAgreement"
    PARTNER = "MicrosoftPartnerAgreement"
    CLOUD = "MicrosoftCloudAgreement"


PUBLISHABLE = frozenset({AgreementType.CUSTOMER, AgreementType.PARTNER})


class Method(StrEnum):
    """How a customer accepted the customer agreement (PC:confirm-customer-agreement.md)."""

    PARTNER_ATTESTATION = "partner_attestation"
    CUSTOMER_ACCEPTANCE = "customer_acceptance"


class TemplateStatus(StrEnum):
    PUBLISHED = "published"
    RETIRED = "retired"


# --- agreement types ---------------------------------------------------------------------


def parse_agreement_type(value: str) -> AgreementType:
    """``MicrosoftCustomerAgreement`` in any case; ``customer`` and ``partner`` too (the
    CLI's short names)."""
    short = {"customer": AgreementType.CUSTOMER, "partner": AgreementType.PARTNER}
    key = value.strip()
    if key.lower() in short:
        return short[key.lower()]
    try:
        return AgreementType(key)
    except ValueError:
        raise InvalidAgreementType(value=value) from None


def type_filter(
    value: str | None, *, default: AgreementType | None = AgreementType.CUSTOMER
) -> frozenset[AgreementType]:
    """The ``agreementType`` query parameter: absent means ``default`` (every type when
    None); ``*`` means every type (PC:developer/get-customer-agreement-metadata.md)."""
    if value is None or not value.strip():
        return frozenset(AgreementType) if default is None else frozenset({default})
    if value.strip() == "*":
        return frozenset(AgreementType)
    return frozenset({parse_agreement_type(value)})


def ensure_publishable(agreement_type: AgreementType) -> None:
    """The vendor publishes the partner agreement and the customer agreement only."""
    if agreement_type not in PUBLISHABLE:
        raise AgreementTypeNotWritable(value=agreement_type.value)


def ensure_confirmable(agreement_type: AgreementType) -> None:
    """A partner confirms the customer agreement only; the cloud agreement is legacy."""
    if agreement_type is not AgreementType.CUSTOMER:
        raise AgreementTypeNotWritable(value=agreement_type.value)


# --- who may confirm ----------------------------------------------------------------------


ATTESTING_TIERS = frozenset({Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER})


def ensure_can_attest(tier: Tier) -> None:
    """Direct-bill partners and indirect providers attest; an indirect reseller's provider
    does it for the reseller (PC:confirm-customer-agreement.md; rules.md §5.2)."""
    if tier not in ATTESTING_TIERS:
        raise AttestationNotForTier()


def ensure_consent(consent: bool) -> None:
    """The customer's own acceptance is an explicit act, never a default."""
    if not consent:
        raise ConsentRequired()


# --- the date agreed ----------------------------------------------------------------------


def parse_date_agreed(value: str) -> datetime:
    """``dateAgreed`` as an aware UTC instant. Partner Center documents it as a UTC
    date-time (PC:developer/agreement-resources.md), so a value without an offset is UTC;
    a date alone means the start of that UTC day."""
    text = value.strip()
    if not text:
        raise InvalidDateAgreed()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidDateAgreed() from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def ensure_not_in_future(agreed: datetime, *, now: datetime) -> None:
    """The acceptance date cannot be in the future (PC:confirm-customer-agreement.md)."""
    if agreed > now:
        raise DateAgreedInFuture()


# --- the signer ---------------------------------------------------------------------------

NAME_MAX = 50
PHONE_MAX = 40
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]*$")


@dataclass(frozen=True, slots=True)
class Contact:
    first_name: str
    last_name: str
    email: str
    phone: str | None


def clean_contact(first_name: str, last_name: str, email: str, phone: str | None) -> Contact:
    """The signer: first and last name of 1 to 50 characters (PC:developer/
    utility-resources.md), a valid email kept as typed, an optional phone number."""
    first, last = first_name.strip(), last_name.strip()
    if not 1 <= len(first) <= NAME_MAX:
        raise InvalidFirstName()
    if not 1 <= len(last) <= NAME_MAX:
        raise InvalidLastName()
    address = email.strip()
    try:
        normalize_email(address)
    except InvalidEmail:
        raise InvalidSignerEmail(email=email) from None
    number = (phone or "").strip() or None
    if number is not None:
        digits = sum(ch.isdigit() for ch in number)
        if len(number) > PHONE_MAX or not _PHONE.match(number) or not 4 <= digits <= 20:
            raise InvalidSignerPhone(phone=number)
    return Contact(first, last, address, number)


# --- templates, their documents, and which one applies -------------------------------------

VERSION_MAX = 32
LINK_MAX = 2048
TITLE_MAX = 256
BODY_MAX = 200_000
DEFAULT_LANGUAGE = "en"
REQUIRED_LANGUAGES = ("en", "ko")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class TemplateLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def agreement_type(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...


T = TypeVar("T", bound=TemplateLike)


@dataclass(frozen=True, slots=True)
class DocumentText:
    title: str
    body: str


def clean_version(value: str) -> str:
    version = value.strip()
    if not 1 <= len(version) <= VERSION_MAX or any(ord(ch) < 32 for ch in version):
        raise InvalidTemplateVersion(maximum=VERSION_MAX)
    return version


def clean_link(value: str | None) -> str | None:
    """Where the agreement is published; optional (opencsp's own page stands in)."""
    link = (value or "").strip()
    if not link:
        return None
    scheme, sep, rest = link.partition("://")
    host = rest.split("/", 1)[0]
    if (
        scheme.lower() not in ("http", "https")
        or not sep
        or not host
        or len(link) > LINK_MAX
        or any(ch.isspace() or ord(ch) < 32 for ch in link)
    ):
        raise InvalidAgreementLink()
    return link


def normalize_region(value: str | None) -> str | None:
    """A market id in lower case; empty, ``all`` or ``*`` means every region (None)."""
    region = (value or "").strip().lower()
    return None if region in ("", "all", "*") else region


def clean_language(value: str) -> str:
    language = value.strip().lower()
    if not _LANGUAGE.match(language):
        raise InvalidLanguage(value=value)
    return language


def clean_documents(
    documents: Mapping[str, DocumentText] | Iterable[tuple[str, DocumentText]],
) -> dict[str, DocumentText]:
    """Every language's title and text, one document per language; English and Korean at
    least (the program's two languages, DESIGN §1)."""
    pairs = documents.items() if isinstance(documents, Mapping) else documents
    cleaned: dict[str, DocumentText] = {}
    for language, document in pairs:
        title, body = document.title.strip(), document.body.strip()
        if not 1 <= len(title) <= TITLE_MAX or not body or len(body) > BODY_MAX:
            raise InvalidDocument(maximum=BODY_MAX)
        code = clean_language(language)
        if code in cleaned:
            raise DuplicateDocumentLanguage(language=code)
        cleaned[code] = DocumentText(title, body)
    if any(language not in cleaned for language in REQUIRED_LANGUAGES):
        raise DocumentsMissing()
    return cleaned


def split_title(text: str) -> tuple[str | None, str]:
    """A document file's ``# Title`` first line as its title, the rest as its text."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip() or None, "\n".join(lines[1:]).strip()
    return None, text.strip()


DEFAULT_TITLES: dict[tuple[AgreementType, str], str] = {
    (AgreementType.CUSTOMER, "en"): "Customer Agreement",
    (AgreementType.CUSTOMER, "ko"): "고객 계약",
    (AgreementType.PARTNER, "en"): "Partner Agreement",
    (AgreementType.PARTNER, "ko"): "파트너 계약",
}


def document_from_text(agreement_type: AgreementType, language: str, text: str) -> DocumentText:
    """A document from a file: its ``# Title`` line, else the agreement's usual title."""
    title, body = split_title(text)
    fallback = DEFAULT_TITLES.get((agreement_type, language.strip().lower()), agreement_type.value)
    return DocumentText(title or fallback, body)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order: ``v10`` after ``v9``."""
    parts = re.findall(r"\d+|\D+", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def _newest_first(templates: Iterable[T]) -> list[T]:
    return sorted(
        templates,
        key=lambda t: (t.published_at, _version_key(t.version), str(t.id)),
        reverse=True,
    )


def version_ranks(templates: Iterable[T]) -> dict[uuid.UUID, int]:
    """``versionRank`` of each published template: 0 for the newest published one of its
    type and region, 1 for the one before, and so on (PC:developer/
    agreement-metadata-resources.md). Retired templates have no rank."""
    groups: dict[tuple[str, str | None], list[T]] = {}
    for t in templates:
        if t.status == TemplateStatus.PUBLISHED:
            groups.setdefault((t.agreement_type, t.region), []).append(t)
    return {t.id: rank for group in groups.values() for rank, t in enumerate(_newest_first(group))}


def applicable(
    templates: Iterable[T], agreement_type: AgreementType, region: str | None
) -> list[tuple[T, int]]:
    """The published templates of a type that apply to a CSP region, newest first with
    their rank: the region's own templates where the vendor published any, otherwise the
    templates for every region. Rank 0 is the one to sign today."""
    published = [
        t
        for t in templates
        if t.status == TemplateStatus.PUBLISHED and t.agreement_type == agreement_type
    ]
    own = [t for t in published if region is not None and t.region == region]
    chosen = own or [t for t in published if t.region is None]
    return [(t, rank) for rank, t in enumerate(_newest_first(chosen))]


def current(templates: Iterable[T], agreement_type: AgreementType, region: str | None) -> T | None:
    """The newest published template of a type for a region (falling back to the
    all-regions template), or None when the vendor has published none."""
    found = applicable(templates, agreement_type, region)
    return found[0][0] if found else None


def document_language(requested: str | None, available: Sequence[str]) -> str:
    """The language a document is served in: the requested one by its primary subtag
    (``ko-KR``, ``ko_KR`` and ``ko`` are Korean) when the template has it, else English."""
    primary = (requested or "").strip().replace("_", "-").split("-", 1)[0].lower()
    if primary in available:
        return primary
    if DEFAULT_LANGUAGE in available or not available:
        return DEFAULT_LANGUAGE
    return sorted(available)[0]


def served_language_tag(requested: str | None, served: str) -> str:
    """The ``language`` reported for a served document: the requested tag in its usual
    spelling (``ko-KR``) when that language was served, else the served language."""
    primary, _, subtag = (requested or "").strip().replace("_", "-").partition("-")
    if primary.lower() != served:
        return served
    if subtag and subtag.isalnum() and len(subtag) <= 8:
        return f"{served}-{subtag.upper() if len(subtag) == 2 else subtag}"
    return served


# --- the partner-agreement status API ------------------------------------------------------

PARTNER_ID_MAX = 2**31 - 1
_DIGITS = re.compile(r"^[0-9]+$")


def parse_status_query(mpn_id: str | None, tenant_id: str | None) -> int | uuid.UUID:
    """Exactly one of ``mpnId`` (numeric) and ``tenantId`` (a GUID): neither → 2001; both,
    a non-numeric partner ID or a non-GUID tenant → 2000
    (PC:developer/verify-indirect-reseller-mpa-status.md; rules.md §6.8)."""
    mpn = (mpn_id or "").strip()
    tenant = (tenant_id or "").strip()
    if not mpn and not tenant:
        raise PartnerIdAndTenantIdEmpty()
    if mpn and tenant:
        raise BothPartnerIdAndTenantId()
    if mpn:
        if not _DIGITS.match(mpn):
            raise PartnerIdNotNumeric()
        return int(mpn)
    guid = parse_guid(tenant)
    if guid is None:
        raise TenantIdNotGuid()
    return guid


def is_possible_partner_id(mpn_id: int) -> bool:
    """Partner IDs are positive 32-bit numbers; anything else names no partner."""
    return 0 < mpn_id <= PARTNER_ID_MAX
