"""The demo's 13 months of commerce (``demo.commerce``), loaded with the whole demo into a
fresh database on the test clock (2026-11-21): orders by every kind of partner, monthly
renewals at each month's price, cancellations and seat reductions with refunds, the
lifecycle's expired and disabled states, open order requests — all by the services."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock, outbox
from opencsp.customers.models import Customer
from opencsp.demo import catalog as demo_catalog
from opencsp.demo import commerce_plan
from opencsp.demo.parties import CUSTOMERS
from opencsp.orders.models import Order, OrderLine, OrderRequest
from opencsp.pricing import queries as pricing
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.service.demo.conftest import NOW, Demo

FIRST_MONTH = date(2025, 11, 1)


def test_no_step_of_the_story_is_refused_and_no_job_left_anything(demo: Demo):
    assert demo.warnings == []
    assert demo.loaded.commerce.skipped == []
    overdue = demo.session.scalars(
        select(Subscription.id).where(
            Subscription.status.in_(["active", "suspended"]), Subscription.term_end < NOW.date()
        )
    ).all()
    assert overdue == []  # every term end was renewed, converted, expired or disabled


def test_orders_by_every_kind_of_partner_only_for_customers_who_accepted(demo: Demo):
    session = demo.session
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


def test_orders_mix_terms_billing_add_ons_and_one_time_software(demo: Demo):
    session = demo.session
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


def test_monthly_subscriptions_renew_every_month_at_that_months_price(demo: Demo):
    session = demo.session
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


def _priced_as(session: Session) -> list[tuple[SubscriptionEvent, Subscription, str, datetime]]:
    """Each event with the catalog item and the instant its locked price was looked up
    at, replayed from the history: a term starts on its order line's item (a partial
    upgrade's copy on its target), at noon of its first day; a full upgrade moves the
    subscription to its target, priced at the upgrade's instant; a renewal takes the
    scheduled item, a trial's conversion the paid SKU of its product; an immediate term
    change starts a new term on the same item."""
    item_of_line = OrderLine.product_id + ":" + OrderLine.sku_id + ":" + OrderLine.availability_id
    lines = {
        sub_id: line_item
        for sub_id, line_item in session.execute(
            select(OrderLine.subscription_id, item_of_line).where(
                OrderLine.subscription_id.is_not(None)
            )
        )
    }
    rows = session.execute(
        select(SubscriptionEvent, Subscription)
        .join(Subscription, Subscription.id == SubscriptionEvent.subscription_id)
        .order_by(SubscriptionEvent.subscription_id, SubscriptionEvent.sequence)
    ).all()
    out = []
    item, at, scheduled, current = "", NOW, None, None
    for event, sub in rows:
        if sub.id != current:
            current, scheduled = sub.id, None
            item = lines.get(sub.id, "")
        details = event.details or {}
        if event.kind == EventKind.SCHEDULE.value:
            scheduled = (details.get("scheduledNextTermInstructions") or {}).get("catalogItemId")
        if event.kind in ("new", "renew") or (
            event.kind == "convert" and "transitionId" not in details
        ):
            if event.kind == "convert" and "change" in details:  # an immediate term change
                pass  # the same item, priced today for the new term
            elif event.kind == "convert":  # a trial: the paid SKU of its product
                product = item.split(":")[0]
                paid = demo_catalog.availability_id(product[-4:], "0001", "commercial")
                item = scheduled or f"{product}:0001:{paid}"
            elif event.kind == "renew" and scheduled:
                item = scheduled
            scheduled = None
            at = datetime.combine(event.term_start, time(12), tzinfo=UTC)
        elif event.kind == "convert" or (
            event.kind == "upgrade" and event.quantity_after == event.quantity_before
        ):
            item, at = details["to"], clock.ensure_aware_utc(event.at)
        out.append((event, sub, item, at))
    return out


def test_every_events_price_is_the_list_price_of_its_items_term(demo: Demo):
    session = demo.session
    rows = _priced_as(session)
    assert len(rows) > 300
    found: dict[tuple[object, ...], Decimal] = {}
    before_april = after_april = 0
    kinds: Counter[str] = Counter()
    for event, sub, item, at in rows:
        key = (item, sub.market_id, event.currency, event.term_duration, event.billing_plan, at)
        if key not in found:
            found[key] = pricing.unit_price(
                session,
                item,
                sub.market_id,
                event.currency,
                TermDuration(event.term_duration),
                BillingPlan(event.billing_plan),
                at=at,
            ).unit_price
        assert event.unit_price == found[key], (event.kind, event.term_start, item)
        kinds[event.kind] += 1
        if event.kind == EventKind.RENEW.value and event.term_start.month in (3, 4):
            before_april += event.term_start.month == 3
            after_april += event.term_start.month == 4
    assert before_april and after_april  # April's 5% rise reached renewals
    assert kinds["upgrade"] >= 3 and kinds["convert"] >= 3 and kinds["schedule"] >= 4


def test_cancellations_and_reductions_refund_and_the_lifecycle_moves_on(demo: Demo):
    session = demo.session
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


def test_provisioning_delivered_and_resellers_left_open_requests(demo: Demo):
    session = demo.session
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
