"""Running the packaged Alembic migrations from code (CLI, demo, tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from opencsp.core.db import default_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Any = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def revision(message: str, *, autogenerate: bool = True) -> None:
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


def current() -> str | None:
    """The revision the configured database is at (None when empty)."""
    with default_engine().connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
