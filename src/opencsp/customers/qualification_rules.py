"""Pure rules of segment qualifications (rules.md §9a; PC:developer/update-customer-
qualification-asynchronous.md, get-customer-qualification-asynchronous.md).

- A customer's qualification is requested by a partner and vetted by the vendor:
  ``InReview`` → ``Approved`` | ``Denied`` (with a reason). A denied one may be asked
  again (it goes back to review); one in review or approved may not be asked twice.
- Education needs ``educationSegment`` (K12 or HigherEducation); ``website`` is optional.
- Which qualifications open which catalog segment (``missing_for_segment``): Education
  for ``education`` (the vendor qualifies education customers); Nonprofit for
  ``nonprofit`` (qualified outside Partner Center, recorded by the vendor here); for
  ``government`` (GCC) the customer's GovernmentCommunityCloud or StateOwnedEntity **and**
  the transacting partner's ``government`` qualification ("GCC requires both partner and
  customer qualification"). ``commercial`` needs none."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from urllib.parse import urlsplit

from opencsp.catalog.rules import Segment
from opencsp.core.http import WireEnum
from opencsp.customers.errors import (
    EducationSegmentNotExpected,
    EducationSegmentRequired,
    InvalidQualification,
    InvalidQualificationWebsite,
    InvalidVettingStatus,
    QualificationAlreadyRequested,
    QualificationNotInReview,
    VettingReasonRequired,
)

REASON_MAX = 1024
WEBSITE_MAX = 2048


class Qualification(WireEnum):
    EDUCATION = "Education"
    NONPROFIT = "Nonprofit"
    GOVERNMENT_COMMUNITY_CLOUD = "GovernmentCommunityCloud"
    STATE_OWNED_ENTITY = "StateOwnedEntity"


class EducationSegment(WireEnum):
    K12 = "K12"
    HIGHER_EDUCATION = "HigherEducation"


class VettingStatus(WireEnum):
    IN_REVIEW = "InReview"
    APPROVED = "Approved"
    DENIED = "Denied"


GOVERNMENT_SEGMENT = "government"
"""The one partner qualification: Azure Government and GCC (rules.md §9a)."""

CUSTOMER_QUALIFICATIONS: dict[Segment, frozenset[Qualification]] = {
    Segment.EDUCATION: frozenset({Qualification.EDUCATION}),
    Segment.NONPROFIT: frozenset({Qualification.NONPROFIT}),
    Segment.GOVERNMENT: frozenset(
        {Qualification.GOVERNMENT_COMMUNITY_CLOUD, Qualification.STATE_OWNED_ENTITY}
    ),
}
"""The customer qualifications, any one of which opens a segment."""


class Missing(StrEnum):
    """Why a customer (and its partner) may not buy in a segment."""

    CUSTOMER = "customer"
    PARTNER = "partner"


def parse_qualification(value: str | None) -> Qualification:
    try:
        return Qualification((value or "").strip())
    except ValueError:
        raise InvalidQualification(value=value or "") from None


def parse_vetting_status(value: str) -> VettingStatus:
    try:
        return VettingStatus(value.strip())
    except ValueError:
        raise InvalidVettingStatus(value=value) from None


def check_request(
    qualification: str | None, education_segment: str | None, website: str | None
) -> tuple[Qualification, EducationSegment | None, str | None]:
    """The cleaned request: the qualification, Education's segment (required there and
    nowhere else) and an optional http(s) website."""
    qual = parse_qualification(qualification)
    segment: EducationSegment | None = None
    given = (education_segment or "").strip()
    if qual is Qualification.EDUCATION:
        if not given:
            raise EducationSegmentRequired()
        try:
            segment = EducationSegment(given)
        except ValueError:
            raise EducationSegmentRequired() from None
    elif given:
        raise EducationSegmentNotExpected(qualification=qual.value)
    site = (website or "").strip() or None
    if site is not None:
        parts = urlsplit(site)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(site) > WEBSITE_MAX:
            raise InvalidQualificationWebsite(website=site[:100])
    return qual, segment, site


def ensure_requestable(current: VettingStatus | None, qualification: Qualification) -> None:
    """Asked once: again only after a denial (it then goes back to review)."""
    if current is not None and current is not VettingStatus.DENIED:
        raise QualificationAlreadyRequested(qualification=qualification.value, status=current.value)


def ensure_in_review(current: VettingStatus, qualification: str) -> None:
    """The vendor decides a qualification in review, once."""
    if current is not VettingStatus.IN_REVIEW:
        raise QualificationNotInReview(qualification=qualification, status=current.value)


def clean_reason(reason: str | None) -> str:
    """A denial carries the reason the partner reads (``vettingReason``)."""
    text = (reason or "").strip()
    if not text:
        raise VettingReasonRequired()
    return text[:REASON_MAX]


def missing_for_segment(
    segment: Segment,
    customer_approved: Collection[str],
    partner_approved: Collection[str],
) -> Missing | None:
    """What is missing for a purchase in ``segment``: the customer's qualification first,
    then (government only) the partner's; None when nothing is (rules.md §9a)."""
    wanted = CUSTOMER_QUALIFICATIONS.get(segment)
    if wanted is None:
        return None
    if not {q.value for q in wanted} & set(customer_approved):
        return Missing.CUSTOMER
    if segment is Segment.GOVERNMENT and GOVERNMENT_SEGMENT not in set(partner_approved):
        return Missing.PARTNER
    return None
