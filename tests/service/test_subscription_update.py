"""Updating a subscription (rules.md §9c–9g): statuses through the lifecycle table, seats,
auto-renew, names and scheduled next-term instructions; every documented refusal by code;
optimistic concurrency (2055); who may change it; and what each change writes (history
event, provisioning message, audit record)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.core import outbox
from opencsp.core.actor import Tier
from opencsp.core.errors import DomainError
from opencsp.subscriptions import queries, service
from opencsp.subscriptions.changes import ScheduledInstructions
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status
from opencsp.subscriptions.service import SubscriptionChange
from tests.factories.catalog import offer
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.parties import partner


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def sub(session: Session, sc: Scene) -> Subscription:
    return subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=10)


def apply(session: Session, sc: Scene, sub: Subscription, change: SubscriptionChange) -> None:
    service.update(session, sc.direct.actor, sub.customer_id, sub.id, change, if_match=None)


def refused(
    session: Session, sc: Scene, sub: Subscription, change: SubscriptionChange
) -> int | str:
    with pytest.raises(DomainError) as exc:
        apply(session, sc, sub, change)
    return exc.value.code


def kinds(session: Session, sc: Scene, sub: Subscription) -> list[str]:
    return [e.kind for e in queries.timeline(session, sc.direct.actor, sub.customer_id, sub.id)]


def test_suspend_turns_auto_renew_off_and_clears_scheduled_changes(
    session: Session, sc: Scene, sub: Subscription
) -> None:
    service.schedule_next_term(
        session, sc.direct.actor, sub.customer_id, sub.id, ScheduledInstructions(quantity=12)
    )
    assert sub.scheduled_next_term == {"catalogItemId": sc.offer.catalog_item_id, "quantity": 12}
    service.suspend(session, sc.direct.actor, sub.customer_id, sub.id)
    assert (sub.status, sub.auto_renew, sub.scheduled_next_term) == ("suspended", False, None)
    service.reactivate(session, sc.direct.actor, sub.customer_id, sub.id)
    assert (sub.status, sub.auto_renew) == ("active", False)  # the partner turns it back on
    assert kinds(session, sc, sub) == ["new", "schedule", "suspend", "reactivate"]


@pytest.mark.parametrize(
    ("status", "change", "code"),
    [
        ("suspended", SubscriptionChange(quantity=11), 800091),
        ("suspended", SubscriptionChange(auto_renew=False, status=None), None),
        ("active", SubscriptionChange(status=Status.SUSPENDED, quantity=11), 2001),
        ("active", SubscriptionChange(status=Status.EXPIRED), 800096),
        ("active", SubscriptionChange(status=Status.PENDING), 800096),
        ("expired", SubscriptionChange(status=Status.ACTIVE), "InvalidSubscriptionTransition"),
        ("expired", SubscriptionChange(quantity=11), 800012),
        ("disabled", SubscriptionChange(auto_renew=True), 800012),
        ("deleted", SubscriptionChange(friendly_name="x"), 2011),
        ("pending", SubscriptionChange(quantity=11), 800081),
    ],
)
def test_what_each_state_refuses(
    session: Session, sc: Scene, status: str, change: SubscriptionChange, code: int | None
) -> None:
    sub = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        sc.offer,
        status=status,
        auto_renew=status == "active",
    )
    if code is None:
        apply(session, sc, sub, change)  # auto-renew already off: nothing to change
        assert sub.update_count == 0
    else:
        assert refused(session, sc, sub, change) == code


@pytest.mark.parametrize(("quantity", "code"), [(0, 2002), (1, None), (300, None), (301, 2002)])
def test_seat_range(
    session: Session, sc: Scene, sub: Subscription, quantity: int, code: int | None
) -> None:
    if code is None:
        apply(session, sc, sub, SubscriptionChange(quantity=quantity))
        assert sub.quantity == quantity
    else:
        assert refused(session, sc, sub, SubscriptionChange(quantity=quantity)) == code


def test_trials_keep_their_quantity_and_status(session: Session, sc: Scene) -> None:
    trial = subscription(session, sc.direct_customer, sc.direct, sc.offer, is_trial=True)
    assert refused(session, sc, trial, SubscriptionChange(quantity=30)) == 800095
    assert refused(session, sc, trial, SubscriptionChange(status=Status.SUSPENDED)) == 800096


def test_software_subscriptions_take_no_seat_reductions(session: Session, sc: Scene) -> None:
    software = offer(session, product_type=ProductType.SOFTWARE_SUBSCRIPTIONS)
    sub = subscription(session, sc.direct_customer, sc.direct, software, quantity=5)
    assert refused(session, sc, sub, SubscriptionChange(quantity=4)) == 800090
    apply(session, sc, sub, SubscriptionChange(quantity=6))
    assert sub.quantity == 6


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (SubscriptionChange(partner_id="1234567"), 800098),
        (SubscriptionChange(partner_id=""), None),
        (SubscriptionChange(billing_cycle=BillingPlan.ANNUAL), 800097),
        (SubscriptionChange(term_duration=TermDuration.P1M), 800122),
        # an allowed midterm term change (P1Y → P3Y) is made: tests/api/test_term_changes.py
        (SubscriptionChange(billing_cycle=BillingPlan.TRIENNIAL), 900270),
    ],
)
def test_fields_this_update_does_not_change(
    session: Session, sc: Scene, sub: Subscription, change: SubscriptionChange, code: int | None
) -> None:
    if code is None:
        apply(session, sc, sub, change)
        assert sub.update_count == 0
    else:
        assert refused(session, sc, sub, change) == code


@pytest.mark.parametrize(
    ("instructions", "auto_renew", "code"),
    [
        (ScheduledInstructions(quantity=20, term=TermDuration.P1M), True, None),
        (ScheduledInstructions(quantity=20), False, "ScheduledChangesNotAllowed"),
        (ScheduledInstructions(quantity=301), True, 2002),
        (ScheduledInstructions(term=TermDuration.P1M, plan=BillingPlan.ANNUAL), True, 900270),
        (ScheduledInstructions(custom_end=date(2028, 1, 15)), True, 900246),
        (ScheduledInstructions(custom_end=date(2030, 1, 31)), True, 900245),
    ],
)
def test_scheduled_next_term(
    session: Session,
    sc: Scene,
    instructions: ScheduledInstructions,
    auto_renew: bool,
    code: int | str | None,
) -> None:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, auto_renew=auto_renew)
    change = SubscriptionChange(scheduled_next_term=instructions)
    if code is None:
        apply(session, sc, sub, change)
        assert sub.scheduled_next_term == {
            "catalogItemId": sc.offer.catalog_item_id,
            "quantity": 20,
            "termDuration": "P1M",
        }
        apply(session, sc, sub, SubscriptionChange(quantity=11))  # clears them (§9f)
        assert sub.scheduled_next_term is None
    else:
        assert refused(session, sc, sub, change) == code


def test_scheduled_calendar_aligned_end(session: Session, sc: Scene, sub: Subscription) -> None:
    """Renewing 2027-11-21 on P1Y, the next term may end on 2028-10-31 (§9f)."""
    instructions = ScheduledInstructions(custom_end=date(2028, 10, 31))
    apply(session, sc, sub, SubscriptionChange(scheduled_next_term=instructions))
    assert sub.scheduled_next_term == {
        "catalogItemId": sc.offer.catalog_item_id,
        "customTermEndDate": "2028-10-31",
    }


def test_scheduled_upgrade_needs_a_catalog_upgrade_target(
    session: Session, sc: Scene, sub: Subscription
) -> None:
    change = SubscriptionChange(
        scheduled_next_term=ScheduledInstructions(catalog_item_id=sc.addon.catalog_item_id)
    )
    assert refused(session, sc, sub, change) == "UpgradeNotSupported"


def test_a_stale_version_is_2055(session: Session, sc: Scene, sub: Subscription) -> None:
    with pytest.raises(DomainError) as exc:
        service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "x", if_match=2)
    assert exc.value.code == 2055
    service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "x", if_match=1)
    assert sub.version > 1  # the ETag moved on: the version read before is stale now
    with pytest.raises(DomainError) as exc:
        service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "y", if_match=1)
    assert exc.value.code == 2055


def test_a_lost_race_is_2055(session: Session, sc: Scene, sub: Subscription) -> None:
    """Another transaction updated the row after this one read it: the UPDATE names a
    version that is gone (StaleDataError), which answers 2055."""
    service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "first")
    session.execute(
        update(Subscription)
        .where(Subscription.id == sub.id)
        .values(version=Subscription.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(DomainError) as exc:
        service.rename(session, sc.direct.actor, sub.customer_id, sub.id, "second")
    assert exc.value.code == 2055


def test_each_change_writes_its_event_provisioning_and_audit(
    session: Session, sc: Scene, sub: Subscription
) -> None:
    apply(
        session,
        sc,
        sub,
        SubscriptionChange(quantity=12, friendly_name="Sales", auto_renew=False),
    )
    assert kinds(session, sc, sub) == ["new", "addQuantity", "autoRenew", "rename"]
    assert sub.update_count == 1
    keys = [
        m.payload["event"]
        for m in session.scalars(
            select(outbox.OutboxMessage).where(outbox.OutboxMessage.key.startswith(str(sub.id)))
        )
    ]
    assert keys == ["new", "addQuantity"]  # renames and auto-renew are not provisioned
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.resource_id == str(sub.id))
    ).one()
    assert record.operation_type == "update_subscription"
    assert record.partner_id == sc.direct.org.id


def test_nothing_to_change_changes_nothing(session: Session, sc: Scene, sub: Subscription) -> None:
    apply(session, sc, sub, SubscriptionChange(quantity=10, status=Status.ACTIVE))
    assert (sub.update_count, sub.version) == (0, 1)
    assert kinds(session, sc, sub) == ["new"]


def test_the_reseller_of_record_reads_but_does_not_change(session: Session, sc: Scene) -> None:
    sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    assert queries.get(session, sc.reseller.actor, sub.customer_id, sub.id) is sub
    with pytest.raises(DomainError) as exc:
        service.rename(session, sc.reseller.actor, sub.customer_id, sub.id, "x")
    assert (exc.value.status, exc.value.code) == (403, 900150)
    service.rename(session, sc.provider.actor, sub.customer_id, sub.id, "x")


def test_another_partner_gets_404(session: Session, sc: Scene, sub: Subscription) -> None:
    other = partner(session, Tier.DIRECT_BILL)
    for call in (
        lambda: queries.get(session, other.actor, sub.customer_id, sub.id),
        lambda: service.rename(session, other.actor, sub.customer_id, sub.id, "x"),
    ):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.status == 404


@pytest.mark.parametrize(
    ("new_quantity", "refused_with"),
    [
        (99, None),  # 200 + 99 = 299 of the pooled 300
        (100, None),  # exactly 300
        (101, 50),  # 301: 800088, 50 of the 51 asked for remain
    ],
)
def test_a_seat_increase_stays_within_the_pool_over_every_partner(
    session: Session, sc: Scene, new_quantity: int, refused_with: int | None
) -> None:
    """A small-business offer's maximum (300 here) is pooled over every partner's
    subscriptions on the customer (rules.md §9i), increases included."""
    other = partner(session, Tier.DIRECT_BILL)  # another channel on the same customer
    subscription(session, sc.direct_customer, other, sc.offer, quantity=200)
    mine = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=50)
    change = SubscriptionChange(quantity=new_quantity)
    if refused_with is None:
        apply(session, sc, mine, change)
        assert mine.quantity == new_quantity
        return
    with pytest.raises(DomainError) as exc:
        apply(session, sc, mine, change)
    assert (exc.value.code, exc.value.data) == (800088, [{"availableQuantity": refused_with}])
    assert mine.quantity == 50
