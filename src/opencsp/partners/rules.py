"""Rules of partner enrollment, profiles, partner IDs, the provider tier and partnerships —
pure: values in, values out or a domain error; no session, clock or settings.

Sources (rules.md): §1.5 new partners enroll as indirect resellers; §1.8 a provider and a
reseller must be in the same region (2201); §3.2 enrollment needs an active partner ID of
type Location in the partner's own country, and the primary contact may not be a web-mail
address; §3.3 the countries where a registration number is mandatory; §2a the tenant
domain cannot be changed; §6.2 the provider initiates, a Global admin of the reseller
accepts; §6.7 ending a partnership keeps the customers; §6.8 partner IDs are numeric and an
unknown one answers 3000."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from opencsp.auth.rules import Role, normalize_email
from opencsp.core.actor import Tier
from opencsp.core.errors import EtagMismatch
from opencsp.core.http import WireEnum
from opencsp.partners.errors import (
    AlreadyProvider,
    ApprovalNeedsVerifying,
    EnrollmentNotActive,
    EtagRequired,
    GlobalAdminRequired,
    InvalidEnrollmentTransition,
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

# --- the primary contact ----------------------------------------------------------------

# rules.md §3.2 names Gmail, Yahoo!, iCloud, AOL and Outlook
# (PC:indirect-reseller-tasks-in-partner-center.md). Each service's addresses, as its
# users have them: Google (gmail.com, googlemail.com), Apple's iCloud (icloud.com, me.com,
# mac.com), AOL (aol.com), Yahoo (ymail.com, and yahoo.<country suffix>), Microsoft's
# Outlook.com (msn.com, and outlook.*, hotmail.*, live.* under any country suffix).
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "msn.com",
    }
)
WEBMAIL_FAMILIES = frozenset({"yahoo", "outlook", "hotmail", "live"})
_SUFFIX_LABEL = re.compile(r"[a-z]{2,3}")


def is_webmail(email: str) -> bool:
    """Whether the address is at a web-mail service. ``yahoo.*`` and the Outlook.com
    families match under a country suffix of one or two short labels (``yahoo.co.jp``,
    ``hotmail.fr``, ``live.com.au``), never a company's domain that happens to start with
    the same word (``live.contoso.com``)."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    if domain in WEBMAIL_DOMAINS or any(domain.endswith("." + d) for d in WEBMAIL_DOMAINS):
        return True
    first, _, suffix = domain.partition(".")
    if first not in WEBMAIL_FAMILIES or not suffix:
        return False
    labels = suffix.split(".")
    return len(labels) <= 2 and all(_SUFFIX_LABEL.fullmatch(label) for label in labels)


def normalize_contact_email(value: str) -> str:
    """A well-formed address (lower-cased, ``auth.rules.normalize_email``) that is not at a
    web-mail service (rules.md §3.2)."""
    email = normalize_email(value)
    if is_webmail(email):
        raise WebMailContact(email=email)
    return email


# --- plain text fields ------------------------------------------------------------------


def required_text(value: str | None, *, field: str, maximum: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > maximum:
        raise InvalidField(field=field, minimum=1, maximum=maximum)
    return text


def optional_text(value: str | None, *, field: str, maximum: int) -> str | None:
    text = (value or "").strip()
    if len(text) > maximum:
        raise InvalidField(field=field, minimum=0, maximum=maximum)
    return text or None


def clean_address(
    *,
    country: str,
    address_line1: str | None,
    address_line2: str | None,
    city: str | None,
    state: str | None,
    postal_code: str | None,
    phone_number: str | None,
) -> dict[str, str | None]:
    """The company address as stored (Partner Center's Address keys). Lengths follow
    PC:developer/utility-resources.md where it gives them (AddressLine1 1–200,
    AddressLine2 0–200)."""
    return {
        "country": country,
        "addressLine1": required_text(address_line1, field="addressLine1", maximum=200),
        "addressLine2": optional_text(address_line2, field="addressLine2", maximum=200),
        "city": required_text(city, field="city", maximum=100),
        "state": optional_text(state, field="state", maximum=100),
        "postalCode": optional_text(postal_code, field="postalCode", maximum=20),
        "phoneNumber": optional_text(phone_number, field="phoneNumber", maximum=40),
    }


# --- registration number ----------------------------------------------------------------

_REGISTRATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{0,63}")


def registration_number_required(country: str, countries: Collection[str]) -> bool:
    """Mandatory in the countries of the ``registration_number_countries`` setting (the 24
    of PC:enrolling-in-the-csp-program.md, rules.md §3.3), optional elsewhere."""
    return country.strip().upper() in {c.strip().upper() for c in countries}


def clean_registration_number(
    value: str | None, *, country: str, countries: Collection[str]
) -> str | None:
    text = (value or "").strip()
    if not text:
        if registration_number_required(country, countries):
            raise RegistrationNumberRequired(country=country.upper())
        return None
    if not _REGISTRATION.fullmatch(text):
        raise InvalidRegistrationNumber()
    return text


# --- tenant domain ----------------------------------------------------------------------

_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalize_tenant_domain(value: str) -> str:
    """A DNS name, lower-cased: at least two labels of letters, digits and inner hyphens,
    1–63 characters each, 253 in all, and a top-level label that is not all digits (no
    IP addresses). Internationalized names are given in their ``xn--`` form."""
    domain = value.strip().lower().removesuffix(".")
    labels = domain.split(".")
    if (
        len(domain) > 253
        or len(labels) < 2
        or not all(_DNS_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidTenantDomain(domain=value.strip())
    return domain


def ensure_tenant_domain_change(current: str, new: str, *, state: EnrollmentState) -> str:
    """The tenant domain may be corrected until the enrollment is active; from then on it
    cannot change (PC:enrolling-in-the-csp-program.md, rules.md §2a)."""
    domain = normalize_tenant_domain(new)
    if domain != current and state is EnrollmentState.ACTIVE:
        raise TenantDomainImmutable()
    return domain


# --- enrollment -------------------------------------------------------------------------


class EnrollmentState(WireEnum):
    """Reseller enrollment with the vendor's verification
    (PC:indirect-reseller-tasks-in-partner-center.md, rules.md §3.2)."""

    SUBMITTED = "submitted"
    VERIFYING = "verifying"
    ACTIVE = "active"
    REJECTED = "rejected"


RESELLER_PROGRAM = "indirect_reseller"

# from → the states it may move to. An active enrollment is final; a rejected partner may
# apply again, which submits the same enrollment anew.
TRANSITIONS: Mapping[EnrollmentState, frozenset[EnrollmentState]] = {
    EnrollmentState.SUBMITTED: frozenset({EnrollmentState.VERIFYING, EnrollmentState.REJECTED}),
    EnrollmentState.VERIFYING: frozenset({EnrollmentState.ACTIVE, EnrollmentState.REJECTED}),
    EnrollmentState.REJECTED: frozenset({EnrollmentState.SUBMITTED}),
    EnrollmentState.ACTIVE: frozenset(),
}

_REFUSED: Mapping[EnrollmentState, type[InvalidEnrollmentTransition]] = {
    EnrollmentState.VERIFYING: VerificationNeedsSubmitted,
    EnrollmentState.ACTIVE: ApprovalNeedsVerifying,
    EnrollmentState.REJECTED: RejectionNeedsOpen,
    EnrollmentState.SUBMITTED: ResubmissionNeedsRejected,
}


def can_transition(current: EnrollmentState, target: EnrollmentState) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: EnrollmentState, target: EnrollmentState) -> EnrollmentState:
    """Move only along ``TRANSITIONS``; anything else says which state the step needs."""
    if not can_transition(current, target):
        raise _REFUSED[target]()
    return target


def clean_rejection_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text or len(text) > 1024:
        raise RejectionReasonRequired()
    return text


# Partner Center's LegalBusinessProfile vettingStatus / vettingSubStatus
# (VettingStatus: none, pending, authorized, rejected; PC SDK models.partners).
VETTING: Mapping[EnrollmentState, tuple[str, str]] = {
    EnrollmentState.SUBMITTED: ("pending", "entry"),
    EnrollmentState.VERIFYING: ("pending", "businessVerification"),
    EnrollmentState.ACTIVE: ("authorized", "none"),
    EnrollmentState.REJECTED: ("rejected", "none"),
}


def vetting_of(state: EnrollmentState | None) -> tuple[str, str]:
    return VETTING[state] if state is not None else ("none", "none")


def ensure_location_partner_id(location_countries: Collection[str | None], country: str) -> None:
    """Approval needs a partner ID of type Location in the partner's own country
    (PC:indirect-reseller-tasks-in-partner-center.md, rules.md §3.2)."""
    if country.upper() not in {c.upper() for c in location_countries if c}:
        raise LocationPartnerIdMissing()


# --- partner IDs ------------------------------------------------------------------------

PARTNER_ID_FIRST = 1_000_001  # seven digits, like Partner Center's
PARTNER_ID_MAX = 2_147_483_647  # the column is a 32-bit integer on every engine
_PARTNER_ID = re.compile(r"[1-9][0-9]{0,9}")


def parse_partner_id(value: str) -> int | None:
    """A partner ID is a positive whole number written in digits only (rules.md §6.8:
    non-numeric is refused); None for anything else."""
    text = value.strip()
    if not _PARTNER_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= PARTNER_ID_MAX else None


def next_partner_id(current_max: int | None) -> int:
    """The next number of the program's one sequence of partner IDs."""
    number = max(PARTNER_ID_FIRST, (current_max or 0) + 1)
    if number > PARTNER_ID_MAX:
        raise OverflowError("partner IDs are exhausted")
    return number


# --- profile ETag -----------------------------------------------------------------------


def etag_for(organization_id: uuid.UUID, version: int) -> str:
    """Opaque, changes with every update of the profile."""
    return hashlib.sha256(f"{organization_id}:{version}".encode()).hexdigest()[:24]


def ensure_etag(current: str, sent: str | None, *, required: bool) -> None:
    """Optimistic concurrency (PC:developer/update-legal-business-profile.md: the PUT
    carries the profile's etag): a stale one is 2055; a missing one is refused where the
    update requires it. ``If-Match`` quoting (``"x"``, ``W/"x"``) is accepted."""
    text = (sent or "").strip()
    if not text:
        if required:
            raise EtagRequired()
        return
    text = text.removeprefix("W/").strip('"')
    if text != current:
        raise EtagMismatch()


# --- provider tier ----------------------------------------------------------------------


def ensure_provider_grantable(
    *, tier: Tier, enrollment_state: EnrollmentState | None, name: str, providers: int
) -> None:
    """The vendor grants the indirect provider tier to an active indirect reseller
    (partners start as resellers, rules.md §1.5). A reseller still working through
    providers must end those partnerships first: one organization is not both sides of
    the indirect model [inferred]."""
    if tier is Tier.VENDOR:
        raise VendorHasNoTier()
    if tier is Tier.INDIRECT_PROVIDER:
        raise AlreadyProvider(name=name)
    if tier is not Tier.INDIRECT_RESELLER:
        raise NotAResellerForTier()
    if enrollment_state is not EnrollmentState.ACTIVE:
        raise EnrollmentNotActive(name=name)
    if providers:
        raise StillResellerOfProviders(name=name, count=providers)


# --- partnerships -----------------------------------------------------------------------


class RelationshipType(WireEnum):
    """``GET /v1/relationships?relationship_type=`` (PC:developer/relationships-resources.md);
    the wire value is snake_case as in the sample."""

    IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF = "is_indirect_cloud_solution_provider_of"
    IS_INDIRECT_RESELLER_OF = "is_indirect_reseller_of"


class PartnershipState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def ensure_global_admin(roles: Collection[str]) -> None:
    """Partnerships are authorized by a Global admin (PC:indirect-reseller-tasks-in-partner-
    center.md, rules.md §6.2); opencsp holds the provider's side to the same role."""
    if Role.GLOBAL_ADMIN.value not in roles:
        raise GlobalAdminRequired()


def ensure_same_region(provider_region: str | None, reseller_region: str | None) -> None:
    """A provider partners only with resellers of its own CSP region (rules.md §1.8, code
    2201). A partner without a known region matches nobody."""
    if provider_region is None or provider_region != reseller_region:
        raise RegionMismatch()


def ensure_active_reseller(
    tier: Tier, state: EnrollmentState | None, *, has_location_partner_id: bool
) -> None:
    """Only an enrolled, verified indirect reseller with its location partner ID can
    authorize a provider (rules.md §3.2, §6.1)."""
    if (
        tier is not Tier.INDIRECT_RESELLER
        or state is not EnrollmentState.ACTIVE
        or not has_location_partner_id
    ):
        raise NotAnActiveReseller()


def ensure_still_provider(tier: Tier) -> None:
    if tier is not Tier.INDIRECT_PROVIDER:
        raise ProviderNoLongerProvider()


def request_expiry(now: datetime, *, days: int) -> datetime:
    return now + timedelta(days=days)


def request_status(
    *,
    used_at: datetime | None,
    revoked_at: datetime | None,
    expires_at: datetime,
    now: datetime,
) -> RequestStatus:
    if used_at is not None:
        return RequestStatus.ACCEPTED
    if revoked_at is not None:
        return RequestStatus.REVOKED
    if now >= expires_at:
        return RequestStatus.EXPIRED
    return RequestStatus.PENDING


def ensure_request_usable(
    *,
    used_at: datetime | None,
    revoked_at: datetime | None,
    expires_at: datetime,
    now: datetime,
) -> None:
    """A link works once, until it expires or is revoked; otherwise it names nothing."""
    status = request_status(used_at=used_at, revoked_at=revoked_at, expires_at=expires_at, now=now)
    if status is not RequestStatus.PENDING:
        raise PartnershipRequestNotFound()
