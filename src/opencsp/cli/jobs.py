"""``opencsp jobs``: list the registered jobs, run one now, or serve them all on the clock."""

from __future__ import annotations

import time

import typer

from opencsp.cli.support import operator, out
from opencsp.core import clock
from opencsp.jobs.registry import JOBS, execute
from opencsp.jobs.scheduler import Scheduler, selected

app = typer.Typer(
    help="Run the program's idempotent jobs.", no_args_is_help=True, add_completion=False
)


@app.command("list")
def list_jobs() -> None:
    for name, job in sorted(JOBS.items()):
        out.print(f"{name}\t{job.description}")


@app.command("run")
def run(name: str = typer.Argument(..., help="Job name (see `opencsp jobs list`).")) -> None:
    """Run one job (in one unit of work, or a batched job in one per batch); re-running it
    changes nothing more."""
    job = JOBS.get(name)
    if job is None:
        out.print(f"unknown job {name}")
        raise typer.Exit(2)
    result = execute(job, operator)
    out.print(f"{name}: {result}")


@app.command("serve")
def serve(
    only: list[str] = typer.Option([], "--job", help="Run only these jobs (repeatable)."),
    once: bool = typer.Option(False, "--once", help="Run every due job once, then stop."),
) -> None:
    """Run the jobs on the clock, each at its cadence, until interrupted (Ctrl-C)."""
    unknown = [name for name in only if name not in JOBS]
    if unknown:
        out.print(f"unknown job {', '.join(unknown)}")
        raise typer.Exit(2)
    scheduler = Scheduler(selected(only))
    try:
        while True:
            for name, outcome in scheduler.tick(clock.system_now()).items():
                out.print(f"{clock.system_now():%Y-%m-%dT%H:%M:%SZ} {name}: {outcome}")
            if once:
                return
            time.sleep(max(scheduler.next_due_in(clock.system_now()).total_seconds(), 1.0))
    except KeyboardInterrupt:
        out.print("stopped")
