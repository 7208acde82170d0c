"""``opencsp orders list|show|buy`` on the test clock, each command a unit of work of its
own (joined to the test's transaction): a purchase by a direct-bill partner, one by a
provider with its reseller of record, perpetual software, and each refusal shown with its
Partner Center code, a non-zero exit status and nothing bought."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from opencsp.catalog.rules import BillingPlan
from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.uow import unit_of_work
from opencsp.orders.models import Order
from opencsp.subscriptions.models import Subscription
from tests.factories.commerce import Scene, scene, sign_partner_agreement

runner = CliRunner()
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    session: Session
    s: Scene

    def orders(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.fixture()
def world(connection, session, configure, monkeypatch) -> World:
    configure(test_clock=True)
    clock.set_test_clock(session, NOW)
    s = scene(session)
    sign_partner_agreement(session, s.direct)
    sign_partner_agreement(session, s.provider)
    session.flush()
    monkeypatch.setattr(support, "unit_of_work", lambda bind=None: unit_of_work(bind=connection))
    return World(session, s)


def buy(world: World, *args: str, customer: str | None = None, who: str | None = None):
    s = world.s
    return runner.invoke(
        app,
        [
            "orders",
            "buy",
            "--customer",
            customer or str(s.direct_customer.id),
            "--as",
            who or s.direct.user.email,
            *args,
        ],
    )


def test_a_direct_bill_partner_buys_lists_and_shows_the_order(world):
    s = world.s
    bought = buy(world, "--item", s.offer.catalog_item_id, "--quantity", "10", "--term", "P1Y")
    assert bought.exit_code == 0, bought.output
    order_id, status, total, sub_id = bought.stdout.strip().split("\t")
    assert (status, total) == ("pending", "100.00 USD")  # 10 seats x 120 / 12, first month
    sub = world.session.get(Subscription, uuid.UUID(sub_id))
    assert sub is not None and (sub.quantity, sub.order_id) == (10, order_id)

    listed = runner.invoke(app, ["orders", "list", "--customer", str(s.direct_customer.id)])
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.strip().splitlines()
    assert line.split("\t")[:5] == [order_id, "2026-11-21T09:30Z", "pending", "monthly", total]

    shown = runner.invoke(
        app,
        [
            "orders",
            "show",
            order_id,
            "--customer",
            str(s.direct_customer.id),
            "--as",
            s.direct.user.email,
        ],
    )
    assert shown.exit_code == 0, shown.output
    assert f"order\t{order_id}" in shown.stdout and "total\t100.00 USD" in shown.stdout
    row = shown.stdout.strip().splitlines()[-1].split("\t")
    assert row[3:] == ["10", "P1Y/monthly", "120 USD", "100.00 USD", "-", sub_id, "unfulfilled"]


def test_a_provider_buys_with_its_reseller_of_record(world):
    s = world.s
    bought = buy(
        world,
        "--item",
        s.offer.catalog_item_id,
        "--quantity",
        "5",
        "--term",
        "P1M",
        "--reseller",
        s.reseller_mpn_id,
        customer=str(s.indirect_customer.id),
        who=s.provider.user.email,
    )
    assert bought.exit_code == 0, bought.output
    sub_id = bought.stdout.strip().split("\t")[-1]
    sub = world.session.get(Subscription, uuid.UUID(sub_id))
    assert sub is not None
    assert (sub.partner_id_on_record, sub.reseller_organization_id) == (
        s.reseller_mpn_id,
        s.reseller.org.id,
    )
    seen = runner.invoke(
        app,
        [
            "orders",
            "list",
            "--customer",
            str(s.indirect_customer.id),
            "--as",
            s.reseller.user.email,
        ],
    )
    assert seen.exit_code == 0 and bought.stdout.split("\t")[0] in seen.stdout


def test_perpetual_software_is_one_time_without_a_subscription(world):
    s = world.s
    bought = buy(
        world,
        "--item",
        s.perpetual.catalog_item_id,
        "--quantity",
        "2",
        "--billing",
        BillingPlan.ONE_TIME.value,
    )
    assert bought.exit_code == 0, bought.output
    assert bought.stdout.strip().split("\t")[1:] == ["completed", "500.00 USD"]


@pytest.mark.parametrize(
    ("args", "who", "code", "exit_code"),
    [
        (("--quantity", "0", "--term", "P1Y"), "direct", "10010", 2),  # not a seat count
        (("--quantity", "301", "--term", "P1Y"), "direct", "900275", 2),  # above the maximum
        (("--quantity", "5", "--term", "P5Y"), "direct", "10010", 2),  # not a term
        (("--quantity", "5"), "direct", "10010", 2),  # no term for a term offer
        (("--quantity", "5", "--term", "P1Y", "--reseller", "1"), "direct", "800015", 3),
        (("--quantity", "5", "--term", "P1Y"), "reseller", "PurchaseNotAllowed", 4),
        (("--quantity", "5", "--term", "P1Y"), "nobody@nowhere.test", "1000", 3),
    ],
)
def test_refused_purchases_print_their_code_and_buy_nothing(world, args, who, code, exit_code):
    s = world.s
    email = {"direct": s.direct.user.email, "reseller": s.reseller.user.email}.get(who, who)
    customer = str(s.indirect_customer.id if who == "reseller" else s.direct_customer.id)
    result = buy(world, "--item", s.offer.catalog_item_id, *args, who=email, customer=customer)
    assert result.exit_code == exit_code, result.output
    assert f"error {code}:" in result.stderr or f"\t{code}\t" in result.stderr  # or its line's
    assert world.orders() == 0


def test_an_unknown_catalog_item_and_an_invisible_customer(world):
    s = world.s
    unknown = buy(
        world, "--item", "NOPE00000000:0001:NOPE00000000", "--quantity", "1", "--term", "P1Y"
    )
    assert unknown.exit_code == 3, unknown.output
    assert "error 400019:" in unknown.stderr
    foreign = buy(
        world,
        "--item",
        s.offer.catalog_item_id,
        "--quantity",
        "1",
        "--term",
        "P1Y",
        customer=str(s.indirect_customer.id),
    )
    assert foreign.exit_code == 3, foreign.output
    assert world.orders() == 0
    missing = runner.invoke(
        app, ["orders", "show", "nope", "--customer", str(s.direct_customer.id)]
    )
    assert missing.exit_code != 0


def cancel(world: World, order_id: str, *args: str, who: str | None = None):
    s = world.s
    return runner.invoke(
        app,
        [
            "orders",
            "cancel",
            order_id,
            "--customer",
            str(s.direct_customer.id),
            "--as",
            who or s.direct.user.email,
            *args,
        ],
    )


def test_cancel_perpetual_software_prints_the_refund_once(world):
    s = world.s
    bought = buy(
        world, "--item", s.perpetual.catalog_item_id, "--quantity", "2", "--billing", "one_time"
    )
    assert bought.exit_code == 0, bought.output
    order_id = bought.stdout.split("\t")[0]
    done = cancel(world, order_id, "--line", "0")
    assert done.exit_code == 0, done.output
    head, row = done.stdout.strip().splitlines()
    assert head == f"{order_id}\tcancelled"
    assert row.split("\t") == ["0", s.perpetual.sku.title, "2026-11-21T09:30Z", "500.00 USD"]
    again = cancel(world, order_id)
    assert again.exit_code != 0
    assert "error 800061:" in again.stderr


def test_cancel_a_license_order_prints_800063(world):
    s = world.s
    bought = buy(world, "--item", s.offer.catalog_item_id, "--quantity", "3", "--term", "P1Y")
    order_id = bought.stdout.split("\t")[0]
    refused = cancel(world, order_id)
    assert refused.exit_code != 0
    assert "error 800063:" in refused.stderr
