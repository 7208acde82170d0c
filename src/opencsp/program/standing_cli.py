"""``opencsp program reassess|floor|standings|lift|restrict``: keeping and losing a tier at
the machine (the system actor, acting for the vendor). The jobs run batch by batch, each
batch committed (as ``opencsp jobs run program.reassess|program.floor``).

``ORG`` is a partner's tenant ID or tenant domain. Mounted on ``program.cli.app`` by
``add_standing_commands``."""

from __future__ import annotations

import uuid

import typer
from sqlalchemy.orm import Session

from opencsp.cli.support import operator, out
from opencsp.core.actor import Actor
from opencsp.core.ids import parse_guid
from opencsp.partners import queries as partner_queries
from opencsp.program import reassessment, standing_queries, standing_service
from opencsp.program import standing_rules as rules
from opencsp.program.floor import run_floor
from opencsp.program.reassessment import run_reassessments

ORG_HELP = "The partner's tenant ID or tenant domain."


def _organization(session: Session, actor: Actor, org: str) -> uuid.UUID:
    guid = parse_guid(org)
    if guid is not None:
        return partner_queries.get_partner(session, actor, guid).organization.id
    return partner_queries.partner_by_domain(session, actor, org).organization.id


def reassess(
    org: str | None = typer.Option(None, "--org", help=f"Only this partner, now. {ORG_HELP}"),
) -> None:
    """Reassess direct-bill partners due (the program.reassess job), or one partner now."""
    if org is None:
        out.print(f"program.reassess: {run_reassessments(operator)}")
        return
    with operator() as (session, actor):
        row = reassessment.reassess_now(session, actor, _organization(session, actor, org))
        percent = row.checklist.get("growth", {}).get("percent")
        unmet = [
            q["key"]
            for q in row.checklist.get("requirements", [])
            if q["required"] and q["status"] != "met"
        ]
        out.print(
            f"cycle {row.cycle}\t{row.outcome}\tdue {row.due_on}\t"
            f"notice until {row.notice_until or '-'}\tbilled TTM USD {rules.usd(row.ttm_minor)}\t"
            f"growth {f'{percent}%' if percent else '-'}\tunmet {', '.join(unmet) or '-'}",
            soft_wrap=True,
        )


def floor() -> None:
    """Check the reseller revenue floor (the program.floor job)."""
    out.print(f"program.floor: {run_floor(operator)}")


def standings(
    status: str | None = typer.Option(None, help="restricted or deauthorized; default both."),
) -> None:
    """Partners not in good standing."""
    with operator() as (session, actor):
        for named in standing_queries.standings(session, actor, status=status):
            row = named.row
            out.print(
                f"{row.organization_id}\t{named.name}\t{row.status}\t"
                f"{row.effective_at:%Y-%m-%d}\t{row.reenroll_after or '-'}\t{row.reason}",
                soft_wrap=True,
            )


def lift(
    org: str = typer.Argument(..., help=ORG_HELP),
    reason: str = typer.Option(..., help="Why the restriction is lifted (audited, notified)."),
) -> None:
    """Lift a partner's restriction."""
    with operator() as (session, actor):
        org_id = _organization(session, actor, org)
        standing_service.lift_restriction(session, actor, org_id, reason=reason)
        out.print(f"{org_id}\tgood")


def restrict(
    org: str = typer.Argument(..., help=ORG_HELP),
    reason: str = typer.Option(..., help="Why the partner is restricted (audited, notified)."),
) -> None:
    """Restrict a partner now."""
    with operator() as (session, actor):
        org_id = _organization(session, actor, org)
        row = standing_service.restrict_partner(session, actor, org_id, reason=reason)
        out.print(f"{org_id}\t{row.status}")


def add_standing_commands(app: typer.Typer) -> None:
    for command in (reassess, floor, standings, lift, restrict):
        app.command(command.__name__)(command)
