"""The ``lifecycle`` job on the clock (rules.md §9e): expired for 30 days → disabled,
disabled for 90 days → deleted, each once per subscription and term, at 00:00 UTC of the
day it fell due whenever the job runs; and the whole road from auto-renew off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.jobs.registry import JOBS, execute
from opencsp.subscriptions import lifecycle, renewals
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.factories import system
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.jobs import units

ONE_US = timedelta(microseconds=1)


def run_at(session: Session, at: datetime, name: str = "lifecycle") -> str:
    with clock.frozen(at):
        return execute(JOBS[name], units(session, system(session)))


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def kinds(session: Session, sub: Subscription) -> list[tuple[str, datetime]]:
    return [
        (kind, at)
        for kind, at in session.execute(
            select(SubscriptionEvent.kind, SubscriptionEvent.at)
            .where(SubscriptionEvent.subscription_id == sub.id)
            .order_by(SubscriptionEvent.sequence)
        )
    ]


@pytest.fixture()
def s(session: Session) -> Scene:
    return scene(session)


def in_state(session: Session, s: Scene, status: str, since: datetime) -> Subscription:
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, start=date(2025, 6, 1), status=status
    )
    sub.status_changed_at = since
    session.flush()
    return sub


SINCE = date(2026, 9, 1)


@pytest.mark.parametrize(
    ("status", "since", "at", "expected"),
    [
        # expired on 09-01 (any hour of it): disabled from 10-01 00:00, 30 days later
        ("expired", midnight(SINCE), midnight(date(2026, 10, 1)) - ONE_US, "expired"),
        ("expired", midnight(SINCE), midnight(date(2026, 10, 1)), "disabled"),
        ("expired", midnight(SINCE) + timedelta(hours=23), midnight(date(2026, 10, 1)), "disabled"),
        ("expired", midnight(SINCE), midnight(date(2026, 10, 2)), "disabled"),
        # disabled on 09-01: deleted from 11-30 00:00, 90 days later
        ("disabled", midnight(SINCE), midnight(date(2026, 11, 30)) - ONE_US, "disabled"),
        ("disabled", midnight(SINCE), midnight(date(2026, 11, 30)), "deleted"),
        ("disabled", midnight(SINCE) + timedelta(hours=5), midnight(date(2026, 12, 1)), "deleted"),
        # the other states have no timer
        ("active", midnight(SINCE), midnight(date(2027, 6, 1)), "active"),
        ("suspended", midnight(SINCE), midnight(date(2026, 12, 1)), "suspended"),
        ("deleted", midnight(SINCE), midnight(date(2027, 6, 1)), "deleted"),
    ],
)
def test_the_timers_of_expired_and_disabled(session, s, status, since, at, expected):
    sub = in_state(session, s, status, since)
    outcome = run_at(session, at)
    session.refresh(sub)
    assert sub.status == expected
    if expected == status:
        assert outcome == "nothing due"
        assert sub.status_changed_at == since
    else:
        assert outcome == f"{expected} 1"
        days = 30 if status == "expired" else 90
        due = midnight(since.date() + timedelta(days=days))
        assert sub.status_changed_at == due  # effective the day it fell due, not the run
        assert kinds(session, sub)[-1] == (expected.removesuffix("d"), due)
        key = f"{expected.removesuffix('d')}:{sub.id}:1"
        assert session.scalar(
            select(SubscriptionEvent.id).where(SubscriptionEvent.idempotency_key == key)
        )


def test_an_expired_subscription_long_overdue_is_disabled_and_deleted_in_one_run(session, s):
    sub = in_state(session, s, "expired", midnight(date(2026, 5, 1)))
    assert run_at(session, midnight(date(2026, 11, 21))) == "deleted 1, disabled 1"
    session.refresh(sub)
    assert sub.status == "deleted"
    assert kinds(session, sub)[1:] == [
        ("disable", midnight(date(2026, 5, 31))),
        ("delete", midnight(date(2026, 8, 29))),
    ]


def test_auto_renew_off_expires_then_disables_then_deletes(session, s):
    """Ends 2026-11-20 → expired 11-21 → disabled 12-21 → deleted 2027-03-21."""
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21), auto_renew=False
    )
    steps = [
        (datetime(2026, 11, 21, tzinfo=UTC), "renewals", "expired 1", "expired"),
        (datetime(2026, 12, 21, tzinfo=UTC) - ONE_US, "lifecycle", "nothing due", "expired"),
        (datetime(2026, 12, 21, tzinfo=UTC), "lifecycle", "disabled 1", "disabled"),
        (datetime(2026, 12, 21, tzinfo=UTC), "renewals", "nothing due", "disabled"),
        (datetime(2027, 3, 21, tzinfo=UTC) - ONE_US, "lifecycle", "nothing due", "disabled"),
        (datetime(2027, 3, 21, tzinfo=UTC), "lifecycle", "deleted 1", "deleted"),
        (datetime(2027, 9, 1, tzinfo=UTC), "lifecycle", "nothing due", "deleted"),
    ]
    for at, job, outcome, status in steps:
        assert (at, job, run_at(session, at, job)) == (at, job, outcome)
        session.refresh(sub)
        assert sub.status == status
    assert [k for k, _ in kinds(session, sub)] == ["new", "expire", "disable", "delete"]


def test_running_twice_moves_once_and_a_crash_loses_only_its_batch(
    session, s, configure, monkeypatch
):
    configure(job_batch_size=2)
    subs = [in_state(session, s, "expired", midnight(SINCE)) for _ in range(5)]
    real = lifecycle.apply_elapsed
    calls: list[int] = []

    def crash_on_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "apply_elapsed", crash_on_fourth)
    at = midnight(date(2026, 10, 1))
    with pytest.raises(RuntimeError, match="killed"):
        run_at(session, at)
    for sub in subs:
        session.refresh(sub)
    assert sorted(sub.status for sub in subs) == ["disabled", "disabled"] + ["expired"] * 3
    monkeypatch.setattr(lifecycle, "apply_elapsed", real)
    assert run_at(session, at) == "disabled 3"
    assert run_at(session, at) == "nothing due"
    for sub in subs:
        session.refresh(sub)
        assert sub.status == "disabled"
        assert [k for k, _ in kinds(session, sub)] == ["new", "disable"]


def test_the_jobs_are_registered_with_their_cadence():
    assert JOBS["renewals"].every == timedelta(minutes=15)
    assert JOBS["lifecycle"].every == timedelta(hours=1)
    assert JOBS["provisioning.deliver"].every == timedelta(minutes=1)
    assert JOBS["renewals"].batched is renewals.run_renewals
    assert all(JOBS[name].description for name in ("renewals", "lifecycle"))


def test_a_batched_job_runs_in_one_given_session_too(session, s):
    sub = in_state(session, s, "expired", midnight(SINCE))
    with clock.frozen(midnight(date(2026, 10, 1))):
        assert JOBS["lifecycle"].run(session, system(session)) == "disabled 1"
    session.refresh(sub)
    assert sub.status == "disabled"
