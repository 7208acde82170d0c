"""The windows of a subscription on the clock, as tables at, before and after each edge
(rules.md §9c–9d): cancelling within 7 days of purchase, seat reductions per batch, the
1,200-update ceiling and the pending renewal."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.core.errors import DomainError
from opencsp.subscriptions import queries, service, terms
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent
from tests.conftest import NOW
from tests.factories.commerce import P1M, Scene, scene, subscription

START = datetime.combine(NOW.date(), time(), tzinfo=UTC)  # the factory's purchase instant
TICK = timedelta(microseconds=1)
DEADLINE = START + timedelta(days=7)


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def sub(session: Session, sc: Scene) -> Subscription:
    return subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)


def code_of(exc: pytest.ExceptionInfo[DomainError]) -> int | str:
    return exc.value.code


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (START, True),
        (START + timedelta(days=6, hours=23), True),
        (DEADLINE - TICK, True),
        (DEADLINE, True),  # the window includes its last instant
        (DEADLINE + TICK, False),
        (START + timedelta(days=8), False),
    ],
)
def test_cancel_within_seven_days_of_purchase(
    session: Session, sc: Scene, sub: Subscription, at: datetime, allowed: bool
) -> None:
    with clock.frozen(at):
        if allowed:
            service.cancel(session, sc.direct.actor, sub.customer_id, sub.id)
            assert sub.status == "deleted"
            assert sub.auto_renew is False
        else:
            with pytest.raises(DomainError) as exc:
                service.cancel(session, sc.direct.actor, sub.customer_id, sub.id)
            assert code_of(exc) == 900117
            assert sub.status == "active"


@pytest.mark.parametrize(
    ("days_in", "refund"),
    [
        (0, Decimal("1200.00")),  # the first day is not charged: everything back
        (1, Decimal("1196.71")),  # 364 of 365 days unused
        (7, Decimal("1176.99")),  # 358 of 365
    ],
)
def test_cancel_refunds_the_unused_days(
    session: Session, sc: Scene, sub: Subscription, days_in: int, refund: Decimal
) -> None:
    assert (sub.term_end - sub.term_start).days + 1 == 365
    with clock.frozen(START + timedelta(days=days_in)):
        service.cancel(session, sc.direct.actor, sub.customer_id, sub.id)
    event = session.scalars(
        select(SubscriptionEvent).where(
            SubscriptionEvent.subscription_id == sub.id,
            SubscriptionEvent.kind == "cancelImmediate",
        )
    ).one()
    assert event.refund == refund
    assert event.status_after == "deleted"


def test_no_cancellation_window_after_an_upgrade(
    session: Session, sc: Scene, sub: Subscription
) -> None:
    sub.cancellable_until = None  # what an upgrade leaves
    with pytest.raises(DomainError) as exc:
        service.cancel(session, sc.direct.actor, sub.customer_id, sub.id)
    assert code_of(exc) == 900117
    assert "upgrade" in exc.value.message


def batches(session: Session, sub: Subscription) -> list[tuple[int, int]]:
    rows = session.scalars(
        select(SeatBatch).where(SeatBatch.subscription_id == sub.id).order_by(SeatBatch.id)
    )
    return [(b.added, b.removed) for b in rows]


ADDED = START + timedelta(days=3)  # 5 more seats; their window ends ADDED + 7 days


@pytest.mark.parametrize(
    ("at", "to", "outcome", "after"),
    [
        # within both windows: the newest batch goes first
        (START + timedelta(days=5), 12, None, [(10, 0), (5, 3)]),
        (START + timedelta(days=5), 4, None, [(10, 6), (5, 5)]),
        # first batch closed at DEADLINE; the second still open
        (DEADLINE, 9, None, [(10, 1), (5, 5)]),
        (DEADLINE + TICK, 10, None, [(10, 0), (5, 5)]),
        (DEADLINE + TICK, 9, 800090, [(10, 0), (5, 0)]),
        (ADDED + timedelta(days=7), 10, None, [(10, 0), (5, 5)]),
        # both closed
        (ADDED + timedelta(days=7) + TICK, 14, 900257, [(10, 0), (5, 0)]),
    ],
)
def test_seat_reductions_per_batch(
    session: Session,
    sc: Scene,
    sub: Subscription,
    at: datetime,
    to: int,
    outcome: int | None,
    after: list[tuple[int, int]],
) -> None:
    with clock.frozen(ADDED):
        service.change_quantity(session, sc.direct.actor, sub.customer_id, sub.id, 15)
    with clock.frozen(at):
        if outcome is None:
            service.change_quantity(session, sc.direct.actor, sub.customer_id, sub.id, to)
            assert sub.quantity == to
        else:
            with pytest.raises(DomainError) as exc:
                service.change_quantity(session, sc.direct.actor, sub.customer_id, sub.id, to)
            assert code_of(exc) == outcome
            assert sub.quantity == 15
    assert batches(session, sub) == after


def test_refundable_quantity_lists_open_batches_by_deadline(
    session: Session, sc: Scene, sub: Subscription
) -> None:
    with clock.frozen(ADDED):
        service.change_quantity(session, sc.direct.actor, sub.customer_id, sub.id, 15)
    found = queries.refundable_quantity(
        session, sc.direct.actor, sub.customer_id, sub.id, now=ADDED
    )
    assert found.total_quantity == 15
    assert [(d.quantity, d.allowed_until) for d in found.details] == [
        (10, DEADLINE),
        (5, ADDED + timedelta(days=7)),
    ]
    later = queries.refundable_quantity(
        session, sc.direct.actor, sub.customer_id, sub.id, now=DEADLINE + TICK
    )
    assert later.total_quantity == 5


@pytest.mark.parametrize(
    ("count", "allowed"), [(0, True), (1198, True), (1199, True), (1200, False), (1201, False)]
)
def test_update_ceiling(
    session: Session, sc: Scene, sub: Subscription, count: int, allowed: bool
) -> None:
    sub.update_count = count
    session.flush()
    if allowed:
        service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "Sales team")
        assert sub.update_count == count + 1
    else:
        with pytest.raises(DomainError) as exc:
            service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "Sales team")
        assert code_of(exc) == 900311


@pytest.mark.parametrize(
    ("offset", "pending"),
    [(-TICK, False), (timedelta(0), True), (timedelta(hours=23), True)],
)
def test_updates_wait_while_the_renewal_is_pending(
    session: Session, sc: Scene, offset: timedelta, pending: bool
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, term=P1M, unit_price="12")
    instant = terms.renewal_instant(sub.term_end) + offset
    with clock.frozen(instant):
        if pending:
            with pytest.raises(DomainError) as exc:
                service.set_auto_renew(session, sc.direct.actor, sub.customer_id, sub.id, False)
            assert code_of(exc) == 800082
            assert exc.value.status == 409
            assert sub.auto_renew is True
        else:
            service.set_auto_renew(session, sc.direct.actor, sub.customer_id, sub.id, False)
            assert sub.auto_renew is False
