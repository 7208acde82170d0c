"""The direct-bill API (issue 7, task G), under ``/v1/program``; Partner Center has no
such operations, so the shapes follow its conventions (camelCase, collections
``{totalCount, items, links, attributes}``, ``MS-RequestId`` idempotency on every POST
through the unit-of-work middleware).

Partner: ``GET /program/directbill/eligibility`` (its own checklist),
``POST|GET /program/directbill/applications``, ``GET|PATCH .../{id}``,
``POST .../{id}/messages`` (an answer), ``POST .../{id}/withdraw``.
Vendor (Program admin): the same reads over every partner, ``POST .../{id}/messages`` (a
note), ``.../{id}/requestinformation|approve|reject|scheduleassessment``,
``GET /program/partners/{orgId}/eligibility``, ``POST|GET /program/partners/{orgId}/evidence``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.program import applications, approval, evidence, facts, reviews
from opencsp.program.applications import Reviewed
from opencsp.program.rules import OPEN, clean_application, parse_state
from opencsp.program.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationUpdate,
    ApprovalRead,
    ApproveBody,
    AssessmentBody,
    ChecklistRead,
    DirectOrganizationRead,
    EvidenceCreate,
    EvidenceRead,
    MessageCreate,
    MessageRead,
    RejectBody,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(prefix="/program", tags=["program"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]
ProgramAdmin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
APPS = "/program/directbill/applications"


def _detail(session: Session, app_id: uuid.UUID, actor: Actor) -> ApplicationRead:
    app = applications.get_application(session, actor, app_id)
    now = clock.now()
    names = applications.organization_names(session, [app.organization_id])
    return ApplicationRead.of(
        app,
        checklist=applications.checklist_of(session, app, now=now),
        messages=applications.messages_of(session, app.id),
        organization_name=names.get(app.organization_id),
    )


def _items(session: Session, found: list[Reviewed]) -> list[ApplicationRead]:
    names = applications.organization_names(session, [f.application.organization_id for f in found])
    return [
        ApplicationRead.of(
            f.application,
            checklist=f.checklist,
            organization_name=names.get(f.application.organization_id),
        )
        for f in found
    ]


@router.get("/directbill/eligibility", response_model=ChecklistRead)
def own_eligibility(session: SessionDep, actor: Reader) -> ChecklistRead:
    """The caller's own direct-bill checklist (rules.md §2a)."""
    now = clock.now()
    checklist = applications.own_checklist(session, actor, now=now)
    return ChecklistRead.of(actor.organization_id, checklist, as_of=now, policy=facts.policy())


@router.get("/partners/{org_id}/eligibility", response_model=ChecklistRead)
def partner_eligibility(
    org_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin
) -> ChecklistRead:
    """A partner's live checklist, for the vendor."""
    now = clock.now()
    checklist = facts.direct_bill_checklist(session, org_id, now=now)
    return ChecklistRead.of(org_id, checklist, as_of=now, policy=facts.policy())


@router.post(
    "/directbill/applications", response_model=ApplicationRead, status_code=status.HTTP_201_CREATED
)
def create_application(
    body: ApplicationCreate, session: SessionDep, actor: Reader
) -> ApplicationRead:
    fields = clean_application(**body.model_dump())
    app = applications.apply(session, actor, fields)
    return _detail(session, app.id, actor)


@router.get("/directbill/applications", response_model=Collection[ApplicationRead])
def list_applications(
    session: SessionDep,
    actor: Reader,
    state: Annotated[str | None, Query(description="open, or a state")] = None,
) -> Collection[ApplicationRead]:
    """Oldest first, each with its checklist: a partner's own; every partner's for the
    vendor (``state=open``: the review queue)."""
    states = sorted(OPEN) if state == "open" else [parse_state(state)] if state else []
    apps = applications.list_applications(session, actor, states=states)
    items = _items(session, applications.with_checklists(session, apps, now=clock.now()))
    return Collection[ApplicationRead](
        total_count=len(items), items=items, links=Links(self=Link(uri=APPS))
    )


@router.get("/directbill/applications/{app_id}", response_model=ApplicationRead)
def get_application(app_id: uuid.UUID, session: SessionDep, actor: Reader) -> ApplicationRead:
    return _detail(session, app_id, actor)


@router.patch("/directbill/applications/{app_id}", response_model=ApplicationRead)
def update_application(
    app_id: uuid.UUID, body: ApplicationUpdate, session: SessionDep, actor: Reader
) -> ApplicationRead:
    """Correct an open application; after approval only ``taxId`` (the billing
    anniversary and the tenant domain are immutable)."""
    applications.update_application(session, actor, app_id, **body.model_dump())
    return _detail(session, app_id, actor)


@router.post(
    "/directbill/applications/{app_id}/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
)
def post_message(
    app_id: uuid.UUID, body: MessageCreate, session: SessionDep, actor: Reader
) -> MessageRead:
    """The partner's answer or the vendor's note."""
    message = applications.add_message(session, actor, app_id, body.body)
    app = applications.get_application(session, actor, app_id)
    return MessageRead.of(message, applicant=app.organization_id)


@router.post("/directbill/applications/{app_id}/withdraw", response_model=ApplicationRead)
def withdraw(app_id: uuid.UUID, session: SessionDep, actor: Reader) -> ApplicationRead:
    applications.withdraw(session, actor, app_id)
    return _detail(session, app_id, actor)


@router.post("/directbill/applications/{app_id}/requestinformation", response_model=ApplicationRead)
def request_information(
    app_id: uuid.UUID, body: MessageCreate, session: SessionDep, actor: ProgramAdmin
) -> ApplicationRead:
    reviews.request_information(session, actor, app_id, body.body)
    return _detail(session, app_id, actor)


@router.post("/directbill/applications/{app_id}/scheduleassessment", response_model=ApplicationRead)
def schedule_assessment(
    app_id: uuid.UUID, body: AssessmentBody, session: SessionDep, actor: ProgramAdmin
) -> ApplicationRead:
    reviews.schedule_assessment(session, actor, app_id, body.assessment_date)
    return _detail(session, app_id, actor)


@router.post("/directbill/applications/{app_id}/reject", response_model=ApplicationRead)
def reject(
    app_id: uuid.UUID, body: RejectBody, session: SessionDep, actor: ProgramAdmin
) -> ApplicationRead:
    reviews.reject(session, actor, app_id, body.reason)
    return _detail(session, app_id, actor)


@router.post("/directbill/applications/{app_id}/approve", response_model=ApprovalRead)
def approve(
    app_id: uuid.UUID, session: SessionDep, actor: ProgramAdmin, body: ApproveBody | None = None
) -> ApprovalRead:
    """Approve an eligible application, creating (or linking) the direct-bill tenant; a
    created tenant's admin password is in this response only."""
    link = body.link_organization_id if body else None
    done = approval.approve(session, actor, app_id, link_organization_id=link)
    return ApprovalRead(
        application=_detail(session, app_id, actor),
        direct_organization=DirectOrganizationRead(
            id=done.organization.id,
            tenant_domain=done.application.tenant_domain,
            admin_user_name=done.admin_email,
            admin_password=done.admin_password,
        ),
    )


@router.post(
    "/partners/{org_id}/evidence", response_model=EvidenceRead, status_code=status.HTTP_201_CREATED
)
def record_evidence(
    org_id: uuid.UUID, body: EvidenceCreate, session: SessionDep, actor: ProgramAdmin
) -> EvidenceRead:
    row = evidence.record_evidence(
        session,
        actor,
        org_id,
        kind=body.kind.stored,
        outcome=body.outcome,
        effective_on=body.effective_on,
        plan=body.plan,
    )
    return EvidenceRead.of(row)


@router.get("/partners/{org_id}/evidence", response_model=Collection[EvidenceRead])
def list_evidence(
    org_id: uuid.UUID, session: SessionDep, actor: Reader
) -> Collection[EvidenceRead]:
    """A partner's evidence: the vendor's for any partner, a partner's own."""
    items = [EvidenceRead.of(e) for e in evidence.list_evidence(session, actor, org_id)]
    return Collection[EvidenceRead](
        total_count=len(items),
        items=items,
        links=Links(self=Link(uri=f"/program/partners/{org_id}/evidence")),
    )
