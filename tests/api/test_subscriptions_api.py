"""Subscriptions over the API: the documented shapes (samples subscriptions-list*,
subscriptions-patch*), the filters, PATCH with its ETag, windows and every documented
error by code, provisioning status, custom term end dates and visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.subscriptions import terms
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories import Member
from tests.factories.commerce import P1M, Scene, scene, subscription
from tests.factories.parties import partner

START = datetime.combine(NOW.date(), datetime.min.time(), tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


def url(sub: Subscription, suffix: str = "") -> str:
    return f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}{suffix}"


def body_of(client: TestClient, member: Member, sub: Subscription) -> dict[str, Any]:
    response = client.get(url(sub), headers=member.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def patch(client: TestClient, member: Member, sub: Subscription, **changes: Any) -> Any:
    body = body_of(client, member, sub)
    body.update(changes)
    return client.patch(url(sub), json=body, headers=member.headers)


def move_to(session: Session, instant: datetime) -> None:
    clock.set_test_clock(session, instant)
    session.flush()


def test_get_has_the_documented_shape(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    data = body_of(client, sc.direct, sub)
    assert data["id"] == str(sub.id)
    assert data["offerId"] == sc.offer.catalog_item_id
    assert data["offerName"] == sc.offer.sku.title
    assert data["quantity"] == 10
    assert data["unitType"] == "Licenses"
    assert data["status"] == "active"
    assert data["autoRenewEnabled"] is True
    assert data["isTrial"] is False
    assert data["billingType"] == "license"
    assert data["billingCycle"] == "monthly"
    assert data["termDuration"] == "P1Y"
    assert data["contractType"] == "subscription"
    assert data["productType"] == {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"}
    assert data["hasPurchasableAddons"] is True  # the scene's add-on needs this SKU
    assert data["orderId"] == sub.order_id
    assert data["partnerId"] == ""
    assert data["attributes"] == {"objectType": "Subscription", "etag": "1"}
    assert data["effectiveStartDate"].startswith(NOW.date().isoformat())
    assert data["commitmentEndDate"].startswith(sub.term_end.isoformat())
    deadline = START + timedelta(days=7)
    assert datetime.fromisoformat(data["cancellationAllowedUntilDate"]) == deadline
    refundable = data["refundableQuantity"]
    assert refundable["totalQuantity"] == 10
    assert [
        (d["quantity"], datetime.fromisoformat(d["allowedUntilDateTime"]))
        for d in refundable["details"]
    ] == [(10, deadline)]
    assert data["links"]["self"]["uri"] == f"/customers/{sub.customer_id}/subscriptions/{sub.id}"
    assert data["links"]["product"]["uri"] == f"/products/{sc.offer.product.id}?country=US"
    assert "scheduledNextTermInstructions" not in data


def test_list_and_its_filters(client: TestClient, session: Session, sc: Scene) -> None:
    direct = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    resold = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    own = subscription(session, sc.indirect_customer, sc.provider, sc.addon)
    base = f"/v1/customers/{sc.indirect_customer.id}/subscriptions"

    def ids(query: str = "", member: Member = sc.provider) -> set[str]:
        response = client.get(base + query, headers=member.headers)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["attributes"] == {"objectType": "Collection"}
        assert data["totalCount"] == len(data["items"])
        return {item["id"] for item in data["items"]}

    assert ids() == {str(resold.id), str(own.id)}
    assert ids(f"?mpn_id={sc.reseller_mpn_id}") == {str(resold.id)}
    assert ids("?mpn_id=999999") == set()
    assert ids(f"?order_id={own.order_id}") == {str(own.id)}
    assert ids(f"?order_id={own.order_id.upper()}") == {str(own.id)}
    other = f"/v1/customers/{sc.direct_customer.id}/subscriptions"
    assert client.get(other, headers=sc.provider.headers).status_code == 404
    assert direct.id  # the direct partner's subscription is not in the provider's list


def test_patch_quantity_with_the_etag_in_the_body(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    response = patch(client, sc.direct, sub, quantity=12)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["quantity"] == 12
    assert data["refundableQuantity"]["totalQuantity"] == 12
    assert data["attributes"]["etag"] != "1"
    # the body read before is stale now
    stale = body_of(client, sc.direct, sub) | {"quantity": 13, "attributes": {"etag": "1"}}
    response = client.patch(url(sub), json=stale, headers=sc.direct.headers)
    assert response.status_code == 400
    assert response.json()["code"] == 2055


@pytest.mark.parametrize(
    ("if_match", "status"), [('"1"', 200), ("1", 200), ("*", 200), ("2", 400), ("junk", 400)]
)
def test_if_match_header(
    client: TestClient, session: Session, sc: Scene, if_match: str, status: int
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    body = body_of(client, sc.direct, sub) | {"friendlyName": "Sales"}
    del body["attributes"]
    response = client.patch(url(sub), json=body, headers=sc.direct.headers | {"If-Match": if_match})
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["code"] == 2055


def test_pascal_case_body_as_in_the_samples(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=2)
    body = {
        "Id": str(sub.id),
        "FriendlyName": "nickname",
        "Quantity": 2,
        "Status": "suspended",
        "AutoRenewEnabled": True,
        "PartnerId": None,
        "Attributes": {"Etag": "1"},
    }
    response = client.patch(url(sub), json=body, headers=sc.direct.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["status"], data["autoRenewEnabled"], data["friendlyName"]) == (
        "suspended",
        False,
        "nickname",
    )


@pytest.mark.parametrize(
    ("at", "status", "code"),
    [
        (START + timedelta(days=7), 200, None),
        (START + timedelta(days=7) + TICK, 400, 900117),
        (START + timedelta(days=8), 400, 900117),
    ],
)
def test_cancel_on_day_seven_but_not_eight(
    client: TestClient, session: Session, sc: Scene, at: datetime, status: int, code: int | None
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    move_to(session, at)
    response = patch(client, sc.direct, sub, status="deleted")
    assert response.status_code == status, response.text
    if code is None:
        assert response.json()["status"] == "deleted"
        assert response.json()["refundableQuantity"] == {"totalQuantity": 0, "details": []}
    else:
        assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("at", "quantity", "code"),
    [
        (START + timedelta(days=7), 9, None),
        (START + timedelta(days=7) + TICK, 9, 900257),
        (START + timedelta(days=3), 0, 2002),
        (START + timedelta(days=3), 301, 2002),
    ],
)
def test_seat_reduction_errors(
    client: TestClient,
    session: Session,
    sc: Scene,
    at: datetime,
    quantity: int,
    code: int | None,
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    move_to(session, at)
    response = patch(client, sc.direct, sub, quantity=quantity)
    if code is None:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400, response.text
        assert response.json()["code"] == code


def test_reduction_beyond_the_open_batches_is_800090(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    move_to(session, START + timedelta(days=5))
    assert patch(client, sc.direct, sub, quantity=15).status_code == 200
    move_to(session, START + timedelta(days=8))
    response = patch(client, sc.direct, sub, quantity=9)
    assert (response.status_code, response.json()["code"]) == (400, 800090)
    assert patch(client, sc.direct, sub, quantity=10).status_code == 200


@pytest.mark.parametrize(("count", "status"), [(1199, 200), (1200, 400), (1201, 400)])
def test_update_ceiling(
    client: TestClient, session: Session, sc: Scene, count: int, status: int
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    sub.update_count = count
    session.flush()
    response = patch(client, sc.direct, sub, friendlyName="Renamed")
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["code"] == 900311


def test_pending_renewal_is_409(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, term=P1M)
    body = body_of(client, sc.direct, sub) | {"autoRenewEnabled": False}
    move_to(session, terms.renewal_instant(sub.term_end))
    response = client.patch(url(sub), json=body, headers=sc.direct.headers)
    assert (response.status_code, response.json()["code"]) == (409, 800082)


def test_trial_errors(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, is_trial=True)
    assert patch(client, sc.direct, sub, quantity=26).json()["code"] == 800095
    assert patch(client, sc.direct, sub, status="suspended").json()["code"] == 800096


def test_scheduled_instructions_round_trip(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    instructions = {
        "product": {
            "productId": sc.offer.product.id,
            "skuId": sc.offer.sku.id,
            "availabilityId": sc.offer.availability.id,
            "billingCycle": "annual",
            "termDuration": "P1Y",
        },
        "quantity": 15,
    }
    response = patch(client, sc.direct, sub, scheduledNextTermInstructions=instructions)
    assert response.status_code == 200, response.text
    assert response.json()["scheduledNextTermInstructions"] == instructions
    # the whole resource sent back unchanged changes nothing
    again = patch(client, sc.direct, sub)
    assert again.json()["attributes"]["etag"] == response.json()["attributes"]["etag"]
    cleared = patch(client, sc.direct, sub, scheduledNextTermInstructions=None)
    assert "scheduledNextTermInstructions" not in cleared.json()


def test_visibility(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    other = partner(session, Tier.DIRECT_BILL)
    assert client.get(url(sub), headers=other.headers).status_code == 404
    body = body_of(client, sc.provider, sub)
    response = client.patch(url(sub), json=body | {"quantity": 11}, headers=sc.reseller.headers)
    assert response.status_code == 403
    missing = f"/v1/customers/{sub.customer_id}/subscriptions/{other.org.id}"
    response = client.get(missing, headers=sc.provider.headers)
    assert (response.status_code, response.json()["code"]) == (404, 20003)


def test_the_reseller_of_record_reads(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    response = client.get(url(sub), headers=sc.reseller.headers)
    assert response.status_code == 200
    assert response.json()["partnerId"] == sc.reseller_mpn_id


def test_provisioning_status(client: TestClient, session: Session, sc: Scene) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=5)
    response = client.get(url(sub, "/provisioningstatus"), headers=sc.direct.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["skuId"] == sc.offer.sku.id
    assert data["status"] == "pending"  # the purchase's message is not delivered yet
    assert data["quantity"] == 5
    assert data["endDate"].startswith(sub.term_end.isoformat())
    assert data["attributes"] == {"objectType": "SubscriptionProvisioningStatus"}


def test_custom_term_end_dates(client: TestClient, session: Session, sc: Scene) -> None:
    """Bought 2026-11-21 on P1Y: the calendar-aligned end is 2027-10-31; a monthly
    subscription ending 2026-12-20 can't be a P1Y's coterm, an annual one can."""
    annual = subscription(
        session, sc.direct_customer, sc.direct, sc.offer, start=NOW.date() - timedelta(days=40)
    )
    subscription(session, sc.direct_customer, sc.direct, sc.offer, term=P1M, unit_price="12")
    base = f"/v1/customers/{sc.direct_customer.id}/subscriptions/customTermEndDates"
    response = client.get(
        base + "?termDuration=P1Y&billingCycle=monthly", headers=sc.direct.headers
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items == [
        {
            "allowedCustomTermEndDateType": "subscriptionAligned",
            "cotermSubscriptionIds": [str(annual.id)],
            "allowedCustomTermEndDate": items[0]["allowedCustomTermEndDate"],
        },
        {
            "allowedCustomTermEndDateType": "calendarMonthAligned",
            "allowedCustomTermEndDate": items[1]["allowedCustomTermEndDate"],
        },
    ]
    assert items[0]["allowedCustomTermEndDate"].startswith(annual.term_end.isoformat())
    assert items[1]["allowedCustomTermEndDate"].startswith("2027-10-31")
