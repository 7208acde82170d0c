"""The bill run of a month (issue 6; rules.md §9b: the billing period is a calendar
month; §11): close the period, write its charges, derive the downstream ones, issue its
documents, mark it closed.

Months are billed in order, each once it has ended: the first run may bill any ended
month (and takes every line accruing before its end); after it, only the month after
the latest closed one. Each step commits on its own (``Units``) and every write is
idempotent behind a unique constraint, so a run killed anywhere and run again completes
the first and duplicates nothing; a closed month answers ``BillingPeriodClosed``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.billing import accrual, cycle_path
from opencsp.billing.errors import PeriodClosed, PeriodNotEnded, PeriodOutOfOrder
from opencsp.billing.issue import issue_documents
from opencsp.billing.lines import month_of
from opencsp.billing.lines import next_month as following
from opencsp.billing.models import BillingPeriod, Charge
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings

Units = Callable[[], AbstractContextManager[tuple[Session, Actor]]]

CLOSING, CLOSED = "closing", "closed"


@dataclass
class RunResult:
    """What a run did; counts are rows written by this run (a re-run writes 0)."""

    period: date
    walked: int = 0
    cycles: int = 0
    downstream: int = 0
    documents: int = 0
    charges: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in self.seconds.items())
        return (
            f"{self.period:%Y-%m}: {self.charges} charges in the period "
            f"({self.walked} walked, {self.cycles} cycle, "
            f"{self.downstream} downstream written now), {self.documents} documents issued; "
            f"{steps}"
        )


def latest_closed(session: Session) -> date | None:
    return session.scalar(
        select(func.max(BillingPeriod.period)).where(BillingPeriod.status == CLOSED)
    )


def first_open(session: Session, today: date) -> date:
    """The month the next bill run is for: the one after the latest closed, else the
    month before ``today``."""
    last = latest_closed(session)
    return following(last) if last else month_of(_previous(month_of(today)))


def _previous(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def begin(session: Session, actor: Actor, period: date, now: datetime) -> bool:
    """Check the month can be billed now and mark it closing; returns whether this is
    the first run (no month closed before)."""
    if period.day != 1:
        raise PeriodOutOfOrder(period=period.isoformat(), expected="a month named by its 1st")
    if following(period) > now.date():
        raise PeriodNotEnded(period=f"{period:%Y-%m}")
    last = latest_closed(session)
    if last is not None and period <= last:
        raise PeriodClosed(period=f"{period:%Y-%m}", open=f"{following(last):%Y-%m}")
    if last is not None and period != following(last):
        raise PeriodOutOfOrder(period=f"{period:%Y-%m}", expected=f"{following(last):%Y-%m}")
    row = session.get(BillingPeriod, period, with_for_update=True)
    if row is None:
        session.add(BillingPeriod(period=period, status=CLOSING, started_at=now))
        audit.record(session, actor, "startBillRun", "BillingPeriod", resource_id=f"{period:%Y-%m}")
    session.flush()
    return last is None


def run_month(units: Units, period: date) -> RunResult:
    """Bill ``period`` (module docstring), each step in its own unit of work."""
    result = RunResult(period)
    now = clock.now()
    tick = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal tick
        result.seconds[name] = time.perf_counter() - tick
        tick = time.perf_counter()

    with units() as (session, actor):
        first_run = begin(session, actor, period, now)
        ids = accrual.walked_ids(session, period, first_run=first_run)
    size = settings().bill_run_batch_size
    for i in range(0, len(ids), size):
        with units() as (session, _):
            result.walked += accrual.accrue_walked(session, ids[i : i + size], period, now=now)
    lap("walked")
    with units() as (session, _):
        result.cycles = cycle_path.accrue_cycles(session, period, now=now)
    lap("cycles")
    with units() as (session, _):
        result.downstream = _downstream(session, period, now)
    lap("downstream")
    with units() as (session, actor):
        result.documents = len(issue_documents(session, period, now=now))
        result.charges = close(session, actor, period, now)
    lap("issue")
    return result


def _downstream(session: Session, period: date, now: datetime) -> int:
    """The provider→reseller and partner→customer lines (``billing.downstream``)."""
    try:
        downstream = importlib.import_module("opencsp.billing.downstream")
    except ModuleNotFoundError:
        return 0
    return int(downstream.accrue_downstream(session, period, now))


def close(session: Session, actor: Actor, period: date, now: datetime) -> int:
    """Mark the period closed with its counts (idempotent)."""
    row = session.get(BillingPeriod, period, with_for_update=True)
    assert row is not None
    charges = session.scalar(select(func.count()).where(Charge.period == period)) or 0
    if row.status != CLOSED:
        row.status, row.closed_at = CLOSED, now
        row.charges = int(charges)
        row.invoices = int(
            session.scalar(
                select(func.count()).select_from(
                    select(Charge.seller_key, Charge.bill_to_key, Charge.currency)
                    .where(Charge.period == period)
                    .group_by(
                        Charge.seller_key, Charge.bill_to_key, Charge.currency, Charge.document_type
                    )
                    .subquery()
                )
            )
            or 0
        )
        audit.record(
            session,
            actor,
            "closeBillRun",
            "BillingPeriod",
            resource_id=f"{period:%Y-%m}",
            data={"charges": row.charges, "documents": row.invoices},
        )
    return int(charges)


def run_due(units: Units) -> str:
    """The job: bill every ended month not yet closed, in order (at most the months
    since the latest closed one; the first run bills last month)."""
    done = []
    while True:
        with units() as (session, _):
            period = first_open(session, clock.now().date())
        if following(period) > clock.now().date():
            break
        done.append(run_month(units, period).summary())
    return "; ".join(done) or "nothing to bill"
