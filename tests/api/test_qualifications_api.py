"""Segment qualifications over the API (rules.md §9a): a partner asks for a customer's
qualification in the documented asynchronous shapes (samples
``customers-qualifications-*.json``), the vendor approves or denies it; a partner asks
for its own ``government`` qualification; who may see what (404); every error by its
code; each decision notified and audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.notifications.models import Notification
from tests.factories import member
from tests.factories.parties import customer, partner, partnership


@pytest.fixture()
def world(session):
    direct = partner(session, Tier.DIRECT_BILL)
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, provider.org, reseller.org)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    return {
        "direct": direct,
        "provider": provider,
        "reseller": reseller,
        "vendor": vendor,
        "mine": customer(session, direct.org),
        "indirect": customer(session, provider.org, reseller=reseller.org),
        "other": partner(session, Tier.DIRECT_BILL),
    }


def ask(client, who, customer_id, body: dict[str, Any]):
    return client.post(
        f"/v1/customers/{customer_id}/qualifications", headers=who.headers, json=body
    )


EDUCATION = {
    "qualification": "Education",
    "educationSegment": "K12",
    "website": "https://k12.example",
}


def test_request_answers_the_documented_shape(client, world):
    r = ask(client, world["direct"], world["mine"].id, EDUCATION)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["qualification"] == "Education"
    assert body["vettingStatus"] == "InReview"
    assert body["educationSegment"] == "K12"
    assert body["vettingCreateDate"].endswith("Z")
    listed = client.get(
        f"/v1/customers/{world['mine'].id}/qualifications", headers=world["direct"].headers
    )
    assert listed.status_code == 200
    [item] = listed.json()
    assert set(item) >= {"qualification", "vettingStatus", "vettingCreatedDate"}
    assert "vettingReason" not in item


def test_state_owned_entity_as_in_the_sample(client, world):
    r = ask(client, world["direct"], world["mine"].id, {"qualification": "StateOwnedEntity"})
    assert r.status_code == 201 and r.json()["qualification"] == "StateOwnedEntity"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"qualification": "Charity"}, "InvalidQualification"),
        ({}, "InvalidQualification"),
        ({"qualification": "Education"}, "InvalidEducationSegment"),
        (
            {"qualification": "Education", "educationSegment": "Kindergarten"},
            "InvalidEducationSegment",
        ),
        ({"qualification": "Nonprofit", "educationSegment": "K12"}, "InvalidEducationSegment"),
        ({"qualification": "Nonprofit", "website": "ftp://x.example"}, "InvalidWebsite"),
        ({"qualification": "Nonprofit", "website": "not a url"}, "InvalidWebsite"),
    ],
)
def test_bad_requests(client, world, body, code):
    r = ask(client, world["direct"], world["mine"].id, body)
    assert r.status_code == 400 and r.json()["code"] == code


@pytest.mark.parametrize("value", ["education", "EDUCATION", "Education"])
def test_values_read_case_insensitively(client, world, value):
    r = ask(
        client,
        world["direct"],
        world["mine"].id,
        {"Qualification": value, "EducationSegment": "higherEducation"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["educationSegment"] == "HigherEducation"


def test_who_sees_and_asks(client, world):
    mine = world["mine"].id
    assert ask(client, world["other"], mine, EDUCATION).status_code == 404
    assert (
        client.get(
            f"/v1/customers/{mine}/qualifications", headers=world["other"].headers
        ).status_code
        == 404
    )
    # a reseller sees its customer's qualifications but does not manage customers
    indirect = world["indirect"].id
    assert ask(client, world["provider"], indirect, EDUCATION).status_code == 201
    seen = client.get(f"/v1/customers/{indirect}/qualifications", headers=world["reseller"].headers)
    assert seen.status_code == 200 and len(seen.json()) == 1
    assert ask(client, world["reseller"], indirect, EDUCATION).status_code == 403
    # the vendor reads every customer's, and asks for none
    assert (
        client.get(
            f"/v1/customers/{mine}/qualifications", headers=world["vendor"].headers
        ).status_code
        == 200
    )
    assert ask(client, world["vendor"], mine, EDUCATION).status_code == 403


def queue(client, world, status: str | None = None) -> list[dict[str, Any]]:
    params = {"status": status} if status else {}
    r = client.get("/v1/program/qualifications", headers=world["vendor"].headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def decide(client, world, customer_id, qualification, action, reason=None):
    body = {"reason": reason} if reason is not None else {}
    return client.post(
        f"/v1/program/qualifications/{customer_id}/{qualification}/{action}",
        headers=world["vendor"].headers,
        json=body,
    )


def test_vendor_approves_and_partners_are_notified(client, session, world):
    indirect = world["indirect"].id
    ask(client, world["provider"], indirect, EDUCATION)
    [item] = queue(client, world)
    assert (item["customerId"], item["qualification"], item["vettingStatus"]) == (
        str(indirect),
        "Education",
        "InReview",
    )
    r = decide(client, world, indirect, "education", "approve")
    assert r.status_code == 200, r.text
    assert r.json()["vettingStatus"] == "Approved"
    assert queue(client, world) == []
    assert [i["vettingStatus"] for i in queue(client, world, "all")] == ["Approved"]
    notified = session.scalars(
        select(Notification.organization_id).where(
            Notification.kind == "customer_qualification_approved"
        )
    ).all()
    assert set(notified) == {world["provider"].org.id, world["reseller"].org.id}
    ops = session.scalars(
        select(AuditRecord.operation_type).where(AuditRecord.customer_id == indirect)
    ).all()
    assert {"request_customer_qualification", "approve_customer_qualification"} <= set(ops)
    again = decide(client, world, indirect, "Education", "approve")
    assert again.status_code == 409 and again.json()["code"] == "QualificationNotInReview"
    twice = ask(client, world["provider"], indirect, EDUCATION)
    assert twice.status_code == 409 and twice.json()["code"] == "QualificationExists"


def test_denial_carries_the_reason_and_may_be_asked_again(client, world):
    mine = world["mine"].id
    ask(client, world["direct"], mine, EDUCATION)
    missing = decide(client, world, mine, "Education", "deny", "  ")
    assert missing.status_code == 400 and missing.json()["code"] == "ReasonRequired"
    r = decide(client, world, mine, "Education", "deny", "Not an Education Customer")
    assert r.status_code == 200
    [item] = client.get(
        f"/v1/customers/{mine}/qualifications", headers=world["direct"].headers
    ).json()
    assert (item["vettingStatus"], item["vettingReason"]) == ("Denied", "Not an Education Customer")
    again = ask(client, world["direct"], mine, EDUCATION)
    assert again.status_code == 201 and again.json()["vettingStatus"] == "InReview"


def test_vendor_routes_refuse_partners_and_unknowns(client, world):
    mine = world["mine"].id
    assert (
        client.get("/v1/program/qualifications", headers=world["direct"].headers).status_code == 403
    )
    r = decide(client, world, mine, "Nonprofit", "approve")
    assert r.status_code == 404
    bad = client.get(
        "/v1/program/qualifications", headers=world["vendor"].headers, params={"status": "Maybe"}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "InvalidVettingStatus"


# --- partners ------------------------------------------------------------------------------


def test_partner_requests_government_and_vendor_decides(client, session, world):
    provider = world["provider"]
    r = client.post(
        "/v1/program/partnerqualifications",
        headers=provider.headers,
        json={"segment": "Government"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["segment"], r.json()["status"]) == ("government", "InReview")
    dup = client.post(
        "/v1/program/partnerqualifications",
        headers=provider.headers,
        json={"segment": "government"},
    )
    assert dup.status_code == 409 and dup.json()["code"] == "QualificationExists"
    mine = client.get("/v1/program/partnerqualifications", headers=provider.headers).json()
    assert mine["totalCount"] == 1
    assert (
        client.get("/v1/program/partnerqualifications", headers=world["direct"].headers).json()[
            "totalCount"
        ]
        == 0
    )
    everyone = client.get(
        "/v1/program/partnerqualifications",
        headers=world["vendor"].headers,
        params={"status": "InReview"},
    )
    assert everyone.json()["totalCount"] == 1
    path = f"/v1/program/partnerqualifications/{provider.org.id}/government"
    assert client.post(f"{path}/approve", headers=provider.headers).status_code == 403
    ok = client.post(f"{path}/approve", headers=world["vendor"].headers)
    assert ok.status_code == 200 and ok.json()["status"] == "Approved"
    again = client.post(f"{path}/deny", headers=world["vendor"].headers, json={"reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "QualificationNotInReview"
    kinds = session.scalars(
        select(Notification.kind).where(Notification.organization_id == provider.org.id)
    ).all()
    assert "partner_qualification_approved" in kinds


@pytest.mark.parametrize("segment", ["education", "nonprofit", "", "gov"])
def test_partner_segments_other_than_government_are_refused(client, world, segment):
    r = client.post(
        "/v1/program/partnerqualifications",
        headers=world["direct"].headers,
        json={"segment": segment},
    )
    assert r.status_code == 400 and r.json()["code"] == "InvalidSegment"


def test_partner_denial_needs_a_reason(client, world):
    direct = world["direct"]
    client.post(
        "/v1/program/partnerqualifications", headers=direct.headers, json={"segment": "government"}
    )
    path = f"/v1/program/partnerqualifications/{direct.org.id}/government/deny"
    r = client.post(path, headers=world["vendor"].headers, json={})
    assert r.status_code == 400 and r.json()["code"] == "ReasonRequired"
    r = client.post(path, headers=world["vendor"].headers, json={"reason": "No GCC agreement"})
    assert r.status_code == 200 and r.json()["reason"] == "No GCC agreement"
    unknown = client.post(
        f"/v1/program/partnerqualifications/{world['provider'].org.id}/government/approve",
        headers=world["vendor"].headers,
    )
    assert unknown.status_code == 404
