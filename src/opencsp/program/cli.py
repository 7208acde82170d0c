"""``opencsp program``: the vendor's direct-bill review at the machine (the system actor,
acting for the vendor): a partner's checklist, the application queue and its decisions,
the evidence the vendor records (rules.md §2a).

``ORG`` is a partner's tenant ID or tenant domain; ``APPLICATION`` an application id."""

from __future__ import annotations

import uuid
from datetime import datetime

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from opencsp.cli.support import is_interactive, operator, out
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.ids import parse_guid
from opencsp.partners import queries as partner_queries
from opencsp.program import applications, approval, evidence, facts, reviews
from opencsp.program.eligibility import Checklist
from opencsp.program.rules import OPEN, parse_state
from opencsp.program.standing_cli import add_standing_commands
from opencsp.program.transition_cli import app as transition_app

app = typer.Typer(
    help="Program: direct-bill eligibility, applications and evidence.",
    no_args_is_help=True,
    add_completion=False,
)
applications_app = typer.Typer(
    help="Direct-bill applications: the review queue.", no_args_is_help=True
)
evidence_app = typer.Typer(help="Evidence the vendor records.", no_args_is_help=True)
app.add_typer(applications_app, name="applications")
app.add_typer(evidence_app, name="evidence")
app.add_typer(transition_app, name="transition")  # issue 7, task I

ORG_HELP = "The partner's tenant ID or tenant domain."


def _organization(session: Session, actor: Actor, org: str) -> uuid.UUID:
    guid = parse_guid(org)
    if guid is not None:
        return partner_queries.get_partner(session, actor, guid).organization.id
    return partner_queries.partner_by_domain(session, actor, org).organization.id


def _print_checklist(checklist: Checklist) -> None:
    rows = [
        (
            r.key,
            r.status.value,
            "required" if r.required else "recommended",
            ", ".join(f"{k}={v}" for k, v in r.evidence.items()),
        )
        for r in checklist.requirements
    ]
    if not is_interactive():
        for values in rows:
            out.print("\t".join(values), soft_wrap=True)
        out.print(f"eligible\t{str(checklist.eligible).lower()}")
        return
    table = Table("requirement", "status", "", "evidence", title="Direct-bill eligibility")
    for values in rows:
        table.add_row(*values)
    out.print(table)
    out.print(f"eligible: {'yes' if checklist.eligible else 'no'}")


@app.command("eligibility")
def eligibility(org: str = typer.Argument(..., help=ORG_HELP)) -> None:
    """A partner's live direct-bill checklist."""
    with operator() as (session, actor):
        org_id = _organization(session, actor, org)
        _print_checklist(facts.direct_bill_checklist(session, org_id, now=clock.now()))


@applications_app.command("list")
def list_applications(
    state: str = typer.Option("open", help="open (the queue), all, or a state."),
) -> None:
    """Applications oldest first with whether each is eligible now."""
    states = sorted(OPEN) if state == "open" else [] if state == "all" else [parse_state(state)]
    with operator() as (session, actor):
        apps = applications.list_applications(session, actor, states=states)
        found = applications.with_checklists(session, apps, now=clock.now())
        names = applications.organization_names(session, [a.organization_id for a in apps])
        rows = [
            (
                str(f.application.id),
                names.get(f.application.organization_id, ""),
                f.application.state,
                f.application.submitted_at.isoformat(timespec="seconds"),
                "eligible" if f.checklist.eligible else "not: " + ", ".join(f.checklist.unmet),
            )
            for f in found
        ]
    if not is_interactive():
        for values in rows:
            out.print("\t".join(values), soft_wrap=True)
        return
    table = Table("application", "partner", "state", "submitted", "checklist")
    for values in rows:
        table.add_row(*values)
    out.print(table)


@applications_app.command("show")
def show(application: uuid.UUID = typer.Argument(...)) -> None:
    """One application: its fields, checklist and messages."""
    with operator() as (session, actor):
        found = applications.get_application(session, actor, application)
        out.print(
            f"{found.id}\t{found.state}\tsigner={found.signer_name} <{found.signer_email}>\t"
            f"domain={found.tenant_domain}\tanniversary={found.billing_anniversary}",
            soft_wrap=True,
        )
        _print_checklist(applications.checklist_of(session, found, now=clock.now()))
        for m in applications.messages_of(session, found.id):
            out.print(f"{m.created_at.isoformat(timespec='seconds')}\t{m.kind}\t{m.body}")


@applications_app.command("approve")
def approve(
    application: uuid.UUID = typer.Argument(...),
    link: str | None = typer.Option(None, help="Link this existing direct-bill ORG instead."),
) -> None:
    """Approve an eligible application: create (or link) the direct-bill tenant. A new
    tenant's admin password is printed this once."""
    with operator() as (session, actor):
        target = _organization(session, actor, link) if link else None
        done = approval.approve(session, actor, application, link_organization_id=target)
        out.print(f"{done.application.id}\t{done.application.state}\t{done.organization.id}")
        if done.admin_password:
            out.print(f"admin\t{done.admin_email}\t{done.admin_password}")


@applications_app.command("reject")
def reject(
    application: uuid.UUID = typer.Argument(...),
    reason: str = typer.Option(..., help="Why: the partner reads it."),
) -> None:
    with operator() as (session, actor):
        found = reviews.reject(session, actor, application, reason)
        out.print(f"{found.id}\t{found.state}")


@applications_app.command("request-info")
def request_info(
    application: uuid.UUID = typer.Argument(...),
    message: str = typer.Option(..., help="What the partner should answer."),
) -> None:
    with operator() as (session, actor):
        found = reviews.request_information(session, actor, application, message)
        out.print(f"{found.id}\t{found.state}")


@applications_app.command("schedule-assessment")
def schedule_assessment(
    application: uuid.UUID = typer.Argument(...),
    on: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="Assessment day."),
) -> None:
    with operator() as (session, actor):
        found = reviews.schedule_assessment(session, actor, application, on.date())
        out.print(f"{found.id}\t{found.state}")


@evidence_app.command("record")
def record(
    org: str = typer.Argument(..., help=ORG_HELP),
    kind: str = typer.Option(..., help="credit_check, support_plan or assessment."),
    outcome: str = typer.Option(..., help="scheduled, passed, failed or bought."),
    on: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="The day it happened."),
    plan: str | None = typer.Option(None, help="ASfP or PSfP (support_plan)."),
) -> None:
    """Record a credit check, a support plan bought or an assessment."""
    with operator() as (session, actor):
        org_id = _organization(session, actor, org)
        row = evidence.record_evidence(
            session, actor, org_id, kind=kind, outcome=outcome, effective_on=on.date(), plan=plan
        )
        out.print(f"{row.id}\t{row.kind}\t{row.outcome}\t{row.effective_on}")


@evidence_app.command("list")
def list_evidence(org: str = typer.Argument(..., help=ORG_HELP)) -> None:
    with operator() as (session, actor):
        org_id = _organization(session, actor, org)
        for e in evidence.list_evidence(session, actor, org_id):
            plan = (e.detail or {}).get("plan", "")
            out.print(f"{e.effective_on}\t{e.kind}\t{e.outcome}\t{plan}".rstrip())


# issue 7, task H: reassess, floor, standings, lift, restrict (program.standing_cli)
add_standing_commands(app)
