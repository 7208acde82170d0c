"""Dates of a term: where it ends, when it renews, its billing periods, and the custom
(coterminous) end dates a new term may take (rules.md §9b, §9d, §9f).

End dates are inclusive whole UTC days (``date``), as ``commitmentEndDate`` in Partner
Center; the renewal is the day after (rules.md §9d).

**The month step** [inferred; Partner Center documents no formula]: a term of n months
starting on day d of a month ends the day before day d of the month n months later; when
that month has no day d (29–31), its last day stands in. The day d is the term's *anchor*
and survives renewals, so terms do not drift:

- 2026-01-15 P1M → 2026-02-14; 2026-01-01 P1M → 2026-01-31;
- 2026-01-31 P1M → 2026-02-27 (Feb has no 31st: the 28th stands in, the term ends the day
  before), renews 2026-02-28 and, still anchored on the 31st, ends 2026-03-30;
- 2024-02-29 P1Y → 2025-02-27; 2026-07-15 P3Y → 2029-07-14.

This step also explains the documented coterm rule that a monthly term can't end on the
28th, 29th or 30th unless it is the month's last day: such an end would renew on a 29th–31st
and the next ends would not recur on the same day (PC:align-subscription-end-dates.md).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, ProductType, TermDuration
from opencsp.core.errors import DomainError, InvalidInput
from opencsp.core.http import WireEnum
from opencsp.subscriptions.errors import (
    CustomEndNotMatching,
    CustomEndOnlyForNce,
    MigrationCustomEndNotMatching,
    MigrationCustomEndOutOfTerm,
    ScheduledCustomEndNotMatching,
    ScheduledCustomEndOutOfTerm,
)

ONE_DAY = timedelta(days=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def anchored(year: int, month: int, anchor_day: int) -> date:
    """Day ``anchor_day`` of a month, or its last day when it is shorter."""
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int, *, anchor_day: int | None = None) -> date:
    """The anchor day (``day``'s own by default) ``months`` months after ``day``'s month,
    clamped to that month's end."""
    index = day.year * 12 + day.month - 1 + months
    return anchored(index // 12, index % 12 + 1, anchor_day or day.day)


def _months(duration: TermDuration) -> int:
    if duration not in TERM_MONTHS:
        raise InvalidInput(description=f"A {duration.value} purchase has no term")
    return TERM_MONTHS[duration]


def natural_end(start: date, duration: TermDuration, *, anchor_day: int | None = None) -> date:
    """The end of a full term from ``start`` by the month step (module docstring)."""
    return add_months(start, _months(duration), anchor_day=anchor_day) - ONE_DAY


def term_end(
    start: date,
    duration: TermDuration,
    *,
    custom_end: date | None = None,
    anchor_day: int | None = None,
) -> date:
    """The inclusive last day of a term starting on ``start``: the custom (coterminous) end
    when one was accepted (``check_custom_end``), else the month step (module docstring;
    PC:create-a-new-subscription.md)."""
    if custom_end is not None:
        return custom_end
    return natural_end(start, duration, anchor_day=anchor_day)


def renewal_date(end: date) -> date:
    """Renewal is processed the day after the inclusive end date (rules.md §9d)."""
    return end + ONE_DAY


def renewal_instant(end: date) -> datetime:
    """00:00 UTC of the renewal date: the end date covers the whole UTC day (§9d)."""
    day = renewal_date(end)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Term:
    """One term: inclusive ``start``–``end`` and the anchor day the month step uses."""

    start: date
    end: date
    duration: TermDuration
    anchor_day: int

    @classmethod
    def first(cls, start: date, duration: TermDuration, *, custom_end: date | None = None) -> Term:
        return cls(start, term_end(start, duration, custom_end=custom_end), duration, start.day)


def next_term(
    current: Term, duration: TermDuration | None = None, *, custom_end: date | None = None
) -> Term:
    """The term a renewal starts: the day after ``current`` ends, on ``duration`` (the
    same by default; a scheduled change may set another, rules.md §9f). The anchor carries
    over when the renewal falls on it; after a custom end it moves to the renewal day, so a
    term aligned to 2027-06-30 renews 2027-07-01 and then ends on month ends."""
    start = renewal_date(current.end)
    anchor = current.anchor_day
    if anchored(start.year, start.month, anchor) != start:
        anchor = start.day
    new_duration = duration or current.duration
    end = term_end(start, new_duration, custom_end=custom_end, anchor_day=anchor)
    return Term(start, end, new_duration, anchor)


def billing_periods(
    term_start: date, term_end: date, plan: BillingPlan, *, anchor_day: int | None = None
) -> list[tuple[date, date]]:
    """The charge cycles of a term (``billingCycleEndDate``): steps of the plan's months
    from the term start by the month step, the last cut at the term end (a coterminous
    first term ends early). Plans with no period (trial, one-time) have one period, the
    term. Not the invoice period, which is the calendar month (DESIGN.md §4)."""
    if term_end < term_start:
        raise InvalidInput(description="A term can't end before it starts")
    months = PERIOD_MONTHS.get(plan)
    if months is None:
        return [(term_start, term_end)]
    anchor = anchor_day or term_start.day
    periods: list[tuple[date, date]] = []
    start, step = term_start, 0
    while start <= term_end:
        step += months
        end = min(add_months(term_start, step, anchor_day=anchor) - ONE_DAY, term_end)
        periods.append((start, end))
        start = end + ONE_DAY
    return periods


# --- custom term end dates (coterminosity) ---------------------------------------------------


class CustomEndContext(WireEnum):
    """Where a custom end date is asked for; each has its own documented codes."""

    PURCHASE = "purchase"  # cart / order line: 900242
    RENEWAL = "renewal"  # scheduled next-term instructions: 900244–900246
    MIGRATION = "migration"  # legacy → NCE migration: 900291–900292


class CustomEndType(WireEnum):
    """``allowedCustomTermEndDateType`` (sample subscriptions-custom-term-end-dates)."""

    CALENDAR_MONTH_ALIGNED = "calendarMonthAligned"
    SUBSCRIPTION_ALIGNED = "subscriptionAligned"


def calendar_month_aligned_end(start: date, duration: TermDuration) -> date:
    """The calendar-month alternative: the last day of the month before the renewal's
    month, e.g. P1Y bought 2022-07-15 ends 2023-06-30 (rules.md §9f,
    PC:align-subscription-end-dates.md); a term starting on the 1st already ends so."""
    return renewal_date(natural_end(start, duration)).replace(day=1) - ONE_DAY


def _monthly_end_allowed(end: date) -> bool:
    """A monthly term can't align to the 28th, 29th or 30th unless it is the month's last
    day (rules.md §9f)."""
    return end.day not in {28, 29, 30} or is_month_end(end)


def _can_coterm(duration: TermDuration, existing: TermDuration) -> bool:
    """Annual and triennial subscriptions can't coterminate with a monthly one (§9f)."""
    return not (duration in {TermDuration.P1Y, TermDuration.P3Y} and existing is TermDuration.P1M)


def valid_custom_end_dates(
    purchase_date: date,
    duration: TermDuration,
    existing_ends: Iterable[tuple[date, TermDuration]],
    *,
    trial: bool,
) -> list[date]:
    """The end dates a new term from ``purchase_date`` (a purchase, or the renewal date of
    a scheduled change) may take instead of its natural end, ascending: the calendar-month
    aligned end, and the end of each of the customer's subscriptions that falls within the
    first term, is not a monthly term ending on the 28th–30th (unless month end) and can
    coterminate (rules.md §9f, PC:align-subscription-end-dates.md). ``existing_ends`` are
    the caller's active, non-trial OnlineServicesNCE subscriptions of this partner for the
    customer, as (end date, term). Trials take no custom end."""
    if trial:
        return []
    last = natural_end(purchase_date, duration)
    dates = {calendar_month_aligned_end(purchase_date, duration)}
    for end, existing in existing_ends:
        if not purchase_date <= end <= last or not _can_coterm(duration, existing):
            continue
        if duration is TermDuration.P1M and not _monthly_end_allowed(end):
            continue
        dates.add(end)
    return sorted(dates)


_OUT_OF_TERM: dict[CustomEndContext, type[DomainError]] = {
    CustomEndContext.PURCHASE: CustomEndNotMatching,
    CustomEndContext.RENEWAL: ScheduledCustomEndOutOfTerm,
    CustomEndContext.MIGRATION: MigrationCustomEndOutOfTerm,
}
_NOT_MATCHING: dict[CustomEndContext, type[DomainError]] = {
    CustomEndContext.PURCHASE: CustomEndNotMatching,
    CustomEndContext.RENEWAL: ScheduledCustomEndNotMatching,
    CustomEndContext.MIGRATION: MigrationCustomEndNotMatching,
}


def check_custom_end(
    custom_end: date,
    purchase_date: date,
    duration: TermDuration,
    existing_ends: Iterable[tuple[date, TermDuration]],
    *,
    product_type: ProductType,
    trial: bool,
    context: CustomEndContext,
    line_item: int = 0,
) -> None:
    """Accept ``custom_end`` or raise the documented error for ``context``:

    - not an OnlineServicesNCE product → 900244;
    - outside the first term, or a monthly term on the 28th–30th that is not a month end
      → 900245 (renewal), 900291 (migration), 900242 (purchase, which has one code);
    - no match with a subscription's end or the calendar-month end, or a trial →
      900246 / 900292 / 900242.

    The natural end itself is always accepted: it is no custom date at all."""
    if product_type is not ProductType.ONLINE_SERVICES:
        raise CustomEndOnlyForNce()
    if trial:
        raise _NOT_MATCHING[context](
            description="Custom term end dates are not available for trials", line_item=line_item
        )
    ends = list(existing_ends)
    last = natural_end(purchase_date, duration)
    if custom_end == last:
        return
    outside = not purchase_date <= custom_end <= last
    if outside or (duration is TermDuration.P1M and not _monthly_end_allowed(custom_end)):
        raise _OUT_OF_TERM[context](line_item=line_item)
    if custom_end not in valid_custom_end_dates(purchase_date, duration, ends, trial=False):
        raise _NOT_MATCHING[context](line_item=line_item)


def first_term_days(start: date, custom_end: date, duration: TermDuration) -> tuple[int, int]:
    """(days of the shortened first term, days of a full one): the proration fraction of a
    coterminous first term (rules.md §9f "the first short term is prorated")."""
    full = (natural_end(start, duration) - start).days + 1
    return (custom_end - start).days + 1, full
