"""Term dates, renewals, billing periods and custom end dates (rules.md §9b, §9d, §9f)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.catalog.rules import BillingPlan as Plan
from opencsp.catalog.rules import ProductType as Kind
from opencsp.catalog.rules import TermDuration as T
from opencsp.core.errors import InvalidInput
from opencsp.subscriptions import errors
from opencsp.subscriptions.terms import (
    CustomEndContext,
    Term,
    billing_periods,
    calendar_month_aligned_end,
    check_custom_end,
    first_term_days,
    is_month_end,
    next_term,
    renewal_date,
    renewal_instant,
    term_end,
    valid_custom_end_dates,
)

D = date


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        (D(2026, 1, 15), T.P1M, D(2026, 2, 14)),
        (D(2026, 1, 1), T.P1M, D(2026, 1, 31)),
        (D(2026, 1, 31), T.P1M, D(2026, 2, 27)),
        (D(2024, 1, 31), T.P1M, D(2024, 2, 28)),  # leap year: the 29th stands in
        (D(2026, 1, 30), T.P1M, D(2026, 2, 27)),
        (D(2026, 1, 28), T.P1M, D(2026, 2, 27)),
        (D(2026, 1, 29), T.P1M, D(2026, 2, 27)),
        (D(2026, 3, 31), T.P1M, D(2026, 4, 29)),
        (D(2026, 12, 15), T.P1M, D(2027, 1, 14)),
        (D(2026, 7, 15), T.P1Y, D(2027, 7, 14)),
        (D(2026, 1, 1), T.P1Y, D(2026, 12, 31)),
        (D(2024, 2, 29), T.P1Y, D(2025, 2, 27)),
        (D(2026, 7, 15), T.P3Y, D(2029, 7, 14)),
    ],
)
def test_term_end(start, duration, end):
    assert term_end(start, duration) == end


def test_term_end_custom_wins():
    assert term_end(D(2026, 7, 15), T.P1Y, custom_end=D(2027, 6, 30)) == D(2027, 6, 30)


def test_one_time_has_no_term():
    with pytest.raises(InvalidInput):
        term_end(D(2026, 1, 1), T.ONE_TIME)


def test_renewal_is_the_day_after_at_midnight_utc():
    assert renewal_date(D(2026, 2, 28)) == D(2026, 3, 1)
    assert renewal_instant(D(2026, 12, 31)) == datetime(2027, 1, 1, tzinfo=UTC)


def test_renewals_keep_the_anchor():
    term = Term.first(D(2026, 1, 31), T.P1M)
    ends = []
    for _ in range(4):
        ends.append(term.end)
        term = next_term(term)
    assert ends == [D(2026, 2, 27), D(2026, 3, 30), D(2026, 4, 29), D(2026, 5, 30)]
    assert term.start == D(2026, 5, 31)


def test_after_a_custom_end_the_anchor_moves():
    term = Term.first(D(2026, 7, 15), T.P1Y, custom_end=D(2027, 6, 30))
    renewed = next_term(term)
    assert (renewed.start, renewed.end, renewed.anchor_day) == (D(2027, 7, 1), D(2028, 6, 30), 1)
    monthly = next_term(renewed, T.P1M)
    assert (monthly.start, monthly.end) == (D(2028, 7, 1), D(2028, 7, 31))


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.sampled_from(list(T)[:3]))
def test_terms_chain_without_gaps_or_drift(start, duration):
    term = Term.first(start, duration)
    for _ in range(14):
        nxt = next_term(term)
        assert nxt.start == term.end + timedelta(days=1)
        # the anchor day recurs: every renewal falls on it or the month's last day
        assert nxt.start.day == min(start.day, _last(nxt.start).day)
        term = nxt


def _last(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "plan", "periods"),
    [
        (D(2026, 1, 15), D(2027, 1, 14), Plan.ANNUAL, [(D(2026, 1, 15), D(2027, 1, 14))]),
        (D(2026, 1, 31), D(2026, 4, 29), Plan.MONTHLY, None),
        (D(2026, 1, 15), D(2026, 3, 20), Plan.MONTHLY, None),
        (D(2026, 1, 15), D(2029, 1, 14), Plan.ANNUAL, None),
        (D(2026, 3, 1), D(2026, 3, 30), Plan.NONE, [(D(2026, 3, 1), D(2026, 3, 30))]),
    ],
)
def test_billing_periods(start, end, plan, periods):
    got = billing_periods(start, end, plan)
    if periods is not None:
        assert got == periods
    assert got[0][0] == start and got[-1][1] == end
    for (_, e1), (s2, _) in pairwise(got):
        assert s2 == e1 + timedelta(days=1)


def test_monthly_periods_of_a_year():
    got = billing_periods(D(2026, 1, 31), D(2027, 1, 30), Plan.MONTHLY)
    assert len(got) == 12
    assert got[0] == (D(2026, 1, 31), D(2026, 2, 27))
    assert got[1] == (D(2026, 2, 28), D(2026, 3, 30))
    assert got[-1] == (D(2026, 12, 31), D(2027, 1, 30))


def test_cut_short_last_period():
    got = billing_periods(D(2026, 1, 15), D(2026, 3, 20), Plan.MONTHLY)
    assert got == [
        (D(2026, 1, 15), D(2026, 2, 14)),
        (D(2026, 2, 15), D(2026, 3, 14)),
        (D(2026, 3, 15), D(2026, 3, 20)),
    ]


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)))
def test_a_year_billed_monthly_has_twelve_periods(start):
    term = Term.first(start, T.P1Y)
    assert len(billing_periods(term.start, term.end, Plan.MONTHLY)) == 12
    assert len(billing_periods(term.start, term.end, Plan.ANNUAL)) == 1


# --- custom end dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "aligned"),
    [
        (D(2022, 7, 15), T.P1Y, D(2023, 6, 30)),  # rules.md §9f example
        (D(2023, 7, 10), T.P1M, D(2023, 7, 31)),  # sample customTermEndDates
        (D(2023, 7, 1), T.P1M, D(2023, 7, 31)),
        (D(2023, 7, 31), T.P1M, D(2023, 7, 31)),
        (D(2023, 1, 1), T.P1Y, D(2023, 12, 31)),
        (D(2023, 1, 2), T.P3Y, D(2025, 12, 31)),
    ],
)
def test_calendar_month_aligned_end(start, duration, aligned):
    assert calendar_month_aligned_end(start, duration) == aligned


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.sampled_from(list(T)[:3]))
def test_aligned_end_is_a_month_end_within_the_first_term(start, duration):
    aligned = calendar_month_aligned_end(start, duration)
    assert is_month_end(aligned)
    assert start <= aligned <= term_end(start, duration)


EXISTING = [
    (D(2023, 8, 1), T.P1Y),  # within the P1M term: coterm
    (D(2023, 7, 28), T.P1Y),  # the 28th: monthly can't
    (D(2023, 7, 29), T.P1M),
    (D(2023, 7, 30), T.P3Y),
    (D(2023, 8, 9), T.P1Y),  # the natural end itself
    (D(2023, 8, 10), T.P1Y),  # after the first term
    (D(2023, 7, 9), T.P1Y),  # before the purchase
]


def test_valid_dates_for_a_monthly_term():
    got = valid_custom_end_dates(D(2023, 7, 10), T.P1M, EXISTING, trial=False)
    assert got == [D(2023, 7, 31), D(2023, 8, 1), D(2023, 8, 9)]


def test_month_end_28th_is_allowed_for_monthly():
    got = valid_custom_end_dates(D(2023, 2, 10), T.P1M, [(D(2023, 2, 28), T.P1Y)], trial=False)
    assert D(2023, 2, 28) in got


def test_annual_cannot_coterm_with_monthly():
    existing = [(D(2024, 3, 15), T.P1M), (D(2024, 4, 15), T.P1Y), (D(2024, 5, 28), T.P3Y)]
    got = valid_custom_end_dates(D(2023, 7, 10), T.P1Y, existing, trial=False)
    assert got == [D(2024, 4, 15), D(2024, 5, 28), D(2024, 6, 30)]


def test_trials_have_no_custom_end():
    assert valid_custom_end_dates(D(2023, 7, 10), T.P1M, EXISTING, trial=True) == []


C = CustomEndContext


@pytest.mark.parametrize(
    ("custom_end", "context", "error"),
    [
        (D(2023, 8, 1), C.PURCHASE, None),
        (D(2023, 7, 31), C.RENEWAL, None),
        (D(2023, 8, 9), C.MIGRATION, None),  # natural end
        (D(2023, 8, 10), C.PURCHASE, errors.CustomEndNotMatching),  # day after first term
        (D(2023, 8, 10), C.RENEWAL, errors.ScheduledCustomEndOutOfTerm),
        (D(2023, 8, 10), C.MIGRATION, errors.MigrationCustomEndOutOfTerm),
        (D(2023, 7, 9), C.RENEWAL, errors.ScheduledCustomEndOutOfTerm),  # before the start
        (D(2023, 7, 28), C.RENEWAL, errors.ScheduledCustomEndOutOfTerm),  # 28th, monthly
        (D(2023, 7, 28), C.MIGRATION, errors.MigrationCustomEndOutOfTerm),
        (D(2023, 7, 29), C.PURCHASE, errors.CustomEndNotMatching),
        (D(2023, 8, 2), C.PURCHASE, errors.CustomEndNotMatching),  # no subscription ends so
        (D(2023, 8, 2), C.RENEWAL, errors.ScheduledCustomEndNotMatching),
        (D(2023, 8, 2), C.MIGRATION, errors.MigrationCustomEndNotMatching),
    ],
)
def test_check_custom_end(custom_end, context, error):
    def call():
        check_custom_end(
            custom_end,
            D(2023, 7, 10),
            T.P1M,
            EXISTING,
            product_type=Kind.ONLINE_SERVICES,
            trial=False,
            context=context,
            line_item=2,
        )

    if error is None:
        call()
    else:
        with pytest.raises(error):
            call()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.CustomEndNotMatching, 900242),
        (errors.CustomEndOnlyForNce, 900244),
        (errors.ScheduledCustomEndOutOfTerm, 900245),
        (errors.ScheduledCustomEndNotMatching, 900246),
        (errors.MigrationCustomEndOutOfTerm, 900291),
        (errors.MigrationCustomEndNotMatching, 900292),
    ],
)
def test_custom_end_codes(error, code):
    assert error.code == code and error.status == 400


def test_purchase_error_names_the_line_item():
    with pytest.raises(errors.CustomEndNotMatching, match="line item 3"):
        check_custom_end(
            D(2023, 8, 2),
            D(2023, 7, 10),
            T.P1M,
            [],
            product_type=Kind.ONLINE_SERVICES,
            trial=False,
            context=C.PURCHASE,
            line_item=3,
        )


@pytest.mark.parametrize("kind", [Kind.SOFTWARE_SUBSCRIPTIONS, Kind.SOFTWARE_PERPETUAL])
def test_custom_end_only_for_nce(kind):
    with pytest.raises(errors.CustomEndOnlyForNce):
        check_custom_end(
            D(2023, 7, 31),
            D(2023, 7, 10),
            T.P1M,
            [],
            product_type=kind,
            trial=False,
            context=C.RENEWAL,
        )


def test_custom_end_refused_for_trials():
    with pytest.raises(errors.ScheduledCustomEndNotMatching, match="trials"):
        check_custom_end(
            D(2023, 7, 31),
            D(2023, 7, 10),
            T.P1M,
            [],
            product_type=Kind.ONLINE_SERVICES,
            trial=True,
            context=C.RENEWAL,
        )


def test_first_term_days():
    assert first_term_days(D(2022, 7, 15), D(2023, 6, 30), T.P1Y) == (351, 365)
