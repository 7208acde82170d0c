"""Downstream credits priced as the charges they give back (``billing.downstream_lines``,
rules.md §11 "Cost basis"): a price rule or price list that changed between a charge and
its credit never makes the provider's or the partner's refund differ from what it
charged; a credit whose charge has no recorded factor takes the rules in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.billing import downstream
from opencsp.billing import price_rules as pr
from opencsp.billing.models import Charge
from opencsp.core import clock
from opencsp.subscriptions import service
from opencsp.subscriptions.models import Subscription
from tests.factories import billing
from tests.factories.billing import bill
from tests.factories.catalog import Row, price_list
from tests.factories.commerce import MARKET, MONTHLY, P1Y, Scene, scene
from tests.factories.commerce import subscription as make_sub

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
JAN, FEB = date(2027, 1, 1), date(2027, 2, 1)


def line(session: Session, tier: str, vendor: Charge) -> Charge:
    found = session.scalar(
        select(Charge).where(Charge.tier == tier, Charge.key == f"{tier}:{vendor.key}")
    )
    assert found is not None, (tier, vendor.key)
    return found


def accrue(session: Session, period: date) -> None:
    nxt = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    downstream.accrue_downstream(session, period, datetime.combine(nxt, datetime.min.time(), UTC))


RULE_CHANGES = [  # (provider %, reseller % at the charge) → (… at the credit)
    (("12.5", "7"), ("40", "-20")),
    (("0", "0"), ("25", "25")),
    (("-5", "33.3333"), (None, None)),  # rules removed: the defaults would apply now
    (("0.05", "-0.05"), ("0.0049", "999")),
]


@pytest.mark.parametrize(("before", "after"), RULE_CHANGES)
def test_a_credit_after_a_rule_change_gives_back_what_was_charged(
    session: Session,
    sc: Scene,
    indirect_sub: Subscription,
    before: tuple[str, str],
    after: tuple[str | None, str | None],
) -> None:
    pr.set_rule(session, sc.provider.actor, percent=before[0])
    pr.set_rule(session, sc.reseller.actor, percent=before[1])
    charged = billing.charge(session, indirect_sub, NOV, each="9.99")
    accrue(session, NOV)
    for member, percent in zip((sc.provider, sc.reseller), after, strict=True):
        if percent is None:
            pr.delete_rule(session, member.actor)
        else:
            pr.set_rule(session, member.actor, percent=percent)
    credit = billing.charge(
        session, indirect_sub, DEC, each="-9.99", charge_type="cancelImmediate", gives_back=charged
    )
    accrue(session, DEC)
    for tier in ("provider", "partner"):
        was, back = line(session, tier, charged), line(session, tier, credit)
        assert back.billed_amount_minor == -was.billed_amount_minor, tier
        assert back.amount_minor == -was.amount_minor, tier
        assert back.cost_minor == -was.cost_minor, tier  # type: ignore[operator]
        assert (back.unit_price, back.price_ratio) == (was.unit_price, was.price_ratio)


def test_a_partial_credit_takes_the_charges_factor_per_seat(
    session: Session, sc: Scene, indirect_sub: Subscription
) -> None:
    """Charged 4 × 10.00 at +10 % then +20 %; one seat back after the rules became +50 %
    and −50 %: 11.00 and 13.20 back, not 15.00 and 7.50."""
    pr.set_rule(session, sc.provider.actor, percent="10")
    pr.set_rule(session, sc.reseller.actor, percent="20")
    charged = billing.charge(session, indirect_sub, NOV, each="10.00")
    accrue(session, NOV)
    pr.set_rule(session, sc.provider.actor, percent="50")
    pr.set_rule(session, sc.reseller.actor, percent="-50")
    credit = billing.charge(
        session,
        indirect_sub,
        DEC,
        each="-10.00",
        quantity=1,
        charge_type="removeQuantity",
        gives_back=charged,
    )
    accrue(session, DEC)
    assert line(session, "provider", credit).billed_amount_minor == -1100
    assert line(session, "partner", credit).billed_amount_minor == -1320


def test_a_credit_after_a_new_price_list_gives_back_the_old_erp_share(
    session: Session, sc: Scene, direct_sub: Subscription
) -> None:
    """Charged at January's ERP share (150 on 120); February's list says ERP 180: the
    credit in February still gives back 12.50 a seat."""
    row = Row(sc.offer, "120", term=P1Y, billing_plan=MONTHLY, erp_price="150")
    price_list(session, MARKET, JAN, [row])
    charged = billing.charge(session, direct_sub, JAN, each="10.00")
    accrue(session, JAN)
    price_list(session, MARKET, FEB, [Row(**{**row.__dict__, "erp_price": "180"})])
    credit = billing.charge(
        session, direct_sub, FEB, each="-10.00", charge_type="cancelImmediate", gives_back=charged
    )
    later = billing.charge(session, direct_sub, FEB, each="10.00")
    accrue(session, FEB)
    was, back = line(session, "partner", charged), line(session, "partner", credit)
    assert (was.billed_each_minor, was.unit_price, was.ratio_of) == (1250, 150, "vendor")
    assert (back.billed_each_minor, back.unit_price, back.ratio_of) == (-1250, 150, "vendor")
    assert line(session, "partner", later).billed_each_minor == 1500  # the new list, new charges


def test_a_credit_of_a_ruled_charge_stays_on_the_rule_when_the_rule_goes(
    session: Session, sc: Scene, direct_sub: Subscription
) -> None:
    """Charged by a +10 % rule on cost; the rule deleted, the ERP default would price the
    credit at 12.50 a seat: it gives back 11.00."""
    price_list(
        session,
        MARKET,
        JAN,
        [Row(sc.offer, "120", term=P1Y, billing_plan=MONTHLY, erp_price="150")],
    )
    pr.set_rule(session, sc.direct.actor, percent="10")
    charged = billing.charge(session, direct_sub, JAN, each="10.00")
    accrue(session, JAN)
    pr.delete_rule(session, sc.direct.actor)
    credit = billing.charge(
        session, direct_sub, FEB, each="-10.00", charge_type="cancelImmediate", gives_back=charged
    )
    accrue(session, FEB)
    back = line(session, "partner", credit)
    assert (back.billed_each_minor, back.ratio_of, back.price_ratio) == (-1100, "cost", "11/10")


def test_a_credit_whose_charge_has_no_factor_takes_the_rules_in_force(
    session: Session, sc: Scene, direct_sub: Subscription
) -> None:
    """A charge priced before factors were recorded (or never priced downstream)."""
    pr.set_rule(session, sc.direct.actor, percent="10")
    charged = billing.charge(session, direct_sub, NOV, each="10.00")
    accrue(session, NOV)
    line(session, "partner", charged).price_ratio = None
    pr.set_rule(session, sc.direct.actor, percent="30")
    orphan = billing.charge(session, direct_sub, DEC, each="10.00")
    credit = billing.charge(
        session, direct_sub, DEC, each="-10.00", charge_type="cancelImmediate", gives_back=charged
    )
    unpriced = billing.charge(
        session, direct_sub, DEC, each="-10.00", charge_type="cancelImmediate", gives_back=orphan
    )
    session.execute(  # the charge it names was never written downstream
        Charge.__table__.update().where(Charge.id == orphan.id).values(period=NOV)
    )
    accrue(session, DEC)
    assert line(session, "partner", credit).billed_each_minor == -1300
    assert line(session, "partner", unpriced).billed_each_minor == -1300


@pytest.mark.parametrize("path", ["sql", "python"])
def test_a_credit_written_before_its_charge_in_one_period_still_mirrors_it(
    session: Session,
    sc: Scene,
    direct_sub: Subscription,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """Lines of one period are priced charges first, so a credit with a lower id than the
    charge it gives back (the walked and set-based paths interleave) finds its factor: the
    ERP share of the row in force at the charge (150 until the 15th), not the one at the
    credit (180 from the 16th). On the set-based path and on the Python path it takes
    where integers could overflow; a re-run writes nothing."""
    if path == "python":
        monkeypatch.setattr(downstream.sql, "fits", lambda *_: False)
    mid = datetime(2027, 1, 16, tzinfo=UTC)
    first = Row(sc.offer, "120", term=P1Y, billing_plan=MONTHLY, erp_price="150")
    price_list(
        session,
        MARKET,
        JAN,
        [
            Row(**{**first.__dict__, "end": mid - timedelta(microseconds=1)}),
            Row(**{**first.__dict__, "erp_price": "180", "start": mid}),
        ],
    )
    charged = billing.charge(session, direct_sub, JAN, each="10.00")
    credit = billing.charge(
        session,
        direct_sub,
        JAN,
        each="-10.00",
        charge_type="cancelImmediate",
        gives_back=charged,
        accrued_at=datetime(2027, 1, 20, tzinfo=UTC),
    )
    session.execute(  # the credit first in id order
        Charge.__table__.update().where(Charge.id == charged.id).values(id=credit.id + 1000)
    )
    accrue(session, JAN)
    was, back = line(session, "partner", charged), line(session, "partner", credit)
    assert (was.billed_amount_minor, back.billed_amount_minor) == (3750, -3750)
    assert back.price_ratio == was.price_ratio == "5/4"
    count = select(func.count()).select_from(Charge)
    before = session.scalar(count)
    accrue(session, JAN)
    assert session.scalar(count) == before


def test_through_the_bill_run_a_cancellation_after_a_rule_change_refunds_what_was_charged(
    session: Session,
) -> None:
    """End to end: bought on 31 March through a provider (rules +10 % and +20 %), March
    billed, both rules changed, cancelled on 3 April within the window, April billed: the
    reseller and the customer each get back exactly what they were charged for the days
    not used, at the March factors."""
    march = date(2026, 3, 1)
    s = scene(session, month=march)
    sub = make_sub(session, s.indirect_customer, s.provider, s.offer, quantity=4, term=P1Y,
                   plan=MONTHLY, start=date(2026, 3, 31), unit_price="120",
                   reseller=s.reseller, reseller_mpn_id=s.reseller_mpn_id)  # fmt: skip
    pr.set_rule(session, s.provider.actor, percent="10")
    pr.set_rule(session, s.reseller.actor, percent="20")
    bill(session, march)
    pr.set_rule(session, s.provider.actor, percent="60")
    pr.set_rule(session, s.reseller.actor, percent="-40")
    with clock.frozen(datetime(2026, 4, 3, 9, tzinfo=UTC)):
        service.cancel(session, s.provider.actor, sub.customer_id, sub.id)
    bill(session, date(2026, 4, 1))
    rows = session.scalars(select(Charge).where(Charge.subscription_id == sub.id)).all()
    charged = {c.tier: c for c in rows if c.amount_minor > 0}
    credits = [c for c in rows if c.amount_minor < 0]
    assert len(charged) == 3 and len(credits) == 6  # the refund in two per-seat parts
    assert {c.offsets_key for c in credits} == {charged["vendor"].key}
    back = {
        tier: -sum(c.billed_amount_minor for c in credits if c.tier == tier) for tier in charged
    }
    assert (charged["provider"].price_ratio, charged["partner"].price_ratio) == ("11/10", "6/5")
    for tier in ("provider", "partner"):
        assert {c.price_ratio for c in credits if c.tier == tier} == {charged[tier].price_ratio}
        assert 0 < back[tier] <= charged[tier].billed_amount_minor
        used = Fraction(back[tier], charged[tier].billed_amount_minor)
        assert abs(
            used - Fraction(back["vendor"], charged["vendor"].billed_amount_minor)
        ) < Fraction(1, 1000)
