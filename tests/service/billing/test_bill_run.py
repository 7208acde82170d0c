"""The bill run (``billing.run``) against the rules it applies (``billing.history``):
every line the database holds after month-by-month runs is exactly a line of the pure
rules, and every line the rules give is held once — on the walked path (first run,
changed subscriptions) and the set-based cycles path (subscriptions that stood still)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import run
from opencsp.billing.errors import PeriodClosed, PeriodNotEnded, PeriodOutOfOrder
from opencsp.billing.history import history_lines
from opencsp.billing.lines import EventFacts, midnight
from opencsp.billing.models import BillingPeriod, Charge, Invoice
from opencsp.catalog.rules import BillingPlan
from opencsp.core import clock
from opencsp.core.money import Money
from opencsp.orders import cancellation, checkout
from opencsp.subscriptions import service
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.factories import system
from tests.factories.billing import bill, months
from tests.factories.commerce import (
    ANNUAL,
    MONTHLY,
    P1M,
    P1Y,
    P3Y,
    TRIENNIAL,
    Scene,
    line,
    scene,
)
from tests.factories.commerce import subscription as make_sub
from tests.factories.jobs import units

FIRST = date(2026, 3, 1)


def oracle(session: Session, until: datetime) -> dict[str, int]:
    """Every line of every subscription's history before ``until``, key → minor amount."""
    events: dict[object, list[EventFacts]] = {}
    for row in session.scalars(select(SubscriptionEvent).order_by(SubscriptionEvent.sequence)):
        events.setdefault(row.subscription_id, []).append(EventFacts.from_row(row))
    found = {}
    for history in events.values():
        for item in history_lines(history, until=until):
            found[item.key] = Money.of(item.amount, item.currency).to_minor()
    return found


def held(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Charge.key, Charge.billed_amount_minor).where(Charge.tier == "vendor")
    )
    return {key: amount for key, amount in rows}


@pytest.fixture()
def book(session: Session) -> tuple[Scene, list[Subscription]]:
    s = scene(session, month=FIRST)
    subs = [
        make_sub(session, s.direct_customer, s.direct, s.offer, quantity=7, term=P1Y,
                 plan=MONTHLY, start=date(2026, 3, 15), unit_price="120"),
        make_sub(session, s.direct_customer, s.direct, s.offer, quantity=3, term=P1Y,
                 plan=ANNUAL, start=date(2026, 3, 31), unit_price="99.99"),
        make_sub(session, s.indirect_customer, s.provider, s.offer, quantity=11, term=P3Y,
                 plan=MONTHLY, start=date(2026, 3, 31), unit_price="324.07",
                 reseller=s.reseller, reseller_mpn_id=s.reseller_mpn_id),
        make_sub(session, s.indirect_customer, s.provider, s.offer, quantity=2, term=P3Y,
                 plan=TRIENNIAL, start=date(2026, 3, 2), unit_price="324"),
        make_sub(session, s.direct_customer, s.direct, s.offer, quantity=5, term=P1M,
                 plan=MONTHLY, start=date(2026, 3, 20), unit_price="12", auto_renew=False),
    ]  # fmt: skip
    return s, subs


def test_month_by_month_runs_hold_exactly_the_rules_lines(
    session: Session, book: tuple[Scene, list[Subscription]]
) -> None:
    s, subs = book
    results = [bill(session, month) for month in months(FIRST, date(2026, 5, 1))]
    with clock.frozen(datetime(2026, 6, 10, 12, tzinfo=UTC)):  # a seat added mid-June
        service.update(
            session, s.direct.actor, subs[0].customer_id, subs[0].id,
            service.SubscriptionChange(quantity=9), if_match=None,
        )  # fmt: skip
    results += [bill(session, month) for month in months(date(2026, 6, 1), date(2026, 10, 1))]
    expected = oracle(session, midnight(date(2026, 11, 1)))
    assert held(session) == expected
    assert results[0].walked > 0 and sum(r.cycles for r in results[1:]) > 0
    june = results[3]
    assert june.walked > 0  # the changed subscription walked; the rest stood still
    periods = session.scalars(select(BillingPeriod).order_by(BillingPeriod.period)).all()
    assert [p.status for p in periods] == ["closed"] * 8


def test_every_document_totals_its_lines_and_numbers_run_without_gaps(
    session: Session, book: tuple[Scene, list[Subscription]]
) -> None:
    for month in months(FIRST, date(2026, 8, 1)):
        bill(session, month)
    docs = session.scalars(select(Invoice).order_by(Invoice.sequence)).all()
    sellers: dict[str, list[int]] = {}
    for doc in docs:
        sellers.setdefault(doc.seller_key, []).append(doc.sequence)
    assert "vendor" in sellers
    for numbers in sellers.values():  # each seller's own sequence, without gaps
        assert numbers == list(range(1, len(numbers) + 1))
    for doc in docs:
        lines = session.scalars(
            select(Charge.billed_amount_minor).where(
                Charge.period == doc.period,
                Charge.bill_to_key == doc.bill_to_key,
                Charge.seller_key == doc.seller_key,
                Charge.currency == doc.currency,
                Charge.document_type == doc.document_type,
            )
        ).all()
        assert doc.total_minor == sum(lines) and doc.line_count == len(lines)


def test_a_rerun_duplicates_nothing_and_a_killed_run_completes(
    session: Session, book: tuple[Scene, list[Subscription]], monkeypatch: pytest.MonkeyPatch
) -> None:
    bill(session, FIRST)

    def killed(*_: object, **__: object) -> list[str]:
        raise RuntimeError("killed")

    monkeypatch.setattr(run, "issue_documents", killed)
    with pytest.raises(RuntimeError):
        bill(session, date(2026, 4, 1))
    assert session.get(BillingPeriod, date(2026, 4, 1)).status == "closing"  # type: ignore[union-attr]
    monkeypatch.undo()
    before = held(session)
    again = bill(session, date(2026, 4, 1))
    assert again.walked + again.cycles == 0  # written by the killed run
    assert held(session) == before and again.documents > 0
    with pytest.raises(PeriodClosed):
        bill(session, date(2026, 4, 1))


@pytest.mark.parametrize(
    ("period", "now", "error"),
    [
        (date(2026, 3, 1), datetime(2026, 3, 31, 23, 59, tzinfo=UTC), PeriodNotEnded),
        (date(2026, 3, 2), datetime(2026, 5, 1, tzinfo=UTC), PeriodOutOfOrder),
    ],
)
def test_a_month_is_billed_once_it_has_ended(
    session: Session, period: date, now: datetime, error: type[Exception]
) -> None:
    with clock.frozen(now), pytest.raises(error):
        run.run_month(units(session, system(session)), period)


def test_months_are_billed_in_order(session: Session) -> None:
    bill(session, FIRST)
    with pytest.raises(PeriodOutOfOrder):
        bill(session, date(2026, 5, 1))
    with pytest.raises(PeriodClosed):
        bill(session, date(2026, 2, 1))


@pytest.mark.parametrize(
    ("cancel_at", "document"),
    [
        (datetime(2026, 3, 20, tzinfo=UTC), "invoice"),  # same month: netted on the invoice
        (datetime(2026, 4, 5, tzinfo=UTC), "credit_note"),  # after March's invoice
    ],
)
def test_a_perpetual_purchase_and_its_refund_are_billed_once(
    session: Session, cancel_at: datetime, document: str
) -> None:
    s = scene(session, month=FIRST)
    bought = line(s.perpetual, 4, term=None, plan=BillingPlan.ONE_TIME)
    with clock.frozen(datetime(2026, 3, 10, 9, tzinfo=UTC)):
        order = checkout.place_order(session, s.direct.actor, s.direct_customer.id, [bought])
    bill_march = [] if cancel_at.month == 3 else [bill(session, FIRST)]
    with clock.frozen(cancel_at):
        cancellation.cancel_purchases(
            session, s.direct.actor, s.direct_customer.id, order.id, status="cancelled"
        )
    if not bill_march:
        bill(session, FIRST)
    bill(session, date(2026, 4, 1))
    rows = session.scalars(
        select(Charge).where(Charge.order_id == order.id, Charge.tier == "vendor")
    ).all()
    new, credit = sorted(rows, key=lambda c: c.amount_minor, reverse=True)
    assert new.charge_type == "new" and new.period == FIRST
    assert credit.charge_type == "cancelImmediate" and credit.amount_minor == -new.amount_minor
    assert credit.document_type == document
    assert credit.period == date(2026, cancel_at.month, 1)
