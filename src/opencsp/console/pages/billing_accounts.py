"""Billing accounts (rules.md §11): for the vendor's billing readers, every partner that
buys from the vendor with its credit limit, what it owes (outstanding, overdue — unpaid
after the due date, net 60 — and overpaid, per currency) and its available credit in USD
(limit − (outstanding + unbilled − overpayment)); the Billing operator sets limits and
records payments received against an invoice. A partner sees its own balances and
available credit on the same page, read-only."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.billing import credit, payments
from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.errors import InvalidInput
from opencsp.core.ids import parse_guid
from opencsp.core.money import Money

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.BILLING_READ)]
Operator = Annotated[Visit, allowed(Perm.BILLING_OPERATE, post=True)]

PAGE = 100


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


def _decimal(text: str) -> Decimal:
    """A typed amount (thousands separators allowed); the services judge its value."""
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise InvalidInput(description="Amount must be a number") from exc


def accounts_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    now = clock.now()
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    found, total = credit.accounts(store, visit.actor, now, offset=offset, size=PAGE)
    own = (
        [] if visit.actor.is_vendor else payments.own_balances(store, visit.actor, today=now.date())
    )
    form: FormData | None = session.state(request, "console_form")
    locale = str(i18n.babel_locale(session.language_of(request)))
    can_operate = visit.actor.is_vendor and visit.actor.can(Perm.BILLING_OPERATE)
    context = {
        "accounts": found,
        "total": total,
        "offset": offset,
        "page": PAGE,
        "own": own,
        "is_vendor": visit.actor.is_vendor,
        "can_operate": can_operate,
        "amount": lambda minor, currency: Money.from_minor(minor, currency).format(locale),
        "usd": lambda value: Money.of(value, "USD").format(locale),
        "today": now.date().isoformat(),
        "request_id": str(uuid.uuid4()),
        "draft": {
            name: _text(form, name) if error else ""
            for name in ("org_id", "limit", "invoice", "amount", "currency", "reference")
        },
        "error": error,
        "notice": notice(request),
    }
    return rendering.render(request, "billing_accounts.html", context, status=status)


@router.get("/billing/accounts")
def show(request: Request, visit: Reader) -> Response:
    return accounts_view(request)


@router.post(
    "/billing/accounts/limit",
    dependencies=[on_error(accounts_view, shown_with=Perm.BILLING_READ)],
)
def set_limit(request: Request, visit: Operator) -> Response:
    form: FormData = request.state.console_form
    amount = _decimal(_text(form, "limit") or "0")
    org = parse_guid(_text(form, "org_id")) or uuid.UUID(int=0)
    store = db(request)
    if _text(form, "remove"):
        credit.remove_credit_limit(store, visit.actor, org)
    else:
        credit.set_credit_limit(store, visit.actor, org, amount, now=clock.now())
    return done("/billing/accounts", "credit_limit_saved")


@router.post(
    "/billing/accounts/payment",
    dependencies=[on_error(accounts_view, shown_with=Perm.BILLING_READ)],
)
def record_payment(request: Request, visit: Operator) -> Response:
    form: FormData = request.state.console_form
    currency = _text(form, "currency").upper() or "USD"
    amount = _decimal(_text(form, "amount"))
    try:
        received = date.fromisoformat(_text(form, "received_on"))
    except ValueError as exc:
        raise InvalidInput(description="The day received is a date, YYYY-MM-DD") from exc
    payments.record_payment(
        db(request),
        visit.actor,
        _text(form, "invoice"),
        amount,
        currency,
        received,
        _text(form, "reference"),
        request_id=_text(form, "request_id") or None,
    )
    return done("/billing/accounts", "payment_recorded")
