"""The vendor's side of segment qualifications (rules.md §9a), opencsp's own API in
Partner Center's conventions:

- ``GET /v1/program/qualifications[?status=InReview|Approved|Denied|all]``: customers'
  qualifications (default: the review queue, oldest first); ``POST
  /v1/program/qualifications/{customerId}/{qualification}/approve|deny`` (deny with
  ``{"reason"}``). Program admin only.
- ``GET|POST /v1/program/partnerqualifications``: a partner lists and requests its own
  (``{"segment": "government"}``), the vendor lists everyone's; ``POST
  /v1/program/partnerqualifications/{orgId}/{segment}/approve|deny`` (Program admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.customers import qualifications as customer_qualifications
from opencsp.customers.qualification_rules import VettingStatus, parse_vetting_status
from opencsp.customers.qualification_schemas import DenialBody, QualificationReviewRead
from opencsp.partners import qualifications as partner_qualifications
from opencsp.partners.models import PartnerProfile
from opencsp.partners.qualification_schemas import (
    PartnerQualificationCreate,
    PartnerQualificationRead,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(prefix="/program", tags=["program"])

ProgramAdmin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
ProfileReader = Annotated[Actor, require(Perm.PROFILE_READ)]
ProfileManager = Annotated[Actor, require(Perm.PROFILES_MANAGE)]
StatusQuery = Annotated[str | None, Query(alias="status")]
ALL = "all"


def _status(value: str | None, default: VettingStatus | None) -> VettingStatus | None:
    if value is None or not value.strip():
        return default
    if value.strip().lower() == ALL:
        return None
    return parse_vetting_status(value)


@router.get(
    "/qualifications",
    response_model=Collection[QualificationReviewRead],
    response_model_exclude_none=True,
)
def list_customer_qualifications(
    session: SessionDep, actor: ProgramAdmin, state: StatusQuery = None
) -> Collection[QualificationReviewRead]:
    chosen = _status(state, VettingStatus.IN_REVIEW)
    items = [
        QualificationReviewRead.of_customer(i.qualification, i.customer)
        for i in customer_qualifications.review_queue(session, actor, status=chosen)
    ]
    return Collection[QualificationReviewRead](total_count=len(items), items=items)


@router.post(
    "/qualifications/{customer_id}/{qualification}/approve",
    response_model=QualificationReviewRead,
    response_model_exclude_none=True,
)
def approve_customer_qualification(
    customer_id: uuid.UUID, qualification: str, session: SessionDep, actor: ProgramAdmin
) -> QualificationReviewRead:
    item = customer_qualifications.approve(session, actor, customer_id, qualification)
    return QualificationReviewRead.of_customer(item.qualification, item.customer)


@router.post(
    "/qualifications/{customer_id}/{qualification}/deny",
    response_model=QualificationReviewRead,
    response_model_exclude_none=True,
)
def deny_customer_qualification(
    customer_id: uuid.UUID,
    qualification: str,
    body: DenialBody,
    session: SessionDep,
    actor: ProgramAdmin,
) -> QualificationReviewRead:
    item = customer_qualifications.deny(session, actor, customer_id, qualification, body.reason)
    return QualificationReviewRead.of_customer(item.qualification, item.customer)


# --- partners ------------------------------------------------------------------------------


@router.get(
    "/partnerqualifications",
    response_model=Collection[PartnerQualificationRead],
    response_model_exclude_none=True,
)
def list_partner_qualifications(
    session: SessionDep, actor: ProfileReader, state: StatusQuery = None
) -> Collection[PartnerQualificationRead]:
    """A partner's own; everyone's for the vendor (all statuses unless ``status``)."""
    chosen = _status(state, None)
    rows = partner_qualifications.qualifications_of(
        session, actor, status=partner_qualifications.Status(chosen.value) if chosen else None
    )
    items = [PartnerQualificationRead.of(q, p) for q, p in rows]
    return Collection[PartnerQualificationRead](total_count=len(items), items=items)


@router.post(
    "/partnerqualifications",
    response_model=PartnerQualificationRead,
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
)
def request_partner_qualification(
    body: PartnerQualificationCreate, session: SessionDep, actor: ProfileManager
) -> PartnerQualificationRead:
    row = partner_qualifications.request_qualification(session, actor, body.segment)
    profile = session.get(PartnerProfile, row.organization_id)
    assert profile is not None
    return PartnerQualificationRead.of(row, profile)


@router.post(
    "/partnerqualifications/{organization_id}/{segment}/approve",
    response_model=PartnerQualificationRead,
    response_model_exclude_none=True,
)
def approve_partner_qualification(
    organization_id: uuid.UUID, segment: str, session: SessionDep, actor: ProgramAdmin
) -> PartnerQualificationRead:
    row = partner_qualifications.approve(session, actor, organization_id, segment)
    profile = session.get(PartnerProfile, row.organization_id)
    assert profile is not None
    return PartnerQualificationRead.of(row, profile)


@router.post(
    "/partnerqualifications/{organization_id}/{segment}/deny",
    response_model=PartnerQualificationRead,
    response_model_exclude_none=True,
)
def deny_partner_qualification(
    organization_id: uuid.UUID,
    segment: str,
    body: DenialBody,
    session: SessionDep,
    actor: ProgramAdmin,
) -> PartnerQualificationRead:
    row = partner_qualifications.deny(session, actor, organization_id, segment, body.reason)
    profile = session.get(PartnerProfile, row.organization_id)
    assert profile is not None
    return PartnerQualificationRead.of(row, profile)
