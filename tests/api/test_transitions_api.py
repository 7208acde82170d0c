"""Upgrades over the API (PC:developer/transition-a-new-commerce-subscription.md;
rules.md §9f): eligibilities (samples subscriptions-transition-eligibilities-nce), full and
partial transitions priced from the current list, no cancellation window afterwards,
the history (sample subscriptions-transitions-list-nce) and the documented refusals."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.catalog.models import SkuUpgrade
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.factories.catalog import Offer, Row, add_prices, offer
from tests.factories.commerce import NCE_PRICES, P1M, Scene, scene, subscription


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def premium(session: Session, sc: Scene) -> Offer:
    """A higher SKU the catalog lists as the upgrade of the scene's offer, priced 1.5×."""
    target = offer(session, title="Nimbus 365 Business Premium")
    session.add(
        SkuUpgrade(
            product_id=sc.offer.product.id,
            sku_id=sc.offer.sku.id,
            target_product_id=target.product.id,
            target_sku_id=target.sku.id,
        )
    )
    add_prices(
        session,
        sc.prices,
        [
            Row(target, str(Decimal(price) * Decimal("1.5")), term=term, billing_plan=plan)
            for (term, plan), price in NCE_PRICES.items()
        ],
    )
    return target


def base(sub: Subscription) -> str:
    return f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}"


def events_of(session: Session, sub_id: object) -> list[str]:
    return list(
        session.scalars(
            select(SubscriptionEvent.kind)
            .where(SubscriptionEvent.subscription_id == sub_id)
            .order_by(SubscriptionEvent.sequence)
        )
    )


def test_eligibilities(client: TestClient, session: Session, sc: Scene, premium: Offer) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    response = client.get(
        base(sub) + "/transitionEligibilities?eligibilityType=immediate",
        headers=sc.direct.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["totalCount"] == 1
    item = data["items"][0]
    assert item["catalogItemId"] == premium.catalog_item_id
    assert item["title"] == "Nimbus 365 Business Premium"
    assert item["quantity"] == 4
    assert item["eligibilities"] == [
        {"isEligible": True, "transitionType": "transition_with_license_transfer", "errors": []}
    ]
    assert item["attributes"] == {"objectType": "TransitionEligibility"}


def test_a_suspended_subscription_is_not_eligible(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, status="suspended")
    data = client.get(base(sub) + "/transitionEligibilities", headers=sc.direct.headers).json()
    eligibility = data["items"][0]["eligibilities"][0]
    assert eligibility["isEligible"] is False
    assert eligibility["errors"][0]["code"] == 800012


def test_full_upgrade(client: TestClient, session: Session, sc: Scene, premium: Offer) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=4)
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": premium.catalog_item_id, "quantity": 4},
        headers=sc.direct.headers,
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["fromSubscriptionId"] == data["toSubscriptionId"] == str(sub.id)
    assert data["transitionType"] == "transition_with_license_transfer"
    assert data["fromCatalogItemId"] == sc.offer.catalog_item_id
    assert data["attributes"] == {"objectType": "Transition"}
    got = client.get(base(sub), headers=sc.direct.headers).json()
    assert got["offerId"] == premium.catalog_item_id
    assert got["quantity"] == 4
    assert "cancellationAllowedUntilDate" not in got  # no window after an upgrade
    session.refresh(sub)
    assert sub.unit_price == Decimal("180.0")  # the target's current list price, P1Y monthly
    assert events_of(session, sub.id) == ["new", "upgrade"]
    cancel = client.get(base(sub), headers=sc.direct.headers).json() | {"status": "deleted"}
    response = client.patch(base(sub), json=cancel, headers=sc.direct.headers)
    assert (response.status_code, response.json()["code"]) == (400, 900117)


def test_partial_upgrade_makes_a_coterminous_subscription(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": premium.catalog_item_id.lower(), "quantity": 3},
        headers=sc.direct.headers,
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["transitionType"] == "transition_only"
    new = session.get(Subscription, uuid.UUID(data["toSubscriptionId"]))
    assert new is not None
    session.refresh(sub)
    assert (sub.quantity, new.quantity) == (7, 3)
    assert new.term_end == sub.term_end
    assert new.source_subscription_id == sub.id
    assert (new.product_id, new.sku_id) == (premium.product.id, premium.sku.id)
    assert events_of(session, sub.id) == ["new", "upgrade"]
    assert events_of(session, new.id) == ["convert"]
    history = client.get(base(sub) + "/transitions", headers=sc.direct.headers).json()
    assert history["attributes"] == {"objectType": "Collection"}
    [row] = history["transition"]
    assert row["quantity"] == 3
    assert [e["status"] for e in row["events"]] == ["Started", "Completed"]
    listed = client.get(
        f"/v1/customers/{sub.customer_id}/subscriptions", headers=sc.direct.headers
    ).json()
    assert listed["totalCount"] == 2


@pytest.mark.parametrize(
    ("quantity", "target", "code"),
    [
        (0, "premium", "UpgradeQuantityInvalid"),
        (11, "premium", "UpgradeQuantityInvalid"),
        (1, "addon", "UpgradeNotSupported"),  # not a higher SKU of this one
    ],
)
def test_refusals(
    client: TestClient,
    session: Session,
    sc: Scene,
    premium: Offer,
    quantity: int,
    target: str,
    code: str,
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)
    item = premium.catalog_item_id if target == "premium" else sc.addon.catalog_item_id
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": item, "quantity": quantity},
        headers=sc.direct.headers,
    )
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_a_shorter_term_is_900267(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": premium.catalog_item_id, "quantity": 1, "termDuration": "P1M"},
        headers=sc.direct.headers,
    )
    assert response.json()["code"] == 900267


def test_only_active_subscriptions_upgrade(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, status="suspended")
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": premium.catalog_item_id, "quantity": 1},
        headers=sc.direct.headers,
    )
    assert response.json()["code"] == 800012


def test_the_reseller_cannot_upgrade(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
        term=P1M,
        unit_price="12",
    )
    response = client.post(
        base(sub) + "/transitions",
        json={"toCatalogItemId": premium.catalog_item_id, "quantity": 1},
        headers=sc.reseller.headers,
    )
    assert response.status_code == 403
