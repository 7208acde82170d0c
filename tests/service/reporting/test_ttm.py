"""TTM revenue per partner (``reporting.ttm``; rules.md §2a, §3.4–3.5). The test clock
is 2026-11-21, so the window is 2025-11 .. 2026-10."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from opencsp.reporting import ttm
from opencsp.reporting.errors import RevenueRateMissing
from opencsp.reporting.rules import Measure
from tests.factories import billing
from tests.factories.revenue import RevenueScene, fx, settle

AS_OF = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "short_by", "counted"),
    [
        (date(2025, 10, 1), 0, False),  # 13th month back
        (date(2025, 11, 1), 0, True),  # first month of the window
        (date(2026, 10, 1), 0, True),  # last closed month
        (date(2026, 11, 1), 0, False),  # the current month
        (date(2026, 10, 1), 1, False),  # one cent unpaid
        (date(2026, 10, 1), -1, True),  # overpaid
    ],
)
def test_window_and_paid_documents(
    session: Session, rs: RevenueScene, period: date, short_by: int, counted: bool
) -> None:
    billing.charge(session, rs.indirect, period, each="10.00")  # 10 seats: USD 100
    settle(session, period, short_by=short_by)
    expected = Decimal("100.00") if counted else Decimal("0.00")
    reseller = ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF)
    provider = ttm.ttm_for(session, rs.s.provider.org.id, AS_OF)
    assert (reseller.direct_bill, reseller.reseller_floor, reseller.billed) == (
        expected,
        expected,
        Decimal("0.00"),
    )
    assert (provider.direct_bill, provider.billed) == (Decimal("0.00"), expected)


@pytest.mark.parametrize(
    ("as_of", "counted"),
    [
        (datetime(2026, 11, 1, 0, 0, tzinfo=UTC), True),  # first instant of the next month
        (datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC), False),  # still the current month
        (datetime(2027, 10, 31, 23, 59, 59, tzinfo=UTC), True),  # 12th month back
        (datetime(2027, 11, 1, 0, 0, tzinfo=UTC), False),  # 13th month back
    ],
)
def test_window_edges_by_instant(
    session: Session, rs: RevenueScene, as_of: datetime, counted: bool
) -> None:
    october = date(2026, 10, 1)
    billing.charge(session, rs.indirect, october, each="1.00")
    settle(session, october)
    figure = ttm.ttm_for(session, rs.s.reseller.org.id, as_of).direct_bill
    assert figure == (Decimal("10.00") if counted else Decimal("0.00"))


def test_product_types_per_figure(session: Session, rs: RevenueScene) -> None:
    may = date(2026, 5, 1)
    billing.charge(session, rs.indirect, may, each="10.00")  # 100 cloud
    billing.charge(session, rs.perpetual, may, each="250.00", charge_type="new")  # 500 perpetual
    billing.charge(session, rs.software, may, each="40.00", charge_type="new")  # 40 software sub
    settle(session, may)
    reseller = ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF)
    assert reseller.direct_bill == Decimal("100.00")  # perpetual excluded (§2a)
    assert reseller.reseller_floor == Decimal("600.00")  # perpetual included (§3.4)
    provider = ttm.ttm_for(session, rs.s.provider.org.id, AS_OF)
    assert provider.billed == Decimal("600.00")  # software subscriptions excluded (§3.5)


def test_attribution_reseller_versus_bill_to(session: Session, rs: RevenueScene) -> None:
    june = date(2026, 6, 1)
    billing.charge(session, rs.indirect, june, each="10.00")
    billing.charge(session, rs.direct, june, each="5.00")  # 4 seats: 20
    # the provider billing its reseller is not the vendor's billing: never counted
    billing.charge(
        session,
        rs.indirect,
        june,
        each="12.00",
        tier="provider",
        seller=rs.s.provider.org.id,
        bill_to=rs.s.reseller.org.id,
    )
    settle(session, june)
    figures = ttm.ttm_all(session, AS_OF)
    assert figures[rs.s.reseller.org.id].direct_bill == Decimal("100.00")
    assert figures[rs.s.reseller.org.id].billed == Decimal("0.00")
    assert figures[rs.s.provider.org.id].billed == Decimal("100.00")
    assert figures[rs.s.provider.org.id].direct_bill == Decimal("0.00")
    assert figures[rs.s.direct.org.id].billed == Decimal("20.00")
    assert figures[rs.s.direct.org.id].direct_bill == Decimal("0.00")


def test_credit_notes_deduct_in_their_month(session: Session, rs: RevenueScene) -> None:
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    billing.charge(session, rs.indirect, march, each="10.00")
    settle(session, march)
    billing.charge(
        session,
        rs.indirect,
        april,
        each="-2.00",
        document_type="credit_note",
        charge_type="cancelImmediate",
    )
    settle(session, april)  # the credit note stays unpaid: it still counts
    assert ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF).direct_bill == Decimal("80.00")


def test_each_month_at_its_own_fx_rate(session: Session, rs: RevenueScene) -> None:
    may, june = date(2026, 5, 1), date(2026, 6, 1)
    fx(session, may, "EUR", "1.0837")
    fx(session, june, "EUR", "1.1")
    for period, each in ((may, "9.99"), (june, "10.01")):
        billing.charge(
            session, rs.indirect, period, each="10", billing_currency="EUR", billed_each=each
        )
        settle(session, period)
    figure = ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF).direct_bill
    exact = Decimal("99.90") * Decimal("1.0837") + Decimal("100.10") * Decimal("1.1")
    assert exact == Decimal("218.371630")
    assert figure == Decimal("218.37")


def test_krw_has_no_minor_units(session: Session, rs: RevenueScene) -> None:
    may = date(2026, 5, 1)
    fx(session, may, "KRW", "0.00075")
    billing.charge(
        session, rs.indirect, may, each="10", billing_currency="KRW", billed_each="13333"
    )
    settle(session, may)
    # 133,330 KRW x 0.00075 = 99.9975 USD, rounded once: 100.00
    assert ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF).direct_bill == Decimal("100.00")


def test_a_missing_fx_rate_refuses_the_figure(session: Session, rs: RevenueScene) -> None:
    may = date(2026, 5, 1)
    billing.charge(session, rs.indirect, may, each="10", billing_currency="EUR", billed_each="9")
    settle(session, may)
    with pytest.raises(RevenueRateMissing) as caught:
        ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF)
    assert caught.value.code == "RevenueRateMissing" and "2026-05" in caught.value.message


def test_thresholds(session: Session, rs: RevenueScene) -> None:
    may = date(2026, 5, 1)
    billing.charge(session, rs.indirect, may, each="99.99")  # 999.90
    settle(session, may)
    below = ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF)
    assert not below.meets_reseller_floor and not below.meets_direct_bill
    billing.charge(session, rs.indirect, date(2026, 6, 1), each="0.01")  # 1,000.00
    settle(session, date(2026, 6, 1))
    at = ttm.ttm_for(session, rs.s.reseller.org.id, AS_OF)
    assert at.reseller_floor == Decimal("1000.00") and at.meets_reseller_floor


@pytest.mark.parametrize("measure", list(Measure))
def test_drill_down_adds_up_to_the_figure(
    session: Session, rs: RevenueScene, measure: Measure
) -> None:
    may, june, july = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)
    fx(session, may, "EUR", "1.08371")
    fx(session, june, "EUR", "1.10007")
    for period in (may, june, july):
        for each in ("3.33", "7.77", "1.01"):
            billing.charge(
                session,
                rs.indirect,
                period,
                each="1",
                billing_currency="EUR" if period != july else None,
                billed_each=each,
                quantity=3,
            )
        billing.charge(
            session,
            rs.perpetual,
            period,
            each="1",
            billed_each="0.07",
            quantity=1,
            billing_currency="EUR" if period != july else None,
        )
        settle(session, period)
    org = rs.s.provider.org.id if measure is Measure.BILLED else rs.s.reseller.org.id
    drill = ttm.ttm_lines(session, org, AS_OF, measure)
    figure = ttm.ttm_for(session, org, AS_OF).figure(measure)
    assert drill.figure == figure > 0
    assert sum(line.usd for line in drill.lines) == figure
    assert all(abs(line.usd - line.usd_exact) < Decimal("0.01") for line in drill.lines)
    perpetual_lines = [ln for ln in drill.lines if ln.product_type == "SoftwarePerpetual"]
    assert len(perpetual_lines) == (0 if measure is Measure.DIRECT_BILL else 3)
    assert [ln.period for ln in drill.lines] == sorted(ln.period for ln in drill.lines)
    assert {ln.invoice_id for ln in drill.lines} and all(
        ln.invoice_id.startswith("G") for ln in drill.lines
    )


def test_all_partners_equals_each_partner(session: Session, rs: RevenueScene) -> None:
    fx(session, date(2026, 2, 1), "EUR", "1.07")
    for n, period in enumerate((date(2025, 12, 1), date(2026, 2, 1), date(2026, 9, 1))):
        currency = "EUR" if n == 1 else None
        billing.charge(
            session, rs.indirect, period, each="10", billing_currency=currency, billed_each="9.13"
        )
        billing.charge(session, rs.perpetual, period, each="250", charge_type="new")
        billing.charge(session, rs.direct, period, each="3.37")
        settle(session, period, short_by=1 if n == 2 else 0)
    everyone = ttm.ttm_all(session, AS_OF)
    assert {rs.s.reseller.org.id, rs.s.provider.org.id, rs.s.direct.org.id} <= set(everyone)
    for org, figures in everyone.items():
        assert ttm.ttm_for(session, org, AS_OF) == figures
    assert everyone[rs.s.reseller.org.id].direct_bill > 0
