"""``opencsp customers``: the program's customers, for the operator at the machine."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table

from opencsp.cli.support import operator, out
from opencsp.customers import queries

app = typer.Typer(
    help="Customers and the partners they work with.", no_args_is_help=True, add_completion=False
)


@app.callback()
def customers() -> None:
    """Customers and the partners they work with."""


@app.command("list")
def list_customers(
    partner: uuid.UUID = typer.Option(
        None, "--partner", help="Only the customers of this partner organization id."
    ),
) -> None:
    """Every customer (or one partner's), with its partners and their roles."""
    with operator() as (session, actor):
        stmt = (
            queries.customers_of_partner(session, partner)
            if partner is not None
            else queries.filtered(actor, None)
        )
        table = Table("id", "company", "domain", "country", "partners")
        for customer in session.scalars(stmt):
            shown = queries.relationships_shown_to(session, actor, customer)
            partners = ", ".join(f"{v.partner_name} ({v.relationship.role})" for v in shown)
            table.add_row(
                str(customer.id), customer.company_name, customer.domain, customer.country, partners
            )
        out.print(table)
