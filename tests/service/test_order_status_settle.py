"""The order's stored status (issue 5): ``pending`` from checkout until the provisioning
delivery job has delivered the purchase message of every subscription of the order, then
``completed`` with ``completed_at`` — set by ``provisioning.deliver`` per batch, once; an
order of perpetual software only is completed at checkout; a cancelled order stays
cancelled."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.catalog.rules import BillingPlan, ProductType
from opencsp.core import clock
from opencsp.orders import checkout, queries
from opencsp.orders.models import Order
from opencsp.subscriptions import provisioning
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.provisioning import DeliveryFailed
from tests.conftest import NOW
from tests.factories import system
from tests.factories.catalog import offer
from tests.factories.commerce import Scene, line, scene, sign_partner_agreement, subscription
from tests.factories.jobs import units

LATER = NOW + timedelta(minutes=3)


@pytest.fixture()
def sc(session: Session) -> Scene:
    found = scene(session)
    sign_partner_agreement(session, found.direct)
    session.flush()
    return found


def deliver_at(session: Session, at: datetime, sender: provisioning.Sender | None = None) -> str:
    with clock.frozen(at):
        return provisioning.deliver(
            units(session, system(session)), sender or provisioning.accept_all
        )


def stored(session: Session, order: Order) -> tuple[str, datetime | None]:
    session.expire_all()
    row = session.get(Order, order.id)
    assert row is not None
    return row.status, row.completed_at


def buy(session: Session, sc: Scene, *lines: Any) -> Order:
    order = checkout.place_order(session, sc.direct.actor, sc.direct_customer.id, list(lines))
    session.flush()
    return order


def test_a_subscription_order_is_pending_until_delivered_then_completed_once(session, sc):
    order = buy(session, sc, line(sc.offer, 5))
    assert stored(session, order) == ("pending", None)
    view = queries.get_order(session, sc.direct.actor, sc.direct_customer.id, order.id)
    assert view.status == "pending"
    assert deliver_at(session, LATER) == "delivered 1"
    assert stored(session, order) == ("completed", LATER)
    view = queries.get_order(session, sc.direct.actor, sc.direct_customer.id, order.id)
    assert view.status == "completed"
    # a re-run delivers nothing and settles nothing again
    assert deliver_at(session, LATER + timedelta(hours=1)) == "nothing due"
    assert stored(session, order) == ("completed", LATER)


def test_settling_twice_is_one_completion(session, sc):
    order = buy(session, sc, line(sc.offer, 5))
    sub = session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()
    assert deliver_at(session, LATER) == "delivered 1"
    assert (
        provisioning.complete_orders(session, [f"{sub.id}:1"], now=LATER + timedelta(days=1)) == 0
    )
    assert stored(session, order) == ("completed", LATER)


def test_perpetual_only_is_completed_at_checkout(session, sc):
    order = buy(session, sc, line(sc.perpetual, 1, term=None, plan=BillingPlan.ONE_TIME))
    assert stored(session, order) == ("completed", NOW)


def test_a_mixed_order_waits_for_its_subscription(session, sc):
    order = buy(
        session,
        sc,
        line(sc.perpetual, 1, id=0, term=None, plan=BillingPlan.ONE_TIME),
        line(sc.offer, 5, id=1),
    )
    assert stored(session, order) == ("pending", None)
    deliver_at(session, LATER)
    assert stored(session, order) == ("completed", LATER)


def failing_for(keys: set[str]) -> provisioning.Sender:
    def send(key: str, _payload: Mapping[str, Any]) -> None:
        if key in keys:
            raise DeliveryFailed("HTTP 503")

    return send


def test_the_last_purchase_delivered_completes_the_order(session, sc):
    order = buy(session, sc, line(sc.offer, 5, id=0), line(sc.addon, 5, id=1))
    subs = session.scalars(
        select(Subscription)
        .where(Subscription.order_id == order.id)
        .order_by(Subscription.order_line_number)
    ).all()
    second = f"{subs[1].id}:1"
    assert deliver_at(session, LATER, failing_for({second})) == "delivered 1, retrying 1"
    assert stored(session, order) == ("pending", None)  # one purchase still waits
    retry_at = LATER + timedelta(seconds=30)  # the first backoff
    assert deliver_at(session, retry_at - timedelta(seconds=1)) == "nothing due"
    assert stored(session, order) == ("pending", None)
    assert deliver_at(session, retry_at) == "delivered 1"
    assert stored(session, order) == ("completed", retry_at)


def test_batches_of_one_complete_the_order_with_its_last_message(session, sc, configure):
    configure(job_batch_size=1)
    order = buy(session, sc, line(sc.offer, 5, id=0), line(sc.addon, 5, id=1))
    other = buy(session, sc, line(sc.offer, 3))
    assert deliver_at(session, LATER) == "delivered 3"
    assert stored(session, order) == ("completed", LATER)
    assert stored(session, other) == ("completed", LATER)


def test_a_failed_purchase_leaves_the_order_pending(session, sc, configure):
    configure(provisioning_max_attempts=1)
    order = buy(session, sc, line(sc.offer, 5))
    sub = session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()
    assert deliver_at(session, LATER, failing_for({f"{sub.id}:1"})) == "failed 1"
    assert stored(session, order) == ("pending", None)


def test_a_cancelled_order_is_not_completed_by_a_late_delivery(session, sc):
    software = offer(session, product_type=ProductType.SOFTWARE_SUBSCRIPTIONS, title="Server")
    sub = subscription(session, sc.direct_customer, sc.direct, software, quantity=1)
    order = session.get(Order, sub.order_id)
    assert order is not None
    order.status, order.completed_at = "cancelled", None
    session.flush()
    deliver_at(session, LATER)
    assert stored(session, order) == ("cancelled", None)


def test_an_order_of_the_factory_reads_its_stored_status(session, sc):
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    view = queries.get_order(session, sc.direct.actor, sc.direct_customer.id, sub.order_id)
    assert view.status == "completed"
    assert [p.status for p in view.provisioning] == ["unfulfilled"]


@pytest.mark.parametrize("at", [NOW, datetime(2027, 1, 1, tzinfo=UTC)])
def test_completed_at_is_the_delivery_instant(session, sc, at):
    order = buy(session, sc, line(sc.offer, 5))
    deliver_at(session, at)
    assert stored(session, order) == ("completed", at)
