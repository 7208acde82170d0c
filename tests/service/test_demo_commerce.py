"""The demo's 13 months of commerce (``demo.commerce``), loaded with the whole demo into a
fresh database on the test clock (2026-11-21): orders by every kind of partner, monthly
renewals at each month's price, cancellations and seat reductions with refunds, the
lifecycle's expired and disabled states, open order requests — all by the services."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.catalog.rules import BillingPlan, CatalogItemId, TermDuration
from opencsp.core import clock, outbox
from opencsp.core.db import new_session
from opencsp.customers.models import Customer
from opencsp.demo import commerce, commerce_plan, load
from opencsp.demo.parties import CUSTOMERS
from opencsp.orders.models import Order, OrderLine, OrderRequest
from opencsp.pricing import queries as pricing
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
FIRST_MONTH = date(2025, 11, 1)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def demo(engine: Engine) -> Iterator[tuple[Session, list[str]]]:
    """The whole demo, loaded once for the module in a transaction rolled back after it."""
    conn = engine.connect()
    trans = conn.begin()
    refused = Collect()
    logger = logging.getLogger(commerce.log.name)
    logger.addHandler(refused)
    session = new_session(conn)
    try:
        with clock.frozen(NOW):
            system = auth_service.system_actor(session)
            load._load(session, system)
            session.flush()
        yield session, refused.messages
    finally:
        logger.removeHandler(refused)
        session.close()
        trans.rollback()
        conn.close()


def test_no_step_of_the_story_is_refused(demo):
    _session, refused = demo
    assert refused == []


def test_orders_by_every_kind_of_partner_only_for_customers_who_accepted(demo):
    session, _ = demo
    buyers = Counter(
        session.scalars(
            select(Organization.tier).join(Order, Order.organization_id == Organization.id)
        )
    )
    assert set(buyers) == {"direct_bill", "indirect_provider"}
    assert min(buyers.values()) >= 20
    of_record = set(
        session.scalars(
            select(Organization.tier)
            .join(OrderLine, OrderLine.reseller_organization_id == Organization.id)
            .distinct()
        )
    )
    assert of_record == {"indirect_reseller"}
    with_orders = set(
        session.scalars(
            select(Customer.company_name).join(Order, Order.customer_id == Customer.id).distinct()
        )
    )
    assert with_orders == {c.name for c in CUSTOMERS if c.agreement}
    assert len({o for o in session.scalars(select(Order.organization_id))}) == 4
    first, last = session.execute(
        select(func.min(Order.created_at), func.max(Order.created_at))
    ).one()
    assert clock.ensure_aware_utc(first).date() < FIRST_MONTH + timedelta(days=31)
    assert clock.ensure_aware_utc(last) < NOW


def test_orders_mix_terms_billing_add_ons_and_one_time_software(demo):
    session, _ = demo
    lines = session.execute(
        select(OrderLine.term_duration, OrderLine.billing_plan, OrderLine.subscription_id)
    ).all()
    terms = {t for t, _, _ in lines}
    plans = {p for _, p, _ in lines}
    assert {"P1M", "P1Y", "P3Y", "OneTime"} <= terms
    assert {"monthly", "annual", "one_time"} <= plans
    assert any(sub is None for _, p, sub in lines if p == "one_time")
    addons = set(commerce_plan.ADDONS)
    bought = {pid[-4:] for pid in session.scalars(select(OrderLine.product_id).distinct())}
    assert addons & bought


def test_monthly_subscriptions_renew_every_month_at_that_months_price(demo):
    session, _ = demo
    renewals = session.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.kind == EventKind.RENEW.value)
    ).all()
    assert len(renewals) >= 50
    assert max(e.term_number for e in renewals) >= 12  # a monthly one from the first month
    monthly = [e for e in renewals if e.term_duration == "P1M"]
    assert {e.term_start.month for e in monthly} == set(range(1, 13))
    assert any(e.term_duration == "P1Y" for e in renewals)  # the anchors' first renewal
    for e in renewals:  # renewed at 00:00 UTC the day after the term end
        assert e.at == datetime.combine(e.term_start, time(), tzinfo=UTC)


def test_every_events_price_is_the_list_price_of_its_terms_month(demo):
    session, _ = demo
    rows = session.execute(
        select(SubscriptionEvent, Subscription).join(
            Subscription, Subscription.id == SubscriptionEvent.subscription_id
        )
    ).all()
    assert len(rows) > 300
    found: dict[tuple[object, ...], Decimal] = {}
    before_april = after_april = 0
    for event, sub in rows:
        item = CatalogItemId(sub.product_id, sub.sku_id, sub.availability_id)
        key = (item, sub.market_id, event.currency, event.term_duration, event.billing_plan)
        month_key = (*key, event.term_start.replace(day=1))
        if month_key not in found:
            found[month_key] = pricing.unit_price(
                session,
                item,
                sub.market_id,
                event.currency,
                TermDuration(event.term_duration),
                BillingPlan(event.billing_plan),
                at=datetime.combine(event.term_start, time(12), tzinfo=UTC),
            ).unit_price
        assert event.unit_price == found[month_key], (event.kind, event.term_start, sub.sku_id)
        if event.kind == EventKind.RENEW.value and event.term_start.month in (3, 4):
            before_april += event.term_start.month == 3
            after_april += event.term_start.month == 4
    assert before_april and after_april  # April's 5% rise reached renewals


def test_cancellations_and_reductions_refund_and_the_lifecycle_moves_on(demo):
    session, _ = demo
    refunds = session.execute(
        select(SubscriptionEvent.kind, SubscriptionEvent.refund).where(
            SubscriptionEvent.kind.in_([EventKind.CANCEL.value, EventKind.REMOVE_QUANTITY.value])
        )
    ).all()
    kinds = Counter(kind for kind, _ in refunds)
    assert kinds[EventKind.CANCEL.value] >= 2 and kinds[EventKind.REMOVE_QUANTITY.value] >= 2
    assert all(refund is not None and refund > 0 for _, refund in refunds)
    statuses = Counter(session.scalars(select(Subscription.status)))
    assert {"active", "expired", "disabled", "deleted"} <= set(statuses)
    events = Counter(session.scalars(select(SubscriptionEvent.kind)))
    for kind in ("addQuantity", "suspend", "reactivate", "autoRenew", "expire", "disable"):
        assert events[kind] > 0, kind


def test_provisioning_delivered_and_resellers_left_open_requests(demo):
    session, _ = demo
    states = Counter(
        session.scalars(
            select(outbox.OutboxMessage.status).where(
                outbox.OutboxMessage.topic == "subscription.provisioning"
            )
        )
    )
    assert set(states) == {outbox.DELIVERED}
    requests = session.execute(
        select(OrderRequest.status, Organization.tier).join(
            Organization, Organization.id == OrderRequest.reseller_organization_id
        )
    ).all()
    assert requests == [("open", "indirect_reseller")] * 2


# --- the plan, without a database ----------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
        datetime(2027, 3, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_the_plan_is_reproducible_within_13_months_and_only_for_accepted_customers(now):
    first = commerce_plan.plan(now, random.Random(commerce_plan.SEED))
    again = commerce_plan.plan(now, random.Random(commerce_plan.SEED))
    assert first == again
    start = commerce_plan.months(now.date())[0]
    assert start.day == 1 and len(commerce_plan.months(now.date())) == 13
    assert all(datetime.combine(start, time(), tzinfo=UTC) <= p.at < now for p in first)
    assert {p.buyer.customer.name for p in first} == {c.name for c in CUSTOMERS if c.agreement}
    anchors = {p.buyer.customer.name: p.at for p in first if p.kind == "anchor"}
    for p in first:
        if p.kind == "addon":
            assert p.at > anchors[p.buyer.customer.name]
