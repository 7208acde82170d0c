"""``opencsp reporting``: TTM revenue per partner (rules.md §2a, §3.4–3.5), the lines
behind a figure (CSV with ``--csv``) and revenue by month, product, market or reseller.
Runs as the operator (every partner) or ``--as`` a user (their own figures only). A table
on a terminal, tab-separated lines otherwise."""

from __future__ import annotations

import uuid

import typer

from opencsp.core import clock
from opencsp.pricing.rules import parse_month
from opencsp.reporting import exports, queries, rules
from opencsp.reporting.revenue import Breakdown
from opencsp.reporting.rules import Measure
from opencsp.subscriptions.cli import AS_HELP, acting, show_rows

app = typer.Typer(
    help="Revenue: TTM per partner, its drill-down, breakdowns.",
    no_args_is_help=True,
    add_completion=False,
)

PARTNER_HELP = "The partner's tenant ID (the vendor's choice; a partner reads its own)."
AS_OF_HELP = "The instant or day the TTM is as of (default now): the 12 months before it."


@app.command("ttm")
def ttm_command(
    partner: uuid.UUID = typer.Option(None, "--partner", help=PARTNER_HELP),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """TTM revenue in USD: direct-bill (threshold 300,000), reseller floor (1,000), billed."""
    with acting(as_user) as (session, actor):
        instant = rules.parse_as_of(as_of, clock.now())
        figures = queries.ttm_figures(session, actor, partner, instant)
        names = queries.names(session, [f.organization_id for f in figures])
        rows = [
            (
                str(f.organization_id),
                names.get(f.organization_id, ""),
                str(f.direct_bill),
                str(f.reseller_floor),
                str(f.billed),
                "yes" if f.meets_direct_bill else "no",
                "yes" if f.meets_reseller_floor else "no",
            )
            for f in figures
        ]
    show_rows(("partner", "name", "directBill", "resellerFloor", "billed", "≥300K", "≥1K"), rows)


@app.command("lines")
def lines_command(
    measure: Measure = typer.Option(Measure.DIRECT_BILL, "--measure", help="The figure."),
    partner: uuid.UUID = typer.Option(None, "--partner", help=PARTNER_HELP),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_csv: bool = typer.Option(False, "--csv", help="Write the drill-down CSV to stdout."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """The charge lines behind one figure; their USD column adds up to it."""
    with acting(as_user) as (session, actor):
        instant = rules.parse_as_of(as_of, clock.now())
        drill = queries.ttm_drill(session, actor, partner, instant, measure)
    if as_csv:
        for chunk in exports.drill_csv(drill):
            typer.echo(chunk, nl=False)
        return
    rows = [
        (
            ln.invoice_id,
            f"{ln.period:%Y-%m}",
            ln.charge_type,
            ln.product_id,
            ln.product_type,
            f"{ln.amount} {ln.currency}",
            str(ln.usd_per_unit),
            str(ln.usd),
        )
        for ln in drill.lines
    ]
    show_rows(("invoice", "period", "charge", "product", "type", "amount", "rate", "USD"), rows)
    typer.echo(f"{drill.measure.value}: {drill.figure} USD ({len(drill.lines)} lines)")


@app.command("revenue")
def revenue_command(
    by: Breakdown = typer.Option(Breakdown.MONTH, "--by", help="month, product, market, reseller."),
    start: str = typer.Option(None, "--from", help="First month, YYYY-MM (default: TTM window)."),
    end: str = typer.Option(None, "--to", help="Last month, YYYY-MM (included)."),
    partner: uuid.UUID = typer.Option(None, "--partner", help=PARTNER_HELP),
    all_issued: bool = typer.Option(False, "--issued", help="Count unpaid documents too."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Revenue in USD by month, product, market or reseller (the vendor: over all)."""
    first, last = rules.window(clock.now())
    if start:
        first = parse_month(start)
    if end:
        last = rules.add_months(parse_month(end), 1)
    with acting(as_user) as (session, actor):
        rows = queries.revenue_rows(
            session, actor, partner, first, last, by, paid_only=not all_issued
        )
    show_rows(
        ("key", "label", "USD", "lines"), [(r.key, r.label, str(r.usd), str(r.lines)) for r in rows]
    )
