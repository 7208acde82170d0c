"""Charge lines of a subscription's history, as tables at every edge (rules.md §9b–9c,
§9e–9f; file-formats.md §8e): purchase on the 1st, the 31st and Feb 29, term ends on a
month's last day, seat adds on the last day of a period or cycle, cancellations within the
window, upgrades, plan changes, custom term ends, suspension and the period rule."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from opencsp.billing import charges
from opencsp.billing.charges import one_time_lines, period_for, period_lines
from opencsp.billing.errors import PeriodClosed
from opencsp.billing.history import history_lines
from opencsp.billing.lines import ChargeType, OneTimeFacts, per_seat_parts
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency
from tests.billing.histories import FOREVER, at, event, summary, then, total

C = ChargeType


# --- cycles and their dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "first", "second", "last"),
    [
        # bought on the 1st: cycles on each 1st, February has 28 days
        (date(2026, 1, 1), date(2026, 12, 31), (date(2026, 1, 1), date(2026, 1, 31)),
         (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 12, 1), date(2026, 12, 31))),
        # bought on the 31st: anchored, February's cycle starts on its last day
        (date(2026, 1, 31), date(2027, 1, 30), (date(2026, 1, 31), date(2026, 2, 27)),
         (date(2026, 2, 28), date(2026, 3, 30)), (date(2026, 12, 31), date(2027, 1, 30))),
        # bought on Feb 29: the term ends Feb 27 of a common year
        (date(2028, 2, 29), date(2029, 2, 27), (date(2028, 2, 29), date(2028, 3, 28)),
         (date(2028, 3, 29), date(2028, 4, 28)), (date(2029, 1, 29), date(2029, 2, 27))),
    ],
)  # fmt: skip
def test_monthly_cycles_of_an_annual_term_fall_on_its_anniversaries(
    start: date,
    end: date,
    first: tuple[date, date],
    second: tuple[date, date],
    last: tuple[date, date],
) -> None:
    lines = history_lines([event(1, "new", at(start.year, start.month, start.day, 9),
                                 start=start, end=end)], until=FOREVER)  # fmt: skip
    assert [line.charge_type for line in lines] == [C.NEW] + [C.CYCLE_CHARGE] * 11
    assert (lines[0].charge_start, lines[0].charge_end) == first
    assert (lines[1].charge_start, lines[1].charge_end) == second
    assert (lines[-1].charge_start, lines[-1].charge_end) == last
    assert lines[1].accrued_at == at(second[0].year, second[0].month, second[0].day)
    assert [line.amount for line in lines] == [Decimal("10.00")] * 12


@pytest.mark.parametrize(
    ("term", "plan", "price", "amounts"),
    [
        ("P1Y", "annual", "120.00", ["120.00"]),
        ("P1M", "monthly", "12.00", ["12.00"]),
        ("P3Y", "triennial", "360.00", ["360.00"]),
        ("P3Y", "annual", "100.00", ["33.33", "33.34", "33.33"]),
        ("P1Y", "monthly", "100.00",
         ["8.33", "8.34", "8.33", "8.33", "8.34", "8.33", "8.33", "8.34", "8.33", "8.33",
          "8.34", "8.33"]),
    ],
)  # fmt: skip
def test_each_plan_bills_its_share_and_the_shares_add_up_to_the_term_price(
    term: str, plan: str, price: str, amounts: list[str]
) -> None:
    months = {"P1M": 1, "P1Y": 12, "P3Y": 36}[term]
    end = {1: date(2026, 1, 31), 12: date(2026, 12, 31), 36: date(2028, 12, 31)}[months]
    new = event(1, "new", at(2026, 1, 1, 8), start=date(2026, 1, 1), end=end, term=term,
                plan=plan, price=price)  # fmt: skip
    lines = history_lines([new], until=FOREVER)
    assert [str(line.amount) for line in lines] == amounts
    assert total(lines) == Decimal(price)


def test_a_thirty_six_month_term_billed_monthly_adds_up_in_a_currency_without_minor_units() -> None:
    new = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2028, 12, 31),
                term="P3Y", plan="monthly", price="100000", currency="KRW", after=7)  # fmt: skip
    lines = history_lines([new], until=FOREVER)
    assert len(lines) == 36
    assert all(
        line.effective_unit_price == line.effective_unit_price.to_integral() for line in lines
    )
    assert total(lines) == Decimal(700000)


def test_a_term_ending_on_a_months_last_day_renews_in_the_next_period() -> None:
    new = event(1, "new", at(2026, 2, 1, 10), start=date(2026, 2, 1), end=date(2026, 2, 28),
                term="P1M", plan="monthly", price="12.00")  # fmt: skip
    renew = then(new, 2, "renew", at(2026, 3, 1), term_number=2, term_start=date(2026, 3, 1),
                 term_end=date(2026, 3, 31), unit_price=Decimal("13.00"))  # fmt: skip
    closed = at(2026, 2, 1)
    february = period_lines([new, renew], date(2026, 2, 1), closed_before=closed)
    march = period_lines([new, renew], date(2026, 3, 1), closed_before=closed)
    assert summary(february) == [("new", date(2026, 2, 1), date(2026, 2, 28), 1, "12.00", "12.00")]
    assert summary(march) == [("renew", date(2026, 3, 1), date(2026, 3, 31), 1, "13.00", "13.00")]
    assert march[0].key.endswith(":2:renew:0")


def test_a_custom_end_date_prorates_the_short_first_term_by_day() -> None:
    upfront = event(1, "new", at(2022, 7, 15), start=date(2022, 7, 15), end=date(2023, 6, 30),
                    plan="annual", price="365.00")  # fmt: skip
    assert [line.amount for line in history_lines([upfront], until=FOREVER)] == [Decimal("351.00")]
    monthly = event(1, "new", at(2022, 7, 15), start=date(2022, 7, 15), end=date(2023, 6, 30))
    lines = history_lines([monthly], until=FOREVER)
    # eleven whole cycles, then June 15–30: 16 of the 30 days of a full cycle
    assert [line.amount for line in lines[:-1]] == [Decimal("10.00")] * 11
    assert summary(lines[-1:]) == [
        ("cycleCharge", date(2023, 6, 15), date(2023, 6, 30), 1, "5.33", "5.33")
    ]


# --- seats ----------------------------------------------------------------------------------


def added(start: date, end: date, each: str) -> tuple[object, ...]:
    """Three added seats at ``each``."""
    return ("addQuantity", start, end, 3, each, str(Decimal(each) * 3))


JAN15 = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
              after=2)  # fmt: skip


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # the first day of a cycle: the whole cycle
        (at(2026, 2, 15, 12), added(date(2026, 2, 15), date(2026, 3, 14), "10.00")),
        # the last day of the January period: 15 of the cycle's 31 days, billed in January
        (at(2026, 1, 31, 23), added(date(2026, 1, 31), date(2026, 2, 14), "4.84")),
        # the last day of a cycle: 1 of its 31 days
        (at(2026, 2, 14, 23), added(date(2026, 2, 14), date(2026, 2, 14), "0.32")),
        # the term's last day: 1 of the last cycle's 31 days (Dec 15–Jan 14)
        (at(2027, 1, 14, 8), added(date(2027, 1, 14), date(2027, 1, 14), "0.32")),
    ],
)  # fmt: skip
def test_a_seat_add_is_charged_by_day_for_the_rest_of_its_cycle(
    when: datetime, expected: tuple[object, ...]
) -> None:
    add = then(JAN15, 2, "addQuantity", when, quantity_after=5)
    lines = history_lines([JAN15, add], until=FOREVER)
    added = [line for line in lines if line.charge_type is C.ADD_QUANTITY]
    assert summary(added) == [expected]
    assert added[0].period == date(when.year, when.month, 1)
    later = [line for line in lines if line.cycle_number and line.accrued_at > when]
    assert all(line.quantity == 5 for line in later)


def test_an_annual_upfront_add_is_charged_for_the_rest_of_the_term() -> None:
    new = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2026, 12, 31),
                plan="annual", price="365.00")  # fmt: skip
    add = then(new, 2, "addQuantity", at(2026, 12, 31, 20), quantity_after=2)
    lines = history_lines([new, add], until=FOREVER)
    assert summary(lines) == [
        ("new", date(2026, 1, 1), date(2026, 12, 31), 1, "365.00", "365.00"),
        ("addQuantity", date(2026, 12, 31), date(2026, 12, 31), 1, "1.00", "1.00"),
    ]


# --- cancellations and seat reductions --------------------------------------------------------


def test_cancelling_an_upfront_term_credits_exactly_the_recorded_refund() -> None:
    new = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
                plan="annual", after=3)  # fmt: skip
    cancel = then(new, 2, "cancelImmediate", at(2026, 1, 20), status_after="deleted",
                  refund=Decimal("354.08"))  # fmt: skip
    lines = history_lines([new, cancel], until=FOREVER)
    credits = [line for line in lines if line.is_credit]
    assert total(credits) == Decimal("-354.08")  # never recomputed, split per seat
    assert [(c.quantity, c.effective_unit_price) for c in credits] == [
        (1, Decimal("-118.02")), (2, Decimal("-118.03"))
    ]  # fmt: skip
    assert {c.charge_type for c in credits} == {C.CANCEL_IMMEDIATE}
    assert len({c.key for c in lines}) == len(lines)


def test_cancelling_a_monthly_billed_term_credits_the_refund_less_the_unbilled_cycles() -> None:
    # 2 seats at 120.00 a year, 365 days; cancelled on day 4: refund 240 × 362/365 = 238.03
    cancel = then(JAN15, 2, "cancelImmediate", at(2026, 1, 18, 10), status_after="deleted",
                  refund=Decimal("238.03"))  # fmt: skip
    lines = history_lines([JAN15, cancel], until=FOREVER)
    credit = total([line for line in lines if line.is_credit])
    assert credit == Decimal("-18.03")  # 238.03 less 11 unbilled cycles of 2 × 10.00
    assert total(lines) == Decimal("1.97")  # what 3 used days of 240.00 cost
    assert all(line.accrued_at <= cancel.at for line in lines)  # no cycles after


def test_a_seat_reduction_credits_its_refund_and_later_cycles_bill_fewer_seats() -> None:
    new = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
                plan="monthly", after=5)  # fmt: skip
    remove = then(new, 2, "removeQuantity", at(2026, 1, 16), quantity_after=3,
                  refund=Decimal("239.34"))  # fmt: skip
    lines = history_lines([new, remove], until=FOREVER)
    assert summary([line for line in lines if line.is_credit]) == [
        ("removeQuantity", date(2026, 1, 16), date(2026, 2, 14), 2, "-9.67", "-19.34")
    ]
    assert lines[2].charge_type is C.CYCLE_CHARGE and lines[2].quantity == 3


def test_a_credit_never_exceeds_what_the_term_billed() -> None:
    new = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2026, 2, 14),
                term="P1M", price="10.00")  # fmt: skip
    cancel = then(new, 2, "cancelImmediate", at(2026, 1, 15, 10), status_after="deleted",
                  refund=Decimal("99.00"))  # fmt: skip
    lines = history_lines([new, cancel], until=FOREVER)
    assert total(lines) == 0


# --- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "billed"),
    [("active", True), ("suspended", True), ("expired", False), ("disabled", False),
     ("deleted", False)],
)  # fmt: skip
def test_only_active_and_suspended_subscriptions_are_billed_their_cycles(
    status: str, billed: bool
) -> None:
    move = then(JAN15, 2, "suspend", at(2026, 1, 20), status_after=status)
    lines = history_lines([JAN15, move], until=at(2026, 3, 1))
    cycles = [line for line in lines if line.charge_type is C.CYCLE_CHARGE]
    assert len(cycles) == (1 if billed else 0)


def test_a_trial_bills_nothing_and_its_conversion_bills_the_paid_term() -> None:
    trial = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2026, 1, 30),
                  term="P1M", plan="none", price="0", after=25)  # fmt: skip
    convert = then(trial, 2, "convert", at(2026, 1, 31), term_number=2,
                   term_start=date(2026, 1, 31), term_end=date(2027, 1, 30), term_duration="P1Y",
                   billing_plan="monthly", unit_price=Decimal("120.00"))  # fmt: skip
    lines = history_lines([trial, convert], until=at(2026, 2, 1))
    assert summary(lines) == [
        ("convert", date(2026, 1, 31), date(2026, 2, 27), 25, "10.00", "250.00")
    ]


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accrued", "closed_before", "period"),
    [
        (at(2026, 3, 31, 23), at(2026, 3, 1), date(2026, 3, 1)),
        (at(2026, 3, 1), at(2026, 3, 1), date(2026, 3, 1)),  # the first instant of March
        (at(2026, 2, 28, 23), at(2026, 3, 1), date(2026, 3, 1)),  # late: February is closed
        (at(2025, 12, 31, 23), at(2026, 3, 1), date(2026, 3, 1)),
        (at(2026, 4, 1), at(2026, 3, 1), date(2026, 4, 1)),
        (at(2026, 2, 28, 23), at(2026, 2, 1), date(2026, 2, 1)),
    ],
)
def test_a_line_belongs_to_the_month_it_accrues_in_or_the_first_open_one(
    accrued: datetime, closed_before: datetime, period: date
) -> None:
    assert period_for(accrued, closed_before) == period


def test_a_late_line_is_billed_once_in_the_first_open_period() -> None:
    lines = history_lines([JAN15], until=FOREVER)
    closed = at(2026, 3, 1)  # January and February are closed; February's cycle was late
    billed = {lines[0].key}
    march = charges.charges_for_period(lines, date(2026, 3, 1), closed_before=closed, billed=billed)
    assert [line.cycle_number for line in march] == [1, 2]
    assert {line.period for line in march} == {date(2026, 3, 1)}
    again = charges.charges_for_period(
        lines, date(2026, 3, 1), closed_before=closed, billed=billed | {m.key for m in march}
    )
    assert again == []


@pytest.mark.parametrize(
    ("period", "closed_before", "error"),
    [
        (date(2026, 2, 1), at(2026, 3, 1), PeriodClosed),
        (date(2026, 3, 2), at(2026, 3, 1), PeriodClosed),
        (date(2026, 3, 1), at(2026, 3, 1, 1), InvalidInput),
        (date(2026, 3, 1), datetime(2026, 3, 1), InvalidInput),  # noqa: DTZ001 - naive
    ],
)
def test_a_closed_period_or_a_bad_close_instant_is_refused(
    period: date, closed_before: datetime, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        period_lines([JAN15], period, closed_before=closed_before)
    if error is PeriodClosed:
        assert raised.value.code == "BillingPeriodClosed"  # type: ignore[attr-defined]


def test_history_is_one_subscriptions() -> None:
    other = replace(JAN15, subscription_id=uuid.uuid4(), sequence=2)
    with pytest.raises(InvalidInput):
        history_lines([JAN15, other], until=FOREVER)


# --- one-time purchases and per-seat parts ------------------------------------------------------


@pytest.mark.parametrize(
    ("refund", "credits"),
    [(None, []), ("30.00", [(3, "-10.00")]), ("10.01", [(1, "-3.33"), (2, "-3.34")]),
     ("99.00", [(3, "-10.00")])],
)  # fmt: skip
def test_a_one_time_purchase_is_charged_once_and_its_cancellation_credits_the_refund(
    refund: str | None, credits: list[tuple[int, str]]
) -> None:
    purchase = OneTimeFacts(
        order_id="o1", line_number=0, ordered_at=at(2026, 1, 10), quantity=3,
        unit_price=Decimal("10.00"), currency="USD",
        cancelled_at=at(2026, 2, 2) if refund else None,
        refund=Decimal(refund) if refund else None,
    )  # fmt: skip
    lines = one_time_lines(purchase)
    assert (lines[0].charge_type, lines[0].amount, lines[0].period) == (
        C.NEW, Decimal("30.00"), date(2026, 1, 1)
    )  # fmt: skip
    found = [(line.quantity, str(line.effective_unit_price)) for line in lines[1:]]
    assert found == credits
    assert all(line.offsets_period == date(2026, 1, 1) for line in lines[1:])
    assert all(line.offsets_key == lines[0].key for line in lines[1:])


@pytest.mark.parametrize(
    ("total", "seats", "parts"),
    [("9.00", 3, [(3, "3.00")]), ("10.00", 3, [(2, "3.33"), (1, "3.34")]),
     ("0.02", 3, [(2, "0.01")]),  # a part of nothing per seat is left out
     ("-10.00", 3, [(2, "-3.33"), (1, "-3.34")]),
     ("7", 2, [(1, "3"), (1, "4")])],
)  # fmt: skip
def test_a_credit_splits_into_per_seat_parts_that_multiply_back(
    total: str, seats: int, parts: list[tuple[int, str]]
) -> None:
    currency = Currency("KRW" if "." not in total else "USD")
    found = per_seat_parts(Decimal(total), seats, currency)
    assert [(n, str(each)) for n, each in found] == parts
    assert sum(n * each for n, each in found) == Decimal(total)
