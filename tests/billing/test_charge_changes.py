"""Charge lines of midterm changes (rules.md §9f; file-formats.md §8e): upgrades to a new
or into an existing subscription, billing-plan changes at the next cycle, and immediate
term changes, in the event shapes ``subscriptions`` records them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from opencsp.billing.history import history_lines
from tests.billing.histories import FOREVER, at, event, summary, then, total

# --- upgrades and plan changes --------------------------------------------------------------


def test_a_full_upgrade_credits_the_old_price_and_charges_the_new_for_the_rest_of_the_cycle() -> (
    None
):
    one = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14))
    up = then(one, 2, "upgrade", at(2026, 3, 20, 11), unit_price=Decimal("240.00"))
    lines = history_lines([one, up], until=at(2026, 5, 1))
    assert summary(lines[-3:]) == [
        ("convert", date(2026, 3, 20), date(2026, 4, 14), 1, "-8.39", "-8.39"),
        ("convert", date(2026, 3, 20), date(2026, 4, 14), 1, "16.77", "16.77"),
        ("cycleCharge", date(2026, 4, 15), date(2026, 5, 14), 1, "20.00", "20.00"),
    ]
    march = next(line for line in lines if line.charge_start == date(2026, 3, 15))
    assert lines[-3].offsets_key == march.key  # the cycle it gives back, priced downstream
    assert lines[-2].offsets_key is None


def test_a_partial_upgrade_credits_the_seats_that_moved() -> None:
    five = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
                 after=5)  # fmt: skip
    up = then(five, 2, "upgrade", at(2026, 3, 20, 11), quantity_after=3)
    lines = history_lines([five, up], until=at(2026, 5, 1))
    assert summary(lines[-2:]) == [
        ("convert", date(2026, 3, 20), date(2026, 4, 14), 2, "-8.39", "-16.78"),
        ("cycleCharge", date(2026, 4, 15), date(2026, 5, 14), 3, "10.00", "30.00"),
    ]


def test_a_billing_plan_change_takes_effect_at_the_next_cycle() -> None:
    new = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2028, 12, 31),
                term="P3Y", price="360.00")  # fmt: skip
    change = then(new, 2, "changeBillingPlan", at(2026, 3, 10), billing_plan="annual")
    lines = history_lines([new, change], until=FOREVER)
    assert summary(lines[2:]) == [
        ("cycleCharge", date(2026, 3, 1), date(2026, 3, 31), 1, "10.00", "10.00"),
        ("changeBillingPlan", date(2026, 4, 1), date(2027, 3, 31), 1, "120.00", "120.00"),
        ("cycleCharge", date(2027, 4, 1), date(2028, 3, 31), 1, "120.00", "120.00"),
        ("cycleCharge", date(2028, 4, 1), date(2028, 12, 31), 1, "90.00", "90.00"),
    ]
    assert total(lines) == Decimal("360.00")


def test_a_plan_change_recorded_at_its_cycles_first_instant_bills_that_cycle_on_the_new_plan() -> (
    None
):
    # subscriptions.billing_cycles records the change at 00:00 UTC of the new cycle
    new = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2028, 12, 31),
                term="P3Y", plan="annual", price="360.00")  # fmt: skip
    change = then(new, 2, "changeBillingPlan", at(2027, 1, 1), billing_plan="monthly")
    lines = history_lines([new, change], until=at(2027, 3, 1))
    assert summary(lines) == [
        ("new", date(2026, 1, 1), date(2026, 12, 31), 1, "120.00", "120.00"),
        ("changeBillingPlan", date(2027, 1, 1), date(2027, 1, 31), 1, "10.00", "10.00"),
        ("cycleCharge", date(2027, 2, 1), date(2027, 2, 28), 1, "10.00", "10.00"),
    ]


def test_an_immediate_term_change_credits_the_old_term_and_bills_the_new_one() -> None:
    # subscriptions.term_changes: changeBillingPlan on the old term with the credit, then
    # convert starting the new term
    month = event(1, "new", at(2026, 3, 1, 9), start=date(2026, 3, 1), end=date(2026, 3, 31),
                  term="P1M", price="12.40", after=2)  # fmt: skip
    change = then(month, 2, "changeBillingPlan", at(2026, 3, 11, 9), refund=Decimal("16.80"))
    convert = then(change, 3, "convert", at(2026, 3, 11, 9), term_number=2,
                   term_start=date(2026, 3, 11), term_end=date(2027, 3, 10), term_duration="P1Y",
                   unit_price=Decimal("120.00"))  # fmt: skip
    lines = history_lines([month, change, convert], until=at(2026, 4, 1))
    assert summary(lines) == [
        ("new", date(2026, 3, 1), date(2026, 3, 31), 2, "12.40", "24.80"),
        ("changeBillingPlan", date(2026, 3, 11), date(2026, 3, 31), 2, "-8.40", "-16.80"),
        ("convert", date(2026, 3, 11), date(2026, 4, 10), 2, "10.00", "20.00"),
    ]


def test_an_upgrade_into_an_existing_subscription_moves_the_seats_money() -> None:
    # subscriptions.upgrade_into: the source's upgrade carries the moved seats' refund
    source = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2026, 12, 31),
                   plan="annual", price="365.00", after=3)  # fmt: skip
    moved = then(source, 2, "upgrade", at(2026, 12, 1, 12), quantity_after=1,
                 refund=Decimal("62.00"))  # fmt: skip
    assert summary(history_lines([source, moved], until=FOREVER)[1:]) == [
        ("moveQuantity", date(2026, 12, 1), date(2026, 12, 31), 2, "-31.00", "-62.00")
    ]
    target = event(1, "new", at(2026, 1, 1), start=date(2026, 1, 1), end=date(2026, 12, 31),
                   plan="annual", price="730.00", after=1)  # fmt: skip
    joined = then(target, 2, "moveQuantity", at(2026, 12, 1, 12), quantity_after=3)
    assert summary(history_lines([target, joined], until=FOREVER)[1:]) == [
        ("moveQuantity", date(2026, 12, 1), date(2026, 12, 31), 2, "62.00", "124.00")
    ]
