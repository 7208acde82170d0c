"""``opencsp db``: migrations."""

from __future__ import annotations

import typer

from opencsp.cli.support import out
from opencsp.core import migrate
from opencsp.core.config import settings

app = typer.Typer(
    help="Database: run migrations, show the revision.", no_args_is_help=True, add_completion=False
)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or upgrade the schema (and its reference data, e.g. markets)."""
    migrate.upgrade(revision=revision)
    out.print(f"database at [bold]{revision}[/bold]: {settings().effective_database_url}")


@app.command()
def current() -> None:
    """Print the database's revision."""
    out.print(migrate.current() or "(empty)")
