"""``opencsp partners``: the vendor's enrollment verification and the indirect-provider
tier, run by the operator at the machine (the system actor, acting for the vendor).

``ORG`` is a partner's tenant ID or its tenant domain."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from opencsp.cli.support import is_interactive, operator, out
from opencsp.core.actor import Actor
from opencsp.core.ids import parse_guid
from opencsp.partners import enrollment, queries
from opencsp.partners.rules import EnrollmentState

app = typer.Typer(
    help="Partners: enrollment verification and the indirect-provider tier.",
    no_args_is_help=True,
    add_completion=False,
)

ORG_HELP = "The partner's tenant ID or tenant domain."


def _organization(session: Session, actor: Actor, org: str) -> uuid.UUID:
    guid = parse_guid(org)
    if guid is not None:
        return queries.get_partner(session, actor, guid).organization.id
    return queries.partner_by_domain(session, actor, org).organization.id


@app.command("list")
def list_partners(
    state: EnrollmentState = typer.Option(None, help="Only enrollments in this state."),
) -> None:
    """Enrolled partners, oldest submission first (the verification queue): a table on a
    terminal, tab-separated lines otherwise."""
    columns = ("tenant id", "company", "country", "tenant domain", "tier", "state", "submitted")
    with operator() as (session, actor):
        rows = [
            (
                str(row.organization.id),
                row.profile.company_name,
                row.profile.country,
                row.profile.tenant_domain,
                row.organization.tier,
                row.enrollment.state,
                row.enrollment.submitted_at.isoformat(timespec="seconds"),
            )
            for row in queries.list_partners(session, actor, state=state.value if state else None)
        ]
    if not is_interactive():
        for values in rows:
            out.print("\t".join(values), soft_wrap=True)
        return
    table = Table(*columns)
    for values in rows:
        table.add_row(*values)
    out.print(table)


@app.command("verify")
def verify(org: str = typer.Argument(..., help=ORG_HELP)) -> None:
    """Take a submitted enrollment into verification."""
    with operator() as (session, actor):
        row = enrollment.start_verification(session, actor, _organization(session, actor, org))
        out.print(f"{row.organization_id}\t{row.state}")


@app.command("approve")
def approve(org: str = typer.Argument(..., help=ORG_HELP)) -> None:
    """Approve an enrollment in verification: it and its partner IDs become active."""
    with operator() as (session, actor):
        row = enrollment.approve(session, actor, _organization(session, actor, org))
        out.print(f"{row.organization_id}\t{row.state}")


@app.command("reject")
def reject(
    org: str = typer.Argument(..., help=ORG_HELP),
    reason: str = typer.Option(..., help="Why: the partner reads it."),
) -> None:
    """Reject a submitted enrollment or one in verification."""
    with operator() as (session, actor):
        row = enrollment.reject(session, actor, _organization(session, actor, org), reason)
        out.print(f"{row.organization_id}\t{row.state}")


@app.command("grant-provider")
def grant_provider(org: str = typer.Argument(..., help=ORG_HELP)) -> None:
    """Grant the indirect-provider tier to an active indirect reseller."""
    with operator() as (session, actor):
        organization = enrollment.grant_provider_tier(
            session, actor, _organization(session, actor, org)
        )
        out.print(f"{organization.id}\t{organization.tier}")
