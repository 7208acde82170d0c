"""Invoices, the account balance, invoice line items and reconciliation files, as
Partner Center has them (PC:developer/get-a-collection-of-invoices.md,
get-invoice-by-id.md, get-the-reseller-s-current-account-balance.md,
get-invoice-summaries.md, get-invoiceline-items.md,
get-invoice-unbilled-recon-lineitems.md), plus opencsp's reconciliation CSV downloads
(``/invoices/{id}/reconciliation.csv``, ``/invoices/unbilled/reconciliation.csv``; the
layout of file-formats.md §8c). A document the caller may not see is 404.

Line items page by ``seekOperation=Next`` with the ``MS-ContinuationToken`` header of
the previous page's ``links.next`` (at most and by default 2,000 a page); the token is
opaque, bound to the document (or the unbilled query) it came from, and a token that
does not decode, or comes from another query, is a 400. ``totalCount`` is the number of
items in the page, as in Partner Center's samples (``invoices-list``: ``size=2``, two
items, a next link)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from opencsp.billing import queries, recon_stream
from opencsp.billing.errors import InvalidSeekOperation, UnsupportedLineItems
from opencsp.billing.schemas import (
    InvoiceRead,
    InvoiceSummaryRead,
    LineItemRead,
    empty_balance,
    invoice_read,
    line_item,
    line_items_path,
    summary_read,
)
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.core.money import Currency
from opencsp.core.pagination import (
    CONTINUATION_HEADER,
    InvalidContinuationToken,
    check_size,
    collection,
    decode_token,
    encode_token,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["invoices"])

Reader = Annotated[Actor, require(Perm.BILLING_READ)]
Size = Annotated[int | None, Query()]
Seek = Annotated[str | None, Query(alias="seekOperation")]
Token = Annotated[str | None, Header(alias=CONTINUATION_HEADER)]
CSV = "text/csv; charset=utf-8"
_BIGINT = 2**63  # a forged position past SQL's bigint would fail in the database


def _position(seek: str | None, token: str | None, *, scope: str, field: str) -> int | None:
    """Where a page starts: nothing without ``seekOperation``; with ``Next``, the
    position the token carries, provided it was issued for this ``scope``."""
    if seek is None:
        return None
    if seek.strip().lower() != "next" or not token:
        raise InvalidSeekOperation()
    position = decode_token(token)
    value = position.get(field)
    if position.get("s") != scope or type(value) is not int or not 0 <= value < _BIGINT:
        raise InvalidContinuationToken()
    return value


def _ensure_onetime(provider: str | None, line_type: str | None) -> None:
    """Only NCE ("OneTime") billing line items exist (api-surface.md, Invoices)."""
    folded = (provider or "onetime").replace("_", "").lower()
    kind = (line_type or "billinglineitems").replace("_", "").lower()
    if folded != "onetime" or kind != "billinglineitems":
        raise UnsupportedLineItems(provider=provider, line_type=line_type)


def _page(
    items: list[LineItemRead], *, path: str, query: dict[str, Any], token: str | None
) -> Collection[LineItemRead]:
    return collection(items, total_count=len(items), path=path, query=query, next_token=token)


def _csv(body: Iterator[str], name: str) -> StreamingResponse:
    return StreamingResponse(
        body, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- the account balance and the open period (before /invoices/{id}) ------------------------


@router.get(
    "/invoices/summary", response_model=InvoiceSummaryRead, response_model_exclude_none=True
)
def get_summary(
    session: SessionDep,
    actor: Reader,
    currency_code: Annotated[str | None, Query(alias="currencyCode")] = None,
) -> InvoiceSummaryRead:
    """The account balance (PC:developer/get-the-reseller-s-current-account-balance.md):
    in ``currencyCode``, else in the currency of the latest invoice."""
    today = clock.now().date()
    found = queries.balances(session, actor, today=today)
    if currency_code:
        code = Currency.of(currency_code).code
        found = [b for b in found if b.currency == code] or [empty_balance(code)]
    elif found:
        found = sorted(found, key=lambda b: b.latest_invoice_date or today)[-1:]
    return summary_read(found[0] if found else empty_balance("USD"), today=today)


@router.get(
    "/invoices/summaries",
    response_model=Collection[InvoiceSummaryRead],
    response_model_exclude_none=True,
)
def list_summaries(session: SessionDep, actor: Reader) -> Collection[InvoiceSummaryRead]:
    """The balance per currency (PC:developer/get-invoice-summaries.md)."""
    today = clock.now().date()
    items = [summary_read(b, today=today) for b in queries.balances(session, actor, today=today)]
    return collection(
        items, total_count=len(items), path="/invoices/summaries", query={}, next_token=None
    )


@router.get(
    "/invoices/unbilled/lineitems",
    response_model=Collection[LineItemRead],
    response_model_exclude_none=True,
)
def unbilled_line_items(
    session: SessionDep,
    actor: Reader,
    currencycode: str,
    period: str,
    provider: str = "onetime",
    invoicelineitemtype: str = "billinglineitems",
    size: Size = None,
    seek: Seek = None,
    token: Token = None,
    partner_id: Annotated[uuid.UUID | None, Query(alias="partnerId")] = None,
) -> Collection[LineItemRead]:
    """The open period's billing line items (PC:developer/get-invoice-unbilled-recon-
    lineitems.md): ``period`` current or previous. The vendor names the partner with
    ``partnerId`` (opencsp)."""
    _ensure_onetime(provider, invoicelineitemtype)
    page_size = check_size(size, default=queries.LINE_PAGE_MAX, maximum=queries.LINE_PAGE_MAX)
    month = queries.unbilled_period(period, clock.now().date())
    code = Currency.of(currencycode).code
    scope = f"unbilled:{month.isoformat()}:{code}:{partner_id or ''}"
    offset = _position(seek, token, scope=scope, field="o") or 0
    charges = queries.unbilled_lines(
        session, actor, currency=code, period=month, partner=partner_id
    )
    page = recon_stream.unbilled_lines(session, charges, size=page_size, offset=offset)
    following = page.next_position
    return _page(
        [line_item(line, margins=False) for line in page.lines],
        path="/invoices/unbilled/lineitems",
        query={
            "provider": "onetime",
            "invoicelineitemtype": "billinglineitems",
            "currencycode": code,
            "period": period.strip().lower(),
            "size": page_size,
            "partnerId": partner_id,
        },
        token=None if following is None else encode_token({"s": scope, "o": following}),
    )


@router.get("/invoices/unbilled/reconciliation.csv", response_class=StreamingResponse)
def unbilled_reconciliation(
    session: SessionDep,
    actor: Reader,
    currency_code: Annotated[str, Query(alias="currencyCode")],
    period: str = "current",
    partner_id: Annotated[uuid.UUID | None, Query(alias="partnerId")] = None,
) -> StreamingResponse:
    """opencsp: the open period's reconciliation file (file-formats.md §8c, "recent
    activity"), streamed."""
    month = queries.unbilled_period(period, clock.now().date())
    code = Currency.of(currency_code).code
    charges = queries.unbilled_lines(
        session, actor, currency=code, period=month, partner=partner_id
    )
    name = recon_stream.file_name("unbilled", f"{month:%Y-%m}-{code}")
    return _csv(recon_stream.unbilled_file(session, charges), name)


# --- invoices --------------------------------------------------------------------------------


@router.get("/invoices", response_model=Collection[InvoiceRead], response_model_exclude_none=True)
def list_invoices(
    session: SessionDep,
    actor: Reader,
    size: Size = None,
    offset: Annotated[int, Query(ge=0, lt=2**31)] = 0,
) -> Collection[InvoiceRead]:
    """The visible invoices and credit notes, newest first (PC:developer/get-a-collection-
    of-invoices.md: ``size`` and a 0-based ``offset``; ``links.next`` when more follow)."""
    page_size = check_size(size, default=queries.LIST_PAGE_MAX, maximum=queries.LIST_PAGE_MAX)
    page = queries.list_invoices(session, actor, size=page_size, offset=offset)
    today = clock.now().date()
    items = [invoice_read(i, today=today) for i in page.items]
    here = {"size": page_size, "offset": offset}
    following = {"size": page_size, "offset": offset + page_size}
    return Collection[InvoiceRead](
        total_count=len(items),
        items=items,
        links=Links(
            self=Link(uri=f"/invoices?{urlencode(here)}"),
            next=Link(uri=f"/invoices?{urlencode(following)}") if page.has_more else None,
        ),
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceRead, response_model_exclude_none=True)
def get_invoice(invoice_id: str, session: SessionDep, actor: Reader) -> InvoiceRead:
    return invoice_read(queries.get_invoice(session, actor, invoice_id), today=clock.now().date())


def _invoice_line_items(
    session: SessionDep,
    actor: Actor,
    invoice_id: str,
    *,
    size: int | None,
    seek: str | None,
    token: str | None,
) -> Collection[LineItemRead]:
    invoice = queries.get_invoice(session, actor, invoice_id)
    page_size = check_size(size, default=queries.LINE_PAGE_MAX, maximum=queries.LINE_PAGE_MAX)
    scope = f"invoice:{invoice.id}"
    after = _position(seek, token, scope=scope, field="a")
    page = recon_stream.invoice_lines(session, invoice, size=page_size, after=after)
    margins = not actor.is_vendor and invoice.seller_key == str(actor.organization_id)
    last = page.next_position
    return _page(
        [line_item(line, margins=margins) for line in page.lines],
        path=line_items_path(invoice.id),
        query={"size": page_size},
        token=None if last is None else encode_token({"s": scope, "a": last}),
    )


@router.get(
    "/invoices/{invoice_id}/lineitems",
    response_model=Collection[LineItemRead],
    response_model_exclude_none=True,
)
def line_items_by_query(
    invoice_id: str,
    session: SessionDep,
    actor: Reader,
    provider: str = "onetime",
    invoicelineitemtype: str = "billinglineitems",
    size: Size = None,
    seek: Seek = None,
    token: Token = None,
) -> Collection[LineItemRead]:
    """``?provider=onetime&invoicelineitemtype=billinglineitems&size=`` (the query form
    of PC:developer/get-invoiceline-items.md)."""
    _ensure_onetime(provider, invoicelineitemtype)
    return _invoice_line_items(session, actor, invoice_id, size=size, seek=seek, token=token)


@router.get(
    "/invoices/{invoice_id}/lineitems/{billing_provider}/{line_item_type}",
    response_model=Collection[LineItemRead],
    response_model_exclude_none=True,
)
def line_items(
    invoice_id: str,
    billing_provider: str,
    line_item_type: str,
    session: SessionDep,
    actor: Reader,
    size: Size = None,
    seek: Seek = None,
    token: Token = None,
) -> Collection[LineItemRead]:
    """``/lineitems/OneTime/BillingLineItems?size=`` and its next pages
    (``seekOperation=Next`` with ``MS-ContinuationToken``)."""
    _ensure_onetime(billing_provider, line_item_type)
    return _invoice_line_items(session, actor, invoice_id, size=size, seek=seek, token=token)


@router.get("/invoices/{invoice_id}/reconciliation.csv", response_class=StreamingResponse)
def invoice_reconciliation(
    invoice_id: str, session: SessionDep, actor: Reader
) -> StreamingResponse:
    """opencsp: the document's NCE reconciliation file (file-formats.md §8c), streamed a
    page of 2,000 lines at a time."""
    invoice = queries.get_invoice(session, actor, invoice_id)
    name = recon_stream.file_name("reconciliation", invoice.id)
    return _csv(recon_stream.invoice_file(session, invoice), name)
