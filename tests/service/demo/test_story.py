"""The demo's story is consistent in time and has every featured element
(``demo.program``, ``demo.commerce_featured``): no order precedes its customer, the
approval of its partner or reseller of record, their partnership or the agreements it
relied on; trials convert to paid (one with fewer seats, as scheduled) or expire when
auto-renew was turned off, one runs today; full and partial upgrades; scheduled next-term
changes applied by the renewals job; an immediate term change; perpetual software by
every kind of partner, one cancelled for a full refund; the console shows a trial and an
upgraded subscription."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from opencsp.agreements.models import CustomerAgreement, PartnerAgreementSignature
from opencsp.auth import queries as auth_queries
from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.customers.models import Customer
from opencsp.demo import commerce_featured, commerce_plan, program
from opencsp.orders.models import Order, OrderLine
from opencsp.partners.models import Enrollment, Partnership
from opencsp.program.models import TierTransition
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent, Transition
from tests.factories.console_pricing import HTML, csrf_of
from tests.service.demo.conftest import NOW, Demo

utc = clock.ensure_aware_utc


def test_no_order_precedes_what_it_relied_on(demo: Demo):
    s = demo.session
    seller_enrollment = aliased(Enrollment)
    reseller_enrollment = aliased(Enrollment)
    accepted = (
        select(
            CustomerAgreement.customer_id,
            func.min(CustomerAgreement.created_at).label("created"),
            func.min(CustomerAgreement.date_agreed).label("agreed"),
        )
        .group_by(CustomerAgreement.customer_id)
        .subquery()
    )
    rows = s.execute(
        select(
            Order.created_at,
            Customer.created_at,
            Organization.created_at,
            seller_enrollment.decided_at,
            PartnerAgreementSignature.signed_at,
            accepted.c.created,
            accepted.c.agreed,
            reseller_enrollment.decided_at,
            Partnership.accepted_at,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .join(Organization, Organization.id == Order.organization_id)
        .join(seller_enrollment, seller_enrollment.organization_id == Order.organization_id)
        .join(
            PartnerAgreementSignature,
            PartnerAgreementSignature.organization_id == Order.organization_id,
        )
        .join(accepted, accepted.c.customer_id == Order.customer_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .outerjoin(
            reseller_enrollment,
            reseller_enrollment.organization_id == OrderLine.reseller_organization_id,
        )
        .outerjoin(
            Partnership,
            (Partnership.provider_id == Order.organization_id)
            & (Partnership.reseller_id == OrderLine.reseller_organization_id),
        )
    ).all()
    assert len(rows) >= 100
    with_reseller = 0
    for ordered, *before in rows:
        reseller_approved, partnership = before[-2:]
        if reseller_approved is not None:
            with_reseller += 1
            assert partnership is not None
        for instant in before:
            assert instant is None or utc(instant) < utc(ordered), (ordered, before)
    assert with_reseller >= 20
    # every party, partnership and agreement is dated between the opening and month one
    opening = program.opening(NOW)
    # but for the partnership a transition to indirect reseller made this month
    # (demo.governance)
    made_by_transition = Partnership.reseller_id.in_(select(TierTransition.organization_id))
    first_month = commerce_plan.months(NOW.date())[0]
    dated = [
        *s.scalars(select(Customer.created_at)),
        *s.scalars(select(CustomerAgreement.created_at)),
        *s.scalars(select(Enrollment.decided_at).where(Enrollment.decided_at.is_not(None))),
        *s.scalars(select(Partnership.accepted_at).where(~made_by_transition)),
        *s.scalars(select(PartnerAgreementSignature.signed_at)),
    ]
    late = [at for at in dated if not (opening <= utc(at) and utc(at).date() < first_month)]
    assert late == []
    submitted = s.scalars(select(Enrollment.submitted_at).where(Enrollment.state == "submitted"))
    assert [NOW - utc(at) for at in submitted] == [timedelta(days=3)]  # the applicant


def _trials(demo: Demo) -> dict[str, Subscription]:
    """The featured trials by product code: the subscriptions whose first event is a
    purchase billed ``none``."""
    rows = demo.session.execute(
        select(OrderLine.product_id, Subscription)
        .join(Subscription, Subscription.id == OrderLine.subscription_id)
        .where(OrderLine.sku_id == commerce_featured.TRIAL_SKU)
    ).all()
    return {product[-4:]: sub for product, sub in rows}


def _events(demo: Demo, sub: Subscription) -> list[SubscriptionEvent]:
    return list(
        demo.session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscription_id == sub.id)
            .order_by(SubscriptionEvent.sequence)
        )
    )


def test_trials_convert_to_paid_or_expire_and_one_runs_today(demo: Demo):
    trials = _trials(demo)
    assert set(trials) == {"BSTD", "BIPR", "CRMP", "ENE5"}
    for code, seats in (("BSTD", 25), ("BIPR", 10)):  # by itself / as scheduled
        sub = trials[code]
        new, *_, convert = [e for e in _events(demo, sub) if e.kind in ("new", "convert")]
        assert (new.billing_plan, new.quantity_after, new.unit_price) == ("none", 25, 0)
        assert new.term_end - new.term_start == timedelta(days=29)  # 30 days, inclusive
        assert convert.kind == EventKind.CONVERT.value
        assert convert.term_start == new.term_end + timedelta(days=1)
        assert (convert.term_duration, convert.billing_plan) == ("P1Y", "monthly")
        assert convert.quantity_after == seats and convert.unit_price > 0
        assert not sub.is_trial and sub.sku_id == "0001"
    off = trials["CRMP"]
    kinds = [e.kind for e in _events(demo, off)]
    assert kinds[:3] == ["new", "autoRenew", "expire"] and "convert" not in kinds
    assert off.status in ("expired", "disabled") and off.is_trial
    running = trials["ENE5"]
    assert running.is_trial and running.status == "active" and running.auto_renew
    assert running.term_start < NOW.date() <= running.term_end


def test_full_and_partial_upgrades(demo: Demo):
    s = demo.session
    rows = s.scalars(select(Transition)).all()
    full = [t for t in rows if t.to_subscription_id == t.from_subscription_id]
    partial = [t for t in rows if t.to_subscription_id != t.from_subscription_id]
    assert len(full) == 2 and len(partial) == 1
    for t in full:
        sub = s.get(Subscription, t.from_subscription_id)
        assert sub is not None
        assert f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}" == t.to_catalog_item_id
        assert sub.cancellable_until is None  # no cancellation window after an upgrade
    (t,) = partial
    source, copy = (
        s.get(Subscription, t.from_subscription_id),
        s.get(Subscription, t.to_subscription_id),
    )
    assert source is not None and copy is not None
    assert (source.quantity, copy.quantity) == (20, 10)
    assert copy.term_end == source.term_end  # coterminous
    assert copy.source_subscription_id == source.id


def test_scheduled_next_term_changes_are_applied_at_renewal(demo: Demo):
    s = demo.session
    scheduled = s.scalars(
        select(SubscriptionEvent).where(SubscriptionEvent.kind == EventKind.SCHEDULE.value)
    ).all()
    assert len(scheduled) == 4 == demo.loaded.commerce.scheduled_applied
    for event in scheduled:
        wanted = event.details["scheduledNextTermInstructions"]
        applied = s.scalars(
            select(SubscriptionEvent)
            .where(
                SubscriptionEvent.subscription_id == event.subscription_id,
                SubscriptionEvent.sequence > event.sequence,
                SubscriptionEvent.kind.in_(["renew", "convert"]),
            )
            .order_by(SubscriptionEvent.sequence)
            .limit(1)
        ).one()
        # a trial converts to an annual term unless told otherwise (rules.md §9g)
        term = "P1Y" if applied.kind == EventKind.CONVERT.value else event.term_duration
        assert applied.quantity_after == wanted.get("quantity", event.quantity_after)
        assert applied.term_duration == wanted.get("termDuration", term)
        if "billingCycle" in wanted:
            assert applied.billing_plan == wanted["billingCycle"]
    sub_ids = {e.subscription_id for e in scheduled}
    now_on = Counter(
        f"{sub.product_id[-4:]} {sub.term_duration} {sub.billing_plan}"
        for sub in s.scalars(select(Subscription).where(Subscription.id.in_(sub_ids)))
    )
    assert now_on == Counter(
        ["CRME P1Y monthly", "IDP1 P1M monthly", "ENF3 P1Y annual", "BIPR P1Y monthly"]
    )


def test_an_immediate_term_change_from_monthly_to_annual(demo: Demo):
    s = demo.session
    credit = s.scalars(
        select(SubscriptionEvent).where(
            SubscriptionEvent.kind == EventKind.CHANGE_BILLING_PLAN.value
        )
    ).one()
    events = _events(demo, s.get(Subscription, credit.subscription_id))
    after = events[events.index(credit) + 1]
    assert (credit.term_duration, after.kind) == ("P1M", EventKind.CONVERT.value)
    assert credit.refund is not None and 0 < credit.refund < credit.unit_price * 8
    assert (after.term_duration, after.billing_plan) == ("P1Y", "monthly")
    assert after.term_start == utc(after.at).date() and after.term_number == 2
    assert after.details["change"] == "termChange"
    assert [e.kind for e in events].count("renew") == 0  # no monthly renewal since


def test_perpetual_software_by_every_kind_of_partner_one_cancelled_and_the_summary(
    demo: Demo,
):
    rows = demo.session.execute(
        select(Organization.tier, Order.created_at, OrderLine)
        .join(Order, Order.organization_id == Organization.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.billing_plan == "one_time")
    ).all()
    assert {tier for tier, _, _ in rows} == {"direct_bill", "indirect_provider"}
    (cancelled,) = [(at, line) for _, at, line in rows if line.cancelled_at is not None]
    ordered, line = cancelled
    assert utc(line.cancelled_at) - utc(ordered) == timedelta(days=9)  # within 30 days
    assert line.refund == line.charge > 0  # a full refund
    assert all(line.refund is None for _, _, line in rows if line.cancelled_at is None)
    summary = demo.loaded.commerce
    assert summary.purchases["perpetual"] == len(rows) >= 5
    assert summary.purchases["trial"] == 4 and summary.trials_converted == 2
    assert (summary.changes["upgrade_full"], summary.changes["upgrade_partial"]) == (2, 1)
    assert (summary.changes["term_change"], summary.changes["cancel_purchase"]) == (1, 1)
    text = summary.describe()
    assert "4 trials (2 converted to paid)" in text and "0 steps refused" in text


def test_the_console_shows_a_trial_and_an_upgraded_subscription(
    demo: Demo, configure: Callable[..., None]
):
    from opencsp.web.app import create_app

    s = demo.session
    configure(test_clock=True)
    clock.set_test_clock(s, NOW)
    user = auth_queries.user_by_email(s, "admin@tailwind.example")
    assert user is not None
    with clock.frozen(NOW):
        auth_service.set_password(s, demo.system, user.id, "demo-console-1")
    s.flush()
    trial = _trials(demo)["ENE5"]
    upgraded = s.scalars(
        select(Subscription)
        .join(Transition, Transition.from_subscription_id == Subscription.id)
        .where(Subscription.organization_id == user.organization_id)
    ).one()
    with TestClient(create_app(bind=demo.connection), raise_server_exceptions=False) as client:
        login = client.get("/login", headers=HTML).text
        form = {"csrf_token": csrf_of(login), "email": user.email, "password": "demo-console-1"}
        assert (
            client.post("/login", data=form, headers=HTML, follow_redirects=False).status_code
            == 303
        )
        page = client.get(f"/customers/{trial.customer_id}/subscriptions/{trial.id}", headers=HTML)
        assert page.status_code == 200, page.text
        assert re.search(r'class="badge">Trial<', page.text)
        assert 'data-event="new"' in page.text
        page = client.get(
            f"/customers/{upgraded.customer_id}/subscriptions/{upgraded.id}", headers=HTML
        )
        assert page.status_code == 200, page.text
        assert 'data-event="upgrade"' in page.text and "Business Standard" in page.text
        assert 'data-window="closed"' in page.text
