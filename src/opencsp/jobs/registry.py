"""The registry of jobs: plain functions ``(session, actor) -> summary`` that read time
from ``core.clock`` (so they follow the test clock) and can be re-run safely.

A job over many rows (renewals, lifecycle, provisioning delivery) is *batched*: it takes
a factory of units of work (``Units``) and commits batch by batch, so a crash loses only
the batch in hand. Its ``run(session, actor)`` runs every batch in the given session
(one unit of work), which is what tests and callers holding a session use."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from opencsp.audit.service import purge_expired as purge_audit
from opencsp.auth.credentials import purge_expired_sessions
from opencsp.billing import run as bill_run
from opencsp.core import idempotency
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.notifications import delivery as notification_delivery
from opencsp.pricing.lifecycle import activate_lists
from opencsp.program.floor import run_floor
from opencsp.program.reassessment import run_reassessments
from opencsp.program.transition_jobs import run_transitions
from opencsp.subscriptions import lifecycle, provisioning, renewals

Units = Callable[[], AbstractContextManager[tuple[Session, Actor]]]
"""Opens one unit of work (session and acting actor) that commits when its block ends."""


@dataclass(frozen=True)
class Job:
    """A job and its cadence under ``opencsp jobs serve`` (how often it is run); a batched
    job has ``batched`` and commits per batch through the units it is given."""

    description: str
    run: Callable[[Session, Actor], str]
    every: timedelta = timedelta(hours=1)
    batched: Callable[[Units], str] | None = field(default=None, compare=False)


def batched(description: str, work: Callable[[Units], str], every: timedelta) -> Job:
    """A batched job; its ``run(session, actor)`` does every batch in that one session."""

    def in_one_session(session: Session, actor: Actor) -> str:
        return work(lambda: nullcontext((session, actor)))

    return Job(description, in_one_session, every, batched=work)


def execute(job: Job, units: Units) -> str:
    """Run ``job``: batch by batch in units of its own when batched, else in one unit."""
    if job.batched is not None:
        return job.batched(units)
    with units() as (session, actor):
        return job.run(session, actor)


def _audit_purge(session: Session, _actor: Actor) -> str:
    return f"{purge_audit(session, retention_days=settings().audit_retention_days)} removed"


def _idempotency_purge(session: Session, _actor: Actor) -> str:
    retention = timedelta(hours=settings().idempotency_retention_hours)
    return f"{idempotency.purge_expired(session, retention=retention)} removed"


def _sessions_purge(session: Session, _actor: Actor) -> str:
    return f"{purge_expired_sessions(session)} removed"


def _pricing_activate(session: Session, actor: Actor) -> str:
    return str(activate_lists(session, actor))


JOBS: dict[str, Job] = {
    "audit.purge": Job("Drop audit records past the retained window (90 days).", _audit_purge),
    "idempotency.purge": Job(
        "Drop stored MS-RequestId responses past retention.", _idempotency_purge
    ),
    "sessions.purge": Job("Drop expired console sessions.", _sessions_purge),
    "pricing.activate": Job(
        "Make each market's preview price list current on the 1st; the list it replaces "
        "becomes history.",
        _pricing_activate,
        every=timedelta(minutes=5),
    ),
    "renewals": batched(
        "Process subscriptions whose term has ended: renew at the current price list with "
        "their scheduled changes, convert trials, expire (auto-renew off) or disable "
        "(suspended); switch billing cycles changed from the next cycle on their date.",
        renewals.run_renewals,
        every=timedelta(minutes=15),
    ),
    "lifecycle": batched(
        "Disable subscriptions expired for 30 days; delete those disabled for 90 days.",
        lifecycle.run_lifecycle,
        every=timedelta(hours=1),
    ),
    "billing.run": batched(
        "Bill every ended month not billed yet, in order: close it, write its charges, "
        "issue its invoices and credit notes (a killed run completes on the next).",
        bill_run.run_due,
        every=timedelta(hours=1),
    ),
    "provisioning.deliver": batched(
        "Deliver subscription changes to the fulfillment endpoint, with retries and backoff.",
        provisioning.deliver,
        every=timedelta(minutes=1),
    ),
    "program.transitions": batched(
        "Direct-bill partners becoming indirect resellers: switch them on the 1st of their "
        "month, then move their customers and subscriptions to the provider once the bill "
        "run has closed the month before (rules.md §2d).",
        run_transitions,
        every=timedelta(minutes=15),
    ),
    # issue 7, task H: keeping and losing a tier; notification e-mail
    "program.reassess": batched(
        "Reassess direct-bill partners on their enrollment anniversary (notice when not "
        "met); restrict those still not meeting the requirements after the notice.",
        run_reassessments,
        every=timedelta(hours=6),
    ),
    "program.floor": batched(
        "Check resellers' TTM revenue against the floor in their anniversary month "
        "(notice to them and their providers); deauthorize after the notice.",
        run_floor,
        every=timedelta(hours=6),
    ),
    "notifications.deliver": batched(
        "Send notification e-mail through the configured sender, with retries and backoff.",
        notification_delivery.deliver,
        every=timedelta(minutes=1),
    ),
}
