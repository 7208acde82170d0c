"""``/v1/program/transitions`` (rules.md §2d): the happy path from request to completion
over the API, every refusal by its code, visibility (404) and the vendor's queue order.
The server runs on the test clock (2026-11-21, a Saturday)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.billing.models import BillingPeriod
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.customers.models import CustomerRelationship
from opencsp.notifications.models import Notification
from opencsp.partners.models import PartnerId, PartnerStanding
from opencsp.program.models import DirectBillApplication
from tests.factories import Member, member
from tests.factories.commerce import Scene, scene
from tests.factories.parties import customer, partner

BASE = "/v1/program/transitions"


@pytest.fixture()
def s(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def vendor(session: Session) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))


def post(client: TestClient, who: Member, path: str = "", body: Any = None) -> Any:
    return client.post(BASE + path, headers=who.headers, json=body)


def code(response: Any) -> Any:
    return response.json()["code"]


def requested(client: TestClient, s: Scene) -> dict[str, Any]:
    r = post(client, s.direct)
    assert r.status_code == 201, r.text
    return dict(r.json())


def customers_of(session: Session, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(CustomerRelationship.customer_id).where(
                CustomerRelationship.partner_id == org_id
            )
        )
    )


def move_clock(session: Session, instant: datetime) -> None:
    clock.set_test_clock(session, instant)
    session.flush()


def close_month(session: Session, month: date) -> None:
    session.add(
        BillingPeriod(period=month, status="closed", started_at=clock.now(), closed_at=clock.now())
    )
    session.flush()


def test_from_request_to_completion(client: TestClient, session: Session, s: Scene, vendor):
    t = requested(client, s)
    assert t["attributes"]["objectType"] == "TierTransition"
    assert t["state"] == "requested" and t["nextStep"] == "awaitingApproval"
    assert t["approveBy"] == "2026-11-27" and t["overdue"] is False
    assert [c["consentBy"] for c in t["customers"]] == [None]
    tid = t["id"]
    r = post(client, vendor, f"/{tid}/approve")
    assert r.status_code == 200 and r.json()["nextStep"] == "acceptAgreement"
    r = post(client, s.direct, f"/{tid}/agreement")
    assert r.json()["nextStep"] == "chooseProvider", r.text
    r = client.get(f"{BASE}/{tid}/providers", headers=s.direct.headers)
    assert [p["id"] for p in r.json()["items"]] == [str(s.provider.org.id)]
    r = post(client, s.direct, f"/{tid}/provider", {"providerId": str(s.provider.org.id)})
    assert r.json()["nextStep"] == "customerConsent" and r.json()["missingConsents"] == 1
    (customer_id,) = customers_of(session, s.direct.org.id)
    r = post(
        client,
        s.direct,
        f"/{tid}/consents",
        {
            "customerId": str(customer_id),
            "consentBy": "Gena Soto",
            "consentedAt": "2026-11-20T10:00:00Z",
        },
    )
    body = r.json()
    assert body["state"] == "scheduled" and body["effectivePeriod"] == "2026-12", r.text
    assert body["customers"][0]["consentBy"] == "Gena Soto"

    r = post(client, vendor, f"/{tid}/complete")
    assert r.status_code == 409 and code(r) == "TransitionNotDue"
    move_clock(session, datetime(2026, 12, 1, 1, tzinfo=UTC))
    r = post(client, vendor, f"/{tid}/complete")
    assert r.status_code == 409 and code(r) == "TransitionBillRunPending", r.text
    close_month(session, date(2026, 11, 1))
    r = post(client, vendor, f"/{tid}/complete")
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "completed" and done["nextStep"] == "done"
    assert done["customers"][0]["movedAt"] is not None
    kinds = set(session.scalars(select(Notification.kind)))
    for step in ("requested", "approved", "scheduled", "switched", "completed", "review"):
        assert f"transition_{step}" in kinds

    # the partner is an indirect reseller now: checkout refuses it
    r = client.post(
        f"/v1/customers/{customer_id}/carts",
        headers=s.direct.headers,
        json={"lineItems": [{"id": 0, "catalogItemId": s.offer.catalog_item_id, "quantity": 1}]},
    )
    assert r.status_code == 403, r.text


def test_refusals_of_the_request(client: TestClient, session: Session, s: Scene):
    r = post(client, s.reseller)
    assert r.status_code == 409 and code(r) == "TransitionNotDirectBill"
    agent = member(session, s.direct.org, roles=(Role.ADMIN_AGENT,))
    r = post(client, agent)
    assert r.status_code == 403 and code(r) == 900150
    requested(client, s)
    r = post(client, s.direct)
    assert r.status_code == 409 and code(r) == "TransitionAlreadyOpen"


def _application(session: Session, org_id: uuid.UUID) -> None:
    now = clock.now()
    session.add(
        DirectBillApplication(
            id=uuid.uuid4(),
            organization_id=org_id,
            open_key=str(org_id),
            state="submitted",
            signer_name="A",
            signer_email="a@example.test",
            authority_attested_at=now,
            billing_anniversary=date(2027, 1, 1),
            tenant_domain="direct.example",
            submitted_at=now,
            updated_at=now,
        )
    )


def _deauthorized(session: Session, org_id: uuid.UUID) -> None:
    session.add(
        PartnerStanding(
            organization_id=org_id,
            status="deauthorized",
            effective_at=clock.now(),
            reason="floor",
            reenroll_after=date(2027, 11, 21),
        )
    )


def _no_location_id(session: Session, org_id: uuid.UUID) -> None:
    for row in session.scalars(select(PartnerId).where(PartnerId.organization_id == org_id)):
        row.status = "inactive"


@pytest.mark.parametrize("blocker", [_application, _deauthorized, _no_location_id])
def test_a_request_is_blocked_by_what_is_under_way(
    client: TestClient, session: Session, blocker: Any
):
    direct = partner(session, Tier.DIRECT_BILL)
    blocker(session, direct.org.id)
    session.flush()
    r = post(client, direct)
    assert r.status_code == 409 and code(r) == "TransitionBlocked", r.text


def test_steps_out_of_order_and_closed(client: TestClient, session: Session, s: Scene, vendor):
    tid = requested(client, s)["id"]
    r = post(client, s.direct, f"/{tid}/agreement")
    assert r.status_code == 409 and code(r) == "TransitionStepOutOfOrder"
    r = post(client, s.direct, f"/{tid}/approve")
    assert r.status_code == 403  # the vendor's step
    r = post(client, vendor, f"/{tid}/reject", {"reason": " "})
    assert r.status_code == 400 and code(r) == "RejectionReasonRequired"
    r = post(client, vendor, f"/{tid}/reject", {"reason": "Outstanding invoices"})
    assert r.json()["state"] == "rejected" and r.json()["reason"] == "Outstanding invoices"
    r = post(client, vendor, f"/{tid}/approve")
    assert r.status_code == 409 and code(r) == "TransitionClosed"
    assert requested(client, s)["state"] == "requested"  # a closed one frees the slot


def test_agreement_provider_and_consent_refusals(
    client: TestClient, session: Session, s: Scene, vendor
):
    tid = requested(client, s)["id"]
    post(client, vendor, f"/{tid}/approve")
    r = post(client, s.direct, f"/{tid}/provider", {"providerId": str(s.provider.org.id)})
    assert r.status_code == 409 and code(r) == "TransitionAgreementNotAccepted"
    (customer_id,) = customers_of(session, s.direct.org.id)
    consent = {"customerId": str(customer_id), "consentBy": "Gena"}
    r = post(client, s.direct, f"/{tid}/consents", consent)
    assert r.status_code == 409 and code(r) == "TransitionProviderNotChosen"
    post(client, s.direct, f"/{tid}/agreement")
    r = post(client, s.direct, f"/{tid}/agreement")
    assert r.status_code == 409 and code(r) == "TransitionAgreementAccepted"
    r = post(client, s.direct, f"/{tid}/provider", {"providerId": str(s.reseller.org.id)})
    assert r.status_code == 400 and code(r) == "TransitionProviderNotEligible"
    korean = partner(session, Tier.INDIRECT_PROVIDER, country="KR")
    r = post(client, s.direct, f"/{tid}/provider", {"providerId": str(korean.org.id)})
    assert r.status_code == 400 and code(r) == 2201
    r = post(client, s.direct, f"/{tid}/provider", {"providerId": str(s.provider.org.id)})
    assert r.status_code == 200
    r = post(client, s.direct, f"/{tid}/consents", {**consent, "consentBy": " "})
    assert r.status_code == 400 and code(r) == "ConsentSignerRequired"
    r = post(
        client, s.direct, f"/{tid}/consents", {**consent, "consentedAt": "2026-11-22T00:00:00Z"}
    )
    assert r.status_code == 400 and code(r) == "ConsentDateInvalid"
    r = post(client, s.direct, f"/{tid}/consents", {**consent, "customerId": str(uuid.uuid4())})
    assert r.status_code == 404
    r = post(client, s.direct, f"/{tid}/consents", consent)
    assert r.json()["state"] == "scheduled"


def test_a_customer_without_consent_blocks_completion(
    client: TestClient, session: Session, s: Scene, vendor
):
    tid = requested(client, s)["id"]
    post(client, vendor, f"/{tid}/approve")
    post(client, s.direct, f"/{tid}/agreement")
    post(client, s.direct, f"/{tid}/provider", {"providerId": str(s.provider.org.id)})
    (first,) = customers_of(session, s.direct.org.id)
    post(client, s.direct, f"/{tid}/consents", {"customerId": str(first), "consentBy": "Gena"})
    late = customer(session, s.direct.org, name="Late Customer")  # acquired after scheduling
    move_clock(session, datetime(2026, 12, 2, tzinfo=UTC))
    close_month(session, date(2026, 11, 1))
    r = post(client, vendor, f"/{tid}/complete")
    assert r.status_code == 409 and code(r) == "TransitionConsentMissing"
    assert "Late Customer" in r.json()["description"]
    r = post(client, s.direct, f"/{tid}/consents", {"customerId": str(late.id), "consentBy": "Lee"})
    assert r.status_code == 200
    assert post(client, vendor, f"/{tid}/complete").json()["state"] == "completed"


def test_visibility_and_the_vendor_queue(client: TestClient, session: Session, s: Scene, vendor):
    mine = requested(client, s)
    other = partner(session, Tier.DIRECT_BILL)
    r = client.get(f"{BASE}/{mine['id']}", headers=other.headers)
    assert r.status_code == 404
    assert client.get(BASE, headers=other.headers).json()["totalCount"] == 0
    move_clock(session, datetime(2026, 11, 30, tzinfo=UTC))  # the first is overdue now
    later = post(client, other).json()
    r = client.get(BASE, headers=vendor.headers, params={"state": "requested"})
    items = r.json()["items"]
    assert [i["id"] for i in items] == [mine["id"], later["id"]]
    assert [i["overdue"] for i in items] == [True, False]
    r = post(client, s.direct, f"/{mine['id']}/withdraw")
    assert r.json()["state"] == "withdrawn"
    r = post(client, other, f"/{mine['id']}/withdraw")
    assert r.status_code == 404
