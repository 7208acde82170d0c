"""``opencsp orders``: a customer's orders, one order with its lines, buying — a cart
built and checked out at once through ``orders.checkout.place_order``, with every gate
and documented error of checkout (rules.md §5.1, §6.4, §9b–9j) — and cancelling software
purchases (``orders.cancellation``: perpetual software within 30 calendar days, rules.md
§9c).

Buying and cancelling take ``--as EMAIL``: the user of the direct-bill partner or
indirect provider who buys (the vendor does not). Reading runs as the operator or
``--as`` a user. A table on a terminal, tab-separated lines otherwise."""

from __future__ import annotations

import uuid

import typer

from opencsp.orders import cancellation, checkout, queries
from opencsp.orders.errors import CheckoutRejected
from opencsp.orders.rules import CartLineRequest
from opencsp.subscriptions.cli import AS_HELP, CUSTOMER_HELP, acting, amount, instant, show_rows

app = typer.Typer(
    help="Orders: list, show, buy for a customer, cancel software purchases.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("list")
def list_orders(
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
    billing: str = typer.Option(None, "--billing", help="Only this billing cycle type."),
) -> None:
    """The customer's orders the actor sees, oldest first."""
    with acting(as_user) as (session, actor):
        rows = [
            (
                v.order.id,
                instant(v.order.created_at),
                v.status,
                v.order.billing_cycle,
                amount(v.order.total_price, v.order.currency),
                ", ".join(f"{ln.friendly_name} x{ln.quantity}" for ln in v.lines),
            )
            for v in queries.list_orders(session, actor, customer, billing)
        ]
    show_rows(("id", "created", "status", "billing", "total", "lines"), rows)


@app.command("show")
def show(
    order_id: str = typer.Argument(..., help="Order ID."),
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """One order and its lines: offer, seats, term, locked price, charge, subscription and
    provisioning status."""
    with acting(as_user) as (session, actor):
        v = queries.get_order(session, actor, customer, order_id)
        o = v.order
        head = [
            ("order", o.id),
            ("created", instant(o.created_at)),
            ("status", v.status),
            ("billing", o.billing_cycle),
            ("total", amount(o.total_price, o.currency)),
        ]
        states = {p.line_number: p.status for p in v.provisioning}
        lines = [
            (
                str(ln.line_number),
                ln.catalog_item_id,
                ln.friendly_name,
                str(ln.quantity),
                f"{ln.term_duration}/{ln.billing_plan}",
                f"{ln.unit_price} {ln.currency}",
                amount(ln.charge, ln.currency),
                ln.partner_id_on_record or "-",
                str(ln.subscription_id) if ln.subscription_id else "-",
                states.get(ln.line_number, "-"),
            )
            for ln in v.lines
        ]
    for name, value in head:
        typer.echo(f"{name}\t{value}")
    columns = (
        "#",
        "catalog item",
        "offer",
        "qty",
        "term",
        "unit price",
        "charge",
        "partner of record",
        "subscription",
        "provisioning",
    )
    show_rows(columns, lines)


@app.command("buy")
def buy(
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(..., "--as", help="The buying partner's user (sign-in email)."),
    item: str = typer.Option(..., "--item", help="Catalog item ID product:sku:availability."),
    quantity: int = typer.Option(..., "--quantity", help="Seats or licenses."),
    term: str = typer.Option(None, "--term", help="P1M, P1Y, P3Y; omit for perpetual."),
    billing: str = typer.Option("monthly", "--billing", help="monthly, annual, one_time, ..."),
    reseller: str = typer.Option(None, "--reseller", help="The reseller of record's MPN ID."),
    attest: bool = typer.Option(False, "--attest", help="Accept the offer's attestation."),
) -> None:
    """Buy one line for a customer now: prints the order, its total and the new
    subscription; a refused line prints its Partner Center code and buys nothing."""
    line = CartLineRequest(
        id=0,
        catalog_item_id=item,
        quantity=quantity,
        term_duration=term,
        billing_cycle=billing,
        partner_id_on_record=reseller,
        attestation_accepted=attest,
    )
    with acting(as_user) as (session, actor):
        try:
            order = checkout.place_order(session, actor, customer, [line], first_error=True)
        except CheckoutRejected as exc:
            for d in exc.data:
                line_error = (d["lineItemNumber"], d["code"], d["errorDescription"])
                typer.echo("line {}\t{}\t{}".format(*line_error), err=True)
            raise
        v = queries.get_order(session, actor, customer, order.id)
        subs = [str(ln.subscription_id) for ln in v.lines if ln.subscription_id]
        total = amount(v.order.total_price, v.order.currency)
        result = "\t".join((v.order.id, v.status, total, *subs))
    typer.echo(result)


@app.command("cancel")
def cancel(
    order_id: str = typer.Argument(..., help="Order ID."),
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(..., "--as", help="The buying partner's user (sign-in email)."),
    lines: list[int] = typer.Option(
        None, "--line", help="A line item number to cancel (repeatable); none: the whole order."
    ),
) -> None:
    """Cancel software purchases of an order now: prints the order and its status, then
    each cancelled line with its refund; a refusal prints its Partner Center code and
    changes nothing."""
    refs = [cancellation.LineRef(n) for n in lines] if lines else None
    with acting(as_user) as (session, actor):
        v = cancellation.cancel_purchases(
            session, actor, customer, order_id, status="cancelled", lines=refs
        )
        rows = [
            (
                str(ln.line_number),
                ln.friendly_name,
                instant(ln.cancelled_at),
                amount(ln.refund, ln.currency) if ln.refund is not None else "-",
            )
            for ln in v.lines
            if ln.cancelled_at is not None
        ]
        head = f"{v.order.id}\t{v.status}"
    typer.echo(head)
    show_rows(("#", "offer", "cancelled", "refund"), rows)
