"""The demo's billing (``demo.billing``), loaded with the whole demo on the test clock
(2026-11-21): the 12 months before the current one billed and closed, the vendor's,
the providers' and the partners' documents each totalling its lines, payments with one
late payer delinquent and one partial payment, the open month's lines unbilled, and
TTM revenue with one reseller just above USD 300,000."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select

from opencsp.auth import queries as auth_queries
from opencsp.billing import payments, unbilled
from opencsp.billing.models import VENDOR, BillingPeriod, Charge, Invoice, Payment
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.money import Currency
from opencsp.demo import billing as demo_billing
from opencsp.demo.catalog import product_id
from opencsp.demo.parties import PARTNERS
from opencsp.reporting import ttm
from opencsp.reporting.rules import DIRECT_BILL_THRESHOLD
from tests.service.demo.conftest import NOW, Demo

CLOSED = [date(2025 + (10 + m) // 12, (10 + m) % 12 + 1, 1) for m in range(12)]
"""2025-11 … 2026-10: the 12 months before the current one (2026-11)."""


def org_id(demo: Demo, key: str) -> uuid.UUID:
    partner = next(p for p in PARTNERS if p.key == key)
    user = auth_queries.user_by_email(demo.session, partner.users[0].email)
    assert user is not None
    return user.organization_id


def test_the_12_months_before_this_one_are_billed_and_closed(demo: Demo):
    rows = demo.session.execute(
        select(BillingPeriod.period, BillingPeriod.status).order_by(BillingPeriod.period)
    ).all()
    assert rows == [(month, "closed") for month in CLOSED]
    assert CLOSED[0] == date(2025, 11, 1) and CLOSED[-1] == date(2026, 10, 1)


def test_every_closed_month_has_vendor_provider_and_partner_documents(demo: Demo):
    found = demo.session.execute(
        select(Invoice.period, Invoice.tier, func.count()).group_by(Invoice.period, Invoice.tier)
    ).all()
    tiers: dict[date, set[str]] = {}
    for period, tier, count in found:
        assert count > 0
        tiers.setdefault(period, set()).add(tier)
    assert sorted(tiers) == CLOSED
    for month in CLOSED[1:]:  # the first month's downstream buyers may not be billed yet
        assert tiers[month] == {"vendor", "provider", "partner"}, month
    vendor_bill_tos = demo.session.scalars(
        select(Invoice.bill_to_organization_id).where(Invoice.seller_key == VENDOR).distinct()
    ).all()
    buyers = {org_id(demo, k) for k in ("provider-us", "provider-kr", "direct-us", "direct-eu")}
    assert set(vendor_bill_tos) == buyers


def test_every_document_totals_its_lines(demo: Demo):
    lines = (
        select(
            Charge.seller_key,
            Charge.bill_to_key,
            Charge.period,
            Charge.currency,
            Charge.document_type,
            func.sum(Charge.billed_amount_minor).label("total"),
            func.count().label("count"),
        )
        .group_by(
            Charge.seller_key,
            Charge.bill_to_key,
            Charge.period,
            Charge.currency,
            Charge.document_type,
        )
        .subquery()
    )
    rows = demo.session.execute(
        select(
            Invoice.id, Invoice.total_minor, Invoice.line_count, lines.c.total, lines.c.count
        ).join(
            lines,
            (lines.c.seller_key == Invoice.seller_key)
            & (lines.c.bill_to_key == Invoice.bill_to_key)
            & (lines.c.period == Invoice.period)
            & (lines.c.currency == Invoice.currency)
            & (lines.c.document_type == Invoice.document_type),
        )
    ).all()
    documents = demo.session.scalar(select(func.count()).select_from(Invoice))
    assert len(rows) == documents and documents > 100
    assert [r for r in rows if (r[1], r[2]) != (r[3], r[4])] == []


def test_payments_one_late_payer_delinquent_one_partial_most_paid(demo: Demo):
    s, today = demo.session, NOW.date()
    late, partial = org_id(demo, "direct-eu"), org_id(demo, "direct-us")
    owed = payments.balances(s, today=today, seller_key=VENDOR)
    assert [uuid.UUID(b.bill_to_key) for b in owed if b.is_delinquent] == [late]
    invoices = s.scalars(select(Invoice).where(Invoice.document_type == "invoice")).all()
    paid = [i for i in invoices if i.paid_minor >= i.total_minor]
    part = [i for i in invoices if 0 < i.paid_minor < i.total_minor]
    assert len(paid) > len(invoices) * 0.7
    assert [(i.bill_to_organization_id, i.period) for i in part] == [(partial, date(2026, 9, 1))]
    assert part[0].paid_minor == part[0].total_minor // 2 and part[0].due_date >= today
    overdue = [i for i in invoices if i.paid_minor < i.total_minor and i.due_date < today]
    assert {i.bill_to_organization_id for i in overdue if i.seller_key == VENDOR} == {late}
    # an indirect reseller may not record payments (billing.manage): its customers' only
    resellers = {org_id(demo, p.key) for p in PARTNERS if p.tier is Tier.INDIRECT_RESELLER}
    assert {i.seller_organization_id for i in overdue if i.seller_key != VENDOR} <= resellers
    # the late payer's invoices are paid after their due date, by the vendor's operator
    late_paid = s.execute(
        select(Payment.received_on, Invoice.due_date)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.bill_to_organization_id == late)
    ).all()
    assert late_paid and all(received > due for received, due in late_paid)
    recorded = s.scalar(select(func.count()).select_from(Payment))
    assert recorded == s.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.paid_minor > 0)
    )


def test_the_open_month_has_unbilled_lines(demo: Demo):
    provider = org_id(demo, "provider-us")
    with clock.frozen(NOW):
        lines = unbilled.preview(demo.session, bill_to_key=str(provider), period=date(2026, 11, 1))
    assert lines and all(line.period == date(2026, 11, 1) for line in lines)


def test_ttm_revenue_is_real_and_one_reseller_is_just_above_300k(demo: Demo):
    figures = ttm.ttm_all(demo.session, NOW)
    fabrikam = figures[org_id(demo, "reseller-us-1")]
    above = DIRECT_BILL_THRESHOLD
    assert above <= fabrikam.direct_bill < above + demo_billing.TOP_UP_MARGIN + Decimal(1000)
    assert fabrikam.meets_direct_bill and fabrikam.reseller_floor > fabrikam.direct_bill
    others = [f for org, f in figures.items() if org != fabrikam.organization_id]
    assert all(not f.meets_direct_bill for f in others)
    for key in ("provider-us", "provider-kr", "direct-us", "direct-eu"):
        assert figures[org_id(demo, key)].billed > 0, key
    assert figures[org_id(demo, "reseller-kr-1")].direct_bill > 0


def test_reserved_compute_priced_in_usd_is_billed_in_won_and_euros(demo: Demo):
    """The featured reserved-compute deals (``demo.commerce_featured``): priced in USD and
    billed at each month's rate in the partner's currency (rules.md §11), the vendor's
    lines and the downstream ones, each seat by ``ROUNDDOWN(price × rate)``."""
    rows = demo.session.execute(
        select(
            Charge.tier,
            Charge.period,
            Charge.currency,
            Charge.fx_rate,
            Charge.fx_date,
            Charge.each_minor,
            Charge.billed_each_minor,
        ).where(Charge.product_id == product_id("RSVM"), Charge.period.in_(CLOSED))
    ).all()
    assert {r.currency for r in rows} == {"KRW", "EUR"}
    assert {r.tier for r in rows} == {"vendor", "provider", "partner"}
    for r in rows:
        assert r.fx_rate != 1 and r.fx_date == r.period, r
        seat = Decimal(r.each_minor).scaleb(-2) * Decimal(r.fx_rate)
        minor = Currency.of(r.currency).minor_units
        assert r.billed_each_minor == int(seat.scaleb(minor).to_integral_value(ROUND_DOWN)), r
    won = {r.period: r.fx_rate for r in rows if r.currency == "KRW" and r.tier == "vendor"}
    assert len(won) >= 6 and len(set(won.values())) > 1  # billed monthly, month by month
