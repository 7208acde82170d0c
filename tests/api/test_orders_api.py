"""Orders over the API: creating one directly with every checkout gate's documented
code (PC:developer/create-an-order.md, error-codes.md), reading them, provisioning
status from the outbox, MS-RequestId replay, atomicity and concurrent checkouts."""

from __future__ import annotations

import threading
import uuid
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencsp.core.actor import Tier
from opencsp.core.db import build_engine, new_session
from opencsp.core.uow import unit_of_work
from opencsp.orders import checkout as checkout_service
from opencsp.orders.models import Cart, Order
from opencsp.subscriptions import provisioning
from opencsp.subscriptions.models import Subscription
from opencsp.web.app import create_app
from tests.conftest import NOW
from tests.factories import system
from tests.factories.catalog import offer
from tests.factories.commerce import line, scene, sign_partner_agreement
from tests.factories.parties import partner, partnership


@pytest.fixture()
def world(session):
    s = scene(session)
    sign_partner_agreement(session, s.direct)
    sign_partner_agreement(session, s.provider)
    return s


def order_body(o: Any, quantity: int = 10, **extra: Any) -> dict[str, Any]:
    return {
        "billingCycle": "monthly",
        "lineItems": [
            {
                "lineItemNumber": 0,
                "offerId": o.catalog_item_id,
                "quantity": quantity,
                "termDuration": "P1Y",
                **extra,
            }
        ],
    }


def post_order(client, member, customer_id, body, **headers: str):
    return client.post(
        f"/v1/customers/{customer_id}/orders",
        headers={**member.headers, **headers},
        json=body,
    )


def count(session, *where) -> int:
    return session.scalar(select(func.count()).select_from(Order).where(*where)) or 0


def test_direct_order_and_reads(client, session, world):
    r = post_order(client, world.direct, world.direct_customer.id, order_body(world.offer))
    assert r.status_code == 201, r.text
    order = r.json()
    base = f"/v1/customers/{world.direct_customer.id}/orders"
    got = client.get(f"{base}/{order['id'].upper()}", headers=world.direct.headers)
    assert got.status_code == 200 and got.json()["id"] == order["id"]
    assert got.json()["links"]["provisioningStatus"]["uri"].endswith("/provisioningstatus")
    listed = client.get(base, headers=world.direct.headers).json()
    assert listed["totalCount"] == 1 and listed["attributes"] == {"objectType": "Collection"}
    assert (
        client.get(f"{base}?billingType=one_time", headers=world.direct.headers).json()[
            "totalCount"
        ]
        == 0
    )
    assert client.get(f"{base}/000000000000", headers=world.direct.headers).json()["code"] == 20000
    other = client.get(f"{base}/{order['id']}", headers=world.provider.headers)
    assert other.status_code == 404


def test_provisioning_status_follows_the_outbox(client, session, world):
    order = post_order(client, world.direct, world.direct_customer.id, order_body(world.offer))
    oid = order.json()["id"]
    url = f"/v1/customers/{world.direct_customer.id}/orders/{oid}/provisioningstatus"
    body = client.get(url, headers=world.direct.headers).json()
    assert [i["status"] for i in body["items"]] == ["unfulfilled"]
    assert body["items"][0]["quantityProvisioningInformation"] == [
        {"quantity": 10, "status": "unfulfilled"}
    ]
    got = client.get(url.removesuffix("/provisioningstatus"), headers=world.direct.headers)
    assert got.json()["status"] == "pending"
    # the delivery job delivers the purchase and settles the stored order status
    provisioning.deliver(lambda: nullcontext((session, system(session))), provisioning.accept_all)
    assert [i["status"] for i in client.get(url, headers=world.direct.headers).json()["items"]] == [
        "fulfilled"
    ]
    got = client.get(url.removesuffix("/provisioningstatus"), headers=world.direct.headers)
    assert got.json()["status"] == "completed"
    assert session.get(Order, oid).completed_at == NOW


def test_provider_orders_with_the_reseller_of_record(client, session, world):
    body = order_body(world.offer, partnerIdOnRecord=world.reseller_mpn_id)
    r = post_order(client, world.provider, world.indirect_customer.id, body)
    assert r.status_code == 201, r.text
    [li] = r.json()["lineItems"]
    assert li["partnerIdOnRecord"] == world.reseller_mpn_id
    sub = session.get(Subscription, uuid.UUID(li["subscriptionId"]))
    assert sub is not None and sub.reseller_organization_id == world.reseller.org.id


def _gate_cases(session, world) -> dict[str, tuple[Any, dict[str, Any], int]]:
    from opencsp.partners.models import PartnerId

    stranger = partner(session, Tier.INDIRECT_RESELLER)
    unsigned = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, world.provider.org, unsigned.org)

    def mpn(member) -> str:
        return str(
            session.scalar(
                select(PartnerId.mpn_id).where(
                    PartnerId.organization_id == member.org.id, PartnerId.kind == "location"
                )
            )
        )

    not_here = offer(session, countries=("DE",), title="Nimbus DE only")
    gone = offer(session, title="Nimbus retired", end_of_sale=NOW - timedelta(seconds=1))
    attest = offer(session, attestation_required=True, title="Nimbus Regulated")
    return {
        "not sold in the country": (not_here, {}, 400019),
        "past end of sale": (gone, {}, 400019),
        "above the maximum": (world.offer, {"quantity": 301}, 900275),
        "term not offered": (world.offer, {"termDuration": "P3Y"}, 800121),
        "add-on without its base": (world.addon, {}, 400041),
        "attestation required": (attest, {}, 900203),
        "unknown partner id": (world.offer, {"partnerIdOnRecord": "9999999"}, 800015),
        "reseller not in partnership": (world.offer, {"partnerIdOnRecord": mpn(stranger)}, 800016),
        "own partner id": (world.offer, {"partnerIdOnRecord": mpn(world.provider)}, 2072),
        "reseller without partner agreement": (
            world.offer,
            {"partnerIdOnRecord": mpn(unsigned)},
            900123,
        ),
    }


GATES = [
    "not sold in the country",
    "past end of sale",
    "above the maximum",
    "term not offered",
    "add-on without its base",
    "attestation required",
    "unknown partner id",
    "reseller not in partnership",
    "own partner id",
    "reseller without partner agreement",
]


@pytest.mark.parametrize("case", GATES)
def test_every_line_gate_answers_its_documented_code(client, session, world, case):
    item, extra, code = _gate_cases(session, world)[case]
    quantity = extra.pop("quantity", 10)
    body = order_body(item, quantity, **extra)
    r = post_order(client, world.provider, world.indirect_customer.id, body)
    assert r.json()["code"] == code, r.text
    assert count(session, Order.customer_id == world.indirect_customer.id) == 0


def test_attestation_accepted_passes(client, session, world):
    attest = offer(session, attestation_required=True, title="Nimbus Regulated")
    from tests.api.test_carts_api import priced

    priced(session, world, attest)
    body = order_body(attest, attestationAccepted=True, billingCycle="monthly")
    assert post_order(client, world.direct, world.direct_customer.id, body).status_code == 201


def test_replayed_checkout_returns_the_same_order(client, session, world):
    headers = {"MS-RequestId": str(uuid.uuid4())}
    body = order_body(world.offer)
    first = post_order(client, world.direct, world.direct_customer.id, body, **headers)
    second = post_order(client, world.direct, world.direct_customer.id, body, **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["x-idempotent-replay"] == "true"
    assert count(session, Order.customer_id == world.direct_customer.id) == 1


def test_a_failure_after_some_writes_leaves_nothing(client, session, world, monkeypatch):
    from opencsp.orders import checkout as module

    def boom(*args: Any, **kwargs: Any) -> None:
        if args[2] == "create_order":
            raise RuntimeError("audit store down")

    monkeypatch.setattr(module.audit, "record", boom)
    r = post_order(client, world.direct, world.direct_customer.id, order_body(world.offer))
    assert r.status_code == 500
    assert count(session, Order.customer_id == world.direct_customer.id) == 0
    subs = select(func.count()).where(Subscription.customer_id == world.direct_customer.id)
    assert session.scalar(subs) == 0
    assert session.scalar(select(func.count()).select_from(Cart)) == 0


def test_two_concurrent_checkouts_of_one_cart_make_one_order(live_database):
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as s:
        world = scene(s)
        sign_partner_agreement(s, world.direct)
        cart = checkout_service.create_cart(
            s, world.direct.actor, world.direct_customer.id, [line(world.offer)]
        )
        ids = (world.direct_customer.id, cart.id)
        headers = world.direct.headers
    app = create_app(bind=engine)
    results: list[tuple[int, Any]] = []
    barrier = threading.Barrier(2)

    def call() -> None:
        with TestClient(app) as c:
            barrier.wait()
            r = c.post(f"/v1/customers/{ids[0]}/carts/{ids[1]}/checkout", headers=headers)
            results.append((r.status_code, r.json().get("code")))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(code for code, _ in results) == [201, 400], results
    assert [c for s, c in results if s == 400] == [800065]
    with new_session(engine) as s:
        assert s.scalar(select(func.count()).where(Order.cart_id == ids[1])) == 1
        assert s.scalar(select(func.count()).where(Subscription.customer_id == ids[0])) == 1
    engine.dispose()


def test_the_reseller_of_record_reads_the_order_without_prices(client, session, world):
    """An indirect reseller reads its customers' orders, never its provider's prices
    (rules.md §1.4): pricing and total are left out for it, and shown to the provider."""
    order = checkout_service.place_order(
        session,
        world.provider.actor,
        world.indirect_customer.id,
        [line(world.offer, 5, partner_id_on_record=world.reseller_mpn_id)],
    )
    session.flush()
    path = f"/v1/customers/{world.indirect_customer.id}/orders/{order.id}"
    provider_view = client.get(path, headers=world.provider.headers).json()
    assert provider_view["totalPrice"] and provider_view["lineItems"][0]["pricing"]["price"]
    r = client.get(path, headers=world.reseller.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "totalPrice" not in body and "pricing" not in body["lineItems"][0]
    assert body["lineItems"][0]["partnerIdOnRecord"] == world.reseller_mpn_id
    listed = client.get(
        f"/v1/customers/{world.indirect_customer.id}/orders", headers=world.reseller.headers
    ).json()
    assert [o["id"] for o in listed["items"]] == [order.id]
    assert "totalPrice" not in listed["items"][0]
