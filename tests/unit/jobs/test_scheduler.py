"""The scheduler behind ``opencsp jobs serve``: which jobs are due, one failure does not
stop the others, and the wait until the next turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opencsp.jobs.registry import JOBS, Job
from opencsp.jobs.scheduler import Scheduler, due, selected

T0 = datetime(2026, 12, 1, tzinfo=UTC)
HOURLY = Job("hourly", lambda _s, _a: "ok", every=timedelta(hours=1))
FIVE = Job("five", lambda _s, _a: "ok", every=timedelta(minutes=5))
JOBSET = {"hourly": HOURLY, "five": FIVE}


@pytest.mark.parametrize(
    ("last_runs", "now", "expected"),
    [
        ({}, T0, ["five", "hourly"]),  # never run: due at once
        ({"hourly": T0, "five": T0}, T0, []),
        ({"hourly": T0, "five": T0}, T0 + timedelta(minutes=4, seconds=59), []),
        ({"hourly": T0, "five": T0}, T0 + timedelta(minutes=5), ["five"]),
        ({"hourly": T0, "five": T0}, T0 + timedelta(hours=1), ["five", "hourly"]),
        ({"five": T0}, T0 + timedelta(minutes=1), ["hourly"]),
    ],
)
def test_due(last_runs, now, expected) -> None:
    assert due(JOBSET, last_runs, now) == expected


def test_a_failing_job_is_reported_and_the_others_still_run() -> None:
    ran: list[str] = []

    def run(job: Job) -> str:
        ran.append(job.description)
        if job is HOURLY:
            raise RuntimeError("database away")
        return "done"

    scheduler = Scheduler(JOBSET, run=run)
    outcomes = scheduler.tick(T0)
    assert outcomes == {"five": "done", "hourly": "failed: database away"}
    assert sorted(ran) == ["five", "hourly"]
    # a failed job waits for its next turn like any other, then is tried again
    assert scheduler.tick(T0 + timedelta(minutes=1)) == {}
    assert scheduler.tick(T0 + timedelta(hours=1)) == {
        "five": "done",
        "hourly": "failed: database away",
    }


def test_the_wait_until_the_next_turn() -> None:
    scheduler = Scheduler(JOBSET, run=lambda job: "ok")
    assert scheduler.next_due_in(T0) == timedelta()
    scheduler.tick(T0)
    assert scheduler.next_due_in(T0 + timedelta(minutes=2)) == timedelta(minutes=3)
    assert scheduler.next_due_in(T0 + timedelta(minutes=9)) == timedelta()


def test_selected_jobs() -> None:
    assert selected([]) == JOBS
    assert list(selected(["pricing.activate"])) == ["pricing.activate"]
    assert JOBS["pricing.activate"].every <= timedelta(minutes=5)
    with pytest.raises(KeyError):
        selected(["no.such.job"])
