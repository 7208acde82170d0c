"""The transition to indirect reseller as pure rules (rules.md §2d): the state machine as a
table, business days around weekends, the switch month and its billing edges."""

from __future__ import annotations

from datetime import date

import pytest

from opencsp.program import transition_rules as rules
from opencsp.program.errors import (
    ConsentSignerRequired,
    TransitionClosed,
    TransitionNotDue,
    TransitionReasonRequired,
    TransitionStepOutOfOrder,
)
from opencsp.program.transition_rules import TransitionState as S

ALLOWED = {
    (S.REQUESTED, S.APPROVED),
    (S.REQUESTED, S.REJECTED),
    (S.REQUESTED, S.WITHDRAWN),
    (S.APPROVED, S.SCHEDULED),
    (S.APPROVED, S.WITHDRAWN),
    (S.SCHEDULED, S.SWITCHING),
    (S.SCHEDULED, S.WITHDRAWN),
    (S.SWITCHING, S.COMPLETED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_state_machine_table(current: S, target: S) -> None:
    allowed = (current, target) in ALLOWED
    assert rules.can_move(current, target) is allowed
    if allowed:
        assert rules.ensure_move(current, target) is target
    else:
        final = current in (S.COMPLETED, S.REJECTED, S.WITHDRAWN)
        with pytest.raises(TransitionClosed if final else TransitionStepOutOfOrder):
            rules.ensure_move(current, target)


@pytest.mark.parametrize(
    ("step", "states"),
    [
        ("approve", {S.REQUESTED}),
        ("reject", {S.REQUESTED}),
        ("withdraw", {S.REQUESTED, S.APPROVED, S.SCHEDULED}),
        ("accept_agreement", {S.APPROVED}),
        ("choose_provider", {S.APPROVED}),
        ("record_consent", {S.APPROVED, S.SCHEDULED, S.SWITCHING}),
        ("switch", {S.SCHEDULED}),
        ("complete", {S.SWITCHING}),
    ],
)
def test_each_step_is_taken_only_in_its_states(step: str, states: set[S]) -> None:
    for state in S:
        if state in states:
            rules.ensure_step(step, state)
        else:
            with pytest.raises((TransitionClosed, TransitionStepOutOfOrder)):
                rules.ensure_step(step, state)


def test_open_states_hold_the_open_slot() -> None:
    assert {s for s in S if rules.is_open(s)} == {
        S.REQUESTED,
        S.APPROVED,
        S.SCHEDULED,
        S.SWITCHING,
    }


# 2026-11: Mon 16, Tue 17, Wed 18, Thu 19, Fri 20, Sat 21, Sun 22, Mon 23 ...
@pytest.mark.parametrize(
    ("requested", "deadline"),
    [
        (date(2026, 11, 16), date(2026, 11, 23)),  # Monday → next Monday
        (date(2026, 11, 18), date(2026, 11, 25)),  # Wednesday → next Wednesday
        (date(2026, 11, 19), date(2026, 11, 26)),  # Thursday → next Thursday
        (date(2026, 11, 20), date(2026, 11, 27)),  # Friday → next Friday
        (date(2026, 11, 21), date(2026, 11, 27)),  # Saturday → Friday (Mon..Fri)
        (date(2026, 11, 22), date(2026, 11, 27)),  # Sunday → Friday
        (date(2026, 12, 28), date(2027, 1, 4)),  # over the new year
        (date(2027, 2, 26), date(2027, 3, 5)),  # Friday at the end of February
    ],
)
def test_approve_by_is_five_business_days_later(requested: date, deadline: date) -> None:
    assert rules.approve_by(requested) == deadline
    assert rules.is_business_day(deadline)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 20), 0, date(2026, 11, 20)),
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        (date(2026, 11, 21), 1, date(2026, 11, 23)),
        (date(2026, 11, 23), 1, date(2026, 11, 24)),
        (date(2026, 11, 16), 10, date(2026, 11, 30)),
    ],
)
def test_add_business_days(start: date, days: int, expected: date) -> None:
    assert rules.add_business_days(start, days) == expected


def test_negative_business_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rules.add_business_days(date(2026, 11, 20), -1)


@pytest.mark.parametrize(
    ("state", "today", "overdue"),
    [
        (S.REQUESTED, date(2026, 11, 26), False),  # the day before
        (S.REQUESTED, date(2026, 11, 27), False),  # the deadline day itself
        (S.REQUESTED, date(2026, 11, 28), True),  # the day after
        (S.APPROVED, date(2026, 12, 28), False),  # decided: never overdue
    ],
)
def test_overdue_after_the_deadline_day(state: S, today: date, overdue: bool) -> None:
    assert rules.is_overdue(state, date(2026, 11, 27), today=today) is overdue


@pytest.mark.parametrize(
    ("ready_on", "period"),
    [
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 11, 30), date(2026, 12, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_effective_period_is_the_next_calendar_month(ready_on: date, period: date) -> None:
    assert rules.effective_period_for(ready_on) == period


@pytest.mark.parametrize(
    ("latest_closed", "expected"),
    [
        (None, None),  # nothing billed yet
        (date(2026, 10, 1), None),  # November (the last direct month) still open
        (date(2026, 11, 1), date(2026, 12, 1)),  # November closed: provider from December
        (date(2026, 12, 1), date(2027, 1, 1)),  # completed late: December was the partner's
        (date(2027, 2, 1), date(2027, 3, 1)),
    ],
)
def test_switch_period_waits_for_the_last_direct_month(
    latest_closed: date | None, expected: date | None
) -> None:
    assert rules.switch_period(date(2026, 12, 1), latest_closed) == expected


@pytest.mark.parametrize(
    ("today", "due"),
    [(date(2026, 11, 30), False), (date(2026, 12, 1), True), (date(2026, 12, 15), True)],
)
def test_the_switch_is_due_from_the_first_of_its_month(today: date, due: bool) -> None:
    if due:
        rules.ensure_switch_due(date(2026, 12, 1), today=today)
    else:
        with pytest.raises(TransitionNotDue):
            rules.ensure_switch_due(date(2026, 12, 1), today=today)


def test_missing_consents_by_name() -> None:
    customers = [("c1", "Zeta"), ("c2", "alpha"), ("c3", "Beta")]
    assert rules.missing_consents(customers, ["c3"]) == [("c2", "alpha"), ("c1", "Zeta")]
    assert rules.missing_consents(customers, ["c1", "c2", "c3"]) == []


@pytest.mark.parametrize(
    ("agreement", "provider", "missing", "ready"),
    [
        (True, True, [], True),
        (False, True, [], False),
        (True, False, [], False),
        (True, True, ["c1"], False),
    ],
)
def test_ready_needs_agreement_provider_and_every_consent(
    agreement: bool, provider: bool, missing: list[str], ready: bool
) -> None:
    assert (
        rules.is_ready(agreement_accepted=agreement, provider_chosen=provider, missing=missing)
        is ready
    )


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 1025])
def test_a_rejection_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(TransitionReasonRequired):
        rules.clean_reason(reason)


def test_reason_edges() -> None:
    assert rules.clean_reason(" x ") == "x"
    assert rules.clean_reason("x" * 1024) == "x" * 1024


@pytest.mark.parametrize("who", [None, "", " ", "x" * 257])
def test_consent_needs_who(who: str | None) -> None:
    with pytest.raises(ConsentSignerRequired):
        rules.clean_consent_by(who)


@pytest.mark.parametrize(
    ("state", "agreement", "provider", "step"),
    [
        (S.REQUESTED, False, False, "awaitingApproval"),
        (S.APPROVED, False, False, "acceptAgreement"),
        (S.APPROVED, True, False, "chooseProvider"),
        (S.APPROVED, True, True, "customerConsent"),
        (S.SCHEDULED, True, True, "scheduled"),
        (S.SWITCHING, True, True, "switching"),
        (S.COMPLETED, True, True, "done"),
    ],
)
def test_the_wizard_step(state: S, agreement: bool, provider: bool, step: str) -> None:
    assert rules.next_step(state, agreement_accepted=agreement, provider_chosen=provider) == step
