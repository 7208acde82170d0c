"""``opencsp markets``: the CSP markets, their countries and currencies."""

from __future__ import annotations

import typer
from rich.table import Table

from opencsp.cli.support import operator, out
from opencsp.markets import queries

app = typer.Typer(
    help="CSP markets, countries and currencies.", no_args_is_help=True, add_completion=False
)


@app.command("list")
def list_markets() -> None:
    """Every market with its number of countries and its currencies."""
    with operator() as (session, _actor):
        table = Table("id", "market", "countries", "currencies")
        for market in queries.list_markets(session):
            currencies = ", ".join(queries.currencies_for_market(session, market.id))
            table.add_row(market.id, market.name, str(len(market.countries)), currencies)
        out.print(table)


@app.command("for")
def market_for(country: str = typer.Argument(..., help="ISO 3166 two-letter code.")) -> None:
    """The market a customer or partner in COUNTRY belongs to, and its currencies there."""
    with operator() as (session, _actor):
        market = queries.market_for(session, country)
        currencies = ", ".join(queries.currencies_for_country(session, country)) or "-"
        out.print(f"{country.strip().upper()}\t{market.id}\t{market.name}\t{currencies}")
