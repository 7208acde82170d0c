"""``opencsp tier`` and ``opencsp qualifications``: the vendor's indirect tier changes
(``program.tier_change``) and segment qualification reviews (``customers.qualifications``,
``partners.qualifications``), run by the operator at the machine (the system actor).

``opencsp tier change ORG`` prints the effect, then confirms only with ``--yes`` or an
answer at the prompt — in the same unit of work as the preview, with its fingerprint.
``ORG`` is a partner's tenant ID or tenant domain."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from opencsp.cli.support import is_interactive, operator, out
from opencsp.core.actor import Actor
from opencsp.core.ids import parse_guid
from opencsp.customers import qualifications as customer_qualifications
from opencsp.customers.qualification_rules import parse_vetting_status
from opencsp.partners import qualifications as partner_qualifications
from opencsp.partners import queries as partner_queries
from opencsp.program import tier_change
from opencsp.program.tier_change import TierEffect

tier_app = typer.Typer(
    help="Indirect tier changes: preview the effect, then confirm.",
    no_args_is_help=True,
    add_completion=False,
)
qualifications_app = typer.Typer(
    help="Segment qualifications: the review queue, approve, deny.",
    no_args_is_help=True,
    add_completion=False,
)

ORG_HELP = "The partner's tenant ID or tenant domain."
TIER_HELP = "indirect_provider or indirect_reseller (default: the other one)."


def _organization(session: Session, actor: Actor, org: str) -> uuid.UUID:
    guid = parse_guid(org)
    if guid is not None:
        return partner_queries.get_partner(session, actor, guid).organization.id
    return partner_queries.partner_by_domain(session, actor, org).organization.id


def _print_effect(effect: TierEffect) -> None:
    out.print(f"{effect.organization.name}: {effect.current.value} -> {effect.target.value}")
    for blocker in effect.blockers:
        out.print(f"  blocked ({blocker.code}): {blocker.description}")
    names = ", ".join(p.name for p in effect.partnerships_ending) or "-"
    out.print(f"  partnerships that end: {names}")
    if effect.providers:
        out.print(f"  its providers: {', '.join(p.name for p in effect.providers)}")
    ending = ", ".join(c.name for c in effect.customers_ending) or "-"
    out.print(f"  customer relationships that end: {ending}")
    out.print(f"  customers kept: {len(effect.customers_kept)}")
    out.print(f"  order requests declined: {len(effect.order_requests)}")
    out.print(f"  active subscriptions it bills: {len(effect.subscriptions)}")
    out.print(f"  fingerprint: {effect.fingerprint}")


@tier_app.command("preview")
def preview(
    org: str = typer.Argument(..., help=ORG_HELP),
    tier: str = typer.Option(None, help=TIER_HELP),
) -> None:
    """What changing the partner's tier would do."""
    with operator() as (session, actor):
        _print_effect(tier_change.preview(session, actor, _organization(session, actor, org), tier))


@tier_app.command("change")
def change(
    org: str = typer.Argument(..., help=ORG_HELP),
    tier: str = typer.Option(None, help=TIER_HELP),
    fingerprint: str = typer.Option(None, help="A preview's fingerprint, to confirm exactly it."),
    yes: bool = typer.Option(False, "--yes", help="Confirm without asking."),
) -> None:
    """Show the effect and change the tier once confirmed."""
    with operator() as (session, actor):
        organization_id = _organization(session, actor, org)
        effect = tier_change.preview(session, actor, organization_id, tier)
        _print_effect(effect)
        if not (yes or fingerprint) and not typer.confirm("Change the tier?", default=False):
            raise typer.Exit(1)
        changed = tier_change.confirm(
            session, actor, organization_id, effect.target.value, fingerprint or effect.fingerprint
        )
        out.print(f"{changed.organization.id}\t{changed.organization.tier}")


@qualifications_app.command("list")
def list_qualifications(
    status: str = typer.Option("InReview", help="InReview, Approved, Denied or all."),
) -> None:
    """Customers' and partners' qualifications in ``status``, oldest first."""
    chosen = None if status.strip().lower() == "all" else parse_vetting_status(status)
    with operator() as (session, actor):
        rows = [
            (
                "customer",
                str(i.customer.id),
                i.customer.company_name,
                q.qualification,
                q.vetting_status,
            )
            for i in customer_qualifications.review_queue(session, actor, status=chosen)
            for q in (i.qualification,)
        ]
        partner_status = partner_qualifications.Status(chosen.value) if chosen else None
        rows += [
            ("partner", str(q.organization_id), p.company_name, q.segment, q.status)
            for q, p in partner_qualifications.qualifications_of(
                session, actor, status=partner_status
            )
        ]
    if not is_interactive():
        for values in rows:
            out.print("\t".join(values), soft_wrap=True)
        return
    table = Table("kind", "id", "name", "qualification", "status")
    for values in rows:
        table.add_row(*values)
    out.print(table)


@qualifications_app.command("approve")
def approve(
    kind: str = typer.Argument(..., help="customer or partner"),
    target: str = typer.Argument(..., help="The customer's or partner's tenant ID."),
    qualification: str = typer.Argument(..., help="Education, Nonprofit, ... or government."),
) -> None:
    """Approve a qualification in review."""
    _decide(kind, target, qualification, None)


@qualifications_app.command("deny")
def deny(
    kind: str = typer.Argument(..., help="customer or partner"),
    target: str = typer.Argument(..., help="The customer's or partner's tenant ID."),
    qualification: str = typer.Argument(..., help="Education, Nonprofit, ... or government."),
    reason: str = typer.Option(..., help="Why: the partner reads it."),
) -> None:
    """Deny a qualification in review, with a reason."""
    _decide(kind, target, qualification, reason)


def _decide(kind: str, target: str, qualification: str, reason: str | None) -> None:
    guid = parse_guid(target)
    if guid is None or kind not in ("customer", "partner"):
        raise typer.BadParameter("give customer|partner and a tenant ID")
    with operator() as (session, actor):
        if kind == "customer":
            item = (
                customer_qualifications.approve(session, actor, guid, qualification)
                if reason is None
                else customer_qualifications.deny(session, actor, guid, qualification, reason)
            )
            out.print(
                f"{guid}\t{item.qualification.qualification}\t{item.qualification.vetting_status}"
            )
            return
        row = (
            partner_qualifications.approve(session, actor, guid, qualification)
            if reason is None
            else partner_qualifications.deny(session, actor, guid, qualification, reason)
        )
        out.print(f"{guid}\t{row.segment}\t{row.status}")
