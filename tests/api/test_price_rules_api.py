"""Price rules and the statement PDF over the API: ``GET/PUT/DELETE /v1/pricerules``
(opencsp extension) with their errors by code, and ``GET /v1/invoices/{id}/documents/
statement`` (PC:developer/get-invoice-statement.md) as application/pdf, 404 for others."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.core.actor import Tier
from tests.factories import billing
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.parties import partner

MAY = date(2026, 5, 1)


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


def test_put_list_and_delete_a_rule(client: TestClient, session: Session, sc: Scene) -> None:
    body = {"buyer": str(sc.reseller.org.id), "productId": sc.offer.product.id, "percent": "7.5"}
    put = client.put("/v1/pricerules", json=body, headers=sc.provider.headers)
    assert put.status_code == 200, put.text
    data = put.json()
    assert data["buyer"] == str(sc.reseller.org.id) and data["skuId"] == "*"
    assert data["percent"] == "7.5" and data["attributes"]["objectType"] == "PriceRule"
    listed = client.get("/v1/pricerules", headers=sc.provider.headers).json()
    assert listed["totalCount"] == 1 and listed["items"][0]["id"] == data["id"]
    other = client.get("/v1/pricerules", headers=sc.direct.headers).json()
    assert other["totalCount"] == 0
    params = {"buyer": str(sc.reseller.org.id), "productId": sc.offer.product.id}
    gone = client.delete("/v1/pricerules", params=params, headers=sc.provider.headers)
    assert gone.status_code == 204
    again = client.delete("/v1/pricerules", params=params, headers=sc.provider.headers)
    assert (again.status_code, again.json()["code"]) == (404, "PriceRuleNotFound")
    ops = session.scalars(
        select(AuditRecord.operation_type).where(AuditRecord.resource_type == "price_rule")
    ).all()
    assert sorted(ops) == ["delete_price_rule", "set_price_rule"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"percent": "-100"}, 400, "InvalidPriceRule"),
        ({"percent": "1000.01"}, 400, "InvalidPriceRule"),
        ({"percent": "5", "skuId": "0001"}, 400, "InvalidPriceRule"),
        ({"percent": "5", "buyer": "not-a-guid"}, 400, "InvalidPriceRule"),
        ({"percent": "5", "buyer": "00000000-0000-0000-0000-000000000001"}, 400, "UnknownBuyer"),
    ],
)
def test_bad_rules_answer_their_code(
    client: TestClient, sc: Scene, body: dict[str, str], status: int, code: str
) -> None:
    r = client.put("/v1/pricerules", json=body, headers=sc.direct.headers)
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_the_vendor_sets_no_downstream_price(client: TestClient, session: Session) -> None:
    from opencsp.auth.rules import Role
    from tests.factories import member

    operator = member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    r = client.put("/v1/pricerules", json={"percent": "1"}, headers=operator.headers)
    assert (r.status_code, r.json()["code"]) == (403, "NotADownstreamSeller")


def test_the_statement_is_served_as_pdf(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=2)
    billing.charge(session, sub, MAY, each="10.00")
    (doc,) = billing.issue(session, MAY)
    r = client.get(f"/v1/invoices/{doc.id}/documents/statement", headers=sc.direct.headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert f'filename="{doc.id}.pdf"' in r.headers["content-disposition"]
    prefixed = client.get(
        f"/v1/invoices/OneTime-{doc.id}/documents/statement", headers=sc.direct.headers
    )
    assert prefixed.status_code == 200
    stranger = partner(session, Tier.DIRECT_BILL)
    hidden = client.get(f"/v1/invoices/{doc.id}/documents/statement", headers=stranger.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "InvoiceNotFound")
    missing = client.get("/v1/invoices/G999999999/documents/statement", headers=sc.direct.headers)
    assert missing.status_code == 404
