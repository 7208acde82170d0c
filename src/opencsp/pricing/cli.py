"""``opencsp pricing``: price lists (import with a progress bar, export, statuses), the
month-to-month change report, and FX rates."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Monthly price lists, their changes, and FX rates.",
    no_args_is_help=True,
    add_completion=False,
)

# --- import / export (pricing/imports.py, pricing/exports.py) ---------------------------

# --- lists, activation, change report (pricing/lifecycle.py, pricing/changes.py) --------

# --- FX rates (pricing/fx.py) ------------------------------------------------------------
