"""A transition from direct bill to indirect reseller end to end with the bill run
(rules.md §2d): a direct-bill partner with monthly- and annual-billed subscriptions moves
to a provider in June; May is billed to the partner, June on to the provider, a seat
change in June is the provider's, every cycle of every subscription is billed exactly
once, and the provider's invoice to the (now) reseller appears from June."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.billing.history import history_lines
from opencsp.billing.lines import EventFacts, midnight
from opencsp.billing.models import Charge, Invoice
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.money import Money
from opencsp.customers.models import CustomerRelationship
from opencsp.orders import checkout
from opencsp.orders.errors import BuyerNotAllowed
from opencsp.program import transition_jobs as completion
from opencsp.program import transition_steps as steps
from opencsp.program import transitions
from opencsp.program.errors import LastDirectMonthOpen
from opencsp.program.models import TierTransition
from opencsp.subscriptions import service
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from opencsp.subscriptions.rules import Status
from tests.factories import member, system
from tests.factories.billing import bill, months
from tests.factories.commerce import ANNUAL, MONTHLY, P1Y, P3Y, Scene, line, scene
from tests.factories.commerce import subscription as make_sub
from tests.factories.jobs import units
from tests.factories.parties import accepted, customer, template

FIRST = date(2026, 3, 1)
JUNE = date(2026, 6, 1)


def job(session: Session, at: datetime) -> str:
    with clock.frozen(at):
        return completion.run_transitions(units(session, system(session)))


def oracle(session: Session, until: datetime) -> dict[str, int]:
    """Every line of every subscription's history before ``until``: key → minor amount."""
    events: dict[object, list[EventFacts]] = {}
    for row in session.scalars(select(SubscriptionEvent).order_by(SubscriptionEvent.sequence)):
        events.setdefault(row.subscription_id, []).append(EventFacts.from_row(row))
    found = {}
    for history in events.values():
        for item in history_lines(history, until=until):
            found[item.key] = Money.of(item.amount, item.currency).to_minor()
    return found


def vendor_lines(session: Session) -> list[Charge]:
    return list(session.scalars(select(Charge).where(Charge.tier == "vendor")))


@pytest.fixture()
def book(session: Session) -> tuple[Scene, list[Subscription]]:
    s = scene(session, month=FIRST)
    second = customer(session, s.direct.org, name="Second Customer")
    accepted(session, second, template(session))
    subs = [
        make_sub(session, s.direct_customer, s.direct, s.offer, quantity=7, term=P1Y,
                 plan=MONTHLY, start=date(2026, 3, 15), unit_price="120"),
        make_sub(session, s.direct_customer, s.direct, s.offer, quantity=3, term=P1Y,
                 plan=ANNUAL, start=date(2026, 3, 31), unit_price="99.99"),
        make_sub(session, second, s.direct, s.offer, quantity=4, term=P3Y,
                 plan=MONTHLY, start=date(2026, 4, 2), unit_price="324"),
    ]  # fmt: skip
    return s, subs


def transition_to_june(session: Session, s: Scene) -> TierTransition:
    """Requested, approved, agreement, provider and both consents in May."""
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    with clock.frozen(datetime(2026, 5, 11, 9, tzinfo=UTC)):
        t = transitions.request_transition(session, s.direct.actor)
        transitions.approve(session, vendor.actor, t.id)
        steps.accept_agreement(session, s.direct.actor, t.id)
        steps.choose_provider(session, s.direct.actor, t.id, s.provider.org.id)
        rows = session.scalars(
            select(CustomerRelationship.customer_id).where(
                CustomerRelationship.partner_id == s.direct.org.id
            )
        ).all()
        for customer_id in rows:
            steps.record_consent(
                session, s.direct.actor, t.id, customer_id, consent_by="Gena Soto (CFO)"
            )
    assert t.state == "scheduled" and t.effective_period == "2026-06"
    return t


def test_no_cycle_lost_or_billed_twice_across_the_switch(
    session: Session, book: tuple[Scene, list[Subscription]]
) -> None:
    s, subs = book
    for month in months(FIRST, date(2026, 4, 1)):
        bill(session, month)
    t = transition_to_june(session, s)

    # June 1st, before the bill run closed May: the partner is a reseller already ...
    assert "switched, waiting for the bill run" in job(
        session, datetime(2026, 6, 1, 0, 5, tzinfo=UTC)
    )
    session.refresh(t)
    assert t.state == "switching"
    partner = auth_service.actor_for(session, s.direct.user)
    assert partner.tier is Tier.INDIRECT_RESELLER
    with clock.frozen(datetime(2026, 6, 1, 0, 30, tzinfo=UTC)), pytest.raises(BuyerNotAllowed):
        checkout.place_order(session, partner, s.direct_customer.id, [line(s.perpetual, 1)])
    # ... and the subscriptions are still billed to it until May is closed
    with clock.frozen(datetime(2026, 6, 1, 1, tzinfo=UTC)), pytest.raises(LastDirectMonthOpen):
        completion.complete_now(
            session, member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,)).actor, t.id
        )
    bill(session, date(2026, 5, 1))
    assert "completed (2 customers, 3 subscriptions)" in job(
        session, datetime(2026, 6, 1, 3, tzinfo=UTC)
    )
    session.refresh(t)
    assert t.state == "completed" and t.open_key is None and t.effective_period == "2026-06"
    assert transitions.has_transitioned(session, s.direct.org.id)

    for sub in subs:
        session.refresh(sub)
        assert sub.organization_id == s.provider.org.id
        assert sub.reseller_organization_id == s.direct.org.id
        assert sub.partner_id_on_record is not None and sub.status == "active"
    with clock.frozen(datetime(2026, 6, 10, 12, tzinfo=UTC)):  # the provider adds seats in June
        service.update(
            session, s.provider.actor, subs[0].customer_id, subs[0].id,
            service.SubscriptionChange(quantity=9), if_match=None,
        )  # fmt: skip
    for month in months(JUNE, date(2026, 8, 1)):
        bill(session, month)

    lines = vendor_lines(session)
    held = {c.key: c.billed_amount_minor for c in lines}
    assert held == oracle(session, midnight(date(2026, 9, 1)))  # every line once, none extra
    for c in lines:
        expected = s.direct.org.id if c.period < JUNE else s.provider.org.id
        assert c.bill_to_organization_id == expected, (c.key, c.period)
    monthly = sorted(c.cycle_number for c in lines if c.subscription_id == subs[0].id
                     and c.charge_type in ("cycleCharge", "new"))  # fmt: skip
    assert monthly == list(range(len(monthly)))  # cycles 0..n, each once
    june_seats = [
        c for c in lines if c.subscription_id == subs[0].id and c.charge_type == "addQuantity"
    ]
    assert [c.bill_to_organization_id for c in june_seats] == [s.provider.org.id]

    downstream = session.scalars(
        select(Invoice).where(
            Invoice.seller_key == str(s.provider.org.id),
            Invoice.bill_to_key == str(s.direct.org.id),
        )
    ).all()
    assert sorted(d.period for d in downstream) == [JUNE, date(2026, 7, 1), date(2026, 8, 1)]
    direct_invoices = session.scalars(
        select(Invoice.period).where(
            Invoice.seller_key == "vendor", Invoice.bill_to_key == str(s.direct.org.id)
        )
    ).all()
    assert max(direct_invoices) == date(2026, 5, 1)
    assert session.get(Organization, s.direct.org.id).tier == "indirect_reseller"  # type: ignore[union-attr]


def test_a_late_completion_leaves_closed_months_with_the_partner(
    session: Session, book: tuple[Scene, list[Subscription]]
) -> None:
    s, subs = book
    for month in months(FIRST, date(2026, 4, 1)):
        bill(session, month)
    t = transition_to_june(session, s)
    bill(session, date(2026, 5, 1))  # the job did not run in June
    bill(session, JUNE)
    assert "completed" in job(session, datetime(2026, 7, 1, 3, tzinfo=UTC))
    session.refresh(t)
    assert t.effective_period == "2026-07"  # June was billed to the partner
    bill(session, date(2026, 7, 1))
    lines = vendor_lines(session)
    assert {c.key: c.billed_amount_minor for c in lines} == oracle(
        session, midnight(date(2026, 8, 1))
    )
    for c in lines:
        expected = s.direct.org.id if c.period < date(2026, 7, 1) else s.provider.org.id
        assert c.bill_to_organization_id == expected
    assert len(subs) == 3


def test_the_job_is_idempotent(session: Session, book: tuple[Scene, list[Subscription]]) -> None:
    s, subs = book
    t = transition_to_june(session, s)
    bill(session, date(2026, 5, 1))
    first = job(session, datetime(2026, 6, 1, 3, tzinfo=UTC))
    assert "switched" in first and "completed" in first
    assert job(session, datetime(2026, 6, 1, 4, tzinfo=UTC)) == "no transition due"
    events = session.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.kind == "transfer")
    ).all()
    assert len(events) == len(subs)
    assert {e.details["transitionId"] for e in events} == {str(t.id)}


def test_a_refund_after_the_move_goes_back_to_whom_paid(
    session: Session, book: tuple[Scene, list[Subscription]]
) -> None:
    """Bought by the partner on 28 May, moved to the provider on 1 June, cancelled by the
    provider on 3 June inside the window: the partner paid May's charge, so the credit is
    the partner's; the provider gets nothing back and credits nothing to its reseller."""
    s, _ = book
    late = make_sub(session, s.direct_customer, s.direct, s.offer, quantity=5, term=P1Y,
                    plan=MONTHLY, start=date(2026, 5, 28), unit_price="120")  # fmt: skip
    for month in months(FIRST, date(2026, 4, 1)):
        bill(session, month)
    transition_to_june(session, s)
    bill(session, date(2026, 5, 1))
    assert "completed" in job(session, datetime(2026, 6, 1, 3, tzinfo=UTC))
    session.refresh(late)
    assert late.organization_id == s.provider.org.id
    with clock.frozen(datetime(2026, 6, 3, 12, tzinfo=UTC)):
        service.update(
            session, s.provider.actor, late.customer_id, late.id,
            service.SubscriptionChange(status=Status.DELETED), if_match=None,
        )  # fmt: skip
    bill(session, JUNE)

    mine = [c for c in vendor_lines(session) if c.subscription_id == late.id]
    [charged] = [c for c in mine if c.billed_amount_minor > 0]
    credits = [c for c in mine if c.billed_amount_minor < 0]  # one per group of seats
    assert charged.period == date(2026, 5, 1) and {c.period for c in credits} == {JUNE}
    assert {c.offsets_key for c in credits} == {charged.key}
    for c in (charged, *credits):  # all the partner's, as a direct-bill partner bought it
        assert (c.bill_to_organization_id, c.bill_to_key) == (s.direct.org.id, str(s.direct.org.id))
        assert c.reseller_organization_id is None and c.partner_id_on_record is None
    assert 0 < -sum(c.billed_amount_minor for c in credits) <= charged.billed_amount_minor
    provider_tier = session.scalars(
        select(Charge).where(Charge.tier != "vendor", Charge.subscription_id == late.id)
    ).all()
    assert all(c.seller_organization_id != s.provider.org.id for c in provider_tier)
    assert all(c.bill_to_organization_id != s.provider.org.id for c in provider_tier)
