"""Order requests: a reseller asks its provider to buy; the provider converts the request
to a cart and checks it out, or declines it with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opencsp.audit.models import AuditRecord
from tests.factories.commerce import scene, sign_partner_agreement


@pytest.fixture()
def world(session):
    s = scene(session)
    sign_partner_agreement(session, s.provider)
    return s


def submit(client, world, quantity: int = 5):
    r = client.post(
        f"/v1/customers/{world.indirect_customer.id}/orderrequests",
        headers=world.reseller.headers,
        json={
            "lineItems": [
                {
                    "id": 0,
                    "catalogItemId": world.offer.catalog_item_id,
                    "quantity": quantity,
                    "termDuration": "P1Y",
                    "billingCycle": "monthly",
                    "partnerIdOnRecord": world.reseller_mpn_id,
                }
            ],
            "note": "Please buy 5 seats for the new office",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_reseller_requests_provider_converts_and_checks_out(client, session, world):
    request = submit(client, world)
    assert request["status"] == "open"
    assert request["attributes"] == {"objectType": "OrderRequest"}
    base = f"/v1/customers/{world.indirect_customer.id}/orderrequests"
    listed = client.get(base, headers=world.provider.headers).json()
    assert [r["id"] for r in listed["items"]] == [request["id"]]
    cart = client.post(f"{base}/{request['id']}/convert", headers=world.provider.headers)
    assert cart.status_code == 201, cart.text
    assert "error" not in cart.json()["lineItems"][0]
    done = client.post(
        f"/v1/customers/{world.indirect_customer.id}/carts/{cart.json()['id']}/checkout",
        headers=world.provider.headers,
    )
    assert done.status_code == 201, done.text
    [li] = done.json()["orders"][0]["lineItems"]
    assert li["partnerIdOnRecord"] == world.reseller_mpn_id
    mine = client.get(f"{base}/{request['id']}", headers=world.reseller.headers).json()
    assert (mine["status"], mine["cartId"]) == ("converted", cart.json()["id"])
    again = client.post(f"{base}/{request['id']}/convert", headers=world.provider.headers)
    assert again.status_code == 409 and again.json()["code"] == "OrderRequestNotOpen"
    ops = set(session.scalars(select(AuditRecord.operation_type)))
    assert {"create_order_request", "convert_order_request", "create_order"} <= ops


def test_provider_declines_with_a_reason(client, world):
    request = submit(client, world)
    base = f"/v1/customers/{world.indirect_customer.id}/orderrequests"
    r = client.post(
        f"{base}/{request['id']}/decline",
        headers=world.provider.headers,
        json={"reason": "Budget not approved"},
    )
    assert r.status_code == 200, r.text
    mine = client.get(f"{base}/{request['id']}", headers=world.reseller.headers).json()
    assert (mine["status"], mine["declineReason"]) == ("declined", "Budget not approved")


def test_only_the_provider_handles_and_only_resellers_submit(client, world):
    request = submit(client, world)
    base = f"/v1/customers/{world.indirect_customer.id}/orderrequests"
    r = client.post(f"{base}/{request['id']}/convert", headers=world.reseller.headers)
    assert r.status_code == 403
    r = client.post(f"{base}/{request['id']}/decline", headers=world.direct.headers, json={})
    assert r.status_code == 404  # the customer is not the direct partner's
    r = client.post(base, headers=world.provider.headers, json={"lineItems": [{"id": 0}]})
    assert r.status_code == 403
    empty = client.post(base, headers=world.reseller.headers, json={"lineItems": []})
    assert empty.status_code == 400
