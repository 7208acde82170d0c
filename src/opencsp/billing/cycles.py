"""The billing cycles of a term and what one seat pays for each of them (rules.md §9b,
§9c; PC:billing-basics.md, PC:pricing-and-offers.md).

A subscription's locked ``unit_price`` is the partner price of one seat for the **whole
natural term** (file-formats.md §1 ``UnitPrice``; ``subscriptions.models.Subscription``).
Its plan cuts the term into cycles of the plan's months on the term's month grid
(``subscriptions.terms``: the anchor day keeps cycles from drifting): P1Y monthly pays in
12 cycles, P3Y annual in 3, an upfront plan (period = term) in one.

**Shares.** Each cycle boundary carries the served share of the term, months elapsed over
term months (P1Y monthly: 0, 1/12, …, 12/12): the monthly charge of a term is constant
(§9b), whatever the month's length. Inside a cycle the share grows linearly by whole UTC
days (proration daily, §9c). A term cut short by a custom end date (coterminosity, §9f)
ends with a short cycle whose share is prorated by its days against the full cycle's, so
an upfront first term of 351 of 365 days is worth 351/365 of the price, as at checkout
(``orders.rules.price_line``). The term's last share is 1 unless it was cut.

**One seat's money, rounded once, cumulatively.** What a seat has paid by share ``s`` is
``seat_amount(U, s)`` = ``U × s`` rounded half-up to the currency's minor unit
(``core.money.round_amount``, the one rounding policy). A cycle charges the difference of
its two ends, so the rounding remainder of 1/12 never accumulates: the cycles of a term
add up to ``seat_amount(U, 1) = U`` exactly (a 100.00 year pays 8.33, 8.34, 8.33, 8.33,
8.34, …), and any split of the term (a seat added on day d pays from ``share_at(d)``)
adds up to the difference of its two ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, TermDuration
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, round_amount
from opencsp.subscriptions import terms


@dataclass(frozen=True, slots=True)
class Cycle:
    """One billing cycle of a term: ``number`` from 0, inclusive ``start``–``end``, the
    plan it is billed on, and the term's served share at its start and after its end."""

    number: int
    start: date
    end: date
    plan: BillingPlan
    share_start: Fraction
    share_end: Fraction

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def is_periodic(plan: BillingPlan) -> bool:
    """Plans that bill money in cycles; trials (``none``) bill nothing and one-time
    purchases are order lines, not terms (rules.md §9b, §9g)."""
    return plan in PERIOD_MONTHS


def term_cycles(
    term_start: date,
    term_end: date,
    duration: TermDuration,
    plan: BillingPlan,
    *,
    anchor_day: int | None = None,
    plan_changes: Sequence[tuple[date, BillingPlan]] = (),
) -> list[Cycle]:
    """The cycles of a term (module docstring). ``plan_changes`` are (date, new plan)
    within the term: a billing-frequency change takes effect at the next cycle boundary
    on or after its date (rules.md §9f "scheduled, next cycle"), and the cycles from there
    step by the new plan's months. A plan longer than the term bills the whole term in
    one cycle (commerce refuses such plans, 900270). Pure, so memoized: a bill run asks
    for the same few thousand term shapes again and again."""
    return list(
        _term_cycles(term_start, term_end, duration, plan, anchor_day, tuple(sorted(plan_changes)))
    )


@lru_cache(maxsize=1 << 16)
def _term_cycles(
    term_start: date,
    term_end: date,
    duration: TermDuration,
    plan: BillingPlan,
    anchor_day: int | None,
    plan_changes: tuple[tuple[date, BillingPlan], ...],
) -> tuple[Cycle, ...]:
    if duration not in TERM_MONTHS or not is_periodic(plan):
        raise InvalidInput(description=f"A {duration.value} term billed {plan.value} has no cycles")
    if term_end < term_start:
        raise InvalidInput(description="A term can't end before it starts")
    months = TERM_MONTHS[duration]
    anchor = anchor_day or term_start.day
    grid = [term_start] + [
        terms.add_months(term_start, i, anchor_day=anchor) for i in range(1, months + 1)
    ]
    pending = list(plan_changes)
    cycles: list[Cycle] = []
    index, current = 0, plan
    while index < months and grid[index] <= term_end:
        while pending and pending[0][0] <= grid[index]:
            current = pending.pop(0)[1]
        step = PERIOD_MONTHS.get(current, months)
        following = min(index + step, months)
        start, full_end = grid[index], grid[following] - terms.ONE_DAY
        share_start = Fraction(index, months)
        share_end = Fraction(following, months)
        if term_end < full_end:  # a custom end cuts the last cycle, prorated by day
            served = Fraction((term_end - start).days + 1, (full_end - start).days + 1)
            share_end = share_start + (share_end - share_start) * served
            full_end = term_end
        cycles.append(Cycle(len(cycles), start, full_end, current, share_start, share_end))
        index = following
    return tuple(cycles)


def cycle_of(cycles: Sequence[Cycle], day: date) -> Cycle:
    """The cycle holding ``day``, clamped to the first and last (a day before the term
    is its first day; after it, its last)."""
    for cycle in cycles:
        if cycle.contains(day):
            return cycle
    return cycles[0] if day < cycles[0].start else cycles[-1]


def share_at(cycles: Sequence[Cycle], day: date) -> Fraction:
    """The term's served share at 00:00 UTC of ``day``: the holding cycle's start share
    plus its growth by whole days (rules.md §9c, proration daily). Before the term, 0;
    after it, the term's last share."""
    if day < cycles[0].start:
        return Fraction(0)
    if day > cycles[-1].end:
        return cycles[-1].share_end
    cycle = cycle_of(cycles, day)
    elapsed = Fraction((day - cycle.start).days, cycle.days)
    return cycle.share_start + (cycle.share_end - cycle.share_start) * elapsed


@lru_cache(maxsize=1 << 16)
def seat_amount(unit_price: Decimal, share: Fraction, currency: Currency) -> Decimal:
    """What one seat has paid of a term priced ``unit_price`` by ``share``: rounded once,
    half-up (``core.money``). Computed with 80 significant digits, so rounding the quotient
    is rounding the exact fraction (a tie is exact, anything else is far from one).
    Memoized: the answer is quantized to the minor unit, so equal prices written with
    different exponents give the same amount."""
    with localcontext() as ctx:
        ctx.prec = 80
        exact = unit_price * share.numerator / share.denominator
    return round_amount(exact, currency)


def seat_between(
    unit_price: Decimal, lower: Fraction, upper: Fraction, currency: Currency
) -> Decimal:
    """One seat's charge for the part of the term between two shares (module docstring)."""
    return seat_amount(unit_price, upper, currency) - seat_amount(unit_price, lower, currency)
