"""Trials, upgrades, the term-change matrix and scheduled instructions (rules.md §9f–9g)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from opencsp.catalog.rules import BillingPlan as P
from opencsp.catalog.rules import TermDuration as T
from opencsp.subscriptions import errors
from opencsp.subscriptions.changes import (
    CLEARS_SCHEDULED,
    ChangeEvent,
    ChangeTiming,
    ScheduledInstructions,
    TermSettings,
    UpgradeKind,
    UpgradeSide,
    apply_at_renewal,
    check_term_change,
    check_trial_conversion,
    check_upgrade,
    clears_scheduled,
    ensure_can_schedule,
    ensure_not_trial,
    trial_conversion_target,
    trial_end,
)
from opencsp.subscriptions.rules import Status

# --- trials ---------------------------------------------------------------------------------


def test_trial_constants():
    assert trial_end(date(2026, 3, 1)) == date(2026, 3, 30)
    assert trial_conversion_target() == (T.P1Y, P.MONTHLY)
    assert trial_conversion_target(T.P1M, P.MONTHLY) == (T.P1M, P.MONTHLY)


@pytest.mark.parametrize(
    ("changing", "error"),
    [("quantity", errors.QuantityNotChangeable), ("status", errors.StatusNotChangeable)],
)
def test_no_changes_during_a_trial(changing, error):
    ensure_not_trial(is_trial=False, changing=changing)
    with pytest.raises(error):
        ensure_not_trial(is_trial=True, changing=changing)


TRIAL_END = date(2026, 3, 30)


@pytest.mark.parametrize(
    ("quantity", "scheduled", "into_end", "error"),
    [
        (25, False, None, None),
        (24, False, None, errors.TrialConversionBelowMinimum),
        (24, True, None, None),
        (1, True, None, None),
        (30, False, TRIAL_END, None),
        (30, False, date(2026, 3, 29), errors.TrialConversionTargetEndsEarly),
        (30, False, date(2026, 3, 31), None),
    ],
)
def test_trial_conversion(quantity, scheduled, into_end, error):
    def call():
        check_trial_conversion(
            quantity, scheduled=scheduled, trial_ends=TRIAL_END, into_end=into_end
        )

    if error is None:
        call()
    else:
        with pytest.raises(error):
            call()


# --- upgrades -------------------------------------------------------------------------------

SOURCE = UpgradeSide("s1", "E3:0001:A", Status.ACTIVE, 10, T.P1Y, date(2026, 12, 31))
TARGET = UpgradeSide("s2", "E5:0001:A", Status.ACTIVE, 4, T.P1Y, date(2026, 12, 31))
UP = {"E5:0001:A"}


def _upgrade(source=SOURCE, to="E5:0001:A", quantity=10, term=T.P1Y, target=None, window=False):
    return check_upgrade(
        source,
        to,
        quantity=quantity,
        term=term,
        upgrade_targets=UP,
        target=target,
        target_window_open=window,
    )


def test_full_and_partial():
    full = _upgrade()
    assert full.kind is UpgradeKind.FULL and full.end == SOURCE.end
    assert not full.cancellation_window and full.clears_scheduled
    partial = _upgrade(quantity=3)
    assert partial.kind is UpgradeKind.PARTIAL and partial.end == SOURCE.end
    assert _upgrade(term=T.P3Y).kind is UpgradeKind.FULL
    assert _upgrade(quantity=1, target=TARGET).kind is UpgradeKind.PARTIAL


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        (
            {"source": replace(SOURCE, status=Status.SUSPENDED)},
            errors.SubscriptionNotActive,
            800012,
        ),
        ({"to": "E1:0001:A"}, errors.UpgradeNotSupported, "UpgradeNotSupported"),
        (
            {"source": replace(SOURCE, trial=True)},
            errors.UpgradeNotSupported,
            "UpgradeNotSupported",
        ),
        ({"quantity": 0}, errors.UpgradeQuantityInvalid, "UpgradeQuantityInvalid"),
        ({"quantity": 11}, errors.UpgradeQuantityInvalid, "UpgradeQuantityInvalid"),
        ({"term": T.P1M}, errors.TransitionTermShorter, 900267),
        ({"target": replace(TARGET, status=Status.SUSPENDED)}, errors.TargetNotActive, 900258),
        ({"target": replace(TARGET, subscription_id="s1")}, errors.TargetIsSource, 900259),
        (
            {"target": replace(TARGET, catalog_item_id="E5:0002:A")},
            errors.TargetCatalogItemMismatch,
            900260,
        ),
        ({"target": TARGET, "window": True}, errors.TargetNotReady, 900261),
        ({"target": replace(TARGET, term=T.P3Y)}, errors.TransitionTermInvalid, 900268),
        (
            {"target": replace(TARGET, end=date(2026, 12, 30))},
            errors.TargetEndsEarlier,
            900236,
        ),
    ],
)
def test_upgrade_refusals(kwargs, error, code):
    with pytest.raises(error) as caught:
        _upgrade(**kwargs)
    assert caught.value.code == code


def test_target_ending_later_or_same_is_fine():
    _upgrade(target=replace(TARGET, end=date(2027, 1, 1)))
    _upgrade(target=TARGET)


# --- term-change matrix -------------------------------------------------------------------------

IM, N, R = ChangeTiming.IMMEDIATE, ChangeTiming.NEXT_BILLING_CYCLE, ChangeTiming.AT_RENEWAL


@pytest.mark.parametrize(
    ("current", "new", "immediate", "expected"),
    [
        ((T.P3Y, P.MONTHLY), (T.P3Y, P.ANNUAL), True, N),
        ((T.P3Y, P.ANNUAL), (T.P3Y, P.MONTHLY), True, N),
        ((T.P3Y, P.TRIENNIAL), (T.P3Y, P.ANNUAL), True, errors.BillingCycleNotChangeable),
        ((T.P3Y, P.MONTHLY), (T.P3Y, P.TRIENNIAL), True, errors.BillingCycleNotChangeable),
        ((T.P1Y, P.ANNUAL), (T.P3Y, P.TRIENNIAL), True, IM),
        ((T.P1Y, P.ANNUAL), (T.P3Y, P.MONTHLY), True, IM),
        ((T.P1Y, P.MONTHLY), (T.P3Y, P.ANNUAL), True, IM),
        ((T.P1Y, P.MONTHLY), (T.P1Y, P.ANNUAL), True, errors.BillingCycleNotChangeable),
        ((T.P1Y, P.ANNUAL), (T.P1Y, P.MONTHLY), True, errors.BillingCycleNotChangeable),
        ((T.P1M, P.MONTHLY), (T.P1Y, P.MONTHLY), True, IM),
        ((T.P1M, P.MONTHLY), (T.P1Y, P.ANNUAL), True, IM),
        ((T.P1M, P.MONTHLY), (T.P3Y, P.TRIENNIAL), True, IM),
        ((T.P1Y, P.MONTHLY), (T.P1M, P.MONTHLY), True, errors.TermShorter),
        ((T.P3Y, P.ANNUAL), (T.P1Y, P.ANNUAL), True, errors.TermShorter),
        ((T.P1M, P.MONTHLY), (T.P1M, P.ANNUAL), True, errors.BillingCycleLongerThanTerm),
        ((T.P1Y, P.MONTHLY), (T.P1Y, P.TRIENNIAL), False, errors.BillingCycleLongerThanTerm),
        ((T.P1Y, P.MONTHLY), (T.P1M, P.MONTHLY), False, R),  # shorter at renewal is fine
        ((T.P1Y, P.MONTHLY), (T.P1Y, P.ANNUAL), False, R),
        ((T.P3Y, P.TRIENNIAL), (T.P1Y, P.MONTHLY), False, R),
        ((T.P1Y, P.MONTHLY), (T.P1Y, P.MONTHLY), True, None),
    ],
)
def test_term_change_matrix(current, new, immediate, expected):
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            check_term_change(*current, *new, immediate=immediate)
    else:
        assert check_term_change(*current, *new, immediate=immediate) is expected


@pytest.mark.parametrize("immediate", [True, False])
def test_trials_take_no_term_change(immediate):
    with pytest.raises(errors.TrialTermChange) as caught:
        check_term_change(T.P1M, P.NONE, T.P1Y, P.MONTHLY, immediate=immediate, trial=True)
    assert caught.value.code == 800107


@pytest.mark.parametrize(
    ("error", "code"),
    [(errors.TermShorter, 800122), (errors.BillingCycleLongerThanTerm, 900270)],
)
def test_term_change_codes(error, code):
    assert error.code == code


# --- scheduled instructions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "auto_renew", "ok"),
    [
        (Status.ACTIVE, True, True),
        (Status.ACTIVE, False, False),
        (Status.SUSPENDED, True, False),
        (Status.EXPIRED, True, False),
    ],
)
def test_ensure_can_schedule(status, auto_renew, ok):
    if ok:
        ensure_can_schedule(status, auto_renew=auto_renew)
    else:
        with pytest.raises(errors.SchedulingNotAllowed):
            ensure_can_schedule(status, auto_renew=auto_renew)


@pytest.mark.parametrize(
    ("event", "clears"),
    [
        (ChangeEvent.MIDTERM_CANCEL, True),
        (ChangeEvent.AUTO_RENEW_OFF, True),
        (ChangeEvent.QUANTITY_CHANGE, True),
        (ChangeEvent.UPGRADE, True),
        (ChangeEvent.TRIAL_CONVERSION, True),
        (ChangeEvent.SUSPEND, True),
        (ChangeEvent.AUTO_RENEW_ON, False),
        (ChangeEvent.REACTIVATE, False),
        (ChangeEvent.FRIENDLY_NAME_CHANGE, False),
        (ChangeEvent.BILLING_CYCLE_CHANGE, False),
    ],
)
def test_what_clears_scheduled(event, clears):
    assert clears_scheduled(event) is clears
    assert (event in CLEARS_SCHEDULED) is clears


CURRENT = TermSettings(
    "E3:0001:A", T.P1Y, P.MONTHLY, 10, custom_end=date(2026, 6, 30), promotion_id="PROMO"
)


def test_renewal_without_instructions_keeps_the_term_and_drops_per_term_fields():
    got = apply_at_renewal(CURRENT, None)
    assert got == TermSettings("E3:0001:A", T.P1Y, P.MONTHLY, 10)


def test_renewal_applies_instructions():
    got = apply_at_renewal(
        CURRENT,
        ScheduledInstructions(
            catalog_item_id="E5:0001:A",
            term=T.P1M,
            quantity=15,
            custom_end=date(2027, 1, 31),
            promotion_id="P2",
        ),
    )
    assert got == TermSettings(
        "E5:0001:A", T.P1M, P.MONTHLY, 15, custom_end=date(2027, 1, 31), promotion_id="P2"
    )
    only_quantity = apply_at_renewal(CURRENT, ScheduledInstructions(quantity=4))
    assert only_quantity == TermSettings("E3:0001:A", T.P1Y, P.MONTHLY, 4)
