"""Cancelling software purchases over the API (``PATCH /customers/{id}/orders/{id}``,
PC:developer/cancel-software-purchases.md; rules.md §9c, §12): perpetual software for a
full refund within 30 calendar days of the purchase date — through day 30 at 23:59:59
UTC, as the software sample's ``cancellationAllowedUntilDate`` (bought 2021-10-15T21:28Z,
until 2021-11-14T23:59Z) — then 900117; software subscriptions through their own 7-day
window; 800019 / 800061 / 800063 / 800071 / 800042; replay, a second request and
who may cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan, ProductType
from opencsp.core import clock
from opencsp.orders import checkout
from opencsp.orders.cancellation import refund_deadline
from opencsp.orders.models import Order, OrderLine
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories import Member
from tests.factories.catalog import offer
from tests.factories.commerce import Scene, line, scene, sign_partner_agreement, subscription

DAY_30_END = datetime(2026, 12, 21, 23, 59, 59, 999999, tzinfo=UTC)  # NOW is 2026-11-21 09:30


@pytest.fixture()
def sc(session: Session) -> Scene:
    found = scene(session)
    sign_partner_agreement(session, found.direct)
    sign_partner_agreement(session, found.provider)
    session.flush()
    return found


def perpetual(qty: int = 2, *, id: int = 0, sc: Scene) -> Any:
    return line(sc.perpetual, qty, id=id, term=None, plan=BillingPlan.ONE_TIME)


def buy(session: Session, sc: Scene, lines: list[Any], *, buyer: Member | None = None) -> Order:
    member = buyer or sc.direct
    customer = sc.direct_customer if member is sc.direct else sc.indirect_customer
    order = checkout.place_order(session, member.actor, customer.id, lines)
    session.flush()
    return order


def url(order: Order) -> str:
    return f"/v1/customers/{order.customer_id}/orders/{order.id}"


def cancel(client: TestClient, member: Member, order: Order, lines: list[int] | None = None) -> Any:
    body: dict[str, Any] = {"id": order.id, "status": "cancelled"}
    if lines is not None:
        body["lineItems"] = [{"lineItemNumber": n} for n in lines]
    return client.patch(url(order), json=body, headers=member.headers)


def move_to(session: Session, instant: datetime) -> None:
    clock.set_test_clock(session, instant)
    session.flush()


def lines_of(session: Session, order: Order) -> list[OrderLine]:
    session.expire_all()
    return list(
        session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_number)
        )
    )


# --- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (NOW, True),  # day 0, the purchase instant
        (NOW + timedelta(days=30), True),  # 30 x 24 hours after the purchase
        (datetime(2026, 12, 21, 23, 59, 59, tzinfo=UTC), True),  # day 30 at 23:59:59
        (DAY_30_END, True),  # the last microsecond of day 30
        (DAY_30_END + timedelta(microseconds=1), False),  # day 31 at 00:00
        (datetime(2026, 12, 22, 12, 0, tzinfo=UTC), False),  # day 31
        (datetime(2027, 1, 21, tzinfo=UTC), False),
    ],
)
def test_perpetual_window_edges(client, session, sc, at, allowed):
    order = buy(session, sc, [perpetual(sc=sc)])
    move_to(session, at)
    r = cancel(client, sc.direct, order)
    if allowed:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "cancelled"
        assert body["attributes"] == {"objectType": "Order"}
        assert [li["quantity"] for li in body["lineItems"]] == [0]
        (ln,) = lines_of(session, order)
        assert ln.cancelled_at == at
        assert ln.refund == ln.charge == Decimal("500.00")
        assert str(ln.refund) == str(ln.charge)  # the exact stored charge, copied
    else:
        assert r.status_code == 400, r.text
        assert r.json()["code"] == 900117
        assert "30-day cancellation window" in r.json()["description"]
        (ln,) = lines_of(session, order)
        assert (ln.cancelled_at, ln.refund) == (None, None)
        assert session.get(Order, order.id).status == "completed"


@pytest.mark.parametrize(
    ("bought", "last"),
    [
        (datetime(2026, 11, 21, 0, 0, tzinfo=UTC), DAY_30_END),
        (datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC), DAY_30_END),
        (  # the software sample: 2021-10-15T21:28Z → cancellationAllowedUntilDate 11-14 23:59
            datetime(2021, 10, 15, 21, 28, 19, tzinfo=UTC),
            datetime(2021, 11, 14, 23, 59, 59, 999999, tzinfo=UTC),
        ),
        (  # across a month end and a leap day
            datetime(2028, 2, 1, 8, 0, tzinfo=UTC),
            datetime(2028, 3, 2, 23, 59, 59, 999999, tzinfo=UTC),
        ),
    ],
)
def test_the_deadline_is_the_end_of_the_thirtieth_calendar_day(bought, last):
    assert refund_deadline(bought, days=30) == last
    assert refund_deadline(bought, days=0).date() == bought.date()


def test_the_window_follows_the_setting(client, session, sc, configure):
    configure(perpetual_refund_days=10)
    order = buy(session, sc, [perpetual(sc=sc)])
    move_to(session, datetime(2026, 12, 2, tzinfo=UTC))  # day 11
    r = cancel(client, sc.direct, order)
    assert (r.status_code, r.json()["code"]) == (400, 900117)
    assert "10-day" in r.json()["description"]


# --- lines, statuses, replay ---------------------------------------------------------------------


def test_one_line_of_two_then_the_other(client, session, sc):
    order = buy(session, sc, [perpetual(2, id=0, sc=sc), perpetual(1, id=1, sc=sc)])
    r = cancel(client, sc.direct, order, [1])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"  # not every line is cancelled
    assert [li["quantity"] for li in r.json()["lineItems"]] == [2, 0]
    first, second = lines_of(session, order)
    assert (first.refund, second.refund) == (None, Decimal("250.00"))
    # the whole order again: line 1 is skipped (no second refund), line 0 is cancelled
    move_to(session, NOW + timedelta(hours=1))
    r = cancel(client, sc.direct, order)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    first, second = lines_of(session, order)
    assert (first.refund, first.cancelled_at) == (Decimal("500.00"), NOW + timedelta(hours=1))
    assert (second.refund, second.cancelled_at) == (Decimal("250.00"), NOW)
    records = session.scalars(
        select(AuditRecord).where(
            AuditRecord.operation_type == "cancel_order", AuditRecord.resource_id == order.id
        )
    ).all()
    assert len(records) == 2


def test_a_replayed_request_changes_nothing_and_a_new_one_is_800061(client, session, sc):
    order = buy(session, sc, [perpetual(sc=sc)])
    headers = {**sc.direct.headers, "MS-RequestId": str(uuid.uuid4())}
    body = {"status": "cancelled"}
    first = client.patch(url(order), json=body, headers=headers)
    move_to(session, NOW + timedelta(minutes=5))
    again = client.patch(url(order), json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    (ln,) = lines_of(session, order)
    assert (ln.cancelled_at, ln.refund) == (NOW, Decimal("500.00"))
    other = cancel(client, sc.direct, order, [0])
    assert (other.status_code, other.json()["code"]) == (400, 800061)
    (ln,) = lines_of(session, order)
    assert (ln.cancelled_at, ln.refund) == (NOW, Decimal("500.00"))
    count = session.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.operation_type == "cancel_order")
    )
    assert count == 1


def test_a_cancelled_line_asked_for_alone_is_800061(client, session, sc):
    order = buy(session, sc, [perpetual(2, id=0, sc=sc), perpetual(1, id=1, sc=sc)])
    assert cancel(client, sc.direct, order, [0]).status_code == 200
    r = cancel(client, sc.direct, order, [0])
    assert (r.status_code, r.json()["code"]) == (400, 800061)
    assert r.json()["data"] == [{"lineItemNumber": 0, "cancelledAt": NOW.isoformat()}]


# --- what order PATCH cannot cancel --------------------------------------------------------------


def test_a_license_based_order_is_800063(client, session, sc):
    order = buy(session, sc, [line(sc.offer, 5)])
    r = cancel(client, sc.direct, order)
    assert (r.status_code, r.json()["code"]) == (400, 800063)
    assert f"/customers/{order.customer_id}/subscriptions/" in r.json()["description"]


def test_a_license_line_of_a_mixed_order_is_800019(client, session, sc):
    order = buy(session, sc, [perpetual(id=0, sc=sc), line(sc.offer, 5, id=1)])
    for lines in (None, [1], [0, 1]):
        r = cancel(client, sc.direct, order, lines)
        assert (r.status_code, r.json()["code"]) == (403, 800019), lines
    assert all(ln.cancelled_at is None for ln in lines_of(session, order))
    r = cancel(client, sc.direct, order, [0])  # the perpetual line alone
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"  # its subscription is not provisioned yet
    sub = session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()
    assert sub.status == "active"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "completed"}, 800042),
        ({}, 800042),
        ({"status": "cancelled", "lineItems": [{"lineItemNumber": 3}]}, 800071),
        ({"status": "cancelled", "lineItems": [{"lineItemNumber": -1}]}, 800071),
        ({"status": "cancelled", "id": "0123456789ab"}, 800002),
        ({"status": "cancelled", "lineItems": [{"lineItemNumber": 0, "offerId": "X:Y:Z"}]}, 800002),
    ],
)
def test_bad_requests_change_nothing(client, session, sc, body, code):
    order = buy(session, sc, [perpetual(sc=sc)])
    r = client.patch(url(order), json=body, headers=sc.direct.headers)
    assert (r.status_code, r.json()["code"]) == (400, code), r.text
    assert lines_of(session, order)[0].cancelled_at is None


def test_the_sample_request_shape_in_pascal_case(client, session, sc):
    order = buy(session, sc, [perpetual(sc=sc)])
    body = {
        "Id": order.id.upper(),
        "Status": "Cancelled",
        "LineItems": [{"LineItemNumber": 0, "OfferId": sc.perpetual.catalog_item_id.lower()}],
    }
    r = client.patch(url(order), json=body, headers=sc.direct.headers)
    assert r.status_code == 200, r.text
    assert r.json()["links"]["patchOperation"]["method"] == "PATCH"


def test_an_already_cancelled_order_is_800061(client, session, sc):
    order = buy(session, sc, [perpetual(sc=sc)])
    assert cancel(client, sc.direct, order).status_code == 200
    r = cancel(client, sc.direct, order)
    assert (r.status_code, r.json()["code"]) == (400, 800061)


# --- software subscriptions ----------------------------------------------------------------------


@pytest.mark.parametrize(("age_days", "allowed"), [(0, True), (6, True), (8, False)])
def test_a_software_subscription_line_is_cancelled_through_its_subscription(
    client, session, sc, age_days, allowed
):
    software = offer(
        session, product_type=ProductType.SOFTWARE_SUBSCRIPTIONS, title="Nimbus Server"
    )
    sub = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        software,
        quantity=2,
        start=(NOW - timedelta(days=age_days)).date(),
    )
    order = session.get(Order, sub.order_id)
    assert order is not None
    r = cancel(client, sc.direct, order, [0])
    session.expire_all()
    if allowed:
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "cancelled"
        (ln,) = lines_of(session, order)
        assert ln.cancelled_at == NOW and ln.refund is None  # its refund is the sub's event
        assert session.get(Subscription, sub.id).status == "deleted"
    else:
        assert (r.status_code, r.json()["code"]) == (400, 900117)
        assert "7-day" in r.json()["description"]
        assert session.get(Subscription, sub.id).status == "active"


# --- who may cancel ------------------------------------------------------------------------------


def test_the_reseller_of_record_reads_but_cannot_cancel(client, session, sc):
    item = line(
        sc.perpetual,
        1,
        term=None,
        plan=BillingPlan.ONE_TIME,
        partner_id_on_record=sc.reseller_mpn_id,
    )
    order = buy(session, sc, [item], buyer=sc.provider)
    assert client.get(url(order), headers=sc.reseller.headers).status_code == 200
    r = cancel(client, sc.reseller, order)
    assert r.status_code == 403, r.text
    assert lines_of(session, order)[0].cancelled_at is None
    assert cancel(client, sc.provider, order).status_code == 200


def test_someone_else_gets_404(client, session, sc):
    order = buy(session, sc, [perpetual(sc=sc)])
    r = cancel(client, sc.provider, order)
    assert r.status_code == 404
    missing = client.patch(
        f"/v1/customers/{order.customer_id}/orders/0123456789ab",
        json={"status": "cancelled"},
        headers=sc.direct.headers,
    )
    assert (missing.status_code, missing.json()["code"]) == (404, 20000)
