"""The cycles path of the bill run (``billing.accrual``, module docstring): every
subscription that stood still through the period is charged its cycle starting in it in
one ``INSERT … SELECT`` over a temporary grid of the cycles of each distinct term, price
and currency pair, billed at the period's rate (``billing.fx``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from opencsp.billing import fx
from opencsp.billing.accrual import BILLED, TIER, changed, replanned
from opencsp.billing.bulk import insert_ignoring, inserted, unindexed, uuid_text
from opencsp.billing.cycles import Cycle, is_periodic, seat_between, term_cycles
from opencsp.billing.invoices import DocumentType
from opencsp.billing.lines import ChargeType, midnight
from opencsp.billing.lines import next_month as following
from opencsp.billing.models import VENDOR, Charge
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.money import Currency, Money
from opencsp.core.types import DecimalText, UTCDateTime
from opencsp.subscriptions.models import Subscription

GRID = Table(
    "bill_cycle_grid",
    MetaData(),
    Column("term_start", Date),
    Column("anchor_day", Integer),
    Column("term_duration", String(8)),
    Column("billing_plan", String(16)),
    Column("term_end", Date),
    Column("unit_price", DecimalText()),
    Column("currency", String(3)),
    Column("billing_currency", String(3)),
    Column("cycle_number", Integer),
    Column("cycle_start", Date),
    Column("cycle_end", Date),
    Column("each_minor", Integer),
    Column("billed_each_minor", Integer),
    Column("fx_rate", DecimalText()),
    Column("fx_date", Date),
    Column("accrued_at", UTCDateTime()),
    Index("ix_bill_cycle_grid", "term_start", "term_end", "unit_price"),
    prefixes=["TEMPORARY"],
)


def _standing(session: Session, period: date) -> Any:
    """The subscriptions the cycles path prices: billed, with seats, a periodic plan and
    a term overlapping the period, unchanged since it began and not replanned. Most
    subscriptions are, so they are read in one pass over the table (``unindexed``)."""
    s = Subscription
    start = midnight(period)
    return and_(
        unindexed(session, s.status).in_(BILLED),
        s.quantity > 0,
        s.billing_plan.in_([p.value for p in BillingPlan if is_periodic(p)]),
        s.term_duration.in_(
            [TermDuration.P1M.value, TermDuration.P1Y.value, TermDuration.P3Y.value]
        ),
        s.term_start < following(period),
        unindexed(session, s.term_end) >= period,
        ~changed(s, start),
        ~replanned(s),
    )


def grid_rows(
    keys: Iterable[tuple[date, int | None, str, str, date, Decimal, str, str]],
    period: date,
    rates: fx.Rates,
) -> list[dict[str, Any]]:
    """For each distinct term, price and billing currency, the cycle starting in
    ``period`` (not the first: a term's first cycle is charged by the event that started
    it) and one seat's charge for it, by the rules (``cycles``), billed at the period's
    rate (``billing.fx``)."""
    rows = []
    end = following(period)
    shapes: dict[tuple[date, int | None, str, str, date], list[Cycle]] = {}
    for start, anchor, duration, plan, term_end, price, currency, billing in keys:
        shape = (start, anchor, duration, plan, term_end)
        if shape not in shapes:  # the cycles don't depend on the price: once per shape
            every = term_cycles(
                start, term_end, TermDuration(duration), BillingPlan(plan), anchor_day=anchor
            )
            shapes[shape] = [c for c in every[1:] if period <= c.start < end]
        money = Currency.of(currency)
        rate = rates.of(currency, billing, period)
        for cycle in shapes[shape]:
            each = Money(seat_between(price, cycle.share_start, cycle.share_end, money), money)
            rows.append(
                {
                    "term_start": start,
                    "anchor_day": anchor or 0,
                    "term_duration": duration,
                    "billing_plan": plan,
                    "term_end": term_end,
                    "unit_price": price,
                    "currency": currency,
                    "billing_currency": billing,
                    "cycle_number": cycle.number,
                    "cycle_start": cycle.start,
                    "cycle_end": cycle.end,
                    "each_minor": each.to_minor(),
                    "billed_each_minor": fx.billed_each(each.to_minor(), rate),
                    "fx_rate": rate.rate,
                    "fx_date": rate.rate_date,
                    "accrued_at": midnight(cycle.start),
                }
            )
    return rows


def accrue_cycles(session: Session, period: date, *, now: datetime) -> int:
    """The cycles path (module docstring): one ``INSERT … SELECT``."""
    s = Subscription
    keys = session.execute(
        select(
            s.term_start,
            s.anchor_day,
            s.term_duration,
            s.billing_plan,
            s.term_end,
            s.unit_price,
            s.currency,
            func.coalesce(s.billing_currency, s.currency),
        )
        .where(_standing(session, period))
        .distinct()
    ).all()
    rows = grid_rows([tuple(k) for k in keys], period, fx.Rates(session))  # type: ignore[misc]
    if not rows:
        return 0
    conn = session.connection()
    GRID.drop(conn, checkfirst=True)
    GRID.create(conn)
    try:
        conn.execute(GRID.insert(), rows)
        return _insert_cycles(session, period, now)
    finally:
        GRID.drop(conn, checkfirst=True)


def _insert_cycles(session: Session, period: date, now: datetime) -> int:
    s, g = Subscription, GRID.c
    kind = ChargeType.CYCLE_CHARGE.value
    key = (
        uuid_text(session, s.id)
        + ":"
        + func.cast(s.term_number, String)
        + "."
        + func.cast(g.cycle_number, String)
        + ":"
        + kind
    )
    amount, billed = g.each_minor * s.quantity, g.billed_each_minor * s.quantity
    cols: dict[str, Any] = {
        "tier": literal(TIER),
        "key": key,
        "period": literal(period, Date),
        "document_type": literal(DocumentType.INVOICE.value),
        "seller_key": literal(VENDOR),
        "bill_to_key": uuid_text(session, s.organization_id),
        "seller_organization_id": literal(None, s.id.type),
        "bill_to_organization_id": s.organization_id,
        "customer_id": s.customer_id,
        "reseller_organization_id": s.reseller_organization_id,
        "partner_id_on_record": s.partner_id_on_record,
        "subscription_id": s.id,
        "order_id": s.order_id,
        "order_line_number": s.order_line_number,
        "product_id": s.product_id,
        "sku_id": s.sku_id,
        "availability_id": s.availability_id,
        "product_type": s.product_type,
        "market_id": s.market_id,
        "charge_type": literal(kind),
        "accrued_at": g.accrued_at,
        "charge_start": g.cycle_start,
        "charge_end": g.cycle_end,
        "quantity": s.quantity,
        "unit_price": s.unit_price,
        "pricing_currency": s.currency,
        "each_minor": g.each_minor,
        "amount_minor": amount,
        "currency": g.billing_currency,
        "fx_rate": g.fx_rate,
        "fx_date": g.fx_date,
        "billed_each_minor": g.billed_each_minor,
        "billed_amount_minor": billed,
        "cost_minor": literal(None, Integer),
        "term_duration": s.term_duration,
        "billing_plan": s.billing_plan,
        "term_number": s.term_number,
        "cycle_number": g.cycle_number,
        "event_sequence": literal(None, Integer),
        "term_start": s.term_start,
        "term_end": s.term_end,
        "offsets_period": literal(None, Date),
        "offsets_key": literal(None, String),
        "price_ratio": literal(None, String),
        "ratio_of": literal(None, String),
        "created_at": literal(now, Charge.created_at.type),
    }
    select_rows = (
        select(*[expr.label(name) for name, expr in cols.items()])
        .select_from(s)
        .join(
            GRID,
            and_(
                g.term_start == s.term_start,
                g.anchor_day == func.coalesce(s.anchor_day, 0),
                g.term_duration == s.term_duration,
                g.billing_plan == s.billing_plan,
                g.term_end == s.term_end,
                g.unit_price == s.unit_price,
                g.currency == s.currency,
                g.billing_currency == func.coalesce(s.billing_currency, s.currency),
            ),
        )
        .where(_standing(session, period))
    )
    stmt = (
        insert_ignoring(session)(Charge.__table__)
        .from_select(list(cols), select_rows)
        .on_conflict_do_nothing(index_elements=["tier", "key"])
    )
    written = inserted(session, stmt)
    if written < 0:
        raise RuntimeError("the database driver reported no rowcount for INSERT … SELECT")
    return written
