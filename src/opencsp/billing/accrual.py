"""Writing a period's vendor charges from the subscription and order history (issue 6;
rules.md §9b–9c; file-formats.md §8e).

The rules are ``billing.history`` / ``billing.charges`` (pure; the oracle). They run on
two paths that write the same lines:

- **walked** (Python, batched): a subscription whose history changed since the period
  began (any event at or after its first instant), one whose current term changed its
  billing plan, and — when the month before is not closed (the first run) — every
  subscription: its events are walked with ``charges.period_lines`` and the lines not
  yet written are inserted (one-time purchases are recorded by the order when they
  happen, ``billing.one_time``);
- **cycles** (set-based SQL): every other subscription stood still through the period,
  so its only line is the cycle charge of a cycle starting in it, at the seats, price
  and status it has now. The cycles of each distinct (term start, anchor, term, plan,
  term end, price, currency) are computed once with ``cycles.term_cycles`` and
  ``cycles.seat_between`` into a temporary grid, and one ``INSERT … SELECT`` joins the
  subscriptions to it.

Both write ``charges`` with the rule's ``key`` under ``uq_charges_tier_key`` and skip a
line already there, so a run killed and re-run writes each line once. A line is in the
period it accrues in, or the first open one when its month is closed
(``charges.period_for``): the run of the first open month takes every unwritten line
accruing before its end.

Currency: licence-based items are priced in the partner's currency (rules.md §11), so
the billing currency is the pricing currency and the recorded rate is 1, dated the
period (``invoices.identity``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencsp.billing import charges as rules
from opencsp.billing.cycles import is_periodic, seat_between, term_cycles
from opencsp.billing.invoices import DocumentType, document_for
from opencsp.billing.lines import ChargeLine, ChargeType, EventFacts, midnight
from opencsp.billing.lines import next_month as following
from opencsp.billing.models import VENDOR, Charge
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.money import Currency, Money
from opencsp.core.types import DecimalText, UTCDateTime
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from opencsp.subscriptions.rules import Status

TIER = "vendor"
BILLED = (Status.ACTIVE.value, Status.SUSPENDED.value)


def insert_ignoring(session: Session) -> Any:
    """The dialect's ``INSERT … ON CONFLICT DO NOTHING`` builder."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def write_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert charge rows (Core, in one ``executemany``), skipping any whose (tier, key)
    is written already. Callers pass only lines they found unwritten, so the answer is
    their number (a racing run's duplicates are skipped by the constraint)."""
    if not rows:
        return 0
    table = Charge.__table__
    stmt = insert_ignoring(session)(table).on_conflict_do_nothing(
        index_elements=[table.c.tier, table.c.key]
    )
    session.connection().execute(stmt, list(rows))
    return len(rows)


# --- which subscriptions walk ------------------------------------------------------------


def walked_ids(session: Session, period: date, *, first_run: bool) -> list[uuid.UUID]:
    """Subscriptions the walked path prices for ``period`` (module docstring)."""
    start, end = midnight(period), midnight(following(period))
    e, s = SubscriptionEvent, Subscription
    if first_run:
        q = select(e.subscription_id).where(e.at < end).distinct()
        return sorted(session.scalars(q))
    changed = select(e.subscription_id).where(e.at >= start)
    replanned = (
        select(s.id)
        .join(e, e.subscription_id == s.id)
        .where(
            e.term_number == s.term_number,
            e.kind == EventKind.CHANGE_BILLING_PLAN.value,
            s.term_end >= period,
        )
    )
    return sorted(set(session.scalars(changed.union(replanned))))


def _replanned(sub: Any) -> ColumnElement[bool]:
    """The subscription's current term changed its billing plan (one uncorrelated
    subquery, hashed once)."""
    e = SubscriptionEvent
    plans = select(e.subscription_id, e.term_number).where(
        e.kind == EventKind.CHANGE_BILLING_PLAN.value
    )
    return tuple_(sub.id, sub.term_number).in_(plans)


def _changed(sub: Any, start: datetime) -> ColumnElement[bool]:
    """The subscription has an event at or after ``start``."""
    e = SubscriptionEvent
    changed: ColumnElement[bool] = sub.id.in_(select(e.subscription_id).where(e.at >= start))
    return changed


# --- the walked path ---------------------------------------------------------------------


def chunks(items: Sequence[uuid.UUID], size: int) -> Iterator[Sequence[uuid.UUID]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def accrue_walked(
    session: Session, ids: Sequence[uuid.UUID], period: date, *, now: datetime
) -> int:
    """Walk these subscriptions' histories and write their unwritten lines of ``period``."""
    if not ids:
        return 0
    subs = {s.id: s for s in session.scalars(select(Subscription).where(Subscription.id.in_(ids)))}
    events = events_of(session, ids)
    written = written_keys(session, ids)
    rows: list[dict[str, Any]] = []
    for sub_id in ids:
        history = events.get(sub_id)
        if not history:
            continue
        lines = rules.period_lines(history, period, closed_before=midnight(period), billed=written)
        rows.extend(charge_row(line, period, now, subs[sub_id]) for line in lines)
    return write_rows(session, rows)


def events_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[EventFacts]]:
    """The histories of these subscriptions, each in order, in one query."""
    events: dict[uuid.UUID, list[EventFacts]] = defaultdict(list)
    for row in session.scalars(
        select(SubscriptionEvent)
        .where(SubscriptionEvent.subscription_id.in_(ids))
        .order_by(SubscriptionEvent.subscription_id, SubscriptionEvent.sequence)
    ):
        events[row.subscription_id].append(EventFacts.from_row(row))
    return events


def written_keys(session: Session, ids: Sequence[uuid.UUID]) -> set[str]:
    q = select(Charge.key).where(Charge.tier == TIER, Charge.subscription_id.in_(ids))
    return set(session.scalars(q))


class RowSource(Protocol):
    """Who and what a line bills: a subscription, or a one-time purchase's order line
    (``one_time.OneTimeSource``)."""

    @property
    def organization_id(self) -> uuid.UUID: ...
    @property
    def customer_id(self) -> uuid.UUID: ...
    @property
    def market_id(self) -> str | None: ...
    @property
    def reseller_organization_id(self) -> uuid.UUID | None: ...
    @property
    def partner_id_on_record(self) -> str | None: ...
    @property
    def product_id(self) -> str: ...
    @property
    def sku_id(self) -> str: ...
    @property
    def availability_id(self) -> str: ...
    @property
    def product_type(self) -> str: ...


def charge_row(line: ChargeLine, period: date, now: datetime, src: RowSource) -> dict[str, Any]:
    """A charge row of the vendor tier from a rule's line (identity FX, module docstring)."""
    currency = Currency.of(line.currency)
    each = Money(line.effective_unit_price, currency).to_minor()
    doc = document_for(line, period)
    return {
        "tier": TIER,
        "key": line.key,
        "period": period,
        "document_type": doc.value,
        "seller_key": VENDOR,
        "bill_to_key": str(src.organization_id),
        "seller_organization_id": None,
        "bill_to_organization_id": src.organization_id,
        "customer_id": src.customer_id,
        "reseller_organization_id": src.reseller_organization_id,
        "partner_id_on_record": src.partner_id_on_record,
        "subscription_id": line.subscription_id,
        "order_id": line.order_id or getattr(src, "order_id", None),
        "order_line_number": (
            line.order_line_number
            if line.order_line_number is not None
            else getattr(src, "order_line_number", None)
        ),
        "product_id": src.product_id,
        "sku_id": src.sku_id,
        "availability_id": src.availability_id,
        "product_type": src.product_type,
        "market_id": src.market_id,
        "charge_type": line.charge_type.value,
        "accrued_at": line.accrued_at,
        "charge_start": line.charge_start,
        "charge_end": line.charge_end,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "pricing_currency": currency.code,
        "each_minor": each,
        "amount_minor": each * line.quantity,
        "currency": currency.code,
        "fx_rate": Decimal(1),
        "fx_date": period,
        "billed_each_minor": each,
        "billed_amount_minor": each * line.quantity,
        "cost_minor": None,
        "term_duration": line.term_duration or "",
        "billing_plan": line.billing_plan or "",
        "term_number": line.term_number,
        "cycle_number": line.cycle_number,
        "event_sequence": line.event_sequence,
        "term_start": line.term_start,
        "term_end": line.term_end,
        "offsets_period": line.offsets_period,
        "created_at": now,
    }


# --- the cycles path ---------------------------------------------------------------------

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
    Column("cycle_number", Integer),
    Column("cycle_start", Date),
    Column("cycle_end", Date),
    Column("each_minor", Integer),
    Column("accrued_at", UTCDateTime()),
    Index("ix_bill_cycle_grid", "term_start", "term_end", "unit_price"),
    prefixes=["TEMPORARY"],
)


def _standing(period: date) -> Any:
    """The subscriptions the cycles path prices: billed, with seats, a periodic plan and
    a term overlapping the period, unchanged since it began and not replanned."""
    s = Subscription
    start = midnight(period)
    return and_(
        s.status.in_(BILLED),
        s.quantity > 0,
        s.billing_plan.in_([p.value for p in BillingPlan if is_periodic(p)]),
        s.term_duration.in_(
            [TermDuration.P1M.value, TermDuration.P1Y.value, TermDuration.P3Y.value]
        ),
        s.term_start < following(period),
        s.term_end >= period,
        ~_changed(s, start),
        ~_replanned(s),
    )


def grid_rows(
    keys: Iterable[tuple[date, int | None, str, str, date, Decimal, str]], period: date
) -> list[dict[str, Any]]:
    """For each distinct term and price, the cycle starting in ``period`` (not the first:
    a term's first cycle is charged by the event that started it) and one seat's charge
    for it, by the rules (``cycles``)."""
    rows = []
    end = following(period)
    for start, anchor, duration, plan, term_end, price, currency in keys:
        cycles = term_cycles(
            start, term_end, TermDuration(duration), BillingPlan(plan), anchor_day=anchor
        )
        money = Currency.of(currency)
        for cycle in cycles[1:]:
            if period <= cycle.start < end:
                each = seat_between(price, cycle.share_start, cycle.share_end, money)
                rows.append(
                    {
                        "term_start": start,
                        "anchor_day": anchor or 0,
                        "term_duration": duration,
                        "billing_plan": plan,
                        "term_end": term_end,
                        "unit_price": price,
                        "currency": currency,
                        "cycle_number": cycle.number,
                        "cycle_start": cycle.start,
                        "cycle_end": cycle.end,
                        "each_minor": Money(each, money).to_minor(),
                        "accrued_at": midnight(cycle.start),
                    }
                )
    return rows


def uuid_text(session: Session, column: Any) -> Any:
    """A UUID column as its canonical text (``str(uuid)``) in SQL: PostgreSQL casts;
    SQLite stores 32 hex digits, dashed here."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column, String)
    h = func.lower(column)
    parts = [func.substr(h, a, n) for a, n in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    out: Any = parts[0]
    for part in parts[1:]:
        out = out + "-" + part
    return out


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
        )
        .where(_standing(period))
        .distinct()
    ).all()
    rows = grid_rows([tuple(k) for k in keys], period)  # type: ignore[misc]
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
    amount = g.each_minor * s.quantity
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
        "currency": s.currency,
        "fx_rate": literal(Decimal(1), DecimalText()),
        "fx_date": literal(period, Date),
        "billed_each_minor": g.each_minor,
        "billed_amount_minor": amount,
        "cost_minor": literal(None, Integer),
        "term_duration": s.term_duration,
        "billing_plan": s.billing_plan,
        "term_number": s.term_number,
        "cycle_number": g.cycle_number,
        "event_sequence": literal(None, Integer),
        "term_start": s.term_start,
        "term_end": s.term_end,
        "offsets_period": literal(None, Date),
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
            ),
        )
        .where(_standing(period))
    )
    stmt = (
        insert_ignoring(session)(Charge)
        .from_select(list(cols), select_rows)
        .on_conflict_do_nothing(index_elements=[Charge.tier, Charge.key])
    )
    before = _count(session, period)
    session.execute(stmt)
    return _count(session, period) - before


def _count(session: Session, period: date) -> int:
    """The period's vendor lines (the driver's rowcount of an ``INSERT … SELECT … ON
    CONFLICT`` is not reliable across drivers)."""
    q = select(func.count()).where(Charge.period == period, Charge.tier == TIER)
    return int(session.scalar(q) or 0)
