"""Revenue by month, product, market and reseller, and the monthly series behind the
revenue chart (issue 6 "Revenue"; rules.md §3.4–3.5).

A partner's revenue is what the vendor billed on the lines it is attributed to: lines
billed to it (a direct-bill partner or a provider) and lines where it is reseller of
record (an indirect reseller); the vendor's is every line it billed. Amounts are in USD
at each month's FX rate (rules.md §11), exact until each row is rounded once. By default
only paid documents count, as in the TTM figures (rules.md §3.5); ``paid_only=False``
counts every issued document. Every product type counts here: the exclusions of the TTM
figures belong to them (``reporting.rules``), and the chart's series is one of those
figures (``monthly_series``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing.models import VENDOR, Charge, Invoice
from opencsp.catalog.models import Product
from opencsp.core.http import WireEnum
from opencsp.markets.models import Market
from opencsp.reporting import rules, ttm
from opencsp.reporting.errors import InvalidMonthRange
from opencsp.reporting.rules import Measure

MAX_MONTHS = 36
"""The longest range one report covers."""


class Breakdown(WireEnum):
    MONTH = "month"
    PRODUCT = "product"
    MARKET = "market"
    RESELLER = "reseller"


@dataclass(frozen=True, slots=True)
class RevenueRow:
    """One row of a breakdown: its key (``YYYY-MM``, product id, market id or reseller
    id; empty for lines without one), a label to show, the USD amount rounded once and
    the number of charge lines."""

    key: str
    label: str
    usd: Decimal
    lines: int


@dataclass(frozen=True, slots=True)
class MonthPoint:
    """A month of the chart: that month's amount of a figure and the figure's TTM over
    the 12 months ending with it (the TTM as of the next month), each rounded once."""

    month: date
    usd: Decimal
    ttm: Decimal


def ensure_range(start: date, end: date) -> None:
    if not start < end or len(rules.months(start, end)) > MAX_MONTHS:
        raise InvalidMonthRange(start=f"{start:%Y-%m}", end=f"{end:%Y-%m}", limit=MAX_MONTHS)


def _key_column(by: Breakdown) -> Any:
    c = Charge
    return {
        Breakdown.MONTH: c.period,
        Breakdown.PRODUCT: c.product_id,
        Breakdown.MARKET: c.market_id,
        Breakdown.RESELLER: c.reseller_organization_id,
    }[by]


def _attributed_to(org_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    c = Charge
    if org_id is None:
        return []
    return [or_(c.bill_to_organization_id == org_id, c.reseller_organization_id == org_id)]


def revenue_by(
    session: Session,
    org_id: uuid.UUID | None,
    start: date,
    end: date,
    by: Breakdown,
    *,
    paid_only: bool = True,
) -> list[RevenueRow]:
    """The revenue of ``org_id`` (the vendor's, all of it, when None) over the months
    ``[start, end)`` by ``by``, largest first (months in order)."""
    ensure_range(start, end)
    c, i = Charge, Invoice
    key = _key_column(by)
    conditions = [c.tier == VENDOR, c.period >= start, c.period < end, *_attributed_to(org_id)]
    if paid_only:
        conditions.append(i.paid_minor >= i.total_minor)  # rules.is_paid
    stmt = (
        select(key, c.period, c.currency, func.sum(c.billed_amount_minor), func.count())
        .select_from(c)
        .join(Invoice, ttm.document_join())
        .where(*conditions)
        .group_by(key, c.period, c.currency)
    )
    found_rates = ttm.rates(session, start, end)
    exact: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for value, period, currency, amount, n in session.execute(stmt):
        name = _key_text(value)
        rate = ttm.rate_of(found_rates, period, currency)
        exact[name] += rules.usd_exact(int(amount), currency, rate)
        counts[name] += int(n)
    labels = _labels(session, by, set(exact))
    rows = [
        RevenueRow(key=k, label=labels.get(k, k), usd=rules.round_usd(v), lines=counts[k])
        for k, v in exact.items()
    ]
    if by is Breakdown.MONTH:
        return sorted(rows, key=lambda r: r.key)
    return sorted(rows, key=lambda r: (-r.usd, r.key))


def _key_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y-%m}"
    return str(value)


def _labels(session: Session, by: Breakdown, keys: set[str]) -> dict[str, str]:
    wanted = sorted(k for k in keys if k)
    if not wanted or by is Breakdown.MONTH:
        return {}
    if by is Breakdown.PRODUCT:
        stmt: Any = select(Product.id, Product.title).where(Product.id.in_(wanted))
    elif by is Breakdown.MARKET:
        stmt = select(Market.id, Market.name).where(Market.id.in_(wanted))
    else:
        ids = [uuid.UUID(k) for k in wanted]
        stmt = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    return {str(k): str(name) for k, name in session.execute(stmt)}


def monthly_series(
    session: Session, org_id: uuid.UUID | None, measure: Measure, end: date, count: int = 12
) -> list[MonthPoint]:
    """The ``count`` months before ``end`` (a month start, excluded): each month's paid
    amount of ``measure`` and its rolling TTM (``rules.rolling``); the vendor's series
    (``org_id`` None) adds every partner's. Reads ``count + 11`` months so the first
    point's TTM is whole."""
    start = rules.add_months(end, -count)
    first = rules.add_months(start, -(rules.WINDOW_MONTHS - 1))
    ensure_range(first, end)
    monthly = ttm.monthly_exact(session, first, end, org_id)
    per_month: dict[date, Decimal] = defaultdict(Decimal)
    for (_org, m, month), usd in monthly.items():
        if m is measure:
            per_month[month] += usd
    span = rules.months(first, end)
    values = [per_month.get(month, Decimal(0)) for month in span]
    rolled = rules.rolling(values)
    skip = len(span) - count
    return [
        MonthPoint(month=span[k], usd=rules.round_usd(values[k]), ttm=rules.round_usd(rolled[k]))
        for k in range(skip, len(span))
    ]
