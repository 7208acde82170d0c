"""Direct bill in the console without a browser (rules.md §2a): the partner's checklist
with progress bars and the application form, the vendor's queue and application page,
request for information, answer, evidence, approval with the password shown once,
refusals shown on the page; English and Korean."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.program.models import DirectBillApplication
from tests.console.test_transition_pages import HTML, post, sign_in
from tests.factories.program import applicant

FORM = {
    "signer_name": "Ji-woo Park",
    "signer_email": "jiwoo@contoso-reseller.example",
    "signer_title": "CEO",
    "authority_attested": "on",
    "managed_service": "Managed security operations",
    "billing_anniversary": "2027-01-01",
    "tenant_domain": "contoso-direct.example",
    "tax_id": "123",
}


def status_of(html: str, key: str) -> str:
    found = re.search(rf'data-requirement="{key}" data-status="([a-zA-Z]+)"', html)
    assert found, key
    return found.group(1)


def test_partner_applies_vendor_reviews_and_approves(client: TestClient, session: Session) -> None:
    a = applicant(session, evidence_recorded=False)
    session.commit()
    csrf = sign_in(client, a.reseller.user.email)
    page = client.get("/directbill", headers=HTML)
    assert page.status_code == 200 and 'data-area="directbill"' in page.text
    assert status_of(page.text, "revenue") == "met"
    assert status_of(page.text, "supportPlan") == "pendingReview"
    assert 'id="ttm-progress" max="100" value="100"' in page.text
    assert 'id="tenure-progress" max="100" value="100"' in page.text
    refused = post(client, "/directbill/apply", csrf, **{**FORM, "authority_attested": ""})
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert 'value="contoso-direct.example"' in refused.text  # the draft is kept
    page = post(client, "/directbill/apply", csrf, **FORM)
    assert page.status_code == 200 and 'id="application-state"' in page.text
    app_id = session.scalars(select(DirectBillApplication.id)).one()

    staff = TestClient(client.app)
    staff_csrf = sign_in(staff, a.vendor.user.email)
    queue = staff.get("/directbill/applications", headers=HTML)
    assert queue.status_code == 200 and f'data-application="{app_id}"' in queue.text
    path = f"/directbill/applications/{app_id}"
    page = post(staff, f"{path}/requestinformation", staff_csrf, body="Your support policy?")
    assert page.status_code == 200 and 'data-state="info_requested"' in page.text
    page = client.get("/directbill", headers=HTML)
    assert 'id="answer-form"' in page.text and "Your support policy?" in page.text
    page = post(client, f"/directbill/{app_id}/answer", csrf, body="24x7 desk")
    assert page.status_code == 200 and 'data-state="submitted"' in page.text

    refused = post(staff, f"{path}/approve", staff_csrf)
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    for kind, outcome, day, plan in (
        ("credit_check", "passed", "2026-01-20", ""),
        ("support_plan", "bought", "2026-01-21", "ASfP"),
        ("assessment", "passed", "2026-10-01", ""),
    ):
        page = post(
            staff, f"{path}/evidence", staff_csrf,
            kind=kind, outcome=outcome, effective_on=day, plan=plan,
        )  # fmt: skip
        assert page.status_code == 200, page.text
    assert status_of(page.text, "supportPlan") == "met"
    page = post(staff, f"{path}/approve", staff_csrf)
    assert page.status_code == 200 and 'id="admin-password"' in page.text
    assert 'id="admin-user">jiwoo@contoso-direct.example' in page.text
    again = staff.get(path, headers=HTML)
    assert 'id="admin-password"' not in again.text  # shown once
    page = client.get("/directbill", headers=HTML)
    assert 'data-state="approved"' in page.text


def test_korean_and_the_vendor_only_queue(client: TestClient, session: Session) -> None:
    a = applicant(session)
    session.commit()
    sign_in(client, a.reseller.user.email)
    assert client.get("/directbill/applications", headers=HTML).status_code == 403
    page = client.get("/directbill", headers={**HTML, "Accept-Language": "ko-KR"})
    assert page.status_code == 200
