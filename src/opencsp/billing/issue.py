"""Issuing a period's documents from its charges (issue 6; rules.md §9b, §11).

One invoice per (seller, bill-to, period, currency) and one credit note for the credits
of charges already invoiced in an earlier period (``invoices.document_for``). Set-based:
one ``GROUP BY`` over the period's charges gives every document's total (the sum of its
lines, each already rounded once) and line count; the documents not issued yet are
numbered from their seller's gapless sequence, locked for the transaction, and written
together. A document's lines are the charges sharing its key, so no charge is rewritten.
Idempotent: a document that exists is never issued again (and ``uq_invoices_document``
stops a racing run), so a run killed before its commit issues everything on its re-run
and one killed after it issues nothing more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing import invoices as rules
from opencsp.billing.models import VENDOR, Charge, Invoice, InvoiceSequence
from opencsp.core.config import settings
from opencsp.customers.models import Customer

CUSTOMER_TIER = "partner"
"""The tier whose bill-to is a customer (a partner billing its customer)."""

SELLER_PREFIX = "P"
"""Number prefix of a partner's own documents to its resellers or customers; the vendor's
is the ``invoice_prefix`` setting (``G`` as in the samples)."""


@dataclass(frozen=True, slots=True, order=True)
class DocumentKey:
    """What one document is for (``invoices.InvoiceKey`` plus seller and type)."""

    seller_key: str
    bill_to_key: str
    currency: str
    document_type: str


@dataclass(frozen=True, slots=True)
class Group:
    key: DocumentKey
    tier: str
    seller_organization_id: uuid.UUID | None
    bill_to_organization_id: uuid.UUID | None
    bill_to_customer_id: uuid.UUID | None
    total_minor: int
    lines: int


def prefix_for(seller_key: str) -> str:
    return settings().invoice_prefix if seller_key == VENDOR else SELLER_PREFIX


def period_groups(session: Session, period: date) -> list[Group]:
    """Every document the period's charges make, with its total and line count: one
    ``GROUP BY`` on the columns of ``ix_charges_document``; the parties' ids follow from
    the keys (a seller other than the vendor and every bill-to but a customer is an
    organization)."""
    c = Charge
    rows = session.execute(
        select(
            c.seller_key,
            c.bill_to_key,
            c.currency,
            c.document_type,
            func.min(c.tier),
            func.sum(c.billed_amount_minor),
            func.count(),
        )
        .where(c.period == period)
        .group_by(c.seller_key, c.bill_to_key, c.currency, c.document_type)
    ).all()
    groups = []
    for seller, bill_to, currency, doc, tier, total, n in rows:
        customer = tier == CUSTOMER_TIER
        groups.append(
            Group(
                key=DocumentKey(seller, bill_to, currency, doc),
                tier=tier,
                seller_organization_id=None if seller == VENDOR else uuid.UUID(seller),
                bill_to_organization_id=None if customer else uuid.UUID(bill_to),
                bill_to_customer_id=uuid.UUID(bill_to) if customer else None,
                total_minor=int(total),
                lines=int(n),
            )
        )
    return sorted(groups, key=lambda g: g.key)


def issued_keys(session: Session, period: date) -> set[DocumentKey]:
    i = Invoice
    return {
        DocumentKey(*row)
        for row in session.execute(
            select(i.seller_key, i.bill_to_key, i.currency, i.document_type).where(
                i.period == period
            )
        )
    }


def locked_sequences(session: Session, sellers: set[str]) -> dict[str, InvoiceSequence]:
    """Each seller's sequence row, created at 0 when missing, locked until commit."""
    q = select(InvoiceSequence).where(InvoiceSequence.seller_key.in_(sellers))
    found = {s.seller_key: s for s in session.scalars(q.with_for_update())}
    for seller in sorted(sellers - found.keys()):
        row = InvoiceSequence(seller_key=seller, prefix=prefix_for(seller), last=0)
        session.add(row)
        found[seller] = row
    session.flush()
    return found


IN_LIST_MAX = 1000
"""Above this many ids, ``locales`` reads the whole table once instead of an ``IN`` list."""


def locales(session: Session, groups: list[Group]) -> dict[str, str]:
    """The language each bill-to reads its documents in: a customer's billing language; a
    partner's by its country (the console's two languages: Korean in Korea, else
    English)."""
    orgs = {g.bill_to_organization_id for g in groups if g.bill_to_organization_id}
    customers = {g.bill_to_customer_id for g in groups if g.bill_to_customer_id}
    found: dict[str, str] = {}
    for org_id, country in _rows(session, Organization.id, Organization.country, orgs):
        found[str(org_id)] = "ko-KR" if country == "KR" else "en-US"
    for cust_id, language in _rows(session, Customer.id, Customer.billing_language, customers):
        found[str(cust_id)] = language
    return found


def _rows(session: Session, key: Any, value: Any, ids: set[uuid.UUID]) -> list[tuple[Any, Any]]:
    """(id, value) for these ids: by an ``IN`` list when few, else one pass over the table
    (a bill run issuing a hundred thousand documents would bind as many parameters)."""
    if not ids:
        return []
    q = select(key, value)
    if len(ids) <= IN_LIST_MAX:
        return [tuple(row) for row in session.execute(q.where(key.in_(ids)))]
    return [tuple(row) for row in session.execute(q) if row[0] in ids]


def issue_documents(session: Session, period: date, *, now: datetime) -> list[str]:
    """Issue the period's documents not issued yet (module docstring); answers their
    numbers, in order. Written with one Core ``INSERT`` (a run issues one document per
    partner and customer billed)."""
    issued = issued_keys(session, period)
    pending = [g for g in period_groups(session, period) if g.key not in issued]
    if not pending:
        return []
    sequences = locked_sequences(session, {g.key.seller_key for g in pending})
    language = locales(session, pending)
    issued_on = rules.invoice_date(period)
    due = rules.due_date(issued_on)
    rows = []
    for group in pending:
        seq = sequences[group.key.seller_key]
        number = rules.next_sequence(seq.last)
        seq.last = number
        vendor = group.key.seller_key == VENDOR
        rows.append(
            {
                "id": rules.format_number(seq.prefix, number)
                if vendor
                else f"{seq.prefix}{_seller_tag(group)}{number:0{rules.SEQUENCE_DIGITS}d}",
                "sequence": number,
                "tier": group.tier,
                "document_type": group.key.document_type,
                "seller_key": group.key.seller_key,
                "bill_to_key": group.key.bill_to_key,
                "seller_organization_id": group.seller_organization_id,
                "bill_to_organization_id": group.bill_to_organization_id,
                "bill_to_customer_id": group.bill_to_customer_id,
                "period": period,
                "currency": group.key.currency,
                "invoice_date": issued_on,
                "due_date": due,
                "total_minor": group.total_minor,
                "paid_minor": 0,
                "line_count": group.lines,
                "locale": language.get(group.key.bill_to_key, "en-US"),
                "created_at": now,
            }
        )
    session.flush()  # the sequences, locked above
    session.connection().execute(insert(Invoice), rows)
    return [str(row["id"]) for row in rows]


def _seller_tag(group: Group) -> str:
    """A partner's documents are numbered in its own sequence; the first eight hex digits
    of its id keep two partners' numbers apart in the one ``invoices`` table."""
    assert group.seller_organization_id is not None
    return group.seller_organization_id.hex[:8].upper()
