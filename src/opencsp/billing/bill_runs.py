"""Bill runs as people start them (issue 6: "also a job and a console action for the
Billing operator"): the billed months and the next one due, and the run of one month by
the vendor's Billing operator, through the same ``run.run_month`` as the
CLI and the ``billing.run`` job (rules.md §9b: a period is a calendar month, billed once
it has ended, in order).

Here the run's steps share the caller's unit of work — one request commits them once,
or a refused run writes nothing — where the job and the CLI commit step by step; the
steps are idempotent either way. Anyone else is answered as if the page did not exist
(``NotFound``, 404), as a partner must not learn the vendor's operations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import run
from opencsp.billing.lines import next_month
from opencsp.billing.models import BillingPeriod
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import NotFound


def may_run(actor: Actor) -> bool:
    """The vendor's Billing operator (``billing.operate``; the vendor has no Global admin
    role, ``auth.rules``), or the operator at the machine."""
    return actor.is_vendor and (actor.is_system or actor.can(Perm.BILLING_OPERATE))


def ensure_may_run(actor: Actor) -> None:
    if not may_run(actor):
        raise NotFound()


@dataclass(frozen=True, slots=True)
class Overview:
    """The billed months, newest first, and the month the next run is for; ``due`` when
    it has ended and can be billed today."""

    periods: Sequence[BillingPeriod]
    next_period: date
    due: bool


def overview(session: Session, actor: Actor, *, today: date) -> Overview:
    """Every billing period with its state and counts, and the next month to bill."""
    ensure_may_run(actor)
    periods = session.scalars(select(BillingPeriod).order_by(BillingPeriod.period.desc())).all()
    upcoming = run.first_open(session, today)
    return Overview(periods, upcoming, next_month(upcoming) <= today)


def run_bill(session: Session, actor: Actor, period: date) -> run.RunResult:
    """Bill ``period`` now (``run.run_month``: ``PeriodNotEnded``, ``PeriodOutOfOrder``,
    ``PeriodClosed`` as documented there), audited as the actor's."""
    ensure_may_run(actor)

    @contextmanager
    def units() -> Iterator[tuple[Session, Actor]]:
        yield session, actor

    return run.run_month(units, period)
