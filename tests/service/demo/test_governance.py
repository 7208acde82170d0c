"""Program governance in the demo (``demo.governance``), loaded with the whole demo on the
test clock (2026-11-21 09:30): a reseller just above USD 300,000 with a direct-bill
application pending (evidence, a question answered, the assessment scheduled), a
direct-bill partner restricted by today's reassessment run after its notice, a transition
to indirect reseller waiting for a customer's consent, two education qualifications (one
approved, one in review) — each notified — and nothing refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from opencsp.auth import queries as auth_queries
from opencsp.customers.models import Customer, CustomerQualification
from opencsp.demo import governance
from opencsp.demo.parties import EVERY_PARTNER
from opencsp.notifications.models import Notification
from opencsp.partners.models import PartnerStanding
from opencsp.program import facts
from opencsp.program.eligibility import Status
from opencsp.program.models import (
    ApplicationMessage,
    DirectBillApplication,
    Evidence,
    Reassessment,
    TierTransition,
    TierTransitionCustomer,
)
from opencsp.reporting import ttm
from opencsp.reporting.rules import DIRECT_BILL_THRESHOLD
from tests.service.demo.conftest import NOW, Demo


def org_id(demo: Demo, key: str) -> uuid.UUID:
    partner = next(p for p in EVERY_PARTNER if p.key == key)
    user = auth_queries.user_by_email(demo.session, partner.users[0].email)
    assert user is not None
    return user.organization_id


def kinds(demo: Demo, organization_id: uuid.UUID) -> set[str]:
    return set(
        demo.session.scalars(
            select(Notification.kind).where(Notification.organization_id == organization_id)
        )
    )


def test_nothing_was_refused(demo: Demo):
    assert demo.loaded.commerce.skipped == []
    assert demo.warnings == []
    assert demo.loaded.governance is not None
    assert "restricted 1" in demo.loaded.governance


def test_a_reseller_just_above_the_threshold_has_an_application_pending(demo: Demo):
    s = demo.session
    fabrikam = org_id(demo, governance.APPLICANT_KEY)
    figure = ttm.ttm_for(s, fabrikam, NOW).direct_bill
    assert DIRECT_BILL_THRESHOLD <= figure < DIRECT_BILL_THRESHOLD + Decimal(10_000)
    (app,) = s.scalars(
        select(DirectBillApplication).where(DirectBillApplication.organization_id == fabrikam)
    )
    assert app.state == "assessment" and app.open_key == str(fabrikam)
    assert NOW - timedelta(days=11) < app.submitted_at.replace(tzinfo=NOW.tzinfo) < NOW
    messages = s.scalars(
        select(ApplicationMessage.kind)
        .where(ApplicationMessage.application_id == app.id)
        .order_by(ApplicationMessage.created_at)
    ).all()
    assert messages[:2] == ["request_info", "answer"]
    records = s.execute(
        select(Evidence.kind, Evidence.outcome, Evidence.detail, Evidence.effective_on)
        .where(Evidence.organization_id == fabrikam)
        .order_by(Evidence.recorded_at)
    ).all()
    assert [(k, o) for k, o, _, _ in records] == [
        ("credit_check", "scheduled"),
        ("credit_check", "passed"),
        ("support_plan", "bought"),
        ("assessment", "scheduled"),
    ]
    passed, bought = records[1], records[2]
    assert bought.detail == {"plan": "ASfP"} and bought.effective_on >= passed.effective_on
    checklist = facts.direct_bill_checklist(s, fabrikam, now=NOW, application=app)
    met = {k: checklist.get(k).status for k in ("revenue", "tenure", "supportPlan")}
    assert met == dict.fromkeys(met, Status.MET)
    assert checklist.get("infrastructure").status is Status.PENDING
    assert {"application_info_requested", "application_assessment_scheduled"} <= kinds(
        demo, fabrikam
    )


def test_a_direct_bill_partner_is_restricted_after_its_notice(demo: Demo):
    s = demo.session
    woodgrove = org_id(demo, governance.RESTRICTED_KEY)
    standing = s.get(PartnerStanding, woodgrove)
    assert standing is not None and standing.status == "restricted"
    rows = s.scalars(
        select(Reassessment)
        .where(Reassessment.organization_id == woodgrove)
        .order_by(Reassessment.cycle)
    ).all()
    assert [(r.cycle, r.outcome) for r in rows] == [(0, "notMet"), (1, "notMet")]
    first, yearly = rows
    assert first.notice_until == NOW.date() - timedelta(days=1)
    assert first.restricted_at is not None and yearly.notice_until is None
    assert {"reassessment_not_met", "partner_restricted"} <= kinds(demo, woodgrove)


def test_a_transition_waits_for_a_customers_consent(demo: Demo):
    s = demo.session
    adatum = org_id(demo, governance.TRANSITION_KEY)
    (transition,) = s.scalars(
        select(TierTransition).where(TierTransition.organization_id == adatum)
    )
    assert transition.state == "approved"
    assert transition.agreement_accepted_at is not None
    assert transition.provider_id == org_id(demo, governance.PROVIDER_KEY)
    consents = s.execute(
        select(Customer.company_name)
        .join(TierTransitionCustomer, TierTransitionCustomer.customer_id == Customer.id)
        .where(TierTransitionCustomer.transition_id == transition.id)
    ).scalars()
    assert list(consents) == [governance.CONSENTING]
    # it chose to step back while under notice from its annual reassessment
    (notice,) = s.scalars(select(Reassessment).where(Reassessment.organization_id == adatum))
    assert notice.outcome == "notMet" and notice.notice_until is not None
    assert notice.notice_until > NOW.date() and s.get(PartnerStanding, adatum) is None
    assert "reassessment_not_met" in kinds(demo, adatum)


@pytest.mark.parametrize(("school", "status"), list(governance.SCHOOLS))
def test_education_qualifications_fill_the_vendors_queue(demo: Demo, school: str, status: bool):
    row = demo.session.execute(
        select(CustomerQualification)
        .join(Customer, Customer.id == CustomerQualification.customer_id)
        .where(Customer.company_name == school)
    ).scalar_one()
    assert row.qualification == "Education"
    assert row.vetting_status == ("Approved" if status else "InReview")
