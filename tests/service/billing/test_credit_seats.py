"""Seats added midterm are new purchases for the credit limit (rules.md §11: "new
purchases of all products"; ``billing.credit.ensure_credit_for_seats`` through
``subscriptions.purchases``): an increase is refused with 900121 when the seats' charge
would take the available credit below zero, and leaves nothing behind; the charges of
seats already added count as unbilled, at what the bill run will charge for them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.billing import credit
from opencsp.billing.errors import InsufficientCreditLimit
from opencsp.billing.seat_charges import added_seat_charges
from opencsp.core import clock
from opencsp.orders import checkout
from opencsp.subscriptions import service
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent
from tests.conftest import NOW
from tests.factories import billing as bf
from tests.factories.commerce import Scene, line

NOVEMBER = date(2026, 11, 1)


@pytest.fixture()
def s(session: Session) -> Scene:
    return bf.buying_scene(session)


def limit(session: Session, s: Scene, amount: str) -> None:
    bf.set_credit_limit(session, s.direct, amount)


def bought(session: Session, s: Scene, seats: int = 10) -> Subscription:
    """``seats`` of P1Y billed monthly from 21 November: USD 10.00 a seat each cycle
    (21 November – 20 December is the first, 30 days)."""
    order = checkout.place_order(
        session, s.direct.actor, s.direct_customer.id, [line(s.offer, seats)]
    )
    session.flush()
    return session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()


def seats(session: Session, s: Scene, sub: Subscription, quantity: int) -> Subscription:
    """A seat change as a request makes it: in its own unit of work."""
    with session.begin_nested():
        return service.change_quantity(session, s.direct.actor, sub.customer_id, sub.id, quantity)


def rows(session: Session, model: type, sub: Subscription) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.subscription_id == sub.id)
        )
    )


def unbilled(session: Session, s: Scene) -> Decimal:
    found = credit.credit_position(session, s.direct.org.id, clock.now())
    assert found is not None
    return found.unbilled


@pytest.mark.parametrize(
    ("lim", "to", "passes"),
    [
        ("200.00", 20, True),  # 100 bought + 10 seats × 10.00: exactly the limit
        ("199.99", 20, False),
        ("200.00", 21, False),
        ("1000.00", 100, True),
        ("100.00", 11, False),  # the purchase used the whole limit
    ],
)
def test_a_seat_increase_within_the_limit(session, s, lim, to, passes):
    limit(session, s, lim)
    sub = bought(session, s)
    events, batches = rows(session, SubscriptionEvent, sub), rows(session, SeatBatch, sub)
    if passes:
        assert seats(session, s, sub, to).quantity == to
        assert unbilled(session, s) == Decimal("10.00") * to
        return
    with pytest.raises(InsufficientCreditLimit) as exc:
        seats(session, s, sub, to)
    assert (exc.value.status, exc.value.code) == (403, 900121)
    session.expire_all()
    assert session.get(Subscription, sub.id).quantity == 10  # type: ignore[union-attr]
    assert (rows(session, SubscriptionEvent, sub), rows(session, SeatBatch, sub)) == (
        events,
        batches,
    )


def test_without_a_limit_seats_are_not_checked(session, s):
    sub = bought(session, s)
    assert seats(session, s, sub, 300).quantity == 300


def test_fewer_seats_are_never_refused(session, s):
    limit(session, s, "100.00")
    sub = bought(session, s)
    assert seats(session, s, sub, 5).quantity == 5


def test_each_increase_counts_against_the_next(session, s):
    limit(session, s, "150.00")
    sub = bought(session, s)
    seats(session, s, sub, 13)
    seats(session, s, sub, 15)  # 100 + 30 + 20 = the limit
    with pytest.raises(InsufficientCreditLimit):
        seats(session, s, sub, 16)
    assert credit.available_credit(session, s.direct.org.id, NOW) == Decimal("0.00")


@pytest.mark.parametrize(
    ("day", "each"),
    [
        (datetime(2026, 11, 21, 18, 0, tzinfo=UTC), Decimal("10.00")),  # the purchase day
        (datetime(2026, 12, 6, 8, 0, tzinfo=UTC), Decimal("5.00")),  # 15 of 30 days left
        (datetime(2026, 12, 20, 8, 0, tzinfo=UTC), Decimal("0.33")),  # the cycle's last day
        (datetime(2026, 12, 21, 8, 0, tzinfo=UTC), Decimal("10.00")),  # the next cycle's first
    ],
)
def test_added_seats_cost_what_the_bill_run_charges(session, s, day, each):
    sub = bought(session, s)
    with clock.frozen(day):
        seats(session, s, sub, 13)
        found = added_seat_charges(session, [s.direct.org.id], NOVEMBER, clock.now())
    assert found[s.direct.org.id] == {"USD": each * 3}


def test_seats_added_before_the_open_period_are_not_unbilled(session, s):
    sub = bought(session, s)
    seats(session, s, sub, 13)
    later = NOW + timedelta(days=40)
    assert added_seat_charges(session, [s.direct.org.id], date(2027, 1, 1), later) == {}
    assert added_seat_charges(session, [s.direct.org.id], NOVEMBER, later)


@pytest.mark.parametrize(
    "entry",
    [
        "from opencsp.web.app import create_app; create_app()",
        "from opencsp.cli.main import app, LazyGroup; LazyGroup().get_command(None, 'orgs')",
    ],
)
def test_the_credit_check_is_registered_wherever_seats_can_change(entry):
    """The app (API and console) and every CLI command install billing's check, whatever
    else they load (``opencsp.wiring``)."""
    code = (
        f"{entry}\n"
        "from opencsp.subscriptions import purchases\n"
        "names = {(c.__module__, c.__name__) for c in purchases.registered()}\n"
        "assert ('opencsp.billing.credit', 'ensure_credit_for_seats') in names, names\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_api_refuses_an_increase_beyond_the_limit(client, session, s):
    limit(session, s, "150.00")
    sub = bought(session, s)
    url = f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}"
    body = client.get(url, headers=s.direct.headers).json()
    refused = client.patch(url, json=body | {"quantity": 16}, headers=s.direct.headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == 900121
    assert client.get(url, headers=s.direct.headers).json()["quantity"] == 10
    ok = client.patch(url, json=body | {"quantity": 15}, headers=s.direct.headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["quantity"] == 15
