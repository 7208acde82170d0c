"""``opencsp jobs``: list and run the registered jobs."""

from __future__ import annotations

import typer

from opencsp.cli.support import operator, out
from opencsp.jobs.registry import JOBS

app = typer.Typer(
    help="Run the program's idempotent jobs.", no_args_is_help=True, add_completion=False
)


@app.command("list")
def list_jobs() -> None:
    for name, job in sorted(JOBS.items()):
        out.print(f"{name}\t{job.description}")


@app.command("run")
def run(name: str = typer.Argument(..., help="Job name (see `opencsp jobs list`).")) -> None:
    """Run one job in one unit of work; re-running it changes nothing more."""
    job = JOBS.get(name)
    if job is None:
        out.print(f"unknown job {name}")
        raise typer.Exit(2)
    with operator() as (session, actor):
        result = job.run(session, actor)
    out.print(f"{name}: {result}")
