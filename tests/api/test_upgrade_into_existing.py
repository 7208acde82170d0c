"""Upgrades into an existing subscription (``transitions`` with ``toSubscriptionId``,
PC:developer/transition-a-new-commerce-subscription.md; rules.md §9f): seats move from the
source into the customer's subscription on the higher offer, the source credited for
them and ended when all move; each documented refusal by its code; and the target
subscriptions listed by ``transitionEligibilities`` (``subscriptionEligibilities``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.subscriptions import queries
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent, Transition
from tests.api import test_transitions_api as transitions
from tests.conftest import NOW
from tests.factories.catalog import Offer
from tests.factories.commerce import P1M, P3Y, Scene, scene, subscription
from tests.factories.parties import customer

TODAY = NOW.date()
SOURCE_START = TODAY - timedelta(days=60)  # P1Y: 2026-09-22 .. 2027-09-21


premium = transitions.premium
"""The higher offer the catalog lists as the upgrade of the scene's offer, priced 1.5×."""


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


def base(sub: Subscription) -> str:
    return f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}"


def source_of(session: Session, sc: Scene, quantity: int = 10) -> Subscription:
    return subscription(
        session, sc.direct_customer, sc.direct, sc.offer, quantity=quantity, start=SOURCE_START
    )


def target_of(session: Session, sc: Scene, item: Offer, **kw: Any) -> Subscription:
    """Past its cancellation window and ending after the source by default."""
    kw.setdefault("start", TODAY - timedelta(days=30))
    kw.setdefault("quantity", 5)
    kw.setdefault("unit_price", "180")
    return subscription(session, sc.direct_customer, sc.direct, item, **kw)


def move(
    client: TestClient, sc: Scene, source: Subscription, item: Offer, target: Subscription, n: int
) -> Any:
    return client.post(
        base(source) + "/transitions",
        json={
            "fromCatalogItemId": sc.offer.catalog_item_id,
            "toCatalogItemId": item.catalog_item_id,
            "toSubscriptionId": str(target.id),
            "quantity": n,
            "transitionType": "transition_only",
        },
        headers=sc.direct.headers,
    )


def events_of(session: Session, sub: Subscription) -> list[SubscriptionEvent]:
    return list(
        session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscription_id == sub.id)
            .order_by(SubscriptionEvent.sequence)
        )
    )


def test_some_seats_move_into_the_target(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    source, target = source_of(session, sc), target_of(session, sc, premium)
    response = move(client, sc, source, premium, target, 3)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["toSubscriptionId"] == str(target.id)
    assert data["fromSubscriptionId"] == str(source.id)
    assert data["transitionType"] == "transition_only"
    session.refresh(source)
    session.refresh(target)
    assert (source.quantity, target.quantity) == (7, 8)
    assert source.status == "active" and source.cancellable_until is None
    # the target's price is kept; its new seats have no reduction window
    assert target.unit_price == Decimal("180")
    batch = session.scalars(
        select(SeatBatch).where(SeatBatch.subscription_id == target.id).order_by(SeatBatch.id)
    ).all()[-1]
    assert (batch.added, batch.allowed_until) == (3, batch.added_at)
    [*_, upgraded] = events_of(session, source)
    [*_, moved] = events_of(session, target)
    assert (upgraded.kind, upgraded.quantity_before, upgraded.quantity_after) == ("upgrade", 10, 7)
    # 3 seats × 120 for 2026-11-21..2027-09-21 (305 of 365 days) credited to the source
    assert upgraded.refund == Decimal("300.82")
    assert (moved.kind, moved.quantity_before, moved.quantity_after) == ("moveQuantity", 5, 8)
    assert session.scalars(select(Transition).where(Transition.id == uuid.UUID(data["id"]))).one()
    assert client.get(base(target), headers=sc.direct.headers).json()["quantity"] == 8
    # the moved seats' reduction window closes the instant they arrive
    later = queries.refundable_for(session, [target], NOW + timedelta(seconds=1))[target.id]
    assert later.total_quantity == 0


def test_all_seats_moving_end_the_source(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    source, target = source_of(session, sc), target_of(session, sc, premium)
    response = move(client, sc, source, premium, target, 10)
    assert response.status_code == 201, response.text
    assert response.json()["transitionType"] == "transition_with_license_transfer"
    session.refresh(source)
    session.refresh(target)
    assert (source.status, source.quantity, source.auto_renew) == ("deleted", 0, False)
    assert target.quantity == 15
    listed = client.get(
        f"/v1/customers/{sc.direct_customer.id}/subscriptions", headers=sc.direct.headers
    ).json()
    by_id = {item["id"]: item for item in listed["items"]}
    assert by_id[str(source.id)]["status"] == "deleted"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("suspended target", 900258),
        ("the source itself", 900259),
        ("another offer", 900260),
        ("target in its window", 900261),
        ("shorter term", 900267),
        ("longer term", 900268),
        ("ends before the source", 900236),
        ("too many seats", 2002),
    ],
)
def test_refusals(
    client: TestClient, session: Session, sc: Scene, premium: Offer, case: str, code: int
) -> None:
    source = source_of(session, sc)
    targets = {
        "suspended target": lambda: target_of(session, sc, premium, status="suspended"),
        "the source itself": lambda: source,
        "another offer": lambda: target_of(session, sc, sc.offer),
        "target in its window": lambda: target_of(session, sc, premium, start=TODAY),
        "shorter term": lambda: target_of(
            session, sc, premium, term=P1M, start=TODAY - timedelta(days=20)
        ),
        "longer term": lambda: target_of(session, sc, premium, term=P3Y),
        "ends before the source": lambda: target_of(
            session, sc, premium, start=SOURCE_START - timedelta(days=1)
        ),
        "too many seats": lambda: target_of(session, sc, premium, quantity=295),
    }
    target = targets[case]()
    response = move(client, sc, source, premium, target, 10)
    assert (response.status_code, response.json()["code"]) == (400, code), response.text
    session.refresh(source)
    assert (source.quantity, source.status) == (10, "active")


def test_a_target_the_caller_cannot_see_is_404(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    source = source_of(session, sc)
    elsewhere = customer(session, sc.direct.org)
    other = subscription(session, elsewhere, sc.direct, premium, start=TODAY - timedelta(days=30))
    assert move(client, sc, source, premium, other, 1).status_code == 404


def test_a_target_ending_the_same_day_is_fine(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    source = source_of(session, sc)
    target = target_of(session, sc, premium, start=SOURCE_START)
    assert target.term_end == source.term_end
    assert move(client, sc, source, premium, target, 1).status_code == 201


def test_eligibilities_list_the_existing_subscriptions(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    source = source_of(session, sc)
    good = target_of(session, sc, premium)
    short = target_of(session, sc, premium, term=P1M, start=TODAY - timedelta(days=20))
    data = client.get(base(source) + "/transitionEligibilities", headers=sc.direct.headers).json()
    [item] = data["items"]
    listed = {e["subscriptionId"]: e for e in item["subscriptionEligibilities"]}
    assert listed[str(good.id)] == {
        "isEligible": True,
        "subscriptionId": str(good.id),
        "subscriptionFriendlyName": good.friendly_name,
        "subscriptionTermDuration": "P1Y",
        "subscriptionBillingCycle": "monthly",
        "errors": [],
    }
    assert listed[str(short.id)]["isEligible"] is False
    assert listed[str(short.id)]["errors"][0]["code"] == 900267
