"""``opencsp jobs run renewals|lifecycle|provisioning.deliver`` against a real (committed)
database on the test clock: each batch commits on its own, a run killed midway loses only
its batch, and running again gives one renewal per subscription and term."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.outbox import DELIVERED, OutboxMessage
from opencsp.core.uow import unit_of_work
from opencsp.subscriptions import renewals
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.factories.commerce import scene, subscription

runner = CliRunner()
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    monkeypatch.setenv("OPENCSP_TEST_CLOCK", "true")
    monkeypatch.setattr(support.out, "width", 250)
    settings.cache_clear()
    engine = build_engine(live_database)
    move_clock(engine, NOW)
    yield engine
    engine.dispose()
    settings.cache_clear()


def move_clock(engine, instant: datetime) -> None:
    with unit_of_work(bind=engine) as session:
        clock.set_test_clock(session, instant)


@pytest.fixture()
def subs(cli_env) -> list[str]:
    """Three annual subscriptions ending 2026-11-20 and one with auto-renew off."""
    with unit_of_work(bind=cli_env) as session, clock.frozen(NOW):
        s = scene(session)
        rows = [
            subscription(session, s.direct_customer, s.direct, s.offer, start=date(2025, 11, 21))
            for _ in range(3)
        ]
        rows.append(
            subscription(
                session,
                s.direct_customer,
                s.direct,
                s.offer,
                start=date(2025, 11, 21),
                auto_renew=False,
            )
        )
        return [str(row.id) for row in rows]


def terms_and_statuses(engine) -> list[tuple[int, str]]:
    with unit_of_work(bind=engine) as session:
        return sorted(
            (n, status)
            for n, status in session.execute(select(Subscription.term_number, Subscription.status))
        )


def events_of(engine, kind: str) -> int:
    with unit_of_work(bind=engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(SubscriptionEvent)
                .where(SubscriptionEvent.kind == kind)
            )
            or 0
        )


def run(*args: str):
    return runner.invoke(app, ["jobs", "run", *args])


def test_the_jobs_are_listed(cli_env):
    listed = runner.invoke(app, ["jobs", "list"]).output
    for name in ("renewals", "lifecycle", "provisioning.deliver"):
        assert name in listed


def test_renewals_from_the_cli_once(cli_env, subs):
    move_clock(cli_env, datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    assert run("renewals").output.strip() == "renewals: nothing due"
    move_clock(cli_env, NOW)
    first = run("renewals")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "renewals: expired 1, renewed 3"
    assert run("renewals").output.strip() == "renewals: nothing due"
    assert events_of(cli_env, "renew") == 3


def test_a_run_killed_midway_then_rerun_renews_each_once(cli_env, subs, monkeypatch):
    monkeypatch.setenv("OPENCSP_JOB_BATCH_SIZE", "1")
    settings.cache_clear()
    real = renewals.renew
    calls: list[int] = []

    def killed_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(renewals, "renew", killed_on_second)
    crashed = run("renewals")
    assert crashed.exit_code != 0
    # the first renewal's batch was committed, the second's rolled back
    assert events_of(cli_env, "renew") == 1
    monkeypatch.setattr(renewals, "renew", real)
    again = run("renewals")
    assert again.exit_code == 0, again.output
    assert events_of(cli_env, "renew") == 3
    assert events_of(cli_env, "expire") == 1
    assert run("renewals").output.strip() == "renewals: nothing due"
    assert terms_and_statuses(cli_env) == [
        (1, "expired"),
        (2, "active"),
        (2, "active"),
        (2, "active"),
    ]
    # 30 days after the expiry the lifecycle job disables it, once
    move_clock(cli_env, datetime(2026, 12, 21, tzinfo=UTC))
    assert run("lifecycle").output.strip() == "lifecycle: disabled 1"
    assert run("lifecycle").output.strip() == "lifecycle: nothing due"
    # and the demo's in-process provisioner takes every message
    delivered = run("provisioning.deliver")
    assert delivered.exit_code == 0, delivered.output
    with unit_of_work(bind=cli_env) as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {DELIVERED}
