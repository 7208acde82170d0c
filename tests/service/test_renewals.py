"""The ``renewals`` job on the clock (rules.md §9d–9g): at 00:00 UTC of the day after the
inclusive term end a subscription renews at the then-current price list with its scheduled
changes, a trial converts, auto-renew off expires, suspended disables — once per term,
however often or however interrupted the job runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan
from opencsp.core import clock
from opencsp.pricing.models import PriceList
from opencsp.pricing.rules import ListStatus
from opencsp.subscriptions import changes, events, renewals, scheduling, terms
from opencsp.subscriptions.lifecycle import Units
from opencsp.subscriptions.models import SeatBatch, Subscription, SubscriptionEvent
from tests.factories import system
from tests.factories.catalog import Offer, Row, add_prices, offer, price_list
from tests.factories.commerce import (
    MARKET,
    NCE_PRICES,
    P1M,
    P1Y,
    P3Y,
    Scene,
    nce_rows,
    scene,
    subscription,
)
from tests.factories.jobs import units

ONE_US = timedelta(microseconds=1)


def run_at(
    session: Session, at: datetime, job: Callable[[Units], str] = renewals.run_renewals
) -> str:
    with clock.frozen(at):
        return job(units(session, system(session)))


def history(session: Session, sub: Subscription) -> list[tuple[str, int, int, Decimal]]:
    rows = session.scalars(
        select(SubscriptionEvent)
        .where(SubscriptionEvent.subscription_id == sub.id)
        .order_by(SubscriptionEvent.sequence)
    ).all()
    return [(e.kind, e.term_number, e.quantity_after, e.unit_price) for e in rows]


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.fixture()
def s(session: Session) -> Scene:
    return scene(session)


@pytest.mark.parametrize(
    ("term", "start", "end", "new_end"),
    [
        # monthly: 2026-10-21 ends 11-20, renews 11-21 to 12-20
        (P1M, date(2026, 10, 21), date(2026, 11, 20), date(2026, 12, 20)),
        # month-end start, anchored on the 31st: ends 11-29 (Nov has 30), renews 11-30
        # and, still anchored on the 31st, ends 12-30
        (P1M, date(2026, 10, 31), date(2026, 11, 29), date(2026, 12, 30)),
        (P1Y, date(2025, 11, 21), date(2026, 11, 20), date(2027, 11, 20)),
        (P3Y, date(2023, 11, 21), date(2026, 11, 20), date(2029, 11, 20)),
    ],
)
def test_renews_at_00_00_utc_of_the_day_after_the_term_end(session, s, term, start, end, new_end):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, term=term, start=start)
    assert sub.term_end == end
    last_instant = midnight(end) + timedelta(days=1) - ONE_US
    # the whole end day is still the first term
    assert run_at(session, midnight(end)) == "nothing due"
    assert run_at(session, last_instant) == "nothing due"
    assert sub.term_number == 1
    # 00:00 the next day it renews
    renewal = midnight(end + timedelta(days=1))
    assert renewal == terms.renewal_instant(end)
    assert run_at(session, renewal + timedelta(minutes=7)) == "renewed 1"
    session.refresh(sub)
    assert (sub.term_number, sub.term_start, sub.term_end) == (2, end + timedelta(days=1), new_end)
    assert sub.status == "active" and sub.scheduled_next_term is None
    assert sub.unit_price == Decimal(NCE_PRICES[(term, BillingPlan.MONTHLY)])
    assert sub.price_list_id == s.prices.id
    # the new cancellation window runs from when the renewal completed (rules.md §9d)
    assert sub.cancellable_until == renewal + timedelta(minutes=7) + timedelta(days=7)
    renew_event = history(session, sub)[-1]
    assert renew_event[:3] == ("renew", 2, 10)
    at = session.scalar(
        select(SubscriptionEvent.at).where(SubscriptionEvent.idempotency_key == f"renew:{sub.id}:2")
    )
    assert at == renewal
    batches = session.scalars(
        select(SeatBatch).where(SeatBatch.subscription_id == sub.id).order_by(SeatBatch.id)
    ).all()
    assert [(b.term_number, b.added) for b in batches] == [(1, 10), (2, 10)]
    assert batches[-1].allowed_until == sub.cancellable_until
    audited = session.scalars(
        select(AuditRecord.operation_type).where(AuditRecord.resource_id == str(sub.id))
    ).all()
    assert audited == ["subscription.renew"]


def test_renewal_uses_the_new_months_price_while_the_old_term_kept_its_locked_price(session, s):
    december = price_list(
        session,
        MARKET,
        date(2026, 12, 1),
        nce_rows(s.offer, {**NCE_PRICES, (P1Y, BillingPlan.MONTHLY): "132"}),
    )
    assert december.status == ListStatus.PREVIEW.value
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, start=date(2025, 12, 21), unit_price="100"
    )
    # in November the December list is only a preview: nothing renews before 12-21
    assert run_at(session, datetime(2026, 12, 20, 23, 59, tzinfo=UTC)) == "nothing due"
    assert run_at(session, datetime(2026, 12, 21, tzinfo=UTC)) == "renewed 1"
    session.refresh(sub)
    assert sub.unit_price == Decimal("132") and sub.price_list_id == december.id
    assert history(session, sub) == [
        ("new", 1, 10, Decimal("100")),  # the first term keeps the price locked at purchase
        ("renew", 2, 10, Decimal("132")),
    ]


def test_scheduled_next_term_instructions_are_applied_and_cleared(session, s):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
    sub.scheduled_next_term = scheduling.to_json(
        changes.ScheduledInstructions(quantity=15, term=P3Y, plan=BillingPlan.ANNUAL)
    )
    session.flush()
    assert run_at(session, datetime(2026, 11, 21, tzinfo=UTC)) == "renewed 1"
    session.refresh(sub)
    assert (sub.quantity, sub.term_duration, sub.billing_plan) == (15, "P3Y", "annual")
    assert (sub.term_start, sub.term_end) == (date(2026, 11, 21), date(2029, 11, 20))
    assert sub.unit_price == Decimal("324")
    assert sub.scheduled_next_term is None
    event = session.scalar(
        select(SubscriptionEvent).where(SubscriptionEvent.idempotency_key == f"renew:{sub.id}:2")
    )
    assert event is not None
    assert (event.quantity_before, event.quantity_after, event.term_duration) == (10, 15, "P3Y")


def price_monthly(session: Session, listing: PriceList, item: Offer, price: str) -> None:
    """Price ``item`` (P1Y billed monthly) in an existing list."""
    add_prices(session, listing, [Row(item, price, billing_plan=BillingPlan.MONTHLY)])


def test_a_scheduled_upgrade_renews_into_the_other_offer(session, s):
    higher = offer(session, title="Nimbus 365 Business Premium")
    price_monthly(session, s.prices, higher, "230")
    sub = subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
    sub.scheduled_next_term = scheduling.to_json(
        changes.ScheduledInstructions(catalog_item_id=higher.catalog_item_id)
    )
    session.flush()
    assert run_at(session, datetime(2026, 11, 21, tzinfo=UTC)) == "renewed 1"
    session.refresh(sub)
    assert (sub.product_id, sub.sku_id, sub.availability_id) == (
        higher.product.id,
        higher.sku.id,
        higher.availability.id,
    )
    assert (sub.unit_price, sub.term_duration, sub.quantity) == (Decimal("230"), "P1Y", 10)


def test_auto_renew_off_expires_at_the_renewal_instant(session, s):
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21), auto_renew=False
    )
    sub.scheduled_next_term = {"quantity": 3}
    session.flush()
    assert run_at(session, datetime(2026, 11, 20, 23, 59, tzinfo=UTC)) == "nothing due"
    assert run_at(session, datetime(2026, 11, 21, 3, tzinfo=UTC)) == "expired 1"
    session.refresh(sub)
    assert (sub.status, sub.term_number, sub.scheduled_next_term) == ("expired", 1, None)
    assert sub.status_changed_at == datetime(2026, 11, 21, tzinfo=UTC)
    assert history(session, sub)[-1] == ("expire", 1, 10, Decimal("120"))
    assert run_at(session, datetime(2026, 11, 22, tzinfo=UTC)) == "nothing due"


def test_suspended_at_term_end_becomes_disabled(session, s):
    sub = subscription(
        session,
        s.direct_customer,
        s.direct,
        s.offer,
        start=date(2025, 11, 21),
        status="suspended",
        auto_renew=False,
    )
    assert run_at(session, datetime(2026, 11, 21, tzinfo=UTC)) == "disabled 1"
    session.refresh(sub)
    assert sub.status == "disabled"
    assert sub.status_changed_at == datetime(2026, 11, 21, tzinfo=UTC)
    assert history(session, sub)[-1][:2] == ("disable", 1)


def trial(session: Session, s: Scene, *, auto_renew: bool = True) -> Subscription:
    trial_offer = offer(
        session,
        product_row=s.offer.product,
        sku_id="0002",
        is_trial=True,
        upgrades=[(s.offer.product.id, s.offer.sku.id)],
    )
    sub = subscription(
        session,
        s.direct_customer,
        s.direct,
        trial_offer,
        quantity=changes.TRIAL_SEATS,
        term=P1M,
        plan=BillingPlan.NONE,
        start=date(2026, 10, 23),
        unit_price="0",
        is_trial=True,
        auto_renew=auto_renew,
    )
    sub.term_end = changes.trial_end(sub.term_start)  # 30 days: 10-23 .. 11-21
    session.flush()
    return sub


def test_a_trial_converts_to_annual_billed_monthly_after_30_days(session, s):
    sub = trial(session, s)
    assert sub.term_end == date(2026, 11, 21)
    assert run_at(session, datetime(2026, 11, 21, 23, 59, tzinfo=UTC)) == "nothing due"
    assert run_at(session, datetime(2026, 11, 22, tzinfo=UTC)) == "converted 1"
    session.refresh(sub)
    assert not sub.is_trial
    assert (sub.product_id, sub.sku_id, sub.availability_id) == (
        s.offer.product.id,
        s.offer.sku.id,
        s.offer.availability.id,
    )
    assert (sub.term_duration, sub.billing_plan, sub.quantity) == ("P1Y", "monthly", 25)
    assert (sub.term_start, sub.term_end) == (date(2026, 11, 22), date(2027, 11, 21))
    assert sub.unit_price == Decimal("120")
    assert history(session, sub)[-1] == ("convert", 2, 25, Decimal("120"))


def test_a_trial_scheduled_on_its_own_item_converts_to_its_paid_target(session, s):
    """Scheduled instructions name the trial's own item (the API fills it in): the
    conversion still goes to the paid target, with the scheduled seats (rules.md §9g)."""
    sub = trial(session, s)
    own = f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}"
    sub.scheduled_next_term = {"catalogItemId": own, "quantity": 10}
    session.flush()
    assert run_at(session, datetime(2026, 11, 22, tzinfo=UTC)) == "converted 1"
    session.refresh(sub)
    assert (sub.sku_id, sub.is_trial, sub.quantity) == (s.offer.sku.id, False, 10)


def test_a_trial_with_auto_renew_off_expires(session, s):
    sub = trial(session, s, auto_renew=False)
    assert run_at(session, datetime(2026, 11, 22, tzinfo=UTC)) == "expired 1"
    session.refresh(sub)
    assert (sub.status, sub.is_trial) == ("expired", True)


def test_without_a_price_the_subscription_waits_and_renews_once_priced(session, s, caplog):
    unpriced = offer(session, title="Nimbus Unpriced")
    sub = subscription(session, s.direct_customer, s.direct, unpriced, start=date(2025, 11, 21))
    assert run_at(session, datetime(2026, 11, 21, tzinfo=UTC)) == "unpriced 1"
    assert "No price for" in caplog.text
    session.refresh(sub)
    assert (sub.status, sub.term_number, sub.term_end) == ("active", 1, date(2026, 11, 20))
    assert history(session, sub) == [("new", 1, 10, Decimal("120"))]
    price_monthly(session, s.prices, unpriced, "140")
    # the renewal, late, still takes effect and is priced at the renewal instant
    assert run_at(session, datetime(2026, 11, 23, tzinfo=UTC)) == "renewed 1"
    session.refresh(sub)
    assert (sub.term_number, sub.term_start, sub.unit_price) == (
        2,
        date(2026, 11, 21),
        Decimal("140"),
    )


def test_a_month_end_subscription_several_terms_behind_catches_up_term_by_term(session, s):
    """Anchored on the 31st: 08-31..09-29, 09-30..10-30, 10-31..11-29, 11-30..12-30."""
    price_list(
        session, MARKET, date(2026, 8, 1), nce_rows(s.offer, {(P1M, BillingPlan.MONTHLY): "11"})
    )
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, term=P1M, start=date(2026, 8, 31)
    )
    assert sub.term_end == date(2026, 9, 29)
    assert run_at(session, datetime(2026, 11, 30, 1, tzinfo=UTC)) == "renewed 3"
    session.refresh(sub)
    assert (sub.term_number, sub.term_start, sub.term_end) == (
        4,
        date(2026, 11, 30),
        date(2026, 12, 30),
    )
    ends = session.execute(
        select(
            SubscriptionEvent.term_start, SubscriptionEvent.term_end, SubscriptionEvent.unit_price
        )
        .where(SubscriptionEvent.subscription_id == sub.id, SubscriptionEvent.kind == "renew")
        .order_by(SubscriptionEvent.sequence)
    ).all()
    assert ends == [
        (date(2026, 9, 30), date(2026, 10, 30), Decimal("11")),  # August's list still applies
        (date(2026, 10, 31), date(2026, 11, 29), Decimal("11")),
        (date(2026, 11, 30), date(2026, 12, 30), Decimal("12")),  # November's list
    ]


def test_running_twice_renews_once(session, s):
    subs = [
        subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
        for _ in range(3)
    ]
    at = datetime(2026, 11, 21, 0, 15, tzinfo=UTC)
    assert run_at(session, at) == "renewed 3"
    assert run_at(session, at) == "nothing due"
    for sub in subs:
        assert [k for k, *_ in history(session, sub)] == ["new", "renew"]


def test_work_already_recorded_elsewhere_is_rolled_back_not_repeated(session, s):
    """A concurrent worker that renewed first left its event: this run changes nothing."""
    sub = subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
    events.record(
        session,
        sub,
        events.EventKind.RENEW,
        at=datetime(2026, 11, 21, tzinfo=UTC),
        actor_id=None,
        quantity_before=10,
        idempotency_key=f"renew:{sub.id}:2",
    )
    assert run_at(session, datetime(2026, 11, 21, tzinfo=UTC)) == "already done 1"
    session.refresh(sub)
    assert (sub.term_number, sub.term_end) == (1, date(2026, 11, 20))
    assert session.scalar(select(SeatBatch.id).where(SeatBatch.term_number == 2)) is None


def test_a_crash_midway_then_a_rerun_gives_the_result_of_one_clean_run(
    session, s, configure, monkeypatch
):
    configure(job_batch_size=1)
    subs = [
        subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
        for _ in range(3)
    ]
    real = renewals.renew
    calls: list[int] = []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(renewals, "renew", crash_on_second)
    at = datetime(2026, 11, 21, 0, 15, tzinfo=UTC)
    with pytest.raises(RuntimeError, match="killed"):
        run_at(session, at)
    renewed = [sub for sub in subs if (session.refresh(sub), sub.term_number)[1] == 2]
    assert len(renewed) == 1  # the first batch was committed, the second rolled back
    monkeypatch.setattr(renewals, "renew", real)
    assert run_at(session, at) == "renewed 2"
    assert run_at(session, at) == "nothing due"
    for sub in subs:
        session.refresh(sub)
        assert (sub.term_number, sub.term_end, sub.unit_price) == (
            2,
            date(2027, 11, 20),
            Decimal("120"),
        )
        assert [k for k, *_ in history(session, sub)] == ["new", "renew"]
        assert session.scalars(
            select(SeatBatch.term_number).where(SeatBatch.subscription_id == sub.id)
        ).all() == [1, 2]
