"""``opencsp subscriptions list|show|update`` on the test clock, each command a unit of
work of its own (joined to the test's transaction): what is printed, what changes in the
tables, and each refusal shown with its Partner Center code and a non-zero exit status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.uow import unit_of_work
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from tests.factories.commerce import scene, subscription

runner = CliRunner()
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
BOUGHT = datetime(2026, 11, 21, tzinfo=UTC)  # the factory's purchase instant: 00:00 of the start


@dataclass(frozen=True)
class World:
    session: Session
    customer: str
    other_customer: str
    sub: str
    direct: str
    provider: str
    reseller: str
    resold: str

    def move_clock(self, instant: datetime) -> None:
        clock.set_test_clock(self.session, instant)
        self.session.flush()


@pytest.fixture()
def cli_db(connection, session, configure, monkeypatch):
    """The CLI's units of work join the test's transaction (rolled back at the end) and
    read the test clock, set to NOW."""
    configure(test_clock=True)
    clock.set_test_clock(session, NOW)
    session.flush()
    monkeypatch.setattr(support, "unit_of_work", lambda bind=None: unit_of_work(bind=connection))
    return session


@pytest.fixture()
def world(cli_db) -> World:
    """A direct-bill partner's 10-seat annual subscription started today (its window and
    first seat batch open from 00:00 for 7 days), and one resold through a provider."""
    session = cli_db
    s = scene(session)
    sub = subscription(session, s.direct_customer, s.direct, s.offer, start=NOW.date())
    resold = subscription(
        session,
        s.indirect_customer,
        s.provider,
        s.offer,
        start=NOW.date(),
        reseller=s.reseller,
        reseller_mpn_id=s.reseller_mpn_id,
    )
    session.flush()
    return World(
        session,
        str(s.direct_customer.id),
        str(s.indirect_customer.id),
        str(sub.id),
        s.direct.user.email,
        s.provider.user.email,
        s.reseller.user.email,
        str(resold.id),
    )


def run(*args: str):
    return runner.invoke(app, ["subscriptions", *args])


def row(world: World, sub_id: str) -> Subscription:
    world.session.expire_all()
    found = world.session.get(Subscription, uuid.UUID(sub_id))
    assert found is not None
    return found


def kinds(world: World, sub_id: str) -> list[str]:
    return list(
        world.session.scalars(
            select(SubscriptionEvent.kind)
            .where(SubscriptionEvent.subscription_id == uuid.UUID(sub_id))
            .order_by(SubscriptionEvent.sequence)
        )
    )


def test_list_and_show_with_the_timeline(world):
    listed = run("list", "--customer", world.customer, "--as", world.direct)
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.strip().splitlines()
    fields = line.split("\t")
    assert fields[0] == world.sub
    assert fields[2:8] == ["10", "active", "P1Y/monthly", "2027-11-20", "on", "120 USD"]
    shown = run("show", world.sub, "--customer", world.customer)  # as the operator
    assert shown.exit_code == 0, shown.output
    assert "seats\t10 (10 refundable)" in shown.stdout
    assert "cancellable until\t2026-11-28T00:00Z" in shown.stdout
    assert "timeline" in shown.stdout
    assert "\tnew\t0->10\tactive\t#1 2026-11-21..2027-11-20\t120 USD\t-" in shown.stdout


def test_the_reseller_of_record_lists_but_does_not_see_other_customers(world):
    mine = run("list", "--customer", world.other_customer, "--as", world.reseller)
    assert mine.exit_code == 0, mine.output
    assert world.resold in mine.stdout
    other = run("list", "--customer", world.customer, "--as", world.reseller)
    assert other.exit_code == 3
    assert world.sub not in other.output


def test_seats_up_then_back_within_the_window_with_a_refund(world):
    up = run(
        "update", world.sub, "--customer", world.customer, "--as", world.direct, "--quantity", "15"
    )
    assert up.exit_code == 0, up.output
    assert up.stdout.split("\t")[1:3] == ["active", "15"]
    world.move_clock(NOW + timedelta(days=3))
    down = run("update", world.sub, "--customer", world.customer, "--quantity", "12")
    assert down.exit_code == 0, down.output
    assert row(world, world.sub).quantity == 12
    assert kinds(world, world.sub) == ["new", "addQuantity", "removeQuantity"]
    shown = run("show", world.sub, "--customer", world.customer)
    assert "removeQuantity\t15->12" in shown.stdout
    refund = next(ln for ln in shown.stdout.splitlines() if "removeQuantity" in ln).split("\t")[-1]
    assert refund.endswith(" USD") and refund != "0 USD"


def test_suspend_reactivate_and_auto_renew(world):
    base = ("update", world.sub, "--customer", world.customer, "--as", world.direct)
    suspended = run(*base, "--suspend")
    assert suspended.exit_code == 0, suspended.output
    assert "suspended" in suspended.stdout and "auto-renew off" in suspended.stdout
    back = run(*base, "--reactivate")
    assert back.exit_code == 0, back.output
    assert row(world, world.sub).status == "active"
    on = run(*base, "--auto-renew", "on")
    assert on.exit_code == 0 and "auto-renew on" in on.stdout
    off = run(*base, "--auto-renew", "off")
    assert off.exit_code == 0 and "auto-renew off" in off.stdout
    assert kinds(world, world.sub) == ["new", "suspend", "reactivate", "autoRenew", "autoRenew"]


@pytest.mark.parametrize(
    ("after", "exit_code", "status"),
    [
        (timedelta(days=7), 0, "deleted"),  # at the window's last instant
        (timedelta(days=7, seconds=1), 2, "active"),  # just after it: 900117
    ],
)
def test_cancel_at_and_after_the_window(world, after, exit_code, status):
    world.move_clock(BOUGHT + after)
    result = run("update", world.sub, "--customer", world.customer, "--cancel")
    assert result.exit_code == exit_code, result.output
    assert row(world, world.sub).status == status
    if exit_code:
        assert "900117" in result.stderr
    else:
        assert kinds(world, world.sub) == ["new", "cancelImmediate"]


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (("--quantity", "0"), "2002", 2),  # outside the SKU's seat range
        (("--quantity", "301"), "2002", 2),
        (("--suspend", "--quantity", "12"), "2001", 2),  # seats while suspending
        (("--auto-renew", "maybe"), "800002", 2),
        (("--quantity", "12", "--if-match", "99"), "2055", 2),  # stale etag
        ((), "800002", 2),  # nothing to change
    ],
)
def test_refusals_print_their_code(world, args, code, exit_code):
    result = run("update", world.sub, "--customer", world.customer, "--as", world.direct, *args)
    assert result.exit_code == exit_code, result.output
    assert f"error {code}:" in result.stderr
    assert kinds(world, world.sub) == ["new"]


def test_reduction_after_the_batch_window_is_refused(world):
    world.move_clock(BOUGHT + timedelta(days=7, seconds=1))
    result = run("update", world.sub, "--customer", world.customer, "--quantity", "9")
    assert result.exit_code == 2, result.output
    assert "error 900257:" in result.stderr
    assert row(world, world.sub).quantity == 10


def test_only_one_status_change_at_a_time(world):
    result = run("update", world.sub, "--customer", world.customer, "--suspend", "--cancel")
    assert result.exit_code == 2
    assert "at most one" in result.stderr
    assert row(world, world.sub).status == "active"


@pytest.mark.parametrize(
    ("who", "code", "exit_code"),
    [
        ("reseller", "900150", 4),  # the reseller of record reads only (403)
        ("nobody@nowhere.test", "1000", 3),  # no such user
    ],
)
def test_who_may_change_it(world, who, code, exit_code):
    email = world.reseller if who == "reseller" else who
    result = run(
        "update",
        world.resold,
        "--customer",
        world.other_customer,
        "--as",
        email,
        "--quantity",
        "12",
    )
    assert result.exit_code == exit_code, result.output
    assert f"error {code}:" in result.stderr
    assert row(world, world.resold).quantity == 10


def test_an_unknown_subscription_is_20003(world):
    result = run("show", str(uuid.uuid4()), "--customer", world.customer)
    assert result.exit_code == 3
    assert "error 20003:" in result.stderr
