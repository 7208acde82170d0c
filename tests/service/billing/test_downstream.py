"""The downstream lines of a period (``billing.downstream``): provider→reseller and
partner→customer lines priced from the vendor's lines by the sellers' rules or the
defaults, exact to the minor unit (USD, KRW, JPY), credits mirroring charges, a re-run
writing nothing twice, and the documents issued from them in each seller's own
sequence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import downstream, downstream_lines
from opencsp.billing import price_rules as pr
from opencsp.billing.models import Charge, Invoice
from opencsp.subscriptions.models import Subscription
from tests.factories import billing
from tests.factories.catalog import Row, price_list
from tests.factories.commerce import MARKET, MONTHLY, P1Y, Scene

NOV = date(2026, 11, 1)
JAN = date(2027, 1, 1)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def lines(session: Session, tier: str) -> list[Charge]:
    return list(session.scalars(select(Charge).where(Charge.tier == tier).order_by(Charge.id)))


def accrue(session: Session, period: date = NOV) -> int:
    return downstream.accrue_downstream(session, period, NOW)


def test_a_direct_partner_bills_its_customer_at_cost_without_rule_or_erp(
    session: Session, sc: Scene, direct_sub: Subscription
) -> None:
    vendor = billing.charge(session, direct_sub, NOV, each="10.00")
    assert accrue(session) == 1
    assert lines(session, "provider") == []
    (line,) = lines(session, "partner")
    assert (line.seller_key, line.seller_organization_id) == (
        str(sc.direct.org.id),
        sc.direct.org.id,
    )
    assert (line.bill_to_key, line.bill_to_organization_id) == (str(sc.direct_customer.id), None)
    assert (line.billed_each_minor, line.billed_amount_minor, line.cost_minor) == (1000, 3000, 3000)
    assert line.key == f"partner:{vendor.key}" and line.document_type == "invoice"


PERCENT_CASES = [
    ("10", 1100),
    ("-5", 950),
    ("12.5", 1125),
    ("0.0049", 1000),  # 1000.049 rounds down
    ("0.005", 1000),  # 1000.05 minor units -> 1000
    ("0.05", 1001),  # 1000.5 -> 1001
    ("-99.99", 0),  # 0.1 -> 0
    ("1000", 11000),
]


@pytest.mark.parametrize(("percent", "each"), PERCENT_CASES)
def test_a_partner_rule_marks_up_or_discounts_each_seat(
    session: Session, sc: Scene, direct_sub: Subscription, percent: str, each: int
) -> None:
    billing.charge(session, direct_sub, NOV, each="10.00")
    pr.set_rule(session, sc.direct.actor, percent=percent)
    accrue(session)
    (line,) = lines(session, "partner")
    assert (line.billed_each_minor, line.billed_amount_minor) == (each, each * 3)
    assert line.cost_minor == 3000


def test_a_provider_and_its_reseller_each_bill_the_tier_below(
    session: Session, sc: Scene, indirect_sub: Subscription
) -> None:
    billing.charge(session, indirect_sub, NOV, each="10.00")
    pr.set_rule(session, sc.provider.actor, buyer_key=str(sc.reseller.org.id), percent="20")
    pr.set_rule(session, sc.reseller.actor, buyer_key=str(sc.indirect_customer.id), percent="-10")
    assert accrue(session) == 2
    (to_reseller,) = lines(session, "provider")
    assert to_reseller.seller_organization_id == sc.provider.org.id
    assert to_reseller.bill_to_organization_id == sc.reseller.org.id
    assert to_reseller.bill_to_key == str(sc.reseller.org.id)
    assert (to_reseller.billed_each_minor, to_reseller.billed_amount_minor) == (1200, 4800)
    assert to_reseller.cost_minor == 4000
    (to_customer,) = lines(session, "partner")
    assert to_customer.seller_organization_id == sc.reseller.org.id
    assert to_customer.bill_to_key == str(sc.indirect_customer.id)
    assert (to_customer.billed_each_minor, to_customer.billed_amount_minor) == (1080, 4320)
    assert to_customer.cost_minor == 4800  # the reseller's cost is the provider's price


@pytest.mark.parametrize(("markup", "each"), [("0", 1000), ("5", 1050), ("-2.5", 975)])
def test_a_provider_without_rule_adds_the_default_markup(
    session: Session,
    sc: Scene,
    indirect_sub: Subscription,
    configure: Callable[..., None],
    markup: str,
    each: int,
) -> None:
    configure(reseller_default_markup_percent=markup)
    billing.charge(session, indirect_sub, NOV, each="10.00")
    accrue(session)
    (to_reseller,) = lines(session, "provider")
    assert to_reseller.billed_each_minor == each


SPECIFIC = [  # (rules as (buyer is the reseller, product, sku, percent)), winner
    ([(False, False, False, "1")], 1010),
    ([(False, False, False, "1"), (False, True, False, "2")], 1020),
    ([(False, True, False, "2"), (False, True, True, "3")], 1030),
    ([(False, True, True, "3"), (True, False, False, "4")], 1040),
    ([(True, False, False, "4"), (True, True, False, "5")], 1050),
    ([(True, True, False, "5"), (True, True, True, "6"), (False, False, False, "1")], 1060),
]


@pytest.mark.parametrize(("rules", "each"), SPECIFIC)
def test_the_most_specific_rule_wins(
    session: Session, sc: Scene, indirect_sub: Subscription, rules: list[Any], each: int
) -> None:
    billing.charge(session, indirect_sub, NOV, each="10.00")
    for for_buyer, for_product, for_sku, percent in rules:
        pr.set_rule(
            session,
            sc.provider.actor,
            buyer_key=str(sc.reseller.org.id) if for_buyer else "*",
            product_id=sc.offer.product.id if for_product else "*",
            sku_id=sc.offer.sku.id if for_sku else "*",
            percent=percent,
        )
    accrue(session)
    assert lines(session, "provider")[0].billed_each_minor == each


def test_without_a_rule_a_customer_pays_the_erp_share(
    session: Session, sc: Scene, direct_sub: Subscription, indirect_sub: Subscription
) -> None:
    """A monthly cycle of an annual term at 120 (each 10.00) with ERP 150 bills 12.50."""
    price_list(
        session,
        MARKET,
        JAN,
        [Row(sc.offer, "120", term=P1Y, billing_plan=MONTHLY, erp_price="150")],
    )
    billing.charge(session, direct_sub, JAN, each="10.00")
    billing.charge(session, indirect_sub, JAN, each="10.00")
    billing.charge(session, direct_sub, JAN, each="-3.33", quantity=1, charge_type="removeQuantity")
    accrue(session, JAN)
    partner = {(c.seller_organization_id, c.charge_type): c for c in lines(session, "partner")}
    direct = partner[(sc.direct.org.id, "cycleCharge")]
    assert (direct.billed_each_minor, direct.unit_price, direct.cost_minor) == (1250, 150, 3000)
    reseller = partner[(sc.reseller.org.id, "cycleCharge")]
    assert reseller.billed_each_minor == 1250 and reseller.cost_minor == 4000
    credit = partner[(sc.direct.org.id, "removeQuantity")]
    assert credit.billed_each_minor == -416  # -4.1625 rounds half-up (away from zero)


def test_credits_mirror_their_charges(
    session: Session, sc: Scene, indirect_sub: Subscription
) -> None:
    billing.charge(session, indirect_sub, NOV, each="9.99")
    billing.charge(session, indirect_sub, NOV, each="-9.99", charge_type="cancelImmediate")
    billing.charge(session, indirect_sub, NOV, each="-9.99", document_type="credit_note")
    pr.set_rule(session, sc.provider.actor, percent="12.5")
    pr.set_rule(session, sc.reseller.actor, percent="7")
    accrue(session)
    for tier in ("provider", "partner"):
        charge, cancel, note = lines(session, tier)
        assert cancel.billed_amount_minor == -charge.billed_amount_minor
        assert note.billed_amount_minor == -charge.billed_amount_minor
        assert note.document_type == "credit_note" and cancel.document_type == "invoice"
        assert cancel.cost_minor == -charge.cost_minor  # type: ignore[operator]
    assert lines(session, "provider")[0].billed_each_minor == 1124  # 11.23875


@pytest.mark.parametrize(
    ("currency", "each", "rate", "billed_each", "percent", "billed"),
    [
        # the seat in USD cents, half-up (1125), then ROUNDDOWN(11.25 × 1400)
        ("KRW", "10.00", "1400", "14000", "12.5", 15750),
        # 1098.9 -> 1099 cents; 10.99 × 1333.33 = 14653.29 (the vendor's won × 1.1: 14651.0)
        ("KRW", "9.99", "1333.33", "13319", "10", 14653),
        # 999.964 -> 1000 cents, back to the vendor's seat (the won × factor: 13999.496)
        ("KRW", "10.00", "1400", "14000", "-0.0036", 14000),
        ("JPY", "0.01", "149.5", "1", "50", 2),  # 2 cents × 149.5 = 2.99
        ("JPY", "12.34", "151.123456", "1864", "-33.3333", 1243),  # 823 cents: 1243.746
        ("JPY", "0.01", "99", "0", "49.9999", 0),  # one cent is 0.99 yen: nothing
    ],
)
def test_a_converted_line_is_billed_by_the_reconciliation_formula_in_whole_units(
    session: Session,
    sc: Scene,
    direct_sub: Subscription,
    currency: str,
    each: str,
    rate: str,
    billed_each: str,
    percent: str,
    billed: int,
) -> None:
    """A line priced in USD and billed in won or yen: the partner's seat is marked up in
    USD, rounded half-up once, then converted at the vendor line's rate toward zero, so
    its reconciliation row (``ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate)``)
    recomputes it exactly; never the vendor's converted seat times the factor."""
    billing.charge(
        session,
        direct_sub,
        NOV,
        each=each,
        billing_currency=currency,
        fx_rate=rate,
        billed_each=billed_each,
    )
    pr.set_rule(session, sc.direct.actor, percent=percent)
    accrue(session)
    (line,) = lines(session, "partner")
    assert line.currency == currency
    assert (line.billed_each_minor, line.billed_amount_minor) == (billed, billed * 3)
    assert line.pricing_currency == "USD" and line.fx_rate == Decimal(rate)
    recon = (Decimal(line.each_minor) / 100 * Decimal(rate)).to_integral_value(ROUND_DOWN)
    assert recon == billed


def test_a_rerun_writes_nothing_twice_and_batches_add_up(
    session: Session,
    sc: Scene,
    direct_sub: Subscription,
    indirect_sub: Subscription,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(downstream_lines, "BATCH", 2)
    for _ in range(3):
        billing.charge(session, direct_sub, NOV, each="10.00")
        billing.charge(session, indirect_sub, NOV, each="10.00")
    billing.charge(session, direct_sub, date(2026, 10, 1), each="10.00")  # another period
    assert accrue(session) == 3 + 3 * 2
    assert accrue(session) == 0
    assert len(lines(session, "partner")) == 6 and len(lines(session, "provider")) == 3


def test_documents_are_issued_in_each_sellers_own_sequence(
    session: Session, sc: Scene, direct_sub: Subscription, indirect_sub: Subscription
) -> None:
    billing.charge(session, direct_sub, NOV, each="10.00")
    billing.charge(session, indirect_sub, NOV, each="10.00")
    pr.set_rule(session, sc.provider.actor, percent="10")
    accrue(session)
    docs = {(d.seller_key, d.bill_to_key): d for d in billing.issue(session, NOV)}
    provider, reseller, direct = (str(m.org.id) for m in (sc.provider, sc.reseller, sc.direct))
    assert set(docs) == {
        ("vendor", direct),
        ("vendor", provider),
        (provider, reseller),
        (reseller, str(sc.indirect_customer.id)),
        (direct, str(sc.direct_customer.id)),
    }
    to_reseller = docs[(provider, reseller)]
    assert (to_reseller.tier, to_reseller.total_minor, to_reseller.sequence) == (
        "provider",
        4400,
        1,
    )
    assert to_reseller.id == f"P{sc.provider.org.id.hex[:8].upper()}000000001"
    to_customer = docs[(reseller, str(sc.indirect_customer.id))]
    assert (to_customer.tier, to_customer.bill_to_customer_id, to_customer.sequence) == (
        "partner",
        sc.indirect_customer.id,
        1,
    )
    assert docs[(direct, str(sc.direct_customer.id))].total_minor == 3000
    assert session.scalar(select(Invoice.id).where(Invoice.seller_key == "vendor").limit(1))
