"""Jobs on the clock: ``opencsp jobs serve`` runs every registered job at its cadence.

Each job is idempotent and converges to the state "now" calls for (a preview price list
becomes current once its month has begun, whenever the job next runs), so the scheduler
keeps no state that matters: the last run of each job is remembered in memory only to
space the runs, a job that fails is logged and tried again at its next turn, and several
schedulers on one database (PostgreSQL) may run the same job without harm.

The cadence is spaced in wall-clock time; each job reads "now" through ``core.clock`` in
its own unit of work, so under the test clock (``OPENCSP_TEST_CLOCK=true``) moving the
clock past the 1st and letting the scheduler tick activates the month's price lists
exactly as the wall clock would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.core.actor import Actor
from opencsp.core.uow import unit_of_work
from opencsp.jobs.registry import JOBS, Job, execute

log = logging.getLogger("opencsp.jobs")


def due(jobs: Mapping[str, Job], last_runs: Mapping[str, datetime], now: datetime) -> list[str]:
    """The jobs whose cadence has passed since their last run (never run: due now), by name."""
    return sorted(
        name
        for name, job in jobs.items()
        if name not in last_runs or now - last_runs[name] >= job.every
    )


@contextmanager
def system_unit() -> Iterator[tuple[Session, Actor]]:
    """One unit of work as the system actor."""
    with unit_of_work() as session:
        yield session, auth_service.system_actor(session)


def run_as_system(job: Job) -> str:
    """One job as the system actor: in one unit of work (all of it commits, or none), or a
    batched job in one unit per batch."""
    return execute(job, system_unit)


@dataclass
class Scheduler:
    """Runs due jobs, one unit of work each; ``tick`` is one pass and returns the outcomes."""

    jobs: Mapping[str, Job]
    run: Callable[[Job], str] = field(default=run_as_system)
    last_runs: dict[str, datetime] = field(default_factory=dict)

    def tick(self, now: datetime) -> dict[str, str]:
        outcomes: dict[str, str] = {}
        for name in due(self.jobs, self.last_runs, now):
            self.last_runs[name] = now
            try:
                outcomes[name] = self.run(self.jobs[name])
            except Exception as exc:  # one job's failure must not stop the others
                log.exception("job %s failed", name)
                outcomes[name] = f"failed: {exc}"
        return outcomes

    def next_due_in(self, now: datetime) -> timedelta:
        """How long until the next job is due (zero when one already is)."""
        waits = [
            self.last_runs[name] + job.every - now if name in self.last_runs else timedelta()
            for name, job in self.jobs.items()
        ]
        return max(min(waits, default=timedelta(minutes=1)), timedelta())


def selected(names: list[str]) -> dict[str, Job]:
    """The named jobs (all when none are named); an unknown name is a ``KeyError``."""
    if not names:
        return dict(JOBS)
    return {name: JOBS[name] for name in names}
