"""Reads of invoices, credit notes and their lines through the actor's visibility
(PC:developer/get-a-collection-of-invoices.md, get-invoice-by-id.md,
get-the-reseller-s-current-account-balance.md, get-invoiceline-items.md,
get-invoice-unbilled-recon-lineitems.md).

Visibility (``visible``): a partner sees the documents billed to it and the documents it
issued to its own resellers or customers; the vendor's users holding ``billing.read``
(Billing operator, Program admin) see the vendor's documents. Anything else is 404
(``InvoiceNotFound``), never 403 (DESIGN.md §5). A document's lines are the charges with
its (period, seller, bill-to, currency, document type); they page by charge id (keyset),
never by offset, so a page of 2,000 costs the same at the end of a large invoice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing import invoices as rules
from opencsp.billing import unbilled
from opencsp.billing.errors import InvalidUnbilledPeriod, InvoiceNotFound
from opencsp.billing.lines import month_of
from opencsp.billing.models import VENDOR, BillingPeriod, Charge, Invoice, Payment
from opencsp.catalog.models import Product, Sku, SkuPrerequisite
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, Money
from opencsp.customers.models import Customer
from opencsp.partners.models import PartnerId
from opencsp.subscriptions.models import Subscription

LINE_PAGE_MAX = 2000
"""Invoice line items page at most 2,000 at a time, the default too (api-surface.md §3b;
PC:developer/get-invoiceline-items.md)."""

LIST_PAGE_MAX = 200
"""Largest page of ``GET /invoices?size=`` [inferred: Partner Center documents no
maximum; one page of invoice headers stays small]."""


def visible(actor: Actor) -> Select[Invoice]:
    """The documents ``actor`` may read (module docstring)."""
    stmt = select(Invoice)
    if actor.is_vendor:
        if not actor.can(Perm.BILLING_READ):
            return stmt.where(false())
        return stmt.where(Invoice.seller_key == VENDOR)
    org = str(actor.organization_id)
    return stmt.where(or_(Invoice.bill_to_key == org, Invoice.seller_key == org))


def normalize_id(invoice_id: str) -> str:
    """An invoice id as the API is given it: Partner Center's links name an NCE invoice
    ``OneTime-G000024135`` (sample ``invoices-get-by-id``), clients also send ``g000…``."""
    value = invoice_id.strip()
    for prefix in ("onetime-", "recurring-"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    return value.upper()


def get_invoice(session: Session, actor: Actor, invoice_id: str) -> Invoice:
    """One visible document; ``InvoiceNotFound`` (404) for one the actor may not see."""
    number = normalize_id(invoice_id)
    found = session.scalar(visible(actor).where(Invoice.id == number))
    if found is None:
        raise InvoiceNotFound(invoice_id=invoice_id)
    return found


@dataclass(frozen=True, slots=True)
class InvoicePage:
    items: list[Invoice]
    has_more: bool


def list_invoices(session: Session, actor: Actor, *, size: int, offset: int) -> InvoicePage:
    """The visible documents newest first (by invoice date, then number), ``size`` from
    the 0-based ``offset`` (api-surface.md §3b: ``?size=&offset=``)."""
    stmt = visible(actor).order_by(
        Invoice.invoice_date.desc(), Invoice.created_at.desc(), Invoice.id.desc()
    )
    rows = list(session.scalars(stmt.offset(offset).limit(size + 1)))
    return InvoicePage(rows[:size], len(rows) > size)


def balance_minor(invoice: Invoice) -> int:
    """What is still owed on a document: its total less what was paid (a credit note's
    negative total is owed back)."""
    return invoice.total_minor - invoice.paid_minor


def is_overdue(invoice: Invoice, today: date) -> bool:
    """Unpaid after its due date, net 60 (rules.md §11; ``invoices.is_overdue``)."""
    owed = Money.from_minor(balance_minor(invoice), invoice.currency).amount
    return rules.is_overdue(invoice.due_date, today, balance=owed)


@dataclass(frozen=True, slots=True)
class Balance:
    """The account balance in one currency (InvoiceSummary, api-surface.md Invoices):
    the sum of total − paid over the documents, the first due date still owed, and what
    of it is past due (rules.md §11: unpaid after the due date is delinquent)."""

    currency: str
    balance_minor: int
    overdue_minor: int
    first_due_date: date | None
    first_invoice_date: date | None
    latest_invoice_date: date | None
    last_payment_date: date | None
    last_payment_minor: int | None
    documents: int


def _account(actor: Actor) -> Select[Invoice]:
    """Whose balance: a partner's is what it is billed (the documents billed to it); the
    vendor's is what it is owed (the documents it issued)."""
    if actor.is_vendor:
        return visible(actor)
    return select(Invoice).where(Invoice.bill_to_key == str(actor.organization_id))


def balances(session: Session, actor: Actor, *, today: date) -> list[Balance]:
    """One ``Balance`` per currency of the account, in currency order: two aggregate
    queries (the documents per currency; the last payment day per currency)."""
    docs = _account(actor).subquery()
    owed = docs.c.total_minor - docs.c.paid_minor
    rows = session.execute(
        select(
            docs.c.currency,
            func.sum(owed),
            func.sum(case(((docs.c.due_date < today) & (owed > 0), owed), else_=0)),
            func.min(case((owed > 0, docs.c.due_date))),
            func.min(docs.c.invoice_date),
            func.max(docs.c.invoice_date),
            func.count(),
        )
        .group_by(docs.c.currency)
        .order_by(docs.c.currency)
    ).all()
    last_day = (
        select(Payment.currency, func.max(Payment.received_on).label("day"))
        .join(docs, docs.c.id == Payment.invoice_id)
        .group_by(Payment.currency)
        .subquery()
    )
    paid = {
        currency: (day, int(amount))
        for currency, day, amount in session.execute(
            select(Payment.currency, last_day.c.day, func.sum(Payment.amount_minor))
            .join(docs, docs.c.id == Payment.invoice_id)
            .join(
                last_day,
                (last_day.c.currency == Payment.currency) & (last_day.c.day == Payment.received_on),
            )
            .group_by(Payment.currency, last_day.c.day)
        )
    }
    return [
        Balance(
            currency=currency,
            balance_minor=int(total or 0),
            overdue_minor=int(overdue or 0),
            first_due_date=first_due,
            first_invoice_date=first,
            latest_invoice_date=latest,
            last_payment_date=paid[currency][0] if currency in paid else None,
            last_payment_minor=paid[currency][1] if currency in paid else None,
            documents=int(count),
        )
        for currency, total, overdue, first_due, first, latest, count in rows
    ]


# --- lines ---------------------------------------------------------------------------------


def document_lines(invoice: Invoice) -> Select[Charge]:
    """The charges of a document (``billing.models``: same period, seller, bill-to,
    currency and document type), in charge id order."""
    return (
        select(Charge)
        .where(
            Charge.period == invoice.period,
            Charge.seller_key == invoice.seller_key,
            Charge.bill_to_key == invoice.bill_to_key,
            Charge.currency == invoice.currency,
            Charge.document_type == invoice.document_type,
        )
        .order_by(Charge.id)
    )


@dataclass(frozen=True, slots=True)
class LinePage:
    """One page of a document's lines and the id of its last line when more follow."""

    charges: list[Charge]
    last_id: int | None


def line_page(session: Session, invoice: Invoice, *, size: int, after: int | None) -> LinePage:
    """``size`` lines after charge id ``after`` (keyset; one query of ``size + 1`` rows
    tells whether another page follows)."""
    stmt = document_lines(invoice)
    if after is not None:
        stmt = stmt.where(Charge.id > after)
    rows = list(session.scalars(stmt.limit(size + 1)))
    page = rows[:size]
    return LinePage(page, page[-1].id if len(rows) > size else None)


def iter_line_pages(
    session: Session, invoice: Invoice, *, size: int = LINE_PAGE_MAX
) -> Iterator[list[Charge]]:
    """Every line of a document, a keyset page at a time (the reconciliation stream)."""
    after: int | None = None
    while True:
        page = line_page(session, invoice, size=size, after=after)
        if page.charges:
            yield page.charges
        if page.last_id is None:
            return
        after = page.last_id


# --- what a line shows besides its charge (one query per kind per page) ----------------------


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the lines of one page need from other tables, each read once for the whole
    page: catalog names, customers, subscriptions, add-on SKUs, partner IDs, and the
    document number of each line."""

    products: dict[str, tuple[str, str]]  # product id -> (title, publisher)
    skus: dict[tuple[str, str], str]  # (product, sku) -> title
    addons: set[tuple[str, str]]
    customers: dict[uuid.UUID, Customer]
    subscriptions: dict[uuid.UUID, Subscription]
    mpn_ids: dict[uuid.UUID, int]  # organization -> its location partner ID


def line_facts(session: Session, charges: Sequence[Charge]) -> LineFacts:
    products = {c.product_id for c in charges}
    skus = {(c.product_id, c.sku_id) for c in charges}
    customer_ids = {c.customer_id for c in charges if c.customer_id}
    sub_ids = {c.subscription_id for c in charges if c.subscription_id}
    orgs = {o for c in charges for o in (c.bill_to_organization_id, c.seller_organization_id) if o}
    sku_rows = session.execute(
        select(Sku.product_id, Sku.id, Sku.title).where(Sku.product_id.in_(products))
    ).all()
    addon_rows = session.execute(
        select(SkuPrerequisite.product_id, SkuPrerequisite.sku_id)
        .where(SkuPrerequisite.product_id.in_(products))
        .distinct()
    ).all()
    return LineFacts(
        products={
            pid: (title, publisher)
            for pid, title, publisher in session.execute(
                select(Product.id, Product.title, Product.publisher).where(Product.id.in_(products))
            )
        },
        skus={(p, s): t for p, s, t in sku_rows if (p, s) in skus},
        addons={(p, s) for p, s in addon_rows},
        customers={
            c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        }
        if customer_ids
        else {},
        subscriptions={
            s.id: s
            for s in session.scalars(select(Subscription).where(Subscription.id.in_(sub_ids)))
        }
        if sub_ids
        else {},
        mpn_ids=_location_ids(session, orgs),
    )


def _location_ids(session: Session, orgs: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each organization's location partner ID in its own country (``MPNID``)."""
    if not orgs:
        return {}
    rows = session.execute(
        select(PartnerId.organization_id, func.min(PartnerId.mpn_id))
        .join(Organization, Organization.id == PartnerId.organization_id)
        .where(
            PartnerId.organization_id.in_(orgs),
            PartnerId.kind == "location",
            PartnerId.country == Organization.country,
        )
        .group_by(PartnerId.organization_id)
    ).all()
    return {org: int(mpn) for org, mpn in rows}


def document_numbers(session: Session, charges: Sequence[Charge]) -> dict[tuple[str, ...], str]:
    """The number of the document each line is on, by its document key."""
    keys = {doc_key(c) for c in charges}
    periods = {c.period for c in charges}
    sellers = {c.seller_key for c in charges}
    bill_tos = {c.bill_to_key for c in charges}
    found = session.execute(
        select(
            Invoice.period,
            Invoice.seller_key,
            Invoice.bill_to_key,
            Invoice.currency,
            Invoice.document_type,
            Invoice.id,
        ).where(
            Invoice.period.in_(periods),
            Invoice.seller_key.in_(sellers),
            Invoice.bill_to_key.in_(bill_tos),
        )
    ).all()
    out: dict[tuple[str, ...], str] = {}
    for period, seller, bill_to, currency, doc, number in found:
        key = (period.isoformat(), seller, bill_to, currency, doc)
        if key in keys:
            out[key] = number
    return out


def doc_key(c: Charge) -> tuple[str, ...]:
    """The key of the document a charge is a line of (``billing.models``)."""
    return (c.period.isoformat(), c.seller_key, c.bill_to_key, c.currency, c.document_type)


# --- the open period ---------------------------------------------------------------------


UNBILLED_PERIODS = ("current", "previous")


def unbilled_period(name: str, today: date) -> date:
    """``period=current`` is this month, ``previous`` the month before, whose charges stay
    unbilled until its bill run closes it (PC:developer/get-invoice-unbilled-recon-
    lineitems.md; invoices are ready by the 8th, rules.md §9b)."""
    value = name.strip().lower()
    if value not in UNBILLED_PERIODS:
        raise InvalidUnbilledPeriod(period=name)
    month = month_of(today)
    if value == "current":
        return month
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def is_closed(session: Session, period: date) -> bool:
    """The bill run closed the period: its lines are on invoices, none is unbilled."""
    status = session.scalar(select(BillingPeriod.status).where(BillingPeriod.period == period))
    return status == "closed"


def amount(minor: int, currency: str) -> Decimal:
    """Minor units as the exact amount (``Money.from_minor``)."""
    return Money.from_minor(minor, currency).amount


def unbilled_lines(
    session: Session,
    actor: Actor,
    *,
    currency: str,
    period: date,
    partner: uuid.UUID | None = None,
) -> list[Charge]:
    """The lines the next invoice of ``period`` will carry for the actor in ``currency``,
    as the bill run would write them now (``accrual.preview``: transient rows, nothing
    written), in accrual order. A partner sees what it will be billed; the vendor names
    the partner (``partner``) and sees its own lines to it. None once the period is
    closed: its lines are on invoices."""
    if actor.is_vendor:
        if partner is None:
            raise InvalidInput(description="Name the partner whose unbilled lines to read")
        bill_to, seller = str(partner), VENDOR
    else:
        bill_to, seller = str(actor.organization_id), None
    if is_closed(session, period):
        return []
    code = Currency.of(currency).code
    lines = [
        c
        for c in unbilled.preview(session, bill_to_key=bill_to, period=period)
        if c.currency == code and (seller is None or c.seller_key == seller)
    ]
    return sorted(lines, key=lambda c: (c.accrued_at, c.key))
