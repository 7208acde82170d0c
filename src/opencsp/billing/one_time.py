"""One-time purchases (perpetual software) recorded as charges when they happen
(DESIGN.md §3: orders record one-time charges through billing; rules.md §9c).

A purchase has no term and no history of events, so the order records its ``new`` line
at checkout and its ``cancelImmediate`` credit when it is cancelled in its 30-day window
(``charges.one_time_lines``). Each line goes to the period it accrues in, or the first
open one when that month is closed or being billed (``charges.period_for``); its key is
unique, so recording the same purchase twice writes nothing more. A purchase priced in
another currency than the partner's is billed at its month's rate, and so is its refund
(``billing.fx``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.billing import charges as rules
from opencsp.billing import fx
from opencsp.billing.accrual import TIER, charge_row
from opencsp.billing.bulk import write_rows
from opencsp.billing.lines import OneTimeFacts, midnight, next_month
from opencsp.billing.models import BillingPeriod, Charge


@dataclass(frozen=True, slots=True)
class OneTimeSource:
    """Who bought what: the order line's parties and catalog item."""

    organization_id: uuid.UUID
    customer_id: uuid.UUID
    market_id: str | None
    reseller_organization_id: uuid.UUID | None
    partner_id_on_record: str | None
    product_id: str
    sku_id: str
    availability_id: str
    product_type: str
    billing_currency: str | None = None  # the partner's, when not the pricing currency


def first_open_instant(session: Session) -> datetime | None:
    """00:00 UTC of the month after the latest one closed or being billed."""
    latest = session.scalar(select(func.max(BillingPeriod.period)))
    return midnight(next_month(latest)) if latest else None


def record(
    session: Session, purchase: OneTimeFacts, source: OneTimeSource, *, now: datetime
) -> int:
    """Write the purchase's lines not written yet (module docstring); answers how many."""
    closed_before = first_open_instant(session)
    rows = []
    for line in rules.one_time_lines(purchase):
        period = rules.period_for(line.accrued_at, closed_before) if closed_before else line.period
        rows.append(charge_row(line, period, now, source))
    billing = source.billing_currency
    if rows and billing not in (None, purchase.currency):
        # every line at the rate the purchase was billed at: its refund gives back that
        bought = session.execute(
            select(Charge.currency, Charge.fx_rate, Charge.fx_date).where(
                Charge.tier == TIER, Charge.key == rows[0]["key"]
            )
        ).first()
        if bought is None:  # the purchase itself: at its month's rate
            at = fx.Rates(session).of(purchase.currency, billing, rows[0]["period"])
            rows = [fx.bill_in(row, at) for row in rows]
        else:
            rows = [fx.as_its_charge(row, bought) for row in rows]
    return write_rows(session, rows)
