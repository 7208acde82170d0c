"""The new-commerce lifecycle as a table (rules.md §9d–9e)."""

from __future__ import annotations

from datetime import date

import pytest

from opencsp.subscriptions.errors import InvalidTransition
from opencsp.subscriptions.rules import (
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    effects,
    is_billed,
    lifecycle_due,
    transition,
)

S, A = Status, Action

ALLOWED = [
    (S.PENDING, A.ACTIVATE, S.ACTIVE),
    (S.ACTIVE, A.SUSPEND, S.SUSPENDED),
    (S.SUSPENDED, A.REACTIVATE, S.ACTIVE),
    (S.ACTIVE, A.CANCEL, S.DELETED),
    (S.SUSPENDED, A.CANCEL, S.DELETED),
    (S.ACTIVE, A.TERM_END_WITH_RENEW, S.ACTIVE),
    (S.ACTIVE, A.RENEW, S.ACTIVE),
    (S.ACTIVE, A.TERM_END_WITHOUT_RENEW, S.EXPIRED),
    (S.SUSPENDED, A.TERM_END_WHILE_SUSPENDED, S.DISABLED),
    (S.EXPIRED, A.EXPIRE_ELAPSED, S.DISABLED),
    (S.DISABLED, A.DISABLE_ELAPSED, S.DELETED),
]


@pytest.mark.parametrize(("status", "action", "expected"), ALLOWED)
def test_allowed_moves(status, action, expected):
    assert transition(status, action) is expected


def test_table_is_exactly_the_allowed_moves():
    assert {(s, a): t for s, a, t in ALLOWED} == TRANSITIONS


REFUSED = [
    (s, a) for s in Status for a in Action if (s, a) not in {(row[0], row[1]) for row in ALLOWED}
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_other_move_is_a_conflict(status, action):
    with pytest.raises(InvalidTransition) as caught:
        transition(status, action)
    assert caught.value.status == 409
    assert status.value in caught.value.message


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.EXPIRED, A.REACTIVATE),  # expired can't be reactivated
        (S.DELETED, A.REACTIVATE),  # deleted is unrecoverable
        (S.SUSPENDED, A.RENEW),  # suspension turned auto-renew off
        (S.SUSPENDED, A.TERM_END_WITH_RENEW),
        (S.DISABLED, A.REACTIVATE),
        (S.ACTIVE, A.REACTIVATE),
        (S.SUSPENDED, A.SUSPEND),
        (S.DELETED, A.CANCEL),
        (S.PENDING, A.CANCEL),
    ],
)
def test_notable_refusals(status, action):
    with pytest.raises(InvalidTransition):
        transition(status, action)


def test_deleted_is_terminal():
    assert allowed_actions(S.DELETED) == frozenset()
    assert allowed_actions(S.SUSPENDED) == {
        A.REACTIVATE,
        A.CANCEL,
        A.TERM_END_WHILE_SUSPENDED,
    }


@pytest.mark.parametrize(
    ("status", "billed"),
    [
        (S.ACTIVE, True),
        (S.SUSPENDED, True),
        (S.EXPIRED, False),
        (S.DISABLED, False),
        (S.DELETED, False),
        (S.PENDING, False),
        (S.NONE, False),
    ],
)
def test_is_billed(status, billed):
    assert is_billed(status) is billed


def test_suspend_turns_auto_renew_off_and_clears_scheduled():
    e = effects(A.SUSPEND)
    assert e.auto_renew_off and e.clear_scheduled and not e.ends_access


def test_reactivate_leaves_auto_renew_off():
    e = effects(A.REACTIVATE)
    assert not e.auto_renew_off and not e.clear_scheduled


def test_cancel_ends_access_and_clears():
    e = effects(A.CANCEL)
    assert e.ends_access and e.clear_scheduled


@pytest.mark.parametrize(
    ("status", "since", "today", "due"),
    [
        (S.EXPIRED, date(2026, 1, 1), date(2026, 1, 30), None),  # day 29
        (S.EXPIRED, date(2026, 1, 1), date(2026, 1, 31), A.EXPIRE_ELAPSED),  # day 30
        (S.EXPIRED, date(2026, 1, 1), date(2026, 2, 1), A.EXPIRE_ELAPSED),
        (S.DISABLED, date(2026, 1, 1), date(2026, 3, 31), None),  # day 89
        (S.DISABLED, date(2026, 1, 1), date(2026, 4, 1), A.DISABLE_ELAPSED),  # day 90
        (S.DISABLED, date(2026, 1, 1), date(2026, 4, 2), A.DISABLE_ELAPSED),
        (S.ACTIVE, date(2020, 1, 1), date(2026, 1, 1), None),
        (S.SUSPENDED, date(2020, 1, 1), date(2026, 1, 1), None),
    ],
)
def test_lifecycle_due(status, since, today, due):
    assert lifecycle_due(status, since, today) is due
