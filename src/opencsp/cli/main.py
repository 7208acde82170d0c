"""The ``opencsp`` root command.

Subcommands are imported only when they run, so ``opencsp --help`` answers without loading
SQLAlchemy, FastAPI or the domains: the table below names each command's module and its
one-line help."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from opencsp import wiring

# name -> (module, attribute holding a Typer app, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "db": ("opencsp.cli.db", "app", "Database: run migrations, show the revision."),
    "serve": ("opencsp.cli.server", "serve_app", "Serve the API and the console."),
    "demo": ("opencsp.cli.server", "demo_app", "Create, load and serve the demo."),
    "orgs": ("opencsp.auth.cli", "orgs_app", "Organizations: the vendor and partners."),
    "users": ("opencsp.auth.cli", "users_app", "Users and their roles."),
    "tokens": ("opencsp.auth.cli", "tokens_app", "API tokens: create (shown once), revoke."),
    "markets": ("opencsp.markets.cli", "app", "CSP markets, countries and currencies."),
    "customers": ("opencsp.customers.cli", "app", "Customers and the partners they work with."),
    "partners": ("opencsp.partners.cli", "app", "Partner enrollments and provider tier."),
    "agreements": ("opencsp.agreements.cli", "app", "Agreement templates: publish, list, retire."),
    "catalog": ("opencsp.catalog.cli", "app", "Catalog: products, SKUs, offer matrix."),
    "pricing": ("opencsp.pricing.cli", "app", "Monthly price lists, their changes, FX rates."),
    "jobs": ("opencsp.cli.jobs", "app", "Run the program's idempotent jobs."),
    "orders": ("opencsp.orders.cli", "app", "Orders: list, show, buy for a customer."),
    "billing": (
        "opencsp.billing.cli",
        "app",
        "Billing: bill runs, invoices, payments, credit limits, price rules.",
    ),
    "program": (
        "opencsp.program.cli",
        "app",
        "Program: direct-bill eligibility, applications, evidence.",
    ),
    "reporting": ("opencsp.reporting.cli", "app", "Revenue: TTM per partner, drill-down."),
    "tier": ("opencsp.program.tier_cli", "tier_app", "Indirect tier changes: preview, confirm."),
    "qualifications": (
        "opencsp.program.tier_cli",
        "qualifications_app",
        "Segment qualifications: review queue, approve, deny.",
    ),
    "subscriptions": (
        "opencsp.subscriptions.cli",
        "app",
        "Subscriptions: list, show with the timeline, change seats and status.",
    ),
}


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _help = entry
        wiring.install()
        command = typer.main.get_command(getattr(importlib.import_module(module), attribute))
        command.name = cmd_name
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"opencsp {version('opencsp')}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """opencsp — a Cloud Solution Provider program: the vendor's back office and every
    partner's Partner Center. Settings come from OPENCSP_* environment variables
    (OPENCSP_DATABASE_URL, OPENCSP_DATA_DIR, OPENCSP_TEST_CLOCK, ...)."""


def run() -> None:
    app()
