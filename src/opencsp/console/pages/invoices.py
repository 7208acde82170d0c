"""Billing → Invoices: the invoices and credit notes the reader may see, newest first,
with total, paid, balance and an overdue badge (net 60, rules.md §11); one invoice with
its lines a page at a time, the download of its reconciliation file (file-formats.md §8c)
and the link to its statement. What a reader sees is what ``billing.queries`` lets it
see: a partner its own bills and the documents it issued, the vendor's billing users the
vendor's; anything else is the same 404 as nothing. The cost and margin of a line show
only to the seller of a downstream document (issue 6). Amounts are formatted for the
page's language with Babel (``Money.format``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from opencsp.billing import queries, recon_stream
from opencsp.billing.models import Invoice
from opencsp.billing.schemas import invoice_status, statement_path
from opencsp.console import i18n, rendering
from opencsp.console.i18n import N_
from opencsp.console.session import Visit, allowed, db, language_of
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.money import Currency, Money

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.BILLING_READ)]
LIST_SIZE = 50
LINES_SIZE = 100

STATUS_LABELS = {"paid": N_("Paid"), "open": N_("Open"), "overdue": N_("Overdue")}
DOCUMENT_LABELS = {"invoice": N_("Invoice"), "credit_note": N_("Credit note")}


def _formatters(request: Request) -> dict[str, Any]:
    """``money(minor, currency)``, ``day(date)`` and ``rate(decimal)`` in the page's
    locale, ``month(date)`` a billing period's name."""
    locale = i18n.babel_locale(language_of(request))

    def money(minor: int | None, currency: str) -> str:
        if minor is None:
            return "—"
        return Money.from_minor(minor, Currency.of(currency)).format(str(locale))

    def day(value: date | None) -> str:
        return "—" if value is None else str(format_date(value, "medium", locale=locale))

    def month(value: date) -> str:
        return str(format_date(value, "yyyy-MM", locale=locale))

    def rate(value: Decimal) -> str:
        """An FX rate as recorded, to its 12 places (trailing zeros dropped)."""
        return str(format_decimal(value, format="#,##0.############", locale=locale))

    return {"money": money, "day": day, "month": month, "rate": rate}


def _row(invoice: Invoice, today: date) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "balance_minor": queries.balance_minor(invoice),
        "status": invoice_status(invoice, today),
    }


@router.get("/invoices")
def list_invoices(
    request: Request, visit: Reader, offset: Annotated[int, Query(ge=0, lt=2**31)] = 0
) -> Response:
    today = clock.now().date()
    page = queries.list_invoices(db(request), visit.actor, size=LIST_SIZE, offset=offset)
    context = {
        "rows": [_row(i, today) for i in page.items],
        "offset": offset,
        "next_offset": offset + LIST_SIZE if page.has_more else None,
        "previous_offset": max(0, offset - LIST_SIZE) if offset else None,
        "status_labels": STATUS_LABELS,
        "document_labels": DOCUMENT_LABELS,
        "can_unbilled": not visit.actor.is_vendor,
        **_formatters(request),
    }
    return rendering.render(request, "invoices.html", context)


@router.get("/invoices/unbilled/reconciliation.csv")
def download_unbilled(
    request: Request,
    visit: Reader,
    currency: str = "USD",
    period: str = "current",
) -> StreamingResponse:
    """The open period's reconciliation file of the reader's own account."""
    month = queries.unbilled_period(period, clock.now().date())
    code = Currency.of(currency).code
    store = db(request)
    charges = queries.unbilled_lines(store, visit.actor, currency=code, period=month)
    return _csv(
        recon_stream.unbilled_file(store, charges),
        recon_stream.file_name("unbilled", f"{month:%Y-%m}-{code}"),
    )


@router.get("/invoices/{invoice_id}")
def show_invoice(
    request: Request,
    invoice_id: str,
    visit: Reader,
    after: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
) -> Response:
    store = db(request)
    invoice = queries.get_invoice(store, visit.actor, invoice_id)
    page = recon_stream.invoice_lines(store, invoice, size=LINES_SIZE, after=after)
    seller = not visit.actor.is_vendor and invoice.seller_key == str(visit.actor.organization_id)
    context = {
        **_row(invoice, clock.now().date()),
        "lines": page.lines,
        "after": after,
        "next_after": page.next_position,
        "margins": seller,
        "statement_link": "/v1" + statement_path(invoice.id),
        "status_labels": STATUS_LABELS,
        "document_labels": DOCUMENT_LABELS,
        **_formatters(request),
    }
    return rendering.render(request, "invoice.html", context)


@router.get("/invoices/{invoice_id}/reconciliation.csv")
def download_reconciliation(request: Request, invoice_id: str, visit: Reader) -> StreamingResponse:
    store = db(request)
    invoice = queries.get_invoice(store, visit.actor, invoice_id)
    return _csv(
        recon_stream.invoice_file(store, invoice),
        recon_stream.file_name("reconciliation", invoice.id),
    )


def _csv(body: Any, name: str) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
