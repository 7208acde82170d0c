"""``opencsp catalog``: browse the catalog of a country, publish a product from JSON, set
end of sale, import and export the offer matrix (file-formats.md §2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from opencsp.catalog import browse, matrix, rules, service
from opencsp.catalog.errors import OfferMatrixRejected
from opencsp.catalog.schemas import ProductWrite, as_utc
from opencsp.cli.support import err, operator, out
from opencsp.core import clock

app = typer.Typer(
    help="The catalog: products, SKUs, availabilities; the offer matrix.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("products")
def list_products(
    country: str = typer.Option("US", help="ISO country code the catalog is read for."),
    view: str = typer.Option("OnlineServices", help="targetView, as in Partner Center."),
    segment: str | None = typer.Option(None, help="commercial, education, government, ..."),
) -> None:
    """The products on sale in COUNTRY for a view (and segment)."""
    with operator() as (session, _actor):
        scope = browse.scope_for(
            session,
            country,
            at=clock.now(),
            segment=rules.parse_segment(segment) if segment else None,
            product_types=rules.product_types_for_view(view),
        )
        table = Table("id", "title", "type", "publisher")
        for found in browse.list_products(session, scope):
            p = found.product
            table.add_row(p.id, p.title, p.product_type, p.publisher)
        out.print(table)


@app.command("show")
def show(
    product_id: str = typer.Argument(..., help="Product ID, e.g. CFQ7TTC0LH18."),
    country: str = typer.Option("US", help="ISO country code the catalog is read for."),
) -> None:
    """A product with its SKUs and their availabilities (catalog item IDs and terms)."""
    with operator() as (session, _actor):
        scope = browse.scope_for(session, country, at=clock.now())
        product = browse.get_product(session, scope, product_id)
        out.print(f"{product.product.id}\t{product.product.title}\t{product.product.product_type}")
        table = Table("catalog item", "sku", "segment", "seats", "terms", "end of sale")
        for sku in browse.list_skus(session, scope, product_id):
            s = sku.sku
            for a in browse.list_availabilities(session, scope, product_id, s.id):
                table.add_row(
                    a.catalog_item_id,
                    s.title,
                    a.availability.segment,
                    f"{s.min_quantity}-{s.max_quantity}",
                    ", ".join(f"{t.duration.value}/{t.billing_plan.value}" for t in a.terms),
                    s.end_of_sale.date().isoformat() if s.end_of_sale else "-",
                )
        out.print(table)


@app.command("publish")
def publish(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Product JSON."),
) -> None:
    """Insert or replace a whole product from FILE (the body of PUT
    /v1/program/products/{productId}, camelCase; ``id`` names the product)."""
    body = ProductWrite.model_validate(json.loads(file.read_text(encoding="utf-8")))
    if not body.id:
        err.print("[red]error[/red] the file needs an id")
        raise typer.Exit(2)
    with operator() as (session, actor):
        product = service.publish_product(session, actor, body.spec(body.id))
        out.print(f"published {product.id} ({len(body.skus)} SKUs)")


@app.command("end-of-sale")
def end_of_sale(
    product_id: str = typer.Argument(...),
    sku_id: str = typer.Argument(...),
    date: str | None = typer.Argument(None, help="YYYY-MM-DD (00:00 UTC) or an ISO instant."),
    clear: bool = typer.Option(False, "--clear", help="Put the SKU back on sale."),
) -> None:
    """Set the instant a SKU leaves the catalog, or --clear it (rules.md §9k)."""
    if clear == (date is not None):
        err.print("[red]error[/red] give either DATE or --clear")
        raise typer.Exit(2)
    at = None
    if date is not None:
        try:
            at = as_utc(datetime.fromisoformat(date))
        except ValueError:
            err.print(f"[red]error[/red] not a date: {date}")
            raise typer.Exit(2) from None
    with operator() as (session, actor):
        sku = service.set_end_of_sale(session, actor, product_id, sku_id, at)
        when = sku.end_of_sale.astimezone(UTC).isoformat() if sku.end_of_sale else "on sale"
        out.print(f"{sku.product_id}:{sku.id}\t{when}")


@app.command("matrix-import")
def matrix_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Offer matrix CSV."),
) -> None:
    """Import an offer matrix: rejected whole with every problem by line, or applied."""
    with operator() as (session, actor), file.open(encoding="utf-8-sig", newline="") as fh:
        try:
            summary = matrix.import_offer_matrix(session, actor, fh)
        except OfferMatrixRejected as exc:
            for p in exc.problems:
                err.print(f"line {p['line']}\t{p['column']}\t{p['problem']}")
            raise
        out.print(
            f"{summary.rows} rows: {summary.products_created} products created, "
            f"{summary.skus_created} SKUs created, {summary.skus_updated} SKUs updated"
        )


@app.command("matrix-export")
def matrix_export(
    output: Path | None = typer.Option(None, "-o", "--output", help="File (default stdout)."),
) -> None:
    """Export the offer matrix (updatedoffice.csv layout)."""
    with operator() as (session, _actor):
        if output is None:
            for line in matrix.export_offer_matrix(session):
                typer.echo(line, nl=False)
            return
        with output.open("w", encoding="utf-8", newline="") as fh, Progress(console=err) as bar:
            task = bar.add_task("offer matrix", total=None)
            for line in matrix.export_offer_matrix(session):
                fh.write(line)
                bar.advance(task)
        out.print(f"wrote {output}")
