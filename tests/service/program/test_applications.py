"""The direct-bill application end to end at the service level: applying, one open per
organization, the review steps and their states, approval creating or linking the
direct-bill tenant, immutable fields, audit, messages and notifications."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth import queries as auth_queries
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.crypto import verify_password
from opencsp.core.errors import DomainError, PermissionDenied
from opencsp.customers.models import CustomerRelationship
from opencsp.notifications.models import Notification
from opencsp.partners import queries as partner_queries
from opencsp.program import applications, approval, evidence, reviews
from opencsp.program.models import ApplicationMessage, DirectBillApplication, TierTransition
from opencsp.program.rules import ApplicationState
from tests.factories import member
from tests.factories.parties import partner
from tests.factories.program import Applicant, applicant, form

S = ApplicationState


def code_of(exc: pytest.ExceptionInfo[DomainError]) -> object:
    return exc.value.code


@pytest.fixture()
def a(session: Session) -> Applicant:
    return applicant(session)


def submitted(session: Session, a: Applicant) -> DirectBillApplication:
    return applications.apply(session, a.reseller.actor, form())


def test_apply_opens_one_application(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    assert app.state == S.SUBMITTED.value
    assert app.open_key == str(a.reseller.org.id)
    assert app.authority_attested_at == clock.now()
    with pytest.raises(DomainError) as exc:
        submitted(session, a)
    assert code_of(exc) == "DirectBillApplicationOpen"
    kinds = set(session.scalars(select(Notification.kind)))
    assert "application_submitted" in kinds


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"authority_attested": False}, "AuthorityNotAttested"),
        ({"signer_name": " "}, "InvalidField"),
        ({"signer_email": "someone@gmail.com"}, "WebMailPrimaryContact"),
        ({"tenant_domain": "not a domain"}, "InvalidTenantDomain"),
        ({"tax_id": "x" * 65}, "InvalidField"),
        ({"signer_email": "not-an-email"}, "InvalidEmail"),
    ],
)
def test_form_is_checked(changes: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as exc:
        form(**changes)
    assert code_of(exc) == code


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.INDIRECT_RESELLER, (Role.ADMIN_AGENT,)),
        (Tier.INDIRECT_PROVIDER, (Role.GLOBAL_ADMIN,)),
        (Tier.DIRECT_BILL, (Role.GLOBAL_ADMIN,)),
    ],
)
def test_only_a_reseller_global_admin_applies(
    session: Session, tier: Tier, roles: tuple[Role, ...]
) -> None:
    who = partner(session, tier, roles=roles)
    with pytest.raises(DomainError) as exc:
        applications.apply(session, who.actor, form())
    assert code_of(exc) == "DirectBillApplicantInvalid"


def test_info_requested_answered_and_messages(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    reviews.request_information(session, a.vendor.actor, app.id, "Send your support policy")
    assert app.state == S.INFO_REQUESTED.value
    with pytest.raises(DomainError) as exc:
        approval.approve(session, a.vendor.actor, app.id)
    assert code_of(exc) == "InvalidApplicationState"
    applications.add_message(session, a.reseller.actor, app.id, "Attached: 24x7 desk")
    assert app.state == S.SUBMITTED.value
    applications.add_message(session, a.vendor.actor, app.id, "Thanks")
    kinds = [m.kind for m in applications.messages_of(session, app.id)]
    assert kinds == ["request_info", "answer", "note"]
    notified = set(
        session.scalars(
            select(Notification.kind).where(Notification.organization_id == a.reseller.org.id)
        )
    )
    assert {"application_submitted", "application_info_requested", "application_note"} <= notified


def test_approve_creates_the_direct_bill_tenant(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    done = approval.approve(session, a.vendor.actor, app.id)
    org = done.organization
    assert app.state == S.APPROVED.value and app.open_key is None
    assert app.direct_organization_id == org.id != a.reseller.org.id
    assert org.tier == Tier.DIRECT_BILL.value
    profile = partner_queries.profile_of(session, org.id)
    assert profile is not None
    assert profile.tenant_domain == "contoso-direct.example"
    assert profile.tax_id == "123-45-67890"
    enrollment = partner_queries.enrollment_of(session, org.id)
    assert enrollment is not None and enrollment.state == "active"
    assert done.admin_email == "jiwoo@contoso-direct.example"
    user = auth_queries.user_by_email(session, done.admin_email)
    assert user is not None and user.organization_id == org.id
    assert done.admin_password and verify_password(user.password_hash, done.admin_password)
    assert app.checklist is not None and app.checklist["eligible"] is True
    assert (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "application_approved")
        )
        == 1
    )
    ops = set(session.scalars(select(AuditRecord.operation_type)))
    assert {"submit_direct_bill_application", "approve_direct_bill_application"} <= ops
    assert {"grant_direct_bill_tier"} <= ops
    # closed: a new application may be opened again; the approved one cannot be re-decided
    with pytest.raises(DomainError) as exc:
        reviews.reject(session, a.vendor.actor, app.id, "late")
    assert code_of(exc) == "InvalidApplicationState"


def test_approve_refused_while_requirements_unmet(session: Session) -> None:
    a = applicant(session, ttm="299999.99", evidence_recorded=False)
    app = submitted(session, a)
    with pytest.raises(DomainError) as exc:
        approval.approve(session, a.vendor.actor, app.id)
    assert code_of(exc) == "DirectBillRequirementsNotMet"
    assert "supportPlan, revenue, infrastructure" in str(exc.value)
    assert app.state == S.SUBMITTED.value


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("billing_anniversary", date(2027, 2, 1), "DirectBillFieldImmutable"),
        ("tenant_domain", "other-direct.example", "DirectBillFieldImmutable"),
    ],
)
def test_anniversary_and_domain_immutable_after_approval(
    session: Session, a: Applicant, field: str, value: object, code: str
) -> None:
    app = submitted(session, a)
    applications.update_application(session, a.reseller.actor, app.id, **{field: value})  # type: ignore[arg-type]
    approval.approve(session, a.vendor.actor, app.id)
    with pytest.raises(DomainError) as exc:
        applications.update_application(
            session,
            a.reseller.actor,
            app.id,
            **{field: "third-direct.example" if field == "tenant_domain" else date(2027, 3, 1)},  # type: ignore[arg-type]
        )
    assert code_of(exc) == code


def test_tax_id_updatable_after_approval(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    done = approval.approve(session, a.vendor.actor, app.id)
    applications.update_application(session, a.reseller.actor, app.id, tax_id="999-99-99999")
    profile = partner_queries.profile_of(session, done.organization.id)
    assert profile is not None and profile.tax_id == "999-99-99999"
    assert app.tax_id == "999-99-99999"


def _direct_org(session: Session) -> uuid.UUID:
    return partner(session, Tier.DIRECT_BILL).org.id


def test_link_an_existing_direct_bill_organization(session: Session, a: Applicant) -> None:
    target = _direct_org(session)
    domain = partner_queries.profile_of(session, target).tenant_domain  # type: ignore[union-attr]
    app = submitted(session, a)
    done = approval.approve(session, a.vendor.actor, app.id, link_organization_id=target)
    assert done.organization.id == target and done.admin_password is None
    assert app.tenant_domain == domain
    assert app.direct_organization_id == target


def test_link_refusals(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    with_customers = a.rs.s.direct.org.id  # has a customer
    transitioned = _direct_org(session)
    session.add(
        TierTransition(
            id=uuid.uuid4(),
            organization_id=transitioned,
            open_key=None,
            state="completed",
            requested_at=clock.now(),
            approve_by=date(2026, 11, 28),
            completed_at=clock.now(),
        )
    )
    session.flush()
    assert session.scalar(
        select(CustomerRelationship.id).where(CustomerRelationship.partner_id == with_customers)
    )
    cases = [
        (with_customers, "DirectBillLinkInvalid"),
        (a.reseller.org.id, "DirectBillLinkInvalid"),
        (a.rs.s.provider.org.id, "DirectBillLinkInvalid"),
        (transitioned, "DirectBillNewTenantRequired"),
    ]
    for target, code in cases:
        with pytest.raises(DomainError) as exc:
            approval.approve(session, a.vendor.actor, app.id, link_organization_id=target)
        assert code_of(exc) == code, target
    assert app.state == S.SUBMITTED.value


def test_reject_needs_a_reason_and_frees_the_open_key(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    with pytest.raises(DomainError) as exc:
        reviews.reject(session, a.vendor.actor, app.id, "  ")
    assert code_of(exc) == "RejectionReasonRequired"
    reviews.reject(session, a.vendor.actor, app.id, "Revenue not confirmed")
    assert (app.state, app.reason, app.open_key) == (
        S.REJECTED.value,
        "Revenue not confirmed",
        None,
    )
    again = submitted(session, a)
    assert again.id != app.id


def test_withdraw_by_the_partner_only(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    with pytest.raises(PermissionDenied):
        applications.withdraw(session, a.vendor.actor, app.id)
    applications.withdraw(session, a.reseller.actor, app.id)
    assert app.state == S.WITHDRAWN.value and app.open_key is None
    with pytest.raises(DomainError) as exc:
        applications.withdraw(session, a.reseller.actor, app.id)
    assert code_of(exc) == "InvalidApplicationState"


def test_schedule_assessment_after_revenue_and_tenure(session: Session) -> None:
    early = applicant(session, ttm="1000.00", evidence_recorded=False)
    app = submitted(session, early)
    with pytest.raises(DomainError) as exc:
        reviews.schedule_assessment(session, early.vendor.actor, app.id, date(2026, 12, 1))
    assert code_of(exc) == "AssessmentBeforeRevenueAndTenure"


def test_schedule_assessment_moves_to_assessment(session: Session) -> None:
    a = applicant(session, evidence_recorded=False)
    app = submitted(session, a)
    reviews.schedule_assessment(session, a.vendor.actor, app.id, date(2026, 12, 1))
    assert app.state == S.ASSESSMENT.value
    rows = evidence.list_evidence(session, a.vendor.actor, a.reseller.org.id)
    assert [(e.kind, e.outcome, e.effective_on) for e in rows] == [
        ("assessment", "scheduled", date(2026, 12, 1))
    ]


def test_visibility(session: Session, a: Applicant) -> None:
    app = submitted(session, a)
    other = partner(session, Tier.INDIRECT_RESELLER)
    with pytest.raises(DomainError) as exc:
        applications.get_application(session, other.actor, app.id)
    assert exc.value.status == 404
    assert applications.list_applications(session, other.actor) == []
    assert applications.get_application(session, a.vendor.actor, app.id) is app
    with pytest.raises(PermissionDenied):
        reviews.request_information(session, a.reseller.actor, app.id, "?")
    agent = member(session, a.reseller.org, roles=(Role.ADMIN_AGENT,))
    with pytest.raises(PermissionDenied):
        applications.withdraw(session, agent.actor, app.id)


@pytest.mark.parametrize(
    ("kind", "outcome", "plan", "ok"),
    [
        ("credit_check", "passed", None, True),
        ("credit_check", "bought", None, False),
        ("support_plan", "bought", "psfp", True),
        ("support_plan", "bought", "Unified", False),
        ("support_plan", "bought", None, False),
        ("assessment", "scheduled", None, True),
        ("audit", "passed", None, False),
    ],
)
def test_evidence_validation(
    session: Session, a: Applicant, kind: str, outcome: str, plan: str | None, ok: bool
) -> None:
    org = a.reseller.org.id
    if ok:
        row = evidence.record_evidence(
            session, a.vendor.actor, org, kind=kind, outcome=outcome,
            effective_on=date(2026, 11, 1), plan=plan,
        )  # fmt: skip
        assert row.recorded_by == a.vendor.user.id
        return
    with pytest.raises(DomainError) as exc:
        evidence.record_evidence(
            session, a.vendor.actor, org, kind=kind, outcome=outcome,
            effective_on=date(2026, 11, 1), plan=plan,
        )  # fmt: skip
    assert code_of(exc) == "InvalidEvidence"


def test_evidence_is_the_vendors(session: Session, a: Applicant) -> None:
    with pytest.raises(PermissionDenied):
        evidence.record_evidence(
            session, a.reseller.actor, a.reseller.org.id, kind="credit_check",
            outcome="passed", effective_on=date(2026, 11, 1),
        )  # fmt: skip
    messages = session.scalar(select(func.count()).select_from(ApplicationMessage))
    assert messages == 0
