"""The registry of jobs: plain functions ``(session, actor) -> summary`` that read time
from ``core.clock`` (so they follow the test clock) and can be re-run safely."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from opencsp.audit.service import purge_expired as purge_audit
from opencsp.auth.credentials import purge_expired_sessions
from opencsp.core import idempotency
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.pricing.lifecycle import activate_lists


@dataclass(frozen=True)
class Job:
    """A job and its cadence under ``opencsp jobs serve`` (how often it is run)."""

    description: str
    run: Callable[[Session, Actor], str]
    every: timedelta = timedelta(hours=1)


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
}
