"""Checks on seats bought midterm that belong to a layer above ``subscriptions``
(DESIGN.md §3): billing's credit limit registers here (rules.md §11: the limit applies to
new purchases of all products), so that a seat increase is judged like a new purchase
without ``subscriptions`` importing ``billing``. A check runs after the increase and its
``addQuantity`` event are in the session and raises to refuse it; the request's unit of
work then writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from opencsp.subscriptions.models import Subscription

SeatCheck = Callable[[Session, Subscription, datetime], None]

_checks: list[SeatCheck] = []


def register(check: SeatCheck) -> SeatCheck:
    """Run ``check`` on every seat increase (once, however often it registers)."""
    if check not in _checks:
        _checks.append(check)
    return check


def registered() -> tuple[SeatCheck, ...]:
    return tuple(_checks)


def seats_added(session: Session, sub: Subscription, now: datetime) -> None:
    """Every registered check of ``sub``'s increase at ``now``."""
    for check in tuple(_checks):
        check(session, sub, now)
