"""Wire shapes of direct-bill eligibility, applications and evidence (issue 7, task G):
camelCase, ``attributes.objectType`` on every resource, states and kinds in camelCase
(read case-insensitively, ``snake_case`` too)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import Field

from opencsp.core.http import Resource, WireEnum, WireModel
from opencsp.program.eligibility import Checklist, Policy
from opencsp.program.models import ApplicationMessage, DirectBillApplication, Evidence


def camel(value: str) -> str:
    head, *rest = value.split("_")
    return head + "".join(p.title() for p in rest)


class RequirementRead(WireModel):
    key: str
    status: str
    required: bool
    evidence: dict[str, Any]


class PolicyRead(WireModel):
    ttm_threshold_usd: str
    tenure_months: int
    managed_service_required: bool


class ChecklistRead(Resource):
    """The direct-bill checklist of an organization (rules.md §2a)."""

    OBJECT_TYPE: ClassVar[str] = "DirectBillEligibility"

    organization_id: uuid.UUID
    as_of: datetime | None = None
    eligible: bool
    requirements: list[RequirementRead]
    policy: PolicyRead | None = None

    @classmethod
    def of(
        cls,
        organization_id: uuid.UUID,
        checklist: Checklist,
        *,
        as_of: datetime | None = None,
        policy: Policy | None = None,
    ) -> ChecklistRead:
        return cls(
            organization_id=organization_id,
            as_of=as_of,
            eligible=checklist.eligible,
            requirements=[RequirementRead(**r.as_json()) for r in checklist.requirements],
            policy=PolicyRead(
                ttm_threshold_usd=f"{policy.ttm_threshold_usd:.2f}",
                tenure_months=policy.tenure_months,
                managed_service_required=policy.managed_service_required,
            )
            if policy
            else None,
        )


class ApplicationCreate(WireModel):
    signer_name: str
    signer_email: str
    signer_title: str | None = None
    authority_attested: bool = False
    managed_service: str | None = None
    billing_anniversary: date
    tenant_domain: str
    tax_id: str | None = None
    location_mpn_id: int | None = None


class ApplicationUpdate(WireModel):
    billing_anniversary: date | None = None
    tenant_domain: str | None = None
    tax_id: str | None = None
    managed_service: str | None = None


class MessageCreate(WireModel):
    body: str = Field(max_length=8000)


class RejectBody(WireModel):
    reason: str = ""


class AssessmentBody(WireModel):
    assessment_date: date


class ApproveBody(WireModel):
    link_organization_id: uuid.UUID | None = None


class MessageRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "DirectBillApplicationMessage"

    id: uuid.UUID
    kind: str
    body: str
    author_organization_id: uuid.UUID
    from_vendor: bool
    created_at: datetime

    @classmethod
    def of(cls, m: ApplicationMessage, *, applicant: uuid.UUID) -> MessageRead:
        return cls(
            id=m.id,
            kind=camel(m.kind),
            body=m.body,
            author_organization_id=m.author_organization_id,
            from_vendor=m.author_organization_id != applicant,
            created_at=m.created_at,
        )


class ApplicationRead(Resource):
    """A direct-bill application; ``checklist`` is live while open and the snapshot it was
    decided on once decided."""

    OBJECT_TYPE: ClassVar[str] = "DirectBillApplication"

    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str | None = None
    state: str
    signer_name: str
    signer_email: str
    signer_title: str | None = None
    authority_attested_at: datetime
    managed_service: str | None = None
    billing_anniversary: date
    tenant_domain: str
    tax_id: str | None = None
    location_mpn_id: int | None = None
    submitted_at: datetime
    updated_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None
    direct_organization_id: uuid.UUID | None = None
    checklist: ChecklistRead | None = None
    messages: list[MessageRead] | None = None

    @classmethod
    def of(
        cls,
        app: DirectBillApplication,
        *,
        checklist: Checklist | None = None,
        messages: list[ApplicationMessage] | None = None,
        organization_name: str | None = None,
    ) -> ApplicationRead:
        return cls(
            id=app.id,
            organization_id=app.organization_id,
            organization_name=organization_name,
            state=camel(app.state),
            signer_name=app.signer_name,
            signer_email=app.signer_email,
            signer_title=app.signer_title,
            authority_attested_at=app.authority_attested_at,
            managed_service=app.managed_service,
            billing_anniversary=app.billing_anniversary,
            tenant_domain=app.tenant_domain,
            tax_id=app.tax_id,
            location_mpn_id=app.location_mpn_id,
            submitted_at=app.submitted_at,
            updated_at=app.updated_at,
            decided_at=app.decided_at,
            reason=app.reason,
            direct_organization_id=app.direct_organization_id,
            checklist=ChecklistRead.of(app.organization_id, checklist) if checklist else None,
            messages=[MessageRead.of(m, applicant=app.organization_id) for m in messages]
            if messages is not None
            else None,
        )


class DirectOrganizationRead(WireModel):
    """The direct-bill organization approval created or linked; the admin password is
    returned once, when approval created it."""

    id: uuid.UUID
    tenant_domain: str
    admin_user_name: str | None = None
    admin_password: str | None = None


class ApprovalRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "DirectBillApproval"

    application: ApplicationRead
    direct_organization: DirectOrganizationRead


class EvidenceKind(WireEnum):
    CREDIT_CHECK = "creditCheck"
    SUPPORT_PLAN = "supportPlan"
    ASSESSMENT = "assessment"

    @property
    def stored(self) -> str:
        return self.name.lower()


class EvidenceCreate(WireModel):
    kind: EvidenceKind
    outcome: str
    effective_on: date
    plan: str | None = None


class EvidenceRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "DirectBillEvidence"

    id: uuid.UUID
    organization_id: uuid.UUID
    kind: str
    outcome: str
    plan: str | None = None
    effective_on: date
    recorded_at: datetime

    @classmethod
    def of(cls, e: Evidence) -> EvidenceRead:
        return cls(
            id=e.id,
            organization_id=e.organization_id,
            kind=camel(e.kind),
            outcome=e.outcome,
            plan=(e.detail or {}).get("plan"),
            effective_on=e.effective_on,
            recorded_at=e.recorded_at,
        )
