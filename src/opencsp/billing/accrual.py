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
from typing import Any, Protocol, TypeVar

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
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencsp.billing import charges as rules
from opencsp.billing.bulk import insert_ignoring, inserted, unindexed, uuid_text, write_rows
from opencsp.billing.cycles import Cycle, is_periodic, seat_between, term_cycles
from opencsp.billing.history import history_lines
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
KEYS_PER_QUERY = 5000
"""Keys looked up per ``IN`` list (well under PostgreSQL's 65,535 parameters)."""
T = TypeVar("T")
BILLED = (Status.ACTIVE.value, Status.SUSPENDED.value)


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


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def accrue_walked(
    session: Session, ids: Sequence[uuid.UUID], period: date, *, now: datetime
) -> int:
    """Walk these subscriptions' histories and write their unwritten lines of ``period``."""
    if not ids:
        return 0
    return write_rows(session, walked_rows(session, ids, period, now, midnight(following(period))))


def walked_rows(
    session: Session, ids: Sequence[uuid.UUID], period: date, now: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The charge rows of ``period`` these subscriptions' histories make up to ``until``
    that are not written yet (the walked path; also the open period's preview)."""
    subs = subscriptions_of(session, ids)
    walked = {
        sub_id: history_lines(h, until=until) for sub_id, h in events_of(session, ids).items()
    }
    billed = written(session, [line.key for lines in walked.values() for line in lines])
    rows = [
        charge_row(line, period, now, subs[sub_id])
        for sub_id, lines in walked.items()
        for line in rules.charges_for_period(
            lines, period, closed_before=midnight(period), billed=billed
        )
    ]
    return billed_as_charged(session, rows)


PAYER = (
    "bill_to_key",
    "bill_to_organization_id",
    "reseller_organization_id",
    "partner_id_on_record",
)


def billed_as_charged(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each credit billed to whom its charge was: the bill-to, reseller and partner of
    record of the written line it gives back (``offsets_key``), not the subscription's
    now. They differ when the subscription changed hands between the two: a transition
    to indirect reseller (rules.md §2d) moves a direct-bill partner's subscriptions to
    its provider in mid-term, so a cancellation or seat reduction in the window after
    the move gives back what the partner paid, to the partner, and the provider (which
    never paid it) gets nothing back (issue 6: refunds never exceed what was charged).
    A credit whose charge is not written yet (both in this period) has the same payer."""
    keys = sorted({r["offsets_key"] for r in rows if r["offsets_key"] is not None})
    payers: dict[str, Any] = {}
    for part in chunks(keys, KEYS_PER_QUERY):
        q = select(Charge.key, *(getattr(Charge, c) for c in PAYER)).where(
            Charge.tier == TIER, Charge.key.in_(part)
        )
        payers.update((row.key, row) for row in session.execute(q))
    for row in rows:
        payer = payers.get(row["offsets_key"] or "")
        if payer is not None:
            row.update({c: getattr(payer, c) for c in PAYER})
    return rows


def subscriptions_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """These subscriptions' rows (Core: only read, never changed), by id."""
    table = Subscription.__table__
    rows = session.execute(select(table).where(table.c.id.in_(ids)))
    return {row.id: row for row in rows}


def events_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[EventFacts]]:
    """The histories of these subscriptions, each in order, in one query (Core rows)."""
    events: dict[uuid.UUID, list[EventFacts]] = defaultdict(list)
    table = SubscriptionEvent.__table__
    for row in session.execute(
        select(table)
        .where(table.c.subscription_id.in_(ids))
        .order_by(table.c.subscription_id, table.c.sequence)
    ):
        events[row.subscription_id].append(EventFacts.from_row(row))
    return events


def written(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these vendor line keys are written already, looked up in
    ``uq_charges_tier_key``."""
    found: set[str] = set()
    for part in chunks(sorted(set(keys)), KEYS_PER_QUERY):
        q = select(Charge.key).where(Charge.tier == TIER, Charge.key.in_(part))
        found.update(session.scalars(q))
    return found


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
        "offsets_key": line.offsets_key,
        "price_ratio": None,
        "ratio_of": None,
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
    shapes: dict[tuple[date, int | None, str, str, date], list[Cycle]] = {}
    for start, anchor, duration, plan, term_end, price, currency in keys:
        shape = (start, anchor, duration, plan, term_end)
        if shape not in shapes:  # the cycles don't depend on the price: once per shape
            every = term_cycles(
                start, term_end, TermDuration(duration), BillingPlan(plan), anchor_day=anchor
            )
            shapes[shape] = [c for c in every[1:] if period <= c.start < end]
        money = Currency.of(currency)
        for cycle in shapes[shape]:
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
        .where(_standing(session, period))
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
