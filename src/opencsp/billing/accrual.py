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
- **cycles** (set-based SQL, ``billing.cycle_path``): every other subscription stood
  still through the period, so its only line is the cycle charge of a cycle starting in
  it, at the seats, price and status it has now. The cycles of each distinct (term
  start, anchor, term, plan, term end, price, currencies) are computed once with
  ``cycles.term_cycles`` and ``cycles.seat_between`` into a temporary grid, and one
  ``INSERT … SELECT`` joins the subscriptions to it.

Both write ``charges`` with the rule's ``key`` under ``uq_charges_tier_key`` and skip a
line already there, so a run killed and re-run writes each line once. A line is in the
period it accrues in, or the first open one when its month is closed
(``charges.period_for``): the run of the first open month takes every unwritten line
accruing before its end.

Currency: a line is priced in its subscription's (or order's) currency and billed in
the partner's: the same currency at rate 1, dated the period (``invoices.identity``),
for licence-based items priced in the partner's currency; for an item priced in USD,
converted at the period's rate (``billing.fx``; rules.md §11).

"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    select,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencsp.billing import charges as rules
from opencsp.billing import fx
from opencsp.billing.bulk import write_rows
from opencsp.billing.history import history_lines
from opencsp.billing.invoices import document_for
from opencsp.billing.lines import ChargeLine, EventFacts, midnight
from opencsp.billing.lines import next_month as following
from opencsp.billing.models import VENDOR, Charge
from opencsp.core.money import Currency, Money
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


def replanned(sub: Any) -> ColumnElement[bool]:
    """The subscription's current term changed its billing plan (one uncorrelated
    subquery, hashed once)."""
    e = SubscriptionEvent
    plans = select(e.subscription_id, e.term_number).where(
        e.kind == EventKind.CHANGE_BILLING_PLAN.value
    )
    return tuple_(sub.id, sub.term_number).in_(plans)


def changed(sub: Any, start: datetime) -> ColumnElement[bool]:
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
    rates = fx.Rates(session)
    rows = [
        fx.billed(charge_row(line, period, now, subs[sub_id]), subs[sub_id].billing_currency, rates)
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
FX = ("currency", "fx_rate", "fx_date")


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
        q = select(Charge.key, *(getattr(Charge, c) for c in PAYER + FX)).where(
            Charge.tier == TIER, Charge.key.in_(part)
        )
        payers.update((row.key, row) for row in session.execute(q))
    for row in rows:
        payer = payers.get(row["offsets_key"] or "")
        if payer is not None:  # and at its rate (billing.fx)
            row.update({c: getattr(payer, c) for c in PAYER})
            fx.as_its_charge(row, payer)
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
