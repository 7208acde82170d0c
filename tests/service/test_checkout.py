"""Checkout through the service: what a purchase writes, the locked price, one-time
purchases, custom term ends and trials, and that a refused checkout writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.core import outbox
from opencsp.orders import checkout, queries
from opencsp.orders.errors import CartAlreadySubmitted, CartNotFound, CheckoutRejected
from opencsp.orders.models import Cart, Order, OrderLine
from opencsp.pricing.models import PriceRow
from opencsp.subscriptions.events import PROVISIONING_TOPIC
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent
from tests.conftest import NOW
from tests.factories.catalog import offer
from tests.factories.commerce import (
    ANNUAL,
    MONTHLY,
    P1M,
    P1Y,
    buy,
    line,
    scene,
    sign_partner_agreement,
    subscription,
)


@pytest.fixture()
def world(session):
    s = scene(session)
    sign_partner_agreement(session, s.direct)
    sign_partner_agreement(session, s.provider)
    return s


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_direct_bill_purchase_writes_order_subscription_batch_event_outbox_audit(session, world):
    order = checkout.place_order(
        session, world.direct.actor, world.direct_customer.id, [line(world.offer, 10)]
    )
    assert order.organization_id == world.direct.org.id
    assert (order.currency, order.market_id, order.status) == ("USD", "united-states", "pending")
    assert order.billing_cycle == "monthly"
    assert order.total_price == Decimal("100.00")  # 10 seats × 120 / 12
    [ol] = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert (ol.unit_price, ol.extended_price, ol.charge) == (
        Decimal("120"),
        Decimal("1200.00"),
        Decimal("100.00"),
    )
    assert ol.price_list_id == world.prices.id
    sub = session.get(Subscription, ol.subscription_id)
    assert sub is not None
    assert (sub.status, sub.quantity, sub.term_start, sub.term_end) == (
        "active",
        10,
        date(2026, 11, 21),
        date(2027, 11, 20),
    )
    assert sub.unit_price == Decimal("120") and sub.auto_renew
    assert sub.cancellable_until == NOW + timedelta(days=7)
    [batch] = session.scalars(select(SeatBatch).where(SeatBatch.subscription_id == sub.id)).all()
    assert (batch.added, batch.allowed_until) == (10, NOW + timedelta(days=7))
    [event] = session.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.subscription_id == sub.id)
    ).all()
    assert (event.kind, event.quantity_before, event.quantity_after) == ("new", 0, 10)
    assert (
        _count(
            session,
            outbox.OutboxMessage,
            outbox.OutboxMessage.topic == PROVISIONING_TOPIC,
            outbox.OutboxMessage.key == f"{sub.id}:1",
        )
        == 1
    )
    cart = session.get(Cart, order.cart_id)
    assert cart is not None and (cart.status, cart.order_id) == ("ordered", order.id)
    audit = session.scalars(select(AuditRecord).where(AuditRecord.resource_id == order.id)).one()
    assert audit.operation_type == "create_order"
    assert {"key": "SubscriptionId-0", "value": str(sub.id)} in audit.customized_data


def test_provider_buys_with_the_reseller_of_record(session, world):
    order = checkout.place_order(
        session,
        world.provider.actor,
        world.indirect_customer.id,
        [line(world.offer, 5, partner_id_on_record=world.reseller_mpn_id)],
    )
    ol = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert ol.reseller_organization_id == world.reseller.org.id
    sub = session.get(Subscription, ol.subscription_id)
    assert sub is not None
    assert sub.partner_id_on_record == world.reseller_mpn_id
    assert sub.reseller_organization_id == world.reseller.org.id
    assert sub.organization_id == world.provider.org.id


@pytest.mark.parametrize(
    ("term", "plan", "charge", "end"),
    [
        (P1M, MONTHLY, "1200.00", date(2026, 12, 20)),
        (P1Y, MONTHLY, "1000.00", date(2027, 11, 20)),
        (P1Y, ANNUAL, "12000.00", date(2027, 11, 20)),
    ],
)
def test_charge_and_term_per_plan(session, world, term, plan, charge, end):
    sub = buy(session, world.direct, world.direct_customer, world.offer, 100, term=term, plan=plan)
    assert sub.term_end == end
    ol = session.scalars(select(OrderLine).where(OrderLine.subscription_id == sub.id)).one()
    assert ol.charge == Decimal(charge)


def test_the_price_is_locked_at_purchase(session, world):
    sub = buy(session, world.direct, world.direct_customer, world.offer, 10)
    for row in session.scalars(select(PriceRow).where(PriceRow.price_list_id == world.prices.id)):
        row.unit_price = row.unit_price * 2
    session.flush()
    session.expire_all()
    ol = session.scalars(select(OrderLine).where(OrderLine.subscription_id == sub.id)).one()
    assert ol.unit_price == Decimal("120")
    assert session.get(Subscription, sub.id).unit_price == Decimal("120")
    later = buy(session, world.direct, world.direct_customer, world.offer, 10)
    assert later.unit_price == Decimal("240")


def test_perpetual_software_is_an_order_line_without_subscription(session, world):
    order = checkout.place_order(
        session,
        world.direct.actor,
        world.direct_customer.id,
        [line(world.perpetual, 2, term=None, plan=BillingPlan.ONE_TIME)],
    )
    ol = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert ol.subscription_id is None
    assert (ol.charge, ol.term_duration) == (Decimal("500.00"), TermDuration.ONE_TIME.value)
    assert (order.billing_cycle, order.status, order.total_price) == (
        "one_time",
        "completed",
        Decimal("500.00"),
    )
    assert _count(session, Subscription, Subscription.order_id == order.id) == 0


def test_custom_term_end_aligned_to_the_calendar_month_prorates_the_first_term(session, world):
    sub = buy(
        session,
        world.direct,
        world.direct_customer,
        world.offer,
        10,
        plan=ANNUAL,
        custom_term_end=date(2027, 10, 31),
    )
    assert (sub.term_end, sub.custom_term_end) == (date(2027, 10, 31), date(2027, 10, 31))
    ol = session.scalars(select(OrderLine).where(OrderLine.subscription_id == sub.id)).one()
    # one seat's 345 of 365 days of a 120.00 term (113.42), times 10 seats, as invoiced
    assert ol.charge == Decimal("1134.20")


@pytest.mark.parametrize("end", [date(2027, 10, 15), date(2027, 11, 21), date(2026, 11, 20)])
def test_a_custom_end_that_matches_nothing_refuses_the_checkout(session, world, end):
    with pytest.raises(CheckoutRejected) as info:
        buy(session, world.direct, world.direct_customer, world.offer, custom_term_end=end)
    assert info.value.data[0]["code"] == 900242
    assert _count(session, Order, Order.customer_id == world.direct_customer.id) == 0


def test_trial_is_25_seats_for_30_days_free(session, world):
    trial = offer(
        session, is_trial=True, title="Nimbus Trial", product_type=ProductType.ONLINE_SERVICES
    )
    sub = buy(
        session, world.direct, world.direct_customer, trial, 25, term=P1M, plan=BillingPlan.NONE
    )
    assert sub.is_trial and sub.term_end == date(2026, 12, 20)
    assert sub.unit_price == Decimal(0)


def test_checkout_twice_is_refused_with_800065(session, world):
    sign_partner_agreement(session, world.direct)
    cart = checkout.create_cart(
        session, world.direct.actor, world.direct_customer.id, [line(world.offer)]
    )
    checkout.checkout(session, world.direct.actor, world.direct_customer.id, cart.id)
    with pytest.raises(CartAlreadySubmitted):
        checkout.checkout(session, world.direct.actor, world.direct_customer.id, cart.id)
    assert _count(session, Order, Order.cart_id == cart.id) == 1


def test_an_expired_cart_is_not_found(session, world):
    cart = checkout.create_cart(
        session, world.direct.actor, world.direct_customer.id, [line(world.offer)]
    )
    cart.created_at = NOW - timedelta(days=7, seconds=1)
    session.flush()
    with pytest.raises(CartNotFound):
        checkout.checkout(session, world.direct.actor, world.direct_customer.id, cart.id)


def test_get_order_and_list(session, world):
    sub = buy(session, world.direct, world.direct_customer, world.offer, 3)
    subscription(session, world.direct_customer, world.direct, world.offer)  # another order
    orders = queries.list_orders(session, world.direct.actor, world.direct_customer.id)
    assert sub.order_id in {o.order.id for o in orders}
    view = queries.get_order(session, world.direct.actor, world.direct_customer.id, sub.order_id)
    assert [ln.subscription_id for ln in view.lines] == [sub.id]
    assert TermDuration(view.lines[0].term_duration) is P1Y
