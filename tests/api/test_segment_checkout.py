"""Segment qualifications at checkout and in the customer's catalog (rules.md §9a), through
the API: a table of segment × customer qualification × partner qualification → bought,
or refused with 800020 (cart line 10006; checkout 800009 naming it), and the customer's
catalog showing a restricted segment only when qualified."""

from __future__ import annotations

from typing import Any

import pytest

from opencsp.catalog.rules import BillingPlan, Segment
from opencsp.customers.models import CustomerQualification
from opencsp.partners.models import PartnerQualification
from tests.conftest import NOW
from tests.factories.catalog import Row, add_prices, offer
from tests.factories.commerce import scene, sign_partner_agreement


@pytest.fixture()
def world(session):
    s = scene(session)
    sign_partner_agreement(session, s.direct)
    sign_partner_agreement(session, s.provider)
    return s


def segment_offer(session, world, segment: Segment):
    o = offer(session, title=f"Nimbus 365 A3 ({segment.value})", segment=segment)
    add_prices(session, world.prices, [Row(o, "36", billing_plan=BillingPlan.MONTHLY)])
    return o


def qualify_customer(session, customer_id, qualification: str, status: str = "Approved") -> None:
    session.add(
        CustomerQualification(
            customer_id=customer_id,
            qualification=qualification,
            education_segment="K12" if qualification == "Education" else None,
            vetting_status=status,
            vetting_created_date=NOW,
        )
    )
    session.flush()


def qualify_partner(session, organization_id, status: str = "Approved") -> None:
    session.add(
        PartnerQualification(
            organization_id=organization_id,
            segment="government",
            status=status,
            requested_at=NOW,
        )
    )
    session.flush()


def line(o: Any) -> dict[str, Any]:
    return {
        "id": 0,
        "catalogItemId": o.catalog_item_id,
        "quantity": 5,
        "termDuration": "P1Y",
        "billingCycle": "Monthly",
    }


def buy(client, member, customer_id, o):
    r = client.post(
        f"/v1/customers/{customer_id}/carts", headers=member.headers, json={"lineItems": [line(o)]}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    return body, client.post(
        f"/v1/customers/{customer_id}/carts/{body['id']}/checkout", headers=member.headers
    )


ED, NP, GOV, COM = Segment.EDUCATION, Segment.NONPROFIT, Segment.GOVERNMENT, Segment.COMMERCIAL
GCC, SOE = "GovernmentCommunityCloud", "StateOwnedEntity"
OK, CUSTOMER, PARTNER = None, "customer", "partner"


@pytest.mark.parametrize(
    ("segment", "customer_quals", "partner_status", "expected"),
    [
        (COM, [], None, OK),
        (ED, [], None, CUSTOMER),
        (ED, [("Education", "Approved")], None, OK),
        (ED, [("Education", "InReview")], None, CUSTOMER),
        (ED, [("Education", "Denied")], None, CUSTOMER),
        (ED, [("Nonprofit", "Approved")], None, CUSTOMER),
        (NP, [], None, CUSTOMER),
        (NP, [("Nonprofit", "Approved")], None, OK),
        (NP, [("Nonprofit", "InReview")], None, CUSTOMER),
        (NP, [("Education", "Approved")], None, CUSTOMER),
        (GOV, [], None, CUSTOMER),
        (GOV, [], "Approved", CUSTOMER),
        (GOV, [(GCC, "Approved")], None, PARTNER),
        (GOV, [(GCC, "Approved")], "InReview", PARTNER),
        (GOV, [(GCC, "Approved")], "Denied", PARTNER),
        (GOV, [(GCC, "Approved")], "Approved", OK),
        (GOV, [(SOE, "Approved")], "Approved", OK),
        (GOV, [(GCC, "InReview")], "Approved", CUSTOMER),
        (GOV, [("Education", "Approved")], "Approved", CUSTOMER),
    ],
)
def test_segment_gate(client, session, world, segment, customer_quals, partner_status, expected):
    o = segment_offer(session, world, segment)
    for qualification, status in customer_quals:
        qualify_customer(session, world.direct_customer.id, qualification, status)
    if partner_status is not None:
        qualify_partner(session, world.direct.org.id, partner_status)
    body, r = buy(client, world.direct, world.direct_customer.id, o)
    [li] = body["lineItems"]
    if expected is OK:
        assert "error" not in li
        assert r.status_code == 201, r.text
        return
    assert li["error"]["errorCode"] == 10006
    assert li["error"]["errorDescription"].startswith(
        "The catalog item isn't eligible for purchase"
    )
    assert r.status_code == 400
    [detail] = r.json()["data"]
    assert (detail["errorCode"], detail["code"]) == (10006, 800020)
    wording = "your organization's approved government" if expected == PARTNER else "the customer"
    assert wording in li["error"]["errorDescription"]


@pytest.mark.parametrize(
    ("provider_qualified", "reseller_qualified", "ok"),
    [(True, False, True), (False, True, False), (False, False, False)],
)
def test_government_needs_the_buying_provider_qualified(
    client, session, world, provider_qualified, reseller_qualified, ok
):
    o = segment_offer(session, world, GOV)
    qualify_customer(session, world.indirect_customer.id, GCC)
    if provider_qualified:
        qualify_partner(session, world.provider.org.id)
    if reseller_qualified:
        qualify_partner(session, world.reseller.org.id)
    _, r = buy(client, world.provider, world.indirect_customer.id, o)
    assert (r.status_code == 201) is ok, r.text


def test_order_api_answers_800020(client, session, world):
    o = segment_offer(session, world, ED)
    r = client.post(
        f"/v1/customers/{world.direct_customer.id}/orders",
        headers=world.direct.headers,
        json={
            "lineItems": [
                {
                    "lineItemNumber": 0,
                    "offerId": o.catalog_item_id,
                    "quantity": 5,
                    "termDuration": "P1Y",
                }
            ],
            "billingCycle": "monthly",
        },
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == 800020


def products(client, member, customer_id, segment: str) -> list[str]:
    r = client.get(
        f"/v1/customers/{customer_id}/products",
        headers=member.headers,
        params={"targetView": "OnlineServices", "targetSegment": segment},
    )
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["items"]]


def test_customer_catalog_shows_a_segment_only_when_qualified(client, session, world):
    o = segment_offer(session, world, ED)
    cid = world.direct_customer.id
    assert o.product.id not in products(client, world.direct, cid, "education")
    sku = client.get(
        f"/v1/customers/{cid}/products/{o.product.id}/skus",
        headers=world.direct.headers,
        params={"targetSegment": "education"},
    )
    assert sku.status_code == 404
    qualify_customer(session, cid, "Education")
    assert o.product.id in products(client, world.direct, cid, "education")
    # the commercial catalog never shows it
    assert o.product.id not in products(client, world.direct, cid, "commercial")


def test_customer_catalog_government_needs_the_partner_too(client, session, world):
    o = segment_offer(session, world, GOV)
    cid = world.direct_customer.id
    qualify_customer(session, cid, GCC)
    assert o.product.id not in products(client, world.direct, cid, "government")
    qualify_partner(session, world.direct.org.id)
    assert o.product.id in products(client, world.direct, cid, "government")
