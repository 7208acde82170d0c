"""``opencsp subscriptions``: a customer's subscriptions, one with its timeline, and the
changes a partner makes (seats, suspend, reactivate, cancel, auto-renew) through
``subscriptions.service`` — the rules, windows and errors of ``PATCH
/customers/{id}/subscriptions/{sid}`` (rules.md §9c–9e).

Commands run as the operator (the system actor, for the vendor: it sees and manages every
subscription), or ``--as EMAIL`` as that user, with the user's visibility and
permissions. A table on a terminal, tab-separated lines otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from opencsp.auth import queries as auth_queries
from opencsp.auth import service as auth_service
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.cli.support import err, is_interactive, operator, out
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import InvalidInput, NotFound
from opencsp.core.money import Currency, round_amount
from opencsp.subscriptions import queries, service
from opencsp.subscriptions.rules import Status
from opencsp.subscriptions.service import SubscriptionChange

app = typer.Typer(
    help="Subscriptions: list, show with the timeline, change seats and status.",
    no_args_is_help=True,
    add_completion=False,
)

AS_HELP = "Act as this user (sign-in email), with their visibility; the operator if omitted."
CUSTOMER_HELP = "The customer's tenant ID."


@contextmanager
def acting(email: str | None) -> Iterator[tuple[Session, Actor]]:
    """A unit of work as the operator, or as the user signing in with ``email`` (an
    unknown email is 1000, not found); domain errors print with their code and exit
    non-zero (``cli.support.operator``)."""
    with operator() as (session, system):
        if email is None:
            yield session, system
            return
        user = auth_queries.user_by_email(session, email)
        if user is None or not user.is_active:
            raise NotFound(description=f"No active user signs in as {email}")
        yield session, auth_service.actor_for(session, user)


def show_rows(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table on a terminal, tab-separated lines (no header) otherwise."""
    if not is_interactive():
        for values in rows:
            typer.echo("\t".join(values))
        return
    table = Table(*columns)
    for values in rows:
        table.add_row(*values)
    out.print(table)


def amount(value: Decimal, currency: str) -> str:
    """A charge, total or refund in its currency's minor units: ``100.00 USD``."""
    return f"{round_amount(value, Currency.of(currency))} {currency}"


def instant(value: datetime | None) -> str:
    return clock.ensure_aware_utc(value).strftime("%Y-%m-%dT%H:%MZ") if value else "-"


@app.command("list")
def list_subscriptions(
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
    order: str = typer.Option(None, "--order", help="Only those of this order."),
) -> None:
    """The customer's subscriptions the actor sees, oldest first."""
    with acting(as_user) as (session, actor):
        views = queries.list_views(session, actor, customer, now=clock.now(), order_id=order)
        rows = [
            (
                str(v.sub.id),
                v.offer_name,
                str(v.sub.quantity),
                v.sub.status,
                f"{v.sub.term_duration}/{v.sub.billing_plan}",
                v.sub.term_end.isoformat(),
                "on" if v.sub.auto_renew else "off",
                f"{v.sub.unit_price} {v.sub.currency}",
            )
            for v in views
        ]
    columns = ("id", "offer", "seats", "status", "term", "term end", "auto-renew", "unit price")
    show_rows(columns, rows)


@app.command("show")
def show(
    subscription_id: uuid.UUID = typer.Argument(..., help="Subscription ID."),
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """One subscription: its terms, windows and refundable seats, then its timeline."""
    with acting(as_user) as (session, actor):
        v = queries.view(session, actor, customer, subscription_id, now=clock.now())
        events = queries.timeline(session, actor, customer, subscription_id)
        s = v.sub
        facts = [
            ("subscription", str(s.id)),
            ("offer", f"{v.offer_name} ({s.product_id}:{s.sku_id}:{s.availability_id})"),
            ("order", s.order_id),
            ("status", s.status),
            ("seats", f"{s.quantity} ({v.refundable.total_quantity} refundable)"),
            ("term", f"{s.term_duration}/{s.billing_plan} #{s.term_number}"),
            ("dates", f"{s.term_start.isoformat()} .. {s.term_end.isoformat()}"),
            ("auto-renew", "on" if s.auto_renew else "off"),
            ("unit price", f"{s.unit_price} {s.currency}"),
            ("cancellable until", instant(v.cancellation_allowed_until)),
            ("partner of record", s.partner_id_on_record or "-"),
            ("etag", str(s.version)),
        ]
        timeline = [
            (
                str(e.sequence),
                instant(e.at),
                e.kind,
                f"{e.quantity_before}->{e.quantity_after}",
                e.status_after,
                f"#{e.term_number} {e.term_start.isoformat()}..{e.term_end.isoformat()}",
                f"{e.unit_price} {e.currency}",
                amount(e.refund, e.currency) if e.refund is not None else "-",
            )
            for e in events
        ]
    for name, value in facts:
        typer.echo(f"{name}\t{value}")
    typer.echo("timeline")
    show_rows(("#", "at", "event", "seats", "status", "term", "unit price", "refund"), timeline)


def _status(suspend: bool, reactivate: bool, cancel: bool) -> Status | None:
    chosen = [
        status
        for flag, status in (
            (suspend, Status.SUSPENDED),
            (reactivate, Status.ACTIVE),
            (cancel, Status.DELETED),
        )
        if flag
    ]
    if len(chosen) > 1:
        err.print("[red]error[/red] give at most one of --suspend, --reactivate, --cancel")
        raise typer.Exit(2)
    return chosen[0] if chosen else None


def _on_off(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("on", "true", "yes"):
        return True
    if value.lower() in ("off", "false", "no"):
        return False
    raise InvalidInput(description=f"--auto-renew takes on or off, not {value!r}")


@app.command("update")
def update(
    subscription_id: uuid.UUID = typer.Argument(..., help="Subscription ID."),
    customer: uuid.UUID = typer.Option(..., "--customer", help=CUSTOMER_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
    quantity: int = typer.Option(None, "--quantity", help="The new number of seats."),
    suspend: bool = typer.Option(False, "--suspend", help="Suspend (still billed)."),
    reactivate: bool = typer.Option(False, "--reactivate", help="Reactivate a suspended one."),
    cancel: bool = typer.Option(False, "--cancel", help="Cancel within the window, refunded."),
    auto_renew: str = typer.Option(None, "--auto-renew", help="on or off."),
    name: str = typer.Option(None, "--name", help="A new friendly name."),
    term: TermDuration = typer.Option(
        None, "--term", help="A longer term now (P1M → P1Y/P3Y, P1Y → P3Y), credited."
    ),
    billing_cycle: BillingPlan = typer.Option(
        None,
        "--billing-cycle",
        help="The plan: with --term the new term's; alone, a triennial's from the next cycle.",
    ),
    keep_billing_cycle: bool = typer.Option(
        False, "--keep-billing-cycle", help="Remove a pending billing-cycle change."
    ),
    if_match: int = typer.Option(None, "--if-match", help="The etag read (2055 if stale)."),
) -> None:
    """Change a subscription as a PATCH would: seats, status, auto-renew, name, term and
    billing cycle (rules.md §9f matrix: a longer term now, or a triennial's billing cycle
    from the next cycle)."""
    status = _status(suspend, reactivate, cancel)
    with acting(as_user) as (session, actor):
        change = SubscriptionChange(
            quantity=quantity,
            status=status,
            auto_renew=_on_off(auto_renew),
            friendly_name=name,
            term_duration=term,
            billing_cycle=billing_cycle if term is not None else None,
            next_billing_cycle=billing_cycle if term is None else None,
            clear_next_billing_cycle=keep_billing_cycle,
        )
        if change == SubscriptionChange():
            raise InvalidInput(description="Nothing to change: give at least one option")
        sub = service.update(session, actor, customer, subscription_id, change, if_match=if_match)
        line = "\t".join(
            (
                str(sub.id),
                sub.status,
                str(sub.quantity),
                "auto-renew on" if sub.auto_renew else "auto-renew off",
                f"{sub.term_duration} {sub.billing_plan} to {sub.term_end.isoformat()}",
                f"etag {sub.version}",
            )
        )
    typer.echo(line)
