"""Pure rules of pricing: list statuses and timelines, months, the exact price-list
header, and which row prices a transaction (rules.md §11, file-formats.md §1)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol, TypeVar

from opencsp.core.http import WireEnum
from opencsp.pricing.errors import InvalidMonth, InvalidTimeline

PRICE_LIST_COLUMNS: tuple[str, ...] = (
    "ProductTitle",
    "ProductId",
    "SkuId",
    "SkuTitle",
    "Publisher",
    "SkuDescription",
    "UnitOfMeasure",
    "TermDuration",
    "BillingPlan",
    "Market",
    "Currency",
    "UnitPrice",
    "PricingTierRangeMin",
    "PricingTierRangeMax",
    "EffectiveStartDate",
    "EffectiveEndDate",
    "Tags",
    "ERP Price",
)
"""The new-commerce license-based price list columns in the verbatim order of
file-formats.md §1 (the doc's closing typographic quote on ``ERP Price`` is its typo)."""

PRICE_LIST_HEADER = ",".join(f'"{name}"' for name in PRICE_LIST_COLUMNS) + "\r\n"
"""The header line byte for byte: every field double-quoted (PC:developer/get-a-price-sheet.md)."""

FX_COLUMNS: tuple[str, ...] = ("CurrencyCode", "USDPerUnit", "Month")
"""FX rates file columns, verbatim (file-formats.md §6)."""

OPEN_END = datetime(9999, 11, 30, 23, 59, 59, tzinfo=UTC)
"""``EffectiveEndDate`` placeholder for an open-ended row (file-formats.md §1)."""

TIER_UNBOUNDED = 9_223_372_036_854_775_807
"""A tier maximum this large or larger means no upper bound (the Azure sample prints
9223372036854780000); stored as NULL."""


class ListStatus(WireEnum):
    PREVIEW = "preview"
    CURRENT = "current"
    HISTORY = "history"


class Timeline(WireEnum):
    """``timeline`` of the price sheet download (PC:developer/get-a-price-sheet.md)."""

    CURRENT = "current"
    HISTORY = "history"
    FUTURE = "future"


def parse_timeline(value: str | None) -> Timeline:
    if value is None or not value.strip():
        return Timeline.CURRENT
    try:
        return Timeline(value.strip())
    except ValueError:
        raise InvalidTimeline(value=value) from None


_MONTH = re.compile(r"^(\d{4})-?(\d{2})$")


def parse_month(value: str) -> date:
    """``2026-11`` or ``202611`` (Partner Center's ``YYYYMM``) → the month's first day."""
    match = _MONTH.match(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise InvalidMonth(value=value)
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_of(at: datetime | date) -> date:
    return date(at.year, at.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def status_for(month: date, today: date) -> ListStatus:
    """A list is a preview before its month, current during it and history after it —
    the status the activation job converges every list to (rules.md §11)."""
    current = month_of(today)
    if month > current:
        return ListStatus.PREVIEW
    return ListStatus.CURRENT if month == current else ListStatus.HISTORY


class PricedRow(Protocol):
    @property
    def effective_start(self) -> datetime: ...
    @property
    def effective_end(self) -> datetime: ...
    @property
    def tier_min(self) -> int | None: ...
    @property
    def tier_max(self) -> int | None: ...
    @property
    def unit_price(self) -> Decimal: ...


R = TypeVar("R", bound=PricedRow)


def in_tier(row: PricedRow, quantity: int) -> bool:
    low = row.tier_min if row.tier_min is not None else 0
    return low <= quantity and (row.tier_max is None or quantity <= row.tier_max)


def pick_row(rows: Iterable[R], at: datetime, quantity: int = 1) -> R | None:
    """The row that prices a transaction at ``at`` for ``quantity`` units: its effective
    range contains the date (inclusive at both ends) and its tier range the quantity.
    Duplicates can occur (file-formats.md §1: "pick the row whose effective date range
    contains the transaction date"); of several, the latest-starting row is the newer
    price, and equal starts break to the narrower tier."""
    best: R | None = None
    for row in rows:
        if not (row.effective_start <= at <= row.effective_end and in_tier(row, quantity)):
            continue
        if best is None or _newer(row, best):
            best = row
    return best


def _newer(row: PricedRow, other: PricedRow) -> bool:
    if row.effective_start != other.effective_start:
        return row.effective_start > other.effective_start
    return (row.tier_min or 0) > (other.tier_min or 0)


@dataclass(frozen=True, slots=True)
class Tier:
    low: int
    high: int | None
    unit_price: Decimal


def tiered_cost(tiers: Sequence[Tier], quantity: int) -> Decimal:
    """Graduated cost of ``quantity`` units across tiers (rules.md §11: tiers 1–100 at 1.00
    and 101–100000 at 0.80 make 101 units cost 100.80). Exact; rounding is the caller's,
    once per line."""
    total = Decimal(0)
    for tier in sorted(tiers, key=lambda t: t.low):
        top = quantity if tier.high is None else min(quantity, tier.high)
        units = top - max(tier.low, 1) + 1
        if units > 0:
            total += tier.unit_price * units
    return total


def converged_statuses(months: Iterable[date], today: date) -> dict[date, ListStatus]:
    """The status each of one market's lists has on ``today``, which the activation job
    converges to: a preview before its month, current during it, history after it
    (``status_for``; lists update on the 1st with a 30-day preview, rules.md §11). A market
    with no list for the current month keeps its latest past list current: that list still
    prices its transactions (``pricing.queries.applicable_list``), so calling it history
    would mislead the partners reading it."""
    months = sorted(set(months))
    statuses = {month: status_for(month, today) for month in months}
    past = [m for m in months if statuses[m] is not ListStatus.PREVIEW]
    if past and statuses[past[-1]] is ListStatus.HISTORY:
        statuses[past[-1]] = ListStatus.CURRENT
    return statuses
