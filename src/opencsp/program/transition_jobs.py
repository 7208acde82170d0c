"""Taking transitions to indirect reseller forward on the clock (rules.md §2d): the job
``program.transitions`` (every 15 minutes: switch the due ones on the 1st of their month,
complete them once the bill run has closed the month before and every customer
consented) and the vendor's "complete now" action. The switch and the move themselves
are ``program.transition_completion``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing.run import Units
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import DomainError
from opencsp.program import transition_queries as queries
from opencsp.program import transition_rules as rules
from opencsp.program.errors import CustomersWithoutConsent, LastDirectMonthOpen
from opencsp.program.models import TierTransition
from opencsp.program.transition_completion import Completed, complete, switch
from opencsp.program.transition_rules import TransitionState
from opencsp.program.transitions import ensure_program_admin, tell


def advance(session: Session, actor: Actor, transition: TierTransition, *, now: datetime) -> str:
    """Take the transition as far as it can go now: switch when its month has come,
    complete when the last direct month is closed and every consent is in. Answers what
    happened; a missing consent is notified to the partner (once per month)."""
    did = []
    if transition.state == TransitionState.SCHEDULED.value:
        if not switch(session, actor, transition, now=now):
            return "not due"
        did.append("switched")
    try:
        with session.begin_nested():
            done = complete(session, actor, transition, now=now)
    except LastDirectMonthOpen:
        return ", ".join([*did, "waiting for the bill run"])
    except CustomersWithoutConsent as exc:
        tell(
            session,
            transition,
            "consent_missing",
            key=f"consent_missing:{now:%Y-%m}",
            now=now,
            params={"customers": exc.params["names"]},
        )
        return ", ".join([*did, "waiting for consent"])
    did.append(f"completed ({done.customers} customers, {done.subscriptions} subscriptions)")
    return ", ".join(did)


def complete_now(session: Session, actor: Actor, transition_id: uuid.UUID) -> Completed:
    """The vendor completes a transition now: the switch if its month has come, then the
    move; any reason it cannot is the error (and nothing changes)."""
    ensure_program_admin(actor)
    transition = queries.get_for_update(session, actor, transition_id)
    now = clock.now()
    if transition.state == TransitionState.SCHEDULED.value:
        assert transition.effective_period is not None
        rules.ensure_switch_due(rules.parse_period(transition.effective_period), today=now.date())
        switch(session, actor, transition, now=now)
    return complete(session, actor, transition, now=now)


def due_ids(session: Session, *, today: date) -> list[uuid.UUID]:
    """Transitions the job looks at: scheduled for this month or earlier, or switching."""
    t = TierTransition
    this_month = rules.period_text(rules.month_start(today))
    return list(
        session.scalars(
            select(t.id)
            .where(
                (t.state == TransitionState.SWITCHING.value)
                | (
                    (t.state == TransitionState.SCHEDULED.value)
                    & (t.effective_period <= this_month)
                )
            )
            .order_by(t.requested_at, t.id)
        )
    )


def run_transitions(units: Units) -> str:
    """The job: advance every due transition, each in its own unit of work."""
    with units() as (session, _):
        ids = due_ids(session, today=clock.now().date())
    outcomes = []
    for transition_id in ids:
        try:
            with units() as (session, actor):
                transition = session.get(TierTransition, transition_id, with_for_update=True)
                if transition is None or not rules.is_open(TransitionState(transition.state)):
                    continue
                outcomes.append(
                    f"{transition_id}: {advance(session, actor, transition, now=clock.now())}"
                )
        except DomainError as exc:
            outcomes.append(f"{transition_id}: {exc.message}")
    return "; ".join(outcomes) or "no transition due"
