"""Carts and checkout over the API (PC:developer/create-a-cart.md, update-a-cart.md,
checkout-a-cart.md): the documented shapes, cart line errors, every checkout gate's
documented code, and that a refused checkout writes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from opencsp.agreements.models import PartnerAgreementSignature
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.actor import Tier
from opencsp.orders import cart_views
from opencsp.orders.models import Cart, CartLine, Order
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories.catalog import Row, add_prices, offer
from tests.factories.commerce import scene, sign_partner_agreement, subscription
from tests.factories.parties import accepted, customer, partner, template


@pytest.fixture()
def world(session):
    s = scene(session)
    sign_partner_agreement(session, s.direct)
    sign_partner_agreement(session, s.provider)
    return s


def priced(session, world, o, price: str = "60") -> None:
    """Add ``o`` on P1Y monthly to the scene's price list."""
    add_prices(session, world.prices, [Row(o, price, billing_plan=BillingPlan.MONTHLY)])


def item(o: Any, quantity: int = 10, **extra: Any) -> dict[str, Any]:
    return {
        "id": extra.pop("id", 0),
        "catalogItemId": o.catalog_item_id,
        "quantity": quantity,
        "termDuration": "P1Y",
        "billingCycle": "Monthly",
        **extra,
    }


def cart(client, member, customer_id, *items: dict[str, Any]):
    r = client.post(
        f"/v1/customers/{customer_id}/carts",
        headers=member.headers,
        json={"LineItems": list(items)},
    )
    assert r.status_code == 201, r.text
    return r.json()


def checkout(client, member, customer_id, cart_id):
    return client.post(
        f"/v1/customers/{customer_id}/carts/{cart_id}/checkout", headers=member.headers
    )


def orders_of(session, customer_id) -> int:
    stmt = select(func.count()).where(Order.customer_id == customer_id, Order.cart_id.is_not(None))
    return session.scalar(stmt) or 0


def test_create_cart_has_the_documented_shape(client, world):
    body = cart(client, world.direct, world.direct_customer.id, item(world.offer))
    assert body["status"] == "Active"
    assert body["attributes"] == {"objectType": "Cart"}
    assert body["links"]["self"]["uri"].endswith(f"/carts/{body['id']}")
    [li] = body["lineItems"]
    assert li["catalogItemId"] == world.offer.catalog_item_id
    assert (li["billingCycle"], li["termDuration"], li["currencyCode"]) == ("monthly", "P1Y", "USD")
    assert "error" not in li
    assert body["expirationTimestamp"].startswith((NOW + timedelta(days=7)).date().isoformat())


def test_checkout_returns_the_order_and_marks_the_cart(client, session, world):
    body = cart(client, world.direct, world.direct_customer.id, item(world.offer))
    r = checkout(client, world.direct, world.direct_customer.id, body["id"])
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["orderErrors"] == []
    [order] = result["orders"]
    assert order["attributes"] == {"objectType": "Order"}
    assert order["id"] == order["alternateId"] and len(order["id"]) == 12
    assert (order["billingCycle"], order["currencyCode"], order["status"]) == (
        "monthly",
        "USD",
        "pending",
    )
    assert order["transactionType"] == "UserPurchase"
    assert order["totalPrice"] == "100.00"
    [li] = order["lineItems"]
    assert li["offerId"] == world.offer.catalog_item_id
    assert li["transactionType"] == "New" and li["termDuration"] == "P1Y"
    assert li["pricing"]["extendedPrice"] == "1200.00"
    assert session.get(Subscription, uuid.UUID(li["subscriptionId"])) is not None
    again = checkout(client, world.direct, world.direct_customer.id, body["id"])
    assert again.status_code == 400 and again.json()["code"] == 800065
    assert orders_of(session, world.direct_customer.id) == 1


def test_update_cart_replaces_the_lines(client, world):
    body = cart(client, world.direct, world.direct_customer.id, item(world.offer))
    r = client.put(
        f"/v1/customers/{world.direct_customer.id}/carts/{body['id']}",
        headers=world.direct.headers,
        json={"lineItems": [item(world.offer, 3, id=0), item(world.addon, 3, id=1)]},
    )
    assert r.status_code == 201, r.text
    assert [(li["id"], li["quantity"]) for li in r.json()["lineItems"]] == [(0, 3), (1, 3)]
    assert all("error" not in li for li in r.json()["lineItems"])


def test_unknown_or_foreign_cart_is_800008(client, world):
    body = cart(client, world.direct, world.direct_customer.id, item(world.offer))
    r = checkout(client, world.provider, world.indirect_customer.id, body["id"])
    assert r.status_code == 404 and r.json()["code"] == 800008


def test_invisible_customer_is_404(client, world):
    r = client.post(
        f"/v1/customers/{world.direct_customer.id}/carts",
        headers=world.provider.headers,
        json={"lineItems": [item(world.offer)]},
    )
    assert r.status_code == 404


def test_reseller_cannot_buy(client, world):
    r = client.post(
        f"/v1/customers/{world.indirect_customer.id}/carts",
        headers=world.reseller.headers,
        json={"lineItems": [item(world.offer)]},
    )
    assert r.status_code == 403


def test_pooled_seat_limit_shows_on_the_line_and_refuses_checkout(client, session, world):
    small = offer(session, title="Nimbus Business Basic", max_quantity=50)
    priced(session, world, small)
    subscription(session, world.direct_customer, world.provider, small, quantity=10)
    body = cart(client, world.direct, world.direct_customer.id, item(small, 41))
    error = body["lineItems"][0]["error"]
    assert error["errorCode"] == 10015
    assert error["additionalInformation"] == {"availableQuantity": 40}
    stored = session.scalar(select(CartLine).where(CartLine.cart_id == uuid.UUID(body["id"])))
    stored_cart = session.get(Cart, uuid.UUID(body["id"]))
    assert stored is not None and stored_cart is not None
    assert stored.error_available_quantity == 40
    [read_back] = cart_views.line_errors(session, stored_cart, [stored]).values()
    assert (read_back.code, read_back.available_quantity) == (10015, 40)
    r = checkout(client, world.direct, world.direct_customer.id, body["id"])
    assert r.status_code == 400
    envelope = r.json()
    assert envelope["code"] == 800009
    [detail] = envelope["data"]
    assert (detail["lineItemNumber"], detail["errorCode"], detail["code"]) == (0, 10015, 800088)
    assert detail["additionalInformation"] == {"availableQuantity": 40}
    assert orders_of(session, world.direct_customer.id) == 0


@pytest.mark.parametrize(("quantity", "ok"), [(39, True), (40, True), (41, False)])
def test_pool_edge(client, session, world, quantity, ok):
    small = offer(session, title="Nimbus Business Basic", max_quantity=50)
    priced(session, world, small)
    subscription(session, world.direct_customer, world.provider, small, quantity=10)
    body = cart(client, world.direct, world.direct_customer.id, item(small, quantity))
    assert ("error" not in body["lineItems"][0]) is ok


def test_checkout_lists_every_failing_line(client, session, world):
    body = cart(
        client,
        world.direct,
        world.direct_customer.id,
        item(world.offer, 0, id=0),
        item(world.addon, 5, id=1),
        item(world.offer, 5, id=2, termDuration="P3Y"),
        item(world.offer, 5, id=3),
    )
    r = checkout(client, world.direct, world.direct_customer.id, body["id"])
    assert r.status_code == 400
    codes = [(d["lineItemNumber"], d["code"]) for d in r.json()["data"]]
    # the add-on's base is in the cart (line 3), so it passes
    assert codes == [(0, 10010), (2, 800121)]
    assert orders_of(session, world.direct_customer.id) == 0


def test_customer_agreement_missing_is_13605(client, session, world):
    fresh = customer(session, world.direct.org)
    body = cart(client, world.direct, fresh.id, item(world.offer))
    r = checkout(client, world.direct, fresh.id, body["id"])
    assert r.status_code == 403 and r.json()["code"] == 13605
    assert orders_of(session, fresh.id) == 0


def test_customer_outside_the_market_is_2030(client, session, world):
    korean = customer(session, world.direct.org, country="KR")
    accepted(session, korean, template(session))
    body = cart(client, world.direct, korean.id, item(world.offer))
    r = checkout(client, world.direct, korean.id, body["id"])
    assert r.status_code == 403 and r.json()["code"] == 2030


def test_buyer_without_the_partner_agreement_is_900124(client, session, world):
    buyer = partner(session, Tier.DIRECT_BILL)
    fresh = customer(session, buyer.org)
    accepted(session, fresh, template(session))
    r = client.post(
        f"/v1/customers/{fresh.id}/carts",
        headers=buyer.headers,
        json={"lineItems": [item(world.offer)]},
    )
    assert r.status_code == 403 and r.json()["code"] == 900124


def test_a_refused_checkout_leaves_the_cart_active(client, session, world):
    session.execute(
        PartnerAgreementSignature.__table__.delete().where(
            PartnerAgreementSignature.organization_id == world.direct.org.id
        )
    )
    sign_partner_agreement(session, world.direct)
    fresh = customer(session, world.direct.org)
    body = cart(client, world.direct, fresh.id, item(world.offer))
    assert checkout(client, world.direct, fresh.id, body["id"]).json()["code"] == 13605
    accepted(session, fresh, template(session))
    r = checkout(client, world.direct, fresh.id, body["id"])
    assert r.status_code == 201, r.text


def test_one_time_purchase_in_a_cart(client, world):
    body = cart(
        client,
        world.direct,
        world.direct_customer.id,
        {
            "id": 0,
            "catalogItemId": world.perpetual.catalog_item_id,
            "quantity": 1,
            "billingCycle": "one_time",
        },
    )
    r = checkout(client, world.direct, world.direct_customer.id, body["id"])
    assert r.status_code == 201, r.text
    [order] = r.json()["orders"]
    assert order["billingCycle"] == "one_time" and order["totalPrice"] == "250.00"
    [li] = order["lineItems"]
    assert "subscriptionId" not in li and "termDuration" not in li


def test_term_and_plan_spellings(client, world):
    body = cart(
        client,
        world.direct,
        world.direct_customer.id,
        item(world.offer, termDuration=TermDuration.P1M.value, billingCycle="MONTHLY"),
        item(world.offer, id=1, billingCycle=BillingPlan.ANNUAL.value),
        item(world.offer, id=2, billingCycle="fortnightly"),
    )
    errors = [li.get("error", {}).get("errorCode") for li in body["lineItems"]]
    assert errors == [None, None, 10010]
