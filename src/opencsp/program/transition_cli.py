"""``opencsp program transition``: the vendor's side of direct-bill partners becoming
indirect resellers (rules.md §2d), run by the operator at the machine (the system actor,
acting for the vendor's Program admin). The partner's own steps (request, agreement,
provider, consents) are taken by its Global admin in the console or the API; the job
``program.transitions`` (``opencsp jobs run program.transitions``) switches and completes
them on the clock."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table

from opencsp.cli.support import is_interactive, operator, out
from opencsp.program import transition_jobs as completion
from opencsp.program import transitions
from opencsp.program.errors import TransitionNotFound
from opencsp.program.transition_queries import TransitionView
from opencsp.program.transition_rules import TransitionState

app = typer.Typer(
    help="Transitions from direct bill to indirect reseller: review, approve, complete.",
    no_args_is_help=True,
    add_completion=False,
)


def _id(value: str) -> uuid.UUID:
    """A transition id; anything else names nothing (called inside ``operator()``, which
    turns the error into exit code 3)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise TransitionNotFound() from None


def _row(v: TransitionView) -> tuple[str, ...]:
    t = v.transition
    return (
        str(t.id),
        v.partner_name,
        t.state,
        t.approve_by.isoformat() + (" (overdue)" if v.overdue else ""),
        v.provider_name or "",
        t.effective_period or "",
    )


@app.command("list")
def list_transitions(
    state: TransitionState = typer.Option(None, help="Only transitions in this state."),
) -> None:
    """Transitions, requests waiting for approval first (overdue ones on top)."""
    with operator() as (session, actor):
        rows = [_row(v) for v in transitions.list_views(session, actor, state=state)]
    if not is_interactive():
        for values in rows:
            out.print("\t".join(values), soft_wrap=True)
        return
    table = Table("id", "partner", "state", "approve by", "provider", "effective")
    for values in rows:
        table.add_row(*values)
    out.print(table)


@app.command("show")
def show(transition_id: str) -> None:
    """One transition with its customers and their consents."""
    with operator() as (session, actor):
        view = transitions.get_view(session, actor, _id(transition_id))
        out.print("\t".join(_row(view)), soft_wrap=True)
        for c in view.customers:
            consent = f"{c.consent_by} {c.consented_at:%Y-%m-%d}" if c.consent_by else "-"
            out.print(f"  {c.customer_id}\t{c.company_name}\t{consent}", soft_wrap=True)


@app.command("approve")
def approve(transition_id: str) -> None:
    """Approve the partner's enrollment as indirect reseller on its tenant."""
    with operator() as (session, actor):
        found = transitions.approve(session, actor, _id(transition_id))
        out.print(f"{found.id} approved")


@app.command("reject")
def reject(
    transition_id: str, reason: str = typer.Option(..., help="Why; the partner reads it.")
) -> None:
    """Reject the transition, saying why."""
    with operator() as (session, actor):
        found = transitions.reject(session, actor, _id(transition_id), reason)
        out.print(f"{found.id} rejected")


@app.command("complete")
def complete(transition_id: str) -> None:
    """Switch and move the customers now, when the bill run has closed the last direct
    month and every customer consented (otherwise the reason, exit code 5)."""
    with operator() as (session, actor):
        done = completion.complete_now(session, actor, _id(transition_id))
        out.print(
            f"{done.transition.id} completed: {done.customers} customers, "
            f"{done.subscriptions} subscriptions, provider bill-to from "
            f"{done.transition.effective_period}"
        )
