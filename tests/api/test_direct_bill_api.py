"""The direct-bill API (issue 7, task G): the checklist, the application from submission
to approval, every documented error by its code, visibility (404) and MS-RequestId
idempotency."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.core.actor import Tier
from tests.factories import Member
from tests.factories.parties import partner
from tests.factories.program import Applicant, applicant

APPS = "/v1/program/directbill/applications"
FORM = {
    "signerName": "Ji-woo Park",
    "signerEmail": "jiwoo@contoso-reseller.example",
    "signerTitle": "CEO",
    "authorityAttested": True,
    "managedService": "Managed security operations",
    "billingAnniversary": "2027-01-01",
    "tenantDomain": "contoso-direct.example",
    "taxId": "123-45-67890",
}


@pytest.fixture()
def a(session: Session) -> Applicant:
    return applicant(session)


def call(
    client: TestClient, who: Member, method: str, path: str, body: Any = None, status: int = 200
) -> Any:
    r = client.request(method, path, headers=who.headers, json=body)
    assert r.status_code == status, r.text
    return r.json()


def test_own_eligibility_checklist(client: TestClient, a: Applicant) -> None:
    data = call(client, a.reseller, "GET", "/v1/program/directbill/eligibility")
    assert data["attributes"]["objectType"] == "DirectBillEligibility"
    assert [r["key"] for r in data["requirements"]] == [
        "partnerId", "authority", "supportPlan", "revenue", "tenure", "infrastructure",
        "managedService",
    ]  # fmt: skip
    by_key = {r["key"]: r for r in data["requirements"]}
    assert by_key["revenue"]["status"] == "met"
    assert by_key["revenue"]["evidence"]["ttmUsd"] == "300000.00"
    assert by_key["authority"]["status"] == "pendingReview"
    assert by_key["managedService"]["required"] is False
    assert data["policy"] == {
        "ttmThresholdUsd": "300000.00",
        "tenureMonths": 12,
        "managedServiceRequired": False,
    }
    assert data["eligible"] is False


def test_submission_to_approval(client: TestClient, a: Applicant) -> None:
    app = call(client, a.reseller, "POST", APPS, FORM, status=201)
    assert app["state"] == "submitted"
    assert app["attributes"]["objectType"] == "DirectBillApplication"
    assert app["checklist"]["eligible"] is True
    path = f"{APPS}/{app['id']}"
    queue = call(client, a.vendor, "GET", f"{APPS}?state=open")
    assert [i["id"] for i in queue["items"]] == [app["id"]]
    assert queue["items"][0]["organizationName"] == a.reseller.org.name
    asked = call(client, a.vendor, "POST", f"{path}/requestinformation", {"body": "Policy?"})
    assert asked["state"] == "infoRequested"
    call(client, a.reseller, "POST", f"{path}/messages", {"body": "Here it is"}, status=201)
    done = call(client, a.vendor, "POST", f"{path}/approve", {})
    assert done["application"]["state"] == "approved"
    assert done["directOrganization"]["tenantDomain"] == ("contoso-direct.example")
    assert done["directOrganization"]["adminUserName"] == "jiwoo@contoso-direct.example"
    assert done["directOrganization"]["adminPassword"]
    seen = call(client, a.reseller, "GET", path)
    assert seen["state"] == "approved"
    assert [m["kind"] for m in seen["messages"]] == ["requestInfo", "answer", "decision"]
    assert [m["fromVendor"] for m in seen["messages"]] == [True, False, True]
    immutable = call(
        client, a.reseller, "PATCH", path, {"tenantDomain": "x-direct.example"}, status=409
    )
    assert immutable["code"] == "DirectBillFieldImmutable"
    updated = call(client, a.reseller, "PATCH", path, {"taxId": "999"})
    assert updated["taxId"] == "999"


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"authorityAttested": False}, 400, "AuthorityNotAttested"),
        ({"signerEmail": "a@gmail.com"}, 400, "WebMailPrimaryContact"),
        ({"tenantDomain": "nope"}, 400, "InvalidTenantDomain"),
        ({"signerName": ""}, 400, "InvalidField"),
    ],
)
def test_create_errors(
    client: TestClient, a: Applicant, changes: dict[str, Any], status: int, code: str
) -> None:
    data = call(client, a.reseller, "POST", APPS, {**FORM, **changes}, status=status)
    assert data["code"] == code


def test_one_open_application(client: TestClient, a: Applicant) -> None:
    call(client, a.reseller, "POST", APPS, FORM, status=201)
    data = call(client, a.reseller, "POST", APPS, FORM, status=409)
    assert data["code"] == "DirectBillApplicationOpen"


def test_not_a_reseller(client: TestClient, session: Session, a: Applicant) -> None:
    data = call(client, a.rs.s.provider, "POST", APPS, FORM, status=400)
    assert data["code"] == "DirectBillApplicantInvalid"


def test_review_errors(client: TestClient, session: Session) -> None:
    a = applicant(session, ttm="299999.99")
    app = call(client, a.reseller, "POST", APPS, FORM, status=201)
    path = f"{APPS}/{app['id']}"
    data = call(client, a.vendor, "POST", f"{path}/approve", {}, status=409)
    assert data["code"] == "DirectBillRequirementsNotMet"
    assert "revenue" in data["description"]
    data = call(
        client, a.vendor, "POST", f"{path}/scheduleassessment", {"assessmentDate": "2026-12-01"},
        status=409,
    )  # fmt: skip
    assert data["code"] == "AssessmentBeforeRevenueAndTenure"
    data = call(client, a.vendor, "POST", f"{path}/reject", {"reason": ""}, status=400)
    assert data["code"] == "RejectionReasonRequired"
    rejected = call(client, a.vendor, "POST", f"{path}/reject", {"reason": "Revenue short"})
    assert (rejected["state"], rejected["reason"]) == ("rejected", "Revenue short")
    data = call(client, a.reseller, "POST", f"{path}/withdraw", status=409)
    assert data["code"] == "InvalidApplicationState"
    other = partner(session, Tier.DIRECT_BILL).org.id
    data = call(
        client, a.vendor, "POST", f"{path}/approve", {"linkOrganizationId": str(other)}, status=409
    )
    assert data["code"] == "InvalidApplicationState"


def test_link_refused_for_a_direct_partner_with_customers(client: TestClient, a: Applicant) -> None:
    app = call(client, a.reseller, "POST", APPS, FORM, status=201)
    data = call(
        client, a.vendor, "POST", f"{APPS}/{app['id']}/approve",
        {"linkOrganizationId": str(a.rs.s.direct.org.id)}, status=409,
    )  # fmt: skip
    assert data["code"] == "DirectBillLinkInvalid"


def test_visibility_and_vendor_only(client: TestClient, session: Session, a: Applicant) -> None:
    app = call(client, a.reseller, "POST", APPS, FORM, status=201)
    path = f"{APPS}/{app['id']}"
    stranger = partner(session, Tier.INDIRECT_RESELLER)
    assert call(client, stranger, "GET", path, status=404)["code"] == 1000
    assert call(client, stranger, "GET", APPS)["totalCount"] == 0
    assert call(client, stranger, "POST", f"{path}/messages", {"body": "x"}, status=404)
    assert call(client, a.reseller, "POST", f"{path}/approve", {}, status=403)["code"] == 900150
    org = a.reseller.org.id
    assert call(client, a.reseller, "GET", f"/v1/program/partners/{org}/eligibility", status=403)
    assert call(client, stranger, "GET", f"/v1/program/partners/{org}/evidence", status=404)
    assert call(client, a.reseller, "GET", f"/v1/program/partners/{org}/evidence")["totalCount"]


def test_evidence_api(client: TestClient, session: Session) -> None:
    a = applicant(session, evidence_recorded=False)
    org = a.reseller.org.id
    path = f"/v1/program/partners/{org}/evidence"
    row = call(
        client, a.vendor, "POST", path,
        {"kind": "supportPlan", "outcome": "bought", "effectiveOn": "2026-10-01", "plan": "PSfP"},
        status=201,
    )  # fmt: skip
    assert (row["kind"], row["plan"], row["attributes"]["objectType"]) == (
        "supportPlan", "PSfP", "DirectBillEvidence",
    )  # fmt: skip
    bad = call(
        client, a.vendor, "POST", path,
        {"kind": "credit_check", "outcome": "bought", "effectiveOn": "2026-10-01"}, status=400,
    )  # fmt: skip
    assert bad["code"] == "InvalidEvidence"
    checklist = call(client, a.vendor, "GET", f"/v1/program/partners/{org}/eligibility")
    plan = next(r for r in checklist["requirements"] if r["key"] == "supportPlan")
    assert (plan["status"], plan["evidence"]["reason"]) == ("notMet", "noCreditCheck")


def test_idempotent_application_post(client: TestClient, a: Applicant) -> None:
    headers = {**a.reseller.headers, "MS-RequestId": str(uuid.uuid4())}
    first = client.post(APPS, headers=headers, json=FORM)
    again = client.post(APPS, headers=headers, json=FORM)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert call(client, a.reseller, "GET", APPS)["totalCount"] == 1
