"""Midterm term and billing-frequency changes through the subscription PATCH (rules.md §9f
matrix, §9b; PC:create-a-new-subscription.md): the whole matrix with its codes, a new term
today with the old term's unused days credited (first day, middle, last day of the term,
and the pending renewal after it), a billing-cycle change applied by the ``renewals`` job
on the first day of the next cycle exactly once, its removal, and PATCH semantics (etag,
ceiling, combined fields, trials, suspended, the reseller)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.pricing.models import PriceRow
from opencsp.subscriptions import queries, renewals, terms
from opencsp.subscriptions.lifecycle import Units
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.conftest import NOW
from tests.factories import Member, system
from tests.factories.commerce import (
    ANNUAL,
    MONTHLY,
    NCE_PRICES,
    P1M,
    P1Y,
    P3Y,
    TRIENNIAL,
    Scene,
    scene,
    subscription,
)

TODAY = NOW.date()
IM, NEXT = "immediate", "next cycle"


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


def url(sub: Subscription) -> str:
    return f"/v1/customers/{sub.customer_id}/subscriptions/{sub.id}"


def read(client: TestClient, member: Member, sub: Subscription) -> dict[str, Any]:
    response = client.get(url(sub), headers=member.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def patch(client: TestClient, member: Member, sub: Subscription, **changes: Any) -> Any:
    body = read(client, member, sub) | changes
    return client.patch(url(sub), json=body, headers=member.headers)


def kinds(session: Session, sub: Subscription) -> list[str]:
    return list(
        session.scalars(
            select(SubscriptionEvent.kind)
            .where(SubscriptionEvent.subscription_id == sub.id)
            .order_by(SubscriptionEvent.sequence)
        )
    )


def last_event(session: Session, sub: Subscription, kind: str) -> SubscriptionEvent:
    return session.scalars(
        select(SubscriptionEvent)
        .where(SubscriptionEvent.subscription_id == sub.id, SubscriptionEvent.kind == kind)
        .order_by(SubscriptionEvent.sequence.desc())
    ).first() or pytest.fail(f"no {kind} event")


# --- the matrix ---------------------------------------------------------------------------------

TARGETS = [
    (P1M, MONTHLY),
    (P1Y, MONTHLY),
    (P1Y, ANNUAL),
    (P3Y, MONTHLY),
    (P3Y, ANNUAL),
    (P3Y, TRIENNIAL),
    (P1M, ANNUAL),  # a plan longer than the term
    (P1Y, TRIENNIAL),
]

MATRIX: dict[tuple[TermDuration, BillingPlan], list[str | int | None]] = {
    # in the order of TARGETS; None: the subscription as it is (no change)
    (P1M, MONTHLY): [None, IM, IM, IM, IM, IM, 900270, 900270],
    (P1Y, MONTHLY): [800122, None, 800097, IM, IM, IM, 900270, 900270],
    (P1Y, ANNUAL): [800122, 800097, None, IM, IM, IM, 900270, 900270],
    (P3Y, MONTHLY): [800122, 800122, 800122, None, NEXT, 800097, 900270, 900270],
    (P3Y, ANNUAL): [800122, 800122, 800122, NEXT, None, 800097, 900270, 900270],
    (P3Y, TRIENNIAL): [800122, 800122, 800122, 800097, 800097, None, 900270, 900270],
}
"""rules.md §9f: monthly → annual or triennial and annual → triennial at once, on any plan
the new term allows; triennial monthly ↔ annual at the next cycle; never shorter (800122),
no other plan change (800097), no plan longer than the term (900270)."""


@pytest.mark.parametrize("current", list(MATRIX), ids=lambda c: f"{c[0].value}-{c[1].value}")
def test_the_matrix(
    client: TestClient, session: Session, sc: Scene, current: tuple[TermDuration, BillingPlan]
) -> None:
    term, plan = current
    start = TODAY - timedelta(days=10)
    for (new_term, new_plan), expected in zip(TARGETS, MATRIX[current], strict=True):
        case = f"{term.value} {plan.value} → {new_term.value} {new_plan.value}"
        sub = subscription(
            session,
            sc.direct_customer,
            sc.direct,
            sc.offer,
            term=term,
            plan=plan,
            start=start,
            unit_price=NCE_PRICES[current],
        )
        response = patch(
            client, sc.direct, sub, termDuration=new_term.value, billingCycle=new_plan.value
        )
        data = response.json()
        if isinstance(expected, int):
            assert (response.status_code, data["code"]) == (400, expected), case
            session.refresh(sub)
            assert (sub.term_number, sub.update_count) == (1, 0), case
            continue
        assert response.status_code == 200, (case, response.text)
        if expected is None:
            assert data["attributes"]["etag"] == str(sub.version), case
        elif expected == IM:
            assert (data["termDuration"], data["billingCycle"]) == (
                new_term.value,
                new_plan.value,
            ), case
            assert data["effectiveStartDate"].startswith(TODAY.isoformat()), case
            assert "nextChargeInstructions" not in data, case
        else:
            assert (data["termDuration"], data["billingCycle"]) == (term.value, plan.value), case
            assert data["nextChargeInstructions"]["product"]["billingCycle"] == new_plan.value


def test_trials_change_no_term(client: TestClient, session: Session, sc: Scene) -> None:
    trial = subscription(session, sc.direct_customer, sc.direct, sc.offer, is_trial=True, term=P1M)
    response = patch(client, sc.direct, trial, termDuration="P1Y")
    assert (response.status_code, response.json()["code"]) == (400, 800107)


# --- an immediate term change -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "credit"),
    [
        # first day of the term: all of it is credited
        (TODAY, Decimal("1200.00")),
        # 2026-05-21..2027-05-20 (365 days), 181 unused from today: 1200 × 181 / 365
        (date(2026, 5, 21), Decimal("595.07")),
        # last day (2025-11-22..2026-11-21): today alone, 1200 / 365
        (date(2025, 11, 22), Decimal("3.29")),
    ],
    ids=["first day", "middle", "last day"],
)
def test_a_new_term_today_with_the_old_one_credited(
    client: TestClient, session: Session, sc: Scene, start: date, credit: Decimal
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10, start=start)
    old_end = sub.term_end
    messages = len(queries.provisioning_messages(session, sub))
    response = patch(client, sc.direct, sub, termDuration="P3Y", billingCycle="annual")
    assert response.status_code == 200, response.text
    data = response.json()
    session.refresh(sub)
    assert (sub.term_number, sub.term_start, sub.term_end) == (
        2,
        TODAY,
        terms.natural_end(TODAY, P3Y),
    )
    assert (sub.term_duration, sub.billing_plan) == ("P3Y", "annual")
    assert sub.unit_price == Decimal(NCE_PRICES[(P3Y, ANNUAL)])  # the current list
    assert sub.price_list_id == sc.prices.id
    # the credit of the old term's unused days, recorded on the old term
    assert kinds(session, sub) == ["new", "changeBillingPlan", "convert"]
    credited = last_event(session, sub, "changeBillingPlan")
    assert credited.refund == credit
    assert (credited.term_number, credited.term_end, credited.unit_price) == (
        1,
        old_end,
        Decimal("120"),
    )
    charged = last_event(session, sub, "convert")
    assert (charged.term_number, charged.term_start, charged.unit_price) == (
        2,
        TODAY,
        Decimal("324"),
    )
    assert charged.details["change"] == "termChange"
    # a fresh cancellation window and seat batch, provisioning told, audited
    assert data["cancellationAllowedUntilDate"].startswith((TODAY + timedelta(days=7)).isoformat())
    assert data["refundableQuantity"]["totalQuantity"] == 10
    assert len(queries.provisioning_messages(session, sub)) == messages + 1
    audit = session.scalars(select(AuditRecord).where(AuditRecord.resource_id == str(sub.id))).all()
    assert any(r.operation_type == "update_subscription" for r in audit)


def test_after_the_last_day_the_renewal_is_pending(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, start=date(2025, 11, 21))
    assert sub.term_end == TODAY - timedelta(days=1)
    response = patch(client, sc.direct, sub, termDuration="P3Y")
    assert (response.status_code, response.json()["code"]) == (409, 800082)


def test_the_new_term_can_be_cancelled_in_its_window(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, start=date(2026, 5, 21))
    assert patch(client, sc.direct, sub, termDuration="P3Y").status_code == 200
    response = patch(client, sc.direct, sub, status="deleted")
    assert response.status_code == 200, response.text
    assert last_event(session, sub, "cancelImmediate").refund == Decimal("3240.00")


def test_scheduled_instructions_go_and_seats_sent_along_apply_to_the_new_term(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10, term=P1M)
    scheduled = {"product": {"termDuration": "P1Y"}, "quantity": 5}
    assert patch(client, sc.direct, sub, scheduledNextTermInstructions=scheduled).status_code == 200
    response = patch(client, sc.direct, sub, termDuration="P1Y", quantity=12)
    assert response.status_code == 200, response.text
    data = response.json()
    assert "scheduledNextTermInstructions" not in data
    assert (data["termDuration"], data["quantity"]) == ("P1Y", 12)
    assert kinds(session, sub)[-3:] == ["changeBillingPlan", "convert", "addQuantity"]
    assert last_event(session, sub, "addQuantity").term_number == 2
    session.refresh(sub)
    assert sub.update_count == 2  # the schedule, then one update for both


@pytest.mark.parametrize(
    ("setup", "changes", "status", "code"),
    [
        ({"status": "suspended"}, {"termDuration": "P3Y"}, 400, 800091),
        ({}, {"termDuration": "P3Y", "status": "suspended"}, 400, 800097),
        ({"update_count": 1200}, {"termDuration": "P3Y"}, 400, 900311),
        ({}, {"termDuration": "P3Y", "attributes": {"etag": "999"}}, 400, 2055),
    ],
    ids=["suspended", "with a status change", "update ceiling", "stale etag"],
)
def test_refusals(
    client: TestClient,
    session: Session,
    sc: Scene,
    setup: dict[str, Any],
    changes: dict[str, Any],
    status: int,
    code: int,
) -> None:
    sub = subscription(
        session, sc.direct_customer, sc.direct, sc.offer, status=setup.get("status", "active")
    )
    sub.update_count = setup.get("update_count", 0)
    session.flush()
    response = patch(client, sc.direct, sub, **changes)
    assert (response.status_code, response.json()["code"]) == (status, code)
    session.refresh(sub)
    assert sub.term_number == 1


def test_no_price_for_the_new_term_changes_nothing(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, term=P1M, unit_price="12")
    session.execute(
        delete(PriceRow).where(
            PriceRow.product_id == sc.offer.product.id,
            PriceRow.term_duration == "P1Y",
            PriceRow.billing_plan == "annual",
        )
    )
    response = patch(client, sc.direct, sub, termDuration="P1Y", billingCycle="annual")
    assert (response.status_code, response.json()["code"]) == (404, "PriceNotFound")
    session.refresh(sub)
    assert (sub.term_number, kinds(session, sub)) == (1, ["new"])


def test_the_reseller_of_record_cannot_change_the_term(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    body = read(client, sc.provider, sub) | {"termDuration": "P3Y"}
    response = client.patch(url(sub), json=body, headers=sc.reseller.headers)
    assert response.status_code == 403


# --- a billing-cycle change at the next cycle ----------------------------------------------------


@contextmanager
def _unit(session: Session, actor: Actor) -> Iterator[tuple[Session, Actor]]:
    with session.begin_nested():
        yield session, actor


def run_renewals(session: Session, at: datetime) -> str:
    actor = system(session)
    units: Units = lambda: _unit(session, actor)  # noqa: E731 - the job's unit factory
    with clock.frozen(at):
        return renewals.run_renewals(units)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def triennial_monthly(session: Session, sc: Scene) -> Subscription:
    """P3Y billed monthly from 2026-10-05: this cycle 11-05..12-04, the next from 12-05."""
    return subscription(
        session,
        sc.direct_customer,
        sc.direct,
        sc.offer,
        term=P3Y,
        plan=MONTHLY,
        start=date(2026, 10, 5),
        unit_price="324",
    )


def test_the_job_applies_it_once_on_the_first_day_of_the_next_cycle(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = triennial_monthly(session, sc)
    data = patch(client, sc.direct, sub, billingCycle="annual").json()
    assert data["billingCycle"] == "monthly"
    assert data["nextChargeInstructions"] == {
        "product": {
            "productId": sc.offer.product.id,
            "skuId": sc.offer.sku.id,
            "availabilityId": sc.offer.availability.id,
            "billingCycle": "annual",
            "termDuration": "P3Y",
        },
        "quantity": 10,
        "effectiveDate": "2026-12-05T00:00:00Z",
    }
    assert kinds(session, sub)[-1] == "schedule"
    cycle = midnight(date(2026, 12, 5))
    # before: the last instant of the current cycle
    assert run_renewals(session, cycle - timedelta(microseconds=1)) == "nothing due"
    session.refresh(sub)
    assert sub.billing_plan == "monthly"
    # at: 00:00 UTC of the cycle's first day (the job runs later that day)
    assert run_renewals(session, cycle + timedelta(hours=3)) == "billing cycle changed 1"
    session.refresh(sub)
    assert (sub.billing_plan, sub.next_billing_plan, sub.next_billing_plan_from) == (
        "annual",
        None,
        None,
    )
    event = last_event(session, sub, "changeBillingPlan")
    assert (event.at, event.billing_plan, event.details["previousBillingCycle"]) == (
        cycle,
        "annual",
        "monthly",
    )
    # after: a re-run changes nothing
    assert run_renewals(session, cycle + timedelta(days=1)) == "nothing due"
    assert kinds(session, sub).count("changeBillingPlan") == 1
    assert (sub.term_number, sub.term_end) == (1, date(2029, 10, 4))


@pytest.mark.parametrize(
    "cancel",
    [
        {"billingCycle": "monthly", "nextChargeInstructions": "omit"},
        {"nextChargeInstructions": None},
        {"nextChargeInstructions": {"product": {"billingCycle": "monthly"}}},
    ],
    ids=["billingCycle back", "instructions null", "instructions back"],
)
def test_a_patch_back_to_the_current_plan_removes_it(
    client: TestClient, session: Session, sc: Scene, cancel: dict[str, Any]
) -> None:
    sub = triennial_monthly(session, sc)
    assert patch(client, sc.direct, sub, billingCycle="annual").status_code == 200
    # the resource sent back as read changes nothing
    echoed = patch(client, sc.direct, sub)
    assert echoed.json()["nextChargeInstructions"]["product"]["billingCycle"] == "annual"
    body = read(client, sc.direct, sub) | cancel
    if body.get("nextChargeInstructions") == "omit":
        del body["nextChargeInstructions"]
    response = client.patch(url(sub), json=body, headers=sc.direct.headers)
    assert response.status_code == 200, response.text
    assert "nextChargeInstructions" not in response.json()
    session.refresh(sub)
    assert (sub.billing_plan, sub.next_billing_plan) == ("monthly", None)
    assert run_renewals(session, midnight(date(2026, 12, 5))) == "nothing due"


def test_no_next_cycle_in_the_last_one(client: TestClient, session: Session, sc: Scene) -> None:
    """P3Y billed annually from 2024-01-10: today is in its last cycle (2026-01-10..
    2027-01-09); the change waits for the renewal's scheduled instructions."""
    sub = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        sc.offer,
        term=P3Y,
        plan=ANNUAL,
        start=date(2024, 1, 10),
        unit_price="324",
    )
    response = patch(client, sc.direct, sub, billingCycle="monthly")
    assert (response.status_code, response.json()["code"]) == (400, 800097)


def test_an_annual_cycle_changes_at_the_next_anniversary(
    client: TestClient, session: Session, sc: Scene
) -> None:
    sub = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        sc.offer,
        term=P3Y,
        plan=ANNUAL,
        start=date(2025, 3, 1),
        unit_price="324",
    )
    data = patch(client, sc.direct, sub, billingCycle="monthly").json()
    assert data["nextChargeInstructions"]["effectiveDate"] == "2027-03-01T00:00:00Z"
