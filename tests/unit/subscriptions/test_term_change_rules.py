"""Pure rules of midterm changes (rules.md §9f): the options the matrix offers a term and
plan, and where the next billing cycle starts (before, on and after a cycle boundary, and
none in a term's last cycle)."""

from __future__ import annotations

from datetime import date

import pytest

from opencsp.catalog.rules import BillingPlan as P
from opencsp.catalog.rules import TermDuration as T
from opencsp.subscriptions import changes, terms


@pytest.mark.parametrize(
    ("term", "plan", "immediate", "next_cycle"),
    [
        (
            T.P1M,
            P.MONTHLY,
            [
                (T.P1Y, P.MONTHLY),
                (T.P1Y, P.ANNUAL),
                (T.P3Y, P.MONTHLY),
                (T.P3Y, P.ANNUAL),
                (T.P3Y, P.TRIENNIAL),
            ],
            [],
        ),
        (T.P1Y, P.MONTHLY, [(T.P3Y, P.MONTHLY), (T.P3Y, P.ANNUAL), (T.P3Y, P.TRIENNIAL)], []),
        (T.P1Y, P.ANNUAL, [(T.P3Y, P.MONTHLY), (T.P3Y, P.ANNUAL), (T.P3Y, P.TRIENNIAL)], []),
        (T.P3Y, P.MONTHLY, [], [P.ANNUAL]),
        (T.P3Y, P.ANNUAL, [], [P.MONTHLY]),
        (T.P3Y, P.TRIENNIAL, [], []),
    ],
)
def test_midterm_options_follow_the_matrix(term, plan, immediate, next_cycle):
    options = changes.midterm_options(term, plan, trial=False)
    assert list(options.immediate) == immediate
    assert list(options.next_cycle) == next_cycle
    for new_term, new_plan in options.immediate:  # each is what check_term_change accepts
        timing = changes.check_term_change(term, plan, new_term, new_plan, immediate=True)
        assert timing is changes.ChangeTiming.IMMEDIATE


def test_trials_have_no_midterm_options():
    options = changes.midterm_options(T.P1M, P.MONTHLY, trial=True)
    assert options == changes.MidtermOptions((), ())


MONTHLY_P3Y = terms.billing_periods(date(2026, 10, 5), date(2029, 10, 4), P.MONTHLY)
ANNUAL_P3Y = terms.billing_periods(date(2024, 1, 10), date(2027, 1, 9), P.ANNUAL)


@pytest.mark.parametrize(
    ("periods", "today", "expected"),
    [
        (MONTHLY_P3Y, date(2026, 10, 5), date(2026, 11, 5)),  # first day of the term
        (MONTHLY_P3Y, date(2026, 12, 4), date(2026, 12, 5)),  # a cycle's last day
        (MONTHLY_P3Y, date(2026, 12, 5), date(2027, 1, 5)),  # a cycle's first day: charged
        (MONTHLY_P3Y, date(2029, 9, 5), None),  # the last cycle
        (MONTHLY_P3Y, date(2029, 9, 4), date(2029, 9, 5)),
        (ANNUAL_P3Y, date(2025, 1, 9), date(2025, 1, 10)),
        (ANNUAL_P3Y, date(2026, 11, 21), None),
    ],
)
def test_next_billing_cycle_start(periods, today, expected):
    assert changes.next_billing_cycle_start(periods, today) == expected
