"""``opencsp billing``: the bill run, payments, credit limits, price rules, invoices.

Each engineer's commands live in their own clearly separated block below."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import credit, payments, price_rules, run
from opencsp.billing.models import BillingPeriod
from opencsp.cli.support import operator, out, run_as_operator
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.money import Money
from opencsp.subscriptions.cli import acting, show_rows

app = typer.Typer(no_args_is_help=True, help="Billing: bill runs, invoices, payments, credit.")


# --- the bill run ------------------------------------------------------------------------


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM, e.g. 2026-10") from exc


@app.command("run")
def run_bill(
    month: str = typer.Option(
        None, "--month", help="The month to bill, YYYY-MM (default: the first open one)."
    ),
) -> None:
    """Bill a month: close it, write its charges, issue its invoices and credit notes.
    Months are billed in order once they have ended; a killed run is completed by running
    it again, which duplicates nothing."""
    period = (
        _month(month)
        if month
        else run_as_operator(lambda s, _a: run.first_open(s, clock.now().date()))
    )
    out.print(run.run_month(operator, period).summary())


@app.command("periods")
def periods() -> None:
    """Billed months with their state, charges and documents."""

    def rows(session: Session, _actor: Actor) -> Sequence[BillingPeriod]:
        return session.scalars(select(BillingPeriod).order_by(BillingPeriod.period)).all()

    for p in run_as_operator(rows):
        out.print(f"{p.period:%Y-%m}\t{p.status}\t{p.charges}\t{p.invoices}")


# --- downstream price rules (task D) ------------------------------------------------------

price_rules_app = typer.Typer(
    no_args_is_help=True,
    help="Downstream price rules: a markup (+) or discount (-) on your cost, per buyer, "
    "product or SKU; the most specific rule wins.",
)
app.add_typer(price_rules_app, name="price-rules")

PR_AS_HELP = "Act as this user (sign-in email) of the provider, partner or reseller."
PR_BUYER_HELP = "A reseller's organization id, a customer id, or * for every buyer."


@price_rules_app.command("list")
def price_rules_list(as_user: str = typer.Option(..., "--as", help=PR_AS_HELP)) -> None:
    """The rules of the user's organization: buyer, product, SKU, percent."""

    with acting(as_user) as (session, actor):
        rows = [
            (r.buyer_key, r.product_id, r.sku_id, f"{r.percent}%")
            for r in price_rules.list_rules(session, actor)
        ]
    show_rows(("buyer", "product", "sku", "percent"), rows)


@price_rules_app.command("set")
def price_rules_set(
    percent: str = typer.Option(
        ..., "--percent", help="Markup (e.g. 12.5) or discount (e.g. --percent=-5)."
    ),
    as_user: str = typer.Option(..., "--as", help=PR_AS_HELP),
    buyer: str = typer.Option("*", "--buyer", help=PR_BUYER_HELP),
    product: str = typer.Option("*", "--product", help="A product id, or * for all."),
    sku: str = typer.Option("*", "--sku", help="A SKU id of --product, or * for all."),
) -> None:
    """Set (create or replace) the rule for one buyer/product/SKU scope."""

    with acting(as_user) as (session, actor):
        rule = price_rules.set_rule(
            session, actor, buyer_key=buyer, product_id=product, sku_id=sku, percent=percent
        )
        shown = f"{rule.buyer_key}\t{rule.product_id}\t{rule.sku_id}\t{rule.percent}%"
    out.print(shown)


@price_rules_app.command("delete")
def price_rules_delete(
    as_user: str = typer.Option(..., "--as", help=PR_AS_HELP),
    buyer: str = typer.Option("*", "--buyer", help=PR_BUYER_HELP),
    product: str = typer.Option("*", "--product", help="A product id, or *."),
    sku: str = typer.Option("*", "--sku", help="A SKU id, or *."),
) -> None:
    """Remove the rule of one scope; the defaults apply again to what it covered."""

    with acting(as_user) as (session, actor):
        price_rules.delete_rule(session, actor, buyer_key=buyer, product_id=product, sku_id=sku)
    out.print("deleted")


# --- payments, delinquencies and credit limits (task B) ----------------------------------

payments_app = typer.Typer(no_args_is_help=True, help="Payments received against invoices.")
app.add_typer(payments_app, name="payments")
credit_app = typer.Typer(
    no_args_is_help=True, help="Partners' credit limits in USD (none set: no limit)."
)
app.add_typer(credit_app, name="credit-limit")

PAY_AS_HELP = (
    "Act as this user (sign-in email): a partner's, for the invoices it issued to its "
    "resellers or customers; the operator (the vendor) if omitted."
)


def _decimal(text: str, name: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{name} must be a decimal number, e.g. 1250.00") from exc


@payments_app.command("record")
def payments_record(
    invoice: str = typer.Argument(..., help="The invoice number, e.g. G000000001."),
    amount: str = typer.Argument(..., help="The amount received, in the invoice's currency."),
    currency: str = typer.Option(..., "--currency", help="ISO 4217 code; the invoice's."),
    reference: str = typer.Option(..., "--reference", help="The bank or remittance reference."),
    received_on: str = typer.Option(
        None, "--received-on", help="YYYY-MM-DD the money arrived (default: today)."
    ),
    request_id: str = typer.Option(
        None, "--request-id", help="Names this payment: the same id again records nothing."
    ),
    as_user: str = typer.Option(None, "--as", help=PAY_AS_HELP),
) -> None:
    """Record a payment against an invoice; more than its balance is an overpayment."""
    value = _decimal(amount, "AMOUNT")
    try:
        day = date.fromisoformat(received_on) if received_on else clock.now().date()
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD") from exc
    with acting(as_user) as (session, actor):
        p = payments.record_payment(
            session, actor, invoice, value, currency, day, reference, request_id=request_id
        )
        shown = f"{p.id}\t{p.invoice_id}\t{Money.from_minor(p.amount_minor, p.currency).amount}"
        shown += f" {p.currency}\t{p.received_on}"
    out.print(shown)


@payments_app.command("list")
def payments_list(
    invoice: str = typer.Argument(..., help="The invoice number."),
    as_user: str = typer.Option(None, "--as", help=PAY_AS_HELP),
) -> None:
    """An invoice's payments, oldest first."""
    with acting(as_user) as (session, actor):
        rows = [
            (
                str(p.id),
                p.received_on.isoformat(),
                f"{Money.from_minor(p.amount_minor, p.currency).amount} {p.currency}",
                p.reference,
            )
            for p in payments.list_payments(session, actor, invoice)
        ]
    show_rows(("id", "received", "amount", "reference"), rows)


@app.command("delinquencies")
def delinquencies(as_user: str = typer.Option(None, "--as", help=PAY_AS_HELP)) -> None:
    """Who has something overdue (unpaid after the due date, net 60; rules.md §11)."""
    with acting(as_user) as (session, actor):
        rows = [
            (
                d.name,
                d.balance.bill_to_key,
                f"{d.balance.money(d.balance.overdue_minor).amount} {d.balance.currency}",
                f"{d.balance.money(d.balance.balance_minor).amount} {d.balance.currency}",
                str(d.balance.oldest_due),
            )
            for d in payments.delinquencies(session, actor, now=clock.now())
        ]
    show_rows(("name", "id", "overdue", "balance", "oldest due"), rows)


@credit_app.command("set")
def credit_limit_set(
    org: uuid.UUID = typer.Argument(..., help="The partner's organization id."),
    usd: str = typer.Argument(..., help="The limit in USD, e.g. 50000 or 50000.00."),
) -> None:
    """Set a partner's credit limit in USD (new purchases only; renewals never checked)."""
    value = _decimal(usd, "USD")
    with operator() as (session, actor):
        now = clock.now()
        credit.set_credit_limit(session, actor, org, value, now=now)
        found = credit.get_credit_position(session, actor, org, now)
        shown = f"{org}\tlimit {found.limit} USD\tavailable {found.available} USD"
    out.print(shown)


@credit_app.command("show")
def credit_limit_show(
    org: uuid.UUID = typer.Argument(..., help="The partner's organization id."),
) -> None:
    """A partner's limit and available credit: limit − (outstanding + unbilled −
    overpayment), USD at this month's FX rates."""
    with operator() as (session, actor):
        f = credit.get_credit_position(session, actor, org, clock.now())
        rows = [
            (
                str(f.limit),
                str(f.outstanding),
                f"{f.unbilled} (since {f.unbilled_since})",
                str(f.overpayment),
                str(f.available),
            )
        ]
    show_rows(("limit", "outstanding", "unbilled", "overpayment", "available"), rows)


@credit_app.command("remove")
def credit_limit_remove(
    org: uuid.UUID = typer.Argument(..., help="The partner's organization id."),
) -> None:
    """Remove a partner's credit limit: it has no limit again."""
    with operator() as (session, actor):
        credit.remove_credit_limit(session, actor, org)
    out.print("removed")
