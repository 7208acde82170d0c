"""Pure rules of revenue reporting: the trailing-twelve-month window, what each figure
counts, USD conversion at a month's rate, and parts that add up to a rounded figure.
No session, no clock.

Three figures per partner, all in USD on paid documents only (rules.md §3.5):

- ``directBill``: cloud revenue earned as an indirect reseller — what providers were
  billed by the vendor for lines where the partner is reseller of record — excluding
  perpetual software (rules.md §2a "cloud revenue, excluding perpetual software") and
  software subscriptions (rules.md §3.5 "Software subscriptions excluded"). Threshold
  USD 300,000 (rules.md §2a).
- ``resellerFloor``: the same attribution *including* perpetual software (rules.md §3.4
  "Eligible TTM includes perpetual software … amounts billed to the reseller's providers
  for transactions assigned to the reseller"). Software subscriptions stay excluded:
  §3.4 names only perpetual software as included and §3.5 excludes software
  subscriptions from displayed TTM revenue **[inferred]**. Threshold USD 1,000
  (rules.md §3.4).
- ``billed``: what the vendor billed the partner itself (a direct-bill partner or a
  provider as bill-to), every product type but software subscriptions (rules.md §3.5)
  **[inferred]**: the partner's own CSP revenue as the program sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from opencsp.catalog.rules import ProductType
from opencsp.core.http import WireEnum
from opencsp.core.money import Currency, round_amount
from opencsp.reporting.errors import InvalidAsOf

USD = Currency("USD")
WINDOW_MONTHS = 12
"""The TTM window is fixed at 12 months (rules.md §3.5)."""

DIRECT_BILL_THRESHOLD = Decimal("300000")
"""USD 300,000 TTM as an indirect reseller for direct-bill eligibility (rules.md §2a)."""

RESELLER_FLOOR = Decimal("1000")
"""USD 1,000 TTM below which a reseller tenant is subject to termination (rules.md §3.4)."""


class Measure(WireEnum):
    """Which figure (module docstring)."""

    DIRECT_BILL = "directBill"
    RESELLER_FLOOR = "resellerFloor"
    BILLED = "billed"


class Role(StrEnum):
    """How a charge line is attributed to a partner: as reseller of record or as bill-to."""

    RESELLER = "reseller"
    BILL_TO = "billTo"


MEASURE_ROLE: dict[Measure, Role] = {
    Measure.DIRECT_BILL: Role.RESELLER,
    Measure.RESELLER_FLOOR: Role.RESELLER,
    Measure.BILLED: Role.BILL_TO,
}

MEASURE_TYPES: dict[Measure, frozenset[str]] = {
    Measure.DIRECT_BILL: frozenset({ProductType.ONLINE_SERVICES.value}),
    Measure.RESELLER_FLOOR: frozenset(
        {ProductType.ONLINE_SERVICES.value, ProductType.SOFTWARE_PERPETUAL.value}
    ),
    Measure.BILLED: frozenset(
        {ProductType.ONLINE_SERVICES.value, ProductType.SOFTWARE_PERPETUAL.value}
    ),
}
"""The product types each figure counts (module docstring)."""

COUNTED_TYPES = frozenset().union(*MEASURE_TYPES.values())


def measures_for(role: Role, product_type: str) -> list[Measure]:
    """The figures a charge line attributed by ``role`` counts toward."""
    return [m for m in Measure if MEASURE_ROLE[m] is role and product_type in MEASURE_TYPES[m]]


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(at: datetime | date) -> date:
    if isinstance(at, datetime):
        at = at.astimezone(UTC)
    return date(at.year, at.month, 1)


def window(as_of: datetime | date) -> tuple[date, date]:
    """The 12 calendar months before the month of ``as_of`` (UTC), as ``[start, end)``
    month starts: the current month is never in it, the 13th month back never
    (rules.md §3.5 "covering the 12 months up to the prior month")."""
    end = month_of(as_of)
    return add_months(end, -WINDOW_MONTHS), end


def months(start: date, end: date) -> list[date]:
    """The month starts of ``[start, end)``."""
    found = []
    month = start
    while month < end:
        found.append(month)
        month = add_months(month, 1)
    return found


def is_paid(total_minor: int, paid_minor: int) -> bool:
    """A document counts once paid in full (rules.md §3.5 "Only revenue on paid invoices
    counts"). A credit note's total is zero or less, so it always counts, deducting in
    its own month: the reconciliation maps an invoice to the sum of its lines less its
    credit notes (file-formats.md §8c), and deducting a credit as soon as it is issued
    never overstates revenue **[inferred]**. The SQL of ``reporting.ttm`` states the same
    predicate."""
    return paid_minor >= total_minor


def usd_exact(amount_minor: int, currency: str, usd_per_unit: Decimal) -> Decimal:
    """An amount in minor units of ``currency`` in USD at the month's rate, unrounded
    (file-formats.md §6: USD per unit; rules.md §11: one rate for the whole month)."""
    return Decimal(amount_minor).scaleb(-Currency.of(currency).minor_units) * usd_per_unit


def round_usd(amount: Decimal) -> Decimal:
    """A figure rounded once, half-up to the cent (core.money)."""
    return round_amount(amount, USD)


def allocate_rounded(exact: Sequence[Decimal]) -> list[Decimal]:
    """Each part rounded so the parts add up to the rounded whole exactly: part *i* is
    ``round(sum of the first i) − round(sum of the first i−1)``, never more than a cent
    from its exact value (DESIGN.md §4: parts add up to the whole)."""
    parts = []
    running = Decimal(0)
    before = Decimal("0.00")
    for value in exact:
        running += value
        after = round_usd(running)
        parts.append(after - before)
        before = after
    return parts


def rolling(monthly: Sequence[Decimal], size: int = WINDOW_MONTHS) -> list[Decimal]:
    """For each month, the exact sum of it and the ``size − 1`` months before it (the
    TTM as of the month after it)."""
    return [sum(monthly[max(0, i - size + 1) : i + 1], Decimal(0)) for i in range(len(monthly))]


def sum_exact(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def parse_as_of(value: str | None, now: datetime) -> datetime:
    """``asOf``: a day (``YYYY-MM-DD``, its first instant UTC) or an ISO instant;
    ``now`` when absent."""
    if value is None or not value.strip():
        return now
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidAsOf(value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
