"""The partners API.

Partner Center's: ``GET|PUT /v1/profiles/legalbusiness``, ``GET /v1/profiles/support``,
``PUT /v1/profiles/supportprofile``, ``GET /v1/profiles/mpn[?mpnId=]`` and
``GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf|IsIndirectResellerOf``.

opencsp's own (Partner Center has none): partnership requests under
``/v1/relationships/requests`` and ending a partnership (``DELETE
/v1/relationships/{partnerTenantId}``); one's own enrollment under
``/v1/profiles/enrollment``; the vendor's verification and tier operations under
``/v1/program/partners``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from sqlalchemy.orm import Session

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import CONTINUATION_HEADER, collection
from opencsp.partners import enrollment, partnerships, profiles, queries
from opencsp.partners.errors import InvalidRelationshipType
from opencsp.partners.models import PartnershipRequest
from opencsp.partners.partnerships import Relationship
from opencsp.partners.profiles import ProfileView
from opencsp.partners.rules import EnrollmentState, RelationshipType
from opencsp.partners.schemas import (
    EnrollmentRead,
    LegalBusinessProfileRead,
    LegalBusinessProfileUpdate,
    MpnProfileRead,
    PartnerRelationshipRead,
    PartnershipAcceptance,
    PartnershipEndedRead,
    PartnershipRequestCreate,
    PartnershipRequestRead,
    RejectionBody,
    SupportProfileRead,
    SupportProfileUpdate,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["partners"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]
ProfileManager = Annotated[Actor, require(Perm.PROFILES_MANAGE)]
RelationshipManager = Annotated[Actor, require(Perm.PARTNER_RELATIONSHIPS_MANAGE)]
ProgramAdmin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
IfMatch = Annotated[str | None, Header(alias="If-Match")]

ENDED_MESSAGE = (
    "The partnership has ended. Its customers were kept: their relationships and "
    "subscriptions are unchanged. Give the other partner any legal notice yourself."
)


def legal_read(view: ProfileView) -> LegalBusinessProfileRead:
    return LegalBusinessProfileRead.of(view.profile, state=view.state, etag=view.etag)


def support_read(view: ProfileView) -> SupportProfileRead:
    return SupportProfileRead.of(view.profile, etag=view.etag)


def relationship_read(relationship: Relationship) -> PartnerRelationshipRead:
    return PartnerRelationshipRead.of(relationship.partner, relationship.relationship_type)


def request_read(request: PartnershipRequest, *, url: str | None = None) -> PartnershipRequestRead:
    return PartnershipRequestRead.of(
        request, status=partnerships.request_status(request).value, url=url
    )


def enrollment_read(session: Session, row: queries.PartnerRow) -> EnrollmentRead:
    return EnrollmentRead.of(row, queries.partner_ids_of(session, row.organization.id))


# --- profiles -----------------------------------------------------------------------------


@router.get("/profiles/legalbusiness", response_model=LegalBusinessProfileRead)
def get_legal_profile(session: SessionDep, actor: Reader) -> LegalBusinessProfileRead:
    return legal_read(profiles.own_profile(session, actor))


@router.put("/profiles/legalbusiness", response_model=LegalBusinessProfileRead)
def update_legal_profile(
    body: LegalBusinessProfileUpdate,
    session: SessionDep,
    actor: ProfileManager,
    if_match: IfMatch = None,
) -> LegalBusinessProfileRead:
    return legal_read(profiles.update_legal_profile(session, actor, body, etag=if_match))


@router.get("/profiles/support", response_model=SupportProfileRead)
def get_support_profile(session: SessionDep, actor: Reader) -> SupportProfileRead:
    return support_read(profiles.own_profile(session, actor))


@router.put("/profiles/supportprofile", response_model=SupportProfileRead)
def update_support_profile(
    body: SupportProfileUpdate, session: SessionDep, actor: ProfileManager, if_match: IfMatch = None
) -> SupportProfileRead:
    return support_read(profiles.update_support_profile(session, actor, body, etag=if_match))


@router.get("/profiles/mpn", response_model=MpnProfileRead)
def get_mpn_profile(
    session: SessionDep,
    actor: Reader,
    mpn_id: Annotated[str | None, Query(alias="mpnId")] = None,
) -> MpnProfileRead:
    """Without ``mpnId``: one's own partner ID; with it: verify another partner's."""
    found = (
        profiles.own_partner_network_profile(session, actor)
        if mpn_id is None
        else profiles.find_by_partner_id(session, mpn_id)
    )
    return MpnProfileRead(partner_name=found.partner_name, mpn_id=str(found.partner_id.mpn_id))


@router.get("/profiles/enrollment", response_model=EnrollmentRead)
def get_own_enrollment(session: SessionDep, actor: Reader) -> EnrollmentRead:
    return enrollment_read(session, queries.get_partner(session, actor, actor.organization_id))


@router.post("/profiles/enrollment/resubmit", response_model=EnrollmentRead)
def resubmit_enrollment(session: SessionDep, actor: ProfileManager) -> EnrollmentRead:
    enrollment.resubmit(session, actor)
    return enrollment_read(session, queries.get_partner(session, actor, actor.organization_id))


# --- relationships ------------------------------------------------------------------------


@router.get("/relationships", response_model=Collection[PartnerRelationshipRead])
def list_relationships(
    session: SessionDep,
    actor: Reader,
    relationship_type: Annotated[str | None, Query()] = None,
) -> Collection[PartnerRelationshipRead]:
    try:
        kind = RelationshipType(relationship_type or "")
    except ValueError as exc:
        raise InvalidRelationshipType() from exc
    items = [relationship_read(r) for r in partnerships.relationships(session, actor, kind)]
    return Collection[PartnerRelationshipRead](total_count=len(items), items=items)


@router.get("/relationships/requests", response_model=Collection[PartnershipRequestRead])
def list_requests(
    session: SessionDep, actor: RelationshipManager
) -> Collection[PartnershipRequestRead]:
    items = [request_read(r) for r in queries.requests_sent(session, actor)]
    return Collection[PartnershipRequestRead](total_count=len(items), items=items)


@router.post(
    "/relationships/requests",
    response_model=PartnershipRequestRead,
    status_code=status.HTTP_201_CREATED,
)
def create_request(
    body: PartnershipRequestCreate,
    request: Request,
    session: SessionDep,
    actor: RelationshipManager,
) -> PartnershipRequestRead:
    """The link to send the reseller: its token is in it, shown this once."""
    issued = partnerships.request_partnership(
        session, actor, invited_email=body.invited_email, message=body.message
    )
    return request_read(issued.request, url=str(request.base_url).rstrip("/") + issued.path)


@router.delete("/relationships/requests/{request_id}", response_model=PartnershipRequestRead)
def revoke_request(
    request_id: uuid.UUID, session: SessionDep, actor: RelationshipManager
) -> PartnershipRequestRead:
    return request_read(partnerships.revoke_request(session, actor, request_id))


@router.post("/relationships/requests/accept", response_model=PartnerRelationshipRead)
def accept_request(
    body: PartnershipAcceptance, session: SessionDep, actor: RelationshipManager
) -> PartnerRelationshipRead:
    return relationship_read(partnerships.accept_partnership(session, actor, body.token))


@router.delete("/relationships/{partner_tenant_id}", response_model=PartnershipEndedRead)
def end_partnership(
    partner_tenant_id: uuid.UUID, session: SessionDep, actor: RelationshipManager
) -> PartnershipEndedRead:
    ended = partnerships.end_partnership(session, actor, partner_tenant_id)
    return PartnershipEndedRead(
        id=ended.relationship.partner.organization_id,
        name=ended.relationship.partner.name,
        relationship_type=ended.relationship.relationship_type.value,
        customers_kept=ended.customers_kept,
        message=ENDED_MESSAGE,
    )


# --- the vendor's program operations ---------------------------------------------------------


@router.get("/program/partners", response_model=Collection[EnrollmentRead])
def list_partners(
    session: SessionDep,
    actor: ProgramAdmin,
    state: EnrollmentState | None = None,
    size: Annotated[int | None, Query()] = None,
    continuation: Annotated[str | None, Header(alias=CONTINUATION_HEADER)] = None,
) -> Collection[EnrollmentRead]:
    """The verification queue, oldest submission first, paged like Partner Center's lists."""
    page = queries.page_of_partners(
        session, actor, state=state.value if state else None, size=size, token=continuation
    )
    return collection(
        [enrollment_read(session, row) for row in page.items],
        total_count=page.total_count,
        path="/program/partners",
        query={"state": state.value if state else None, "size": size},
        next_token=page.next_token,
    )


@router.get("/program/partners/{organization_id}", response_model=EnrollmentRead)
def get_partner(
    organization_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin
) -> EnrollmentRead:
    return enrollment_read(session, queries.get_partner(session, actor, organization_id))


@router.post("/program/partners/{organization_id}/verify", response_model=EnrollmentRead)
def start_verification(
    organization_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin
) -> EnrollmentRead:
    enrollment.start_verification(session, actor, organization_id)
    return enrollment_read(session, queries.get_partner(session, actor, organization_id))


@router.post("/program/partners/{organization_id}/approve", response_model=EnrollmentRead)
def approve(organization_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin) -> EnrollmentRead:
    enrollment.approve(session, actor, organization_id)
    return enrollment_read(session, queries.get_partner(session, actor, organization_id))


@router.post("/program/partners/{organization_id}/reject", response_model=EnrollmentRead)
def reject(
    organization_id: uuid.UUID, body: RejectionBody, session: SessionDep, actor: ProgramAdmin
) -> EnrollmentRead:
    enrollment.reject(session, actor, organization_id, body.reason)
    return enrollment_read(session, queries.get_partner(session, actor, organization_id))


@router.post("/program/partners/{organization_id}/providertier", response_model=EnrollmentRead)
def grant_provider_tier(
    organization_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin
) -> EnrollmentRead:
    enrollment.grant_provider_tier(session, actor, organization_id)
    return enrollment_read(session, queries.get_partner(session, actor, organization_id))
