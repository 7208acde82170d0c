"""``opencsp pricing``: price lists (import with a progress bar, export, statuses), the
month-to-month change report, and FX rates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from opencsp.cli.support import err, operator, out
from opencsp.core.types import decimal_text
from opencsp.pricing import changes, exports, fx, imports, lifecycle, rules
from opencsp.pricing.errors import FxRatesRejected, PriceListRejected

app = typer.Typer(
    help="Monthly price lists, their changes, and FX rates.",
    no_args_is_help=True,
    add_completion=False,
)

# --- import / export (pricing/imports.py, pricing/exports.py) ---------------------------


@app.command("import")
def import_price_list(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    month: str = typer.Option(..., help="The month the list is for, YYYY-MM."),
) -> None:
    """Import a month's price list in the new-commerce layout (one list per market in the
    file; a preview is replaced). A file with any problem is rejected whole, nothing is
    written, and every problem is listed by line."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with operator() as (session, actor), file.open("rb") as stream:
        first = rules.parse_month(month)
        with Progress(*columns, console=err) as bar:
            task = bar.add_task(f"Importing {file.name}", total=file.stat().st_size)
            try:
                summary = imports.import_price_list(
                    session,
                    actor,
                    stream,
                    month=first,
                    source_name=file.name,
                    progress=lambda done: bar.update(task, completed=done),
                )
            except PriceListRejected as exc:
                bar.stop()
                for line, column, message in exc.problems:
                    err.print(f"line {line}" + (f", {column}" if column else "") + f": {message}")
                shown = len(exc.problems)
                err.print(
                    f"{exc.total} problem(s)"
                    + (f", first {shown} shown" if shown < exc.total else "")
                )
                raise
    table = Table(
        "market",
        "list",
        "status",
        "rows",
        "replaced preview",
        title=f"{file.name} for {rules.format_month(summary.month)}",
    )
    for item in summary.lists:
        table.add_row(
            item.market_id,
            str(item.price_list_id),
            item.status.value,
            str(item.rows),
            "yes" if item.replaced else "no",
        )
    out.print(table)
    out.print(f"{summary.rows} rows imported")


@app.command("export")
def export_price_list(
    market: str = typer.Option(..., help="A country code (its rows) or a market id (all rows)."),
    timeline: str = typer.Option("current", help="current, history or future."),
    month: str | None = typer.Option(None, help="YYYY-MM; the past month for history."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File; default stdout."),
) -> None:
    """A market's price list as CSV in the new-commerce layout, as the API's price sheet."""
    with operator() as (session, actor):
        lines = exports.price_sheet(
            session,
            actor,
            market=market,
            timeline=rules.parse_timeline(timeline),
            month=rules.parse_month(month) if month else None,
        )
        if output is None:
            for chunk in lines:
                typer.echo(chunk, nl=False)
            return
        with output.open("w", encoding="utf-8", newline="") as target:
            target.writelines(lines)
    out.print(f"{market} {timeline} price list written to {output}")


# --- lists, activation, change report (pricing/lifecycle.py, pricing/changes.py) --------


@app.command("lists")
def lists(
    market: str | None = typer.Option(None, help="A market id or one of its country codes."),
) -> None:
    """Every price list by month and market, with its status (preview, current, history)."""
    with operator() as (session, actor):
        found = lifecycle.list_price_lists(session, actor, market=market)
        if not found:
            out.print("No price lists.")
            return
        table = Table("market", "month", "status", "rows", "imported", "activated", "source")
        for pl in found:
            table.add_row(
                pl.market_id,
                rules.format_month(pl.month),
                pl.status,
                str(pl.row_count),
                pl.imported_at.strftime("%Y-%m-%d %H:%M"),
                pl.activated_at.strftime("%Y-%m-%d %H:%M") if pl.activated_at else "-",
                pl.source_name,
            )
        out.print(table)


@app.command("activate")
def activate() -> None:
    """Run the activation job now: previews whose month has begun become current and the
    lists they replace history. Safe to re-run."""
    with operator() as (session, actor):
        summary = lifecycle.activate_lists(session, actor)
    if not summary.changes:
        out.print(str(summary))
    for change in summary.changes:
        out.print(str(change))


_KINDS = (
    ("New", "new"),
    ("Changed", "changed"),
    ("Removed", "removed"),
    ("End of sale", "end_of_sale"),
)


def _price(value: Decimal | None) -> str:
    return "-" if value is None else decimal_text(value)


def _change_table(title: str, rows: tuple[changes.ChangeRow, ...]) -> Table:
    table = Table(
        "product",
        "sku",
        "title",
        "term",
        "plan",
        "currency",
        "tier",
        "old",
        "new",
        "starts",
        title=f"{title} ({len(rows)})",
    )
    for row in rows:
        start = row.new_effective_start or row.old_effective_start
        ending = row.end_of_sale or row.effective_end
        starts = start.strftime("%Y-%m-%d") if start else "-"
        if title == "End of sale" and ending is not None:
            starts += f" until {ending:%Y-%m-%d}"
        table.add_row(
            row.product_id,
            row.sku_id,
            row.sku_title or row.product_title,
            row.term_duration,
            row.billing_plan,
            row.currency,
            str(row.tier_min or ""),
            _price(row.old_unit_price),
            _price(row.new_unit_price),
            starts,
        )
    return table


@app.command("changes")
def show_changes(
    market: str = typer.Option(..., help="A market id or one of its country codes."),
    from_month: str | None = typer.Option(None, "--from", help="YYYY-MM; default this month."),
    to_month: str | None = typer.Option(None, "--to", help="YYYY-MM; default the month after."),
) -> None:
    """New, changed, removed and end-of-sale rows from one month's list to a later one."""
    with operator() as (session, actor):
        report = changes.report_for_today(
            session,
            actor,
            market_id=market,
            from_month=rules.parse_month(from_month) if from_month else None,
            to_month=rules.parse_month(to_month) if to_month else None,
        )
    span = f"{rules.format_month(report.from_month)} -> {rules.format_month(report.to_month)}"
    if report.is_empty:
        out.print(f"{report.market_id} {span}: no changes.")
        return
    out.print(f"{report.market_id} {span}")
    for title, attribute in _KINDS:
        rows: tuple[changes.ChangeRow, ...] = getattr(report, attribute)
        if rows:
            out.print(_change_table(title, rows))
        else:
            out.print(f"{title}: none")


# --- FX rates (pricing/fx.py) ------------------------------------------------------------


@app.command("fx-import")
def fx_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    month: str | None = typer.Option(None, help="YYYY-MM; needed when Month is only a year."),
) -> None:
    """Set a month's FX rates from a file (``"CurrencyCode","USDPerUnit","Month"``);
    a file with any problem is rejected whole, every problem listed by line."""
    with operator() as (session, actor), file.open("rb") as stream:
        try:
            summary = fx.import_fx_rates(
                session, actor, stream, month=rules.parse_month(month) if month else None
            )
        except FxRatesRejected as exc:
            for line, column, message in exc.problems:
                err.print(f"line {line}" + (f" {column}" if column else "") + f": {message}")
            raise
    out.print(str(summary))


@app.command("fx-export")
def fx_export(
    month: str = typer.Option(..., help="YYYY-MM"),
    output: Path | None = typer.Option(None, "-o", "--output", help="File; default stdout."),
) -> None:
    """A month's FX rates as CSV, in the layout the import reads."""
    with operator() as (session, _actor):
        lines = list(fx.export_fx_rates(session, rules.parse_month(month)))
    if output is None:
        typer.echo("".join(lines), nl=False)
    else:
        output.write_bytes("".join(lines).encode("utf-8"))
        out.print(f"{len(lines) - 1} rates written to {output}")


@app.command("fx")
def fx_table(month: str = typer.Option(..., help="YYYY-MM")) -> None:
    """A month's FX rates: USD per unit of each currency."""
    with operator() as (session, _actor):
        first = rules.parse_month(month)
        rates = fx.rates_for(session, first)
        if not rates:
            out.print(f"No FX rates for {rules.format_month(first)}.")
            return
        table = Table("currency", "USD per unit", title=f"FX rates {rules.format_month(first)}")
        for rate in rates:
            table.add_row(rate.currency, decimal_text(rate.usd_per_unit))
        out.print(table)
