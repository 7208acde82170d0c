"""Payments against invoices, balances and delinquency (issue 6; rules.md §11).

- **Payments.** The seller of a document records the money it received against it: the
  vendor's Billing operator for the vendor's invoices, a partner (Global admin, Billing
  admin) for the invoices it issued to its own resellers or customers. A payment is in
  the invoice's currency, more than zero, in whole minor units of that currency
  (``payment_minor``). It raises ``Invoice.paid_minor`` with one ``UPDATE … SET
  paid_minor = paid_minor + :amount``, never a read-modify-write, so payments recorded at
  once all count. Paying more than the balance is recorded as paid: the excess is the
  partner's overpayment. Credit notes take no payments; their negative totals reduce
  what the partner owes. A request id (``MS-RequestId``, the console's form token, the
  CLI's ``--request-id``) names one payment: the same id again answers the first payment
  and records nothing (``Payment.idempotency_key``, unique).
- **Balance** per seller, bill-to and currency: the sum of ``total − paid`` over the
  issued documents (credit notes and overpayments net), with its parts (``Balance``).
- **Delinquency**: an invoice with something still owed after its due date, net 60 from
  the invoice date (``invoices.is_overdue``; rules.md §11 "late payment means
  delinquency"). What is overdue is net of the bill-to's credits in the same currency
  (``overdue_amount``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from opencsp.audit import service as audit
from opencsp.auth.models import Organization
from opencsp.billing import queries
from opencsp.billing.errors import (
    InvalidPaymentAmount,
    PaymentCurrencyMismatch,
    PaymentNotAllowed,
    PaymentOnCreditNote,
    PaymentRequestReused,
)
from opencsp.billing.invoices import DocumentType
from opencsp.billing.models import VENDOR, Invoice, Payment
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, Money
from opencsp.customers.models import Customer

REFERENCE_MAX = 128
REQUEST_ID_MAX = 120
"""A request id is scoped by the recording organization into ``idempotency_key``
(160 characters): its own part may take 120."""


# --- rules -------------------------------------------------------------------------------


def payment_minor(amount: Decimal, currency: Currency) -> int:
    """A payment in minor units: more than zero and exact at the currency's minor unit
    (KRW and JPY whole units, USD cents, KWD fils; DESIGN.md §4) — never rounded, a
    sub-minor amount is refused (``InvalidPaymentAmount``)."""
    places = currency.minor_units
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise InvalidPaymentAmount(places=places, currency=currency.code, amount=amount)
    if amount != amount.quantize(currency.quantum):
        raise InvalidPaymentAmount(places=places, currency=currency.code, amount=amount)
    return Money(amount, currency).to_minor()


def overdue_amount(overdue_gross: int, balance: int) -> int:
    """What is overdue: the unpaid remainders of the invoices past their due date
    (``invoices.is_overdue``), less the bill-to's credits in the same currency (credit
    notes, overpayments of other invoices), which pay what is oldest first — so never
    more than the net balance, and zero when nothing is owed [inferred: rules.md §11
    counts late payment, and a partner whose credits cover the late invoice owes
    nothing late]."""
    return max(0, min(overdue_gross, balance))


def idempotency_key(actor: Actor, request_id: str | None) -> str | None:
    """A request id scoped by the organization recording, so two organizations' ids never
    collide."""
    if request_id is None or not request_id.strip():
        return None
    rid = request_id.strip()
    if len(rid) > REQUEST_ID_MAX:
        raise InvalidInput(description=f"A request id has at most {REQUEST_ID_MAX} characters")
    return f"{actor.organization_id}:{rid}"


def ensure_may_record(actor: Actor, invoice: Invoice) -> None:
    """The seller records payments (module docstring): the vendor's Billing operator for
    the vendor's documents, a partner holding ``billing.manage`` for its own."""
    if actor.is_vendor:
        allowed = invoice.seller_key == VENDOR and actor.can(Perm.BILLING_OPERATE)
    else:
        allowed = invoice.seller_key == str(actor.organization_id) and actor.can(
            Perm.BILLING_MANAGE
        )
    if not allowed:
        raise PaymentNotAllowed(invoice=invoice.id)


# --- payments ----------------------------------------------------------------------------


def record_payment(
    session: Session,
    actor: Actor,
    invoice_id: str,
    amount: Decimal,
    currency: str,
    received_on: date,
    reference: str,
    request_id: str | None = None,
) -> Payment:
    """Record money received against a visible invoice (module docstring); the same
    request id again answers the first payment. Errors: 404 for an invoice the actor may
    not see, 403 when it is not the seller's, then ``PaymentOnCreditNote``,
    ``PaymentCurrencyMismatch``, ``InvalidPaymentAmount``, a future ``received_on`` or an
    empty reference (400), ``PaymentRequestReused`` (409)."""
    cur = Currency.of(currency)
    minor = payment_minor(amount, cur)
    key = idempotency_key(actor, request_id)
    invoice = queries.get_invoice(session, actor, invoice_id)
    if key is not None:
        earlier = _replayed(session, key, invoice, minor, cur)
        if earlier is not None:
            return earlier
    ensure_may_record(actor, invoice)
    if invoice.document_type == DocumentType.CREDIT_NOTE.value:
        raise PaymentOnCreditNote(invoice=invoice.id)
    if cur.code != invoice.currency:
        raise PaymentCurrencyMismatch(
            invoice=invoice.id, expected=invoice.currency, currency=cur.code
        )
    now = clock.now()
    ref = reference.strip()
    if not ref or len(ref) > REFERENCE_MAX:
        raise InvalidInput(description=f"A payment reference has 1 to {REFERENCE_MAX} characters")
    if received_on > now.date():
        raise InvalidInput(description=f"A payment can't be received after today ({now.date()})")
    payment = Payment(
        id=uuid.uuid4(),
        invoice_id=invoice.id,
        amount_minor=minor,
        currency=cur.code,
        received_on=received_on,
        reference=ref,
        idempotency_key=key,
        recorded_by=actor.user_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        # the same request id committed by a concurrent request after our look-up
        assert key is not None
        earlier = _replayed(session, key, invoice, minor, cur)
        if earlier is None:
            raise
        return earlier
    paid = _add_paid(session, invoice, minor)
    audit.record(
        session,
        actor,
        "record_payment",
        "invoice",
        resource_id=invoice.id,
        customer_id=invoice.bill_to_customer_id,
        partner_id=invoice.bill_to_organization_id or invoice.seller_organization_id,
        data={
            "PaymentId": str(payment.id),
            "Amount": str(Money.from_minor(minor, cur).amount),
            "CurrencyCode": cur.code,
            "ReceivedOn": received_on.isoformat(),
            "Reference": ref,
            "PaidAmount": str(Money.from_minor(paid, cur).amount),
            "Overpayment": str(Money.from_minor(max(0, paid - invoice.total_minor), cur).amount),
        },
    )
    return payment


def _replayed(
    session: Session, key: str, invoice: Invoice, minor: int, currency: Currency
) -> Payment | None:
    """The payment an earlier request with this key recorded: the same payment answers
    again; another one under the same key is refused."""
    earlier = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    if earlier is None:
        return None
    same = (earlier.invoice_id, earlier.amount_minor, earlier.currency) == (
        invoice.id,
        minor,
        currency.code,
    )
    if not same:
        raise PaymentRequestReused(request_id=key.split(":", 1)[1], payment=earlier.id)
    return earlier


def _add_paid(session: Session, invoice: Invoice, minor: int) -> int:
    """``paid_minor += minor`` in the database, atomically; the loaded invoice is given the
    new value without being marked changed."""
    paid = session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id)
        .values(paid_minor=Invoice.paid_minor + minor)
        .returning(Invoice.paid_minor)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(invoice, "paid_minor", int(paid))
    return int(paid)


def list_payments(session: Session, actor: Actor, invoice_id: str) -> Sequence[Payment]:
    """The payments of a visible invoice by the day received, then recorded (404 for one
    the actor may not see)."""
    invoice = queries.get_invoice(session, actor, invoice_id)
    return session.scalars(
        select(Payment)
        .where(Payment.invoice_id == invoice.id)
        .order_by(Payment.received_on, Payment.created_at, Payment.id)
    ).all()


# --- balances and delinquency ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Balance:
    """What one bill-to owes one seller in one currency, in minor units: ``balance`` =
    ``unpaid + credit_notes − overpaid`` (credit notes are negative)."""

    seller_key: str
    bill_to_key: str
    currency: str
    balance_minor: int
    unpaid_minor: int
    credit_notes_minor: int
    overpaid_minor: int
    overdue_gross_minor: int
    oldest_due: date | None
    overdue_invoices: int

    @property
    def overdue_minor(self) -> int:
        return overdue_amount(self.overdue_gross_minor, self.balance_minor)

    @property
    def is_delinquent(self) -> bool:
        return self.overdue_minor > 0

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


def balances(
    session: Session,
    *,
    today: date,
    seller_key: str | None = None,
    bill_to_keys: Collection[str] | None = None,
) -> list[Balance]:
    """Balances by (seller, bill-to, currency), in one ``GROUP BY`` over the issued
    documents. Overdue: due before ``today``, the SQL form of ``invoices.is_overdue`` (owed
    after the due date; on the due date itself it is not overdue yet)."""
    i = Invoice
    remainder = i.total_minor - i.paid_minor
    is_invoice = i.document_type == DocumentType.INVOICE.value
    owed = and_(is_invoice, i.total_minor > i.paid_minor)
    late = and_(owed, i.due_date < today)
    stmt = select(
        i.seller_key,
        i.bill_to_key,
        i.currency,
        func.sum(remainder),
        func.sum(case((owed, remainder), else_=0)),
        func.sum(case((is_invoice, 0), else_=remainder)),
        func.sum(case((and_(is_invoice, i.paid_minor > i.total_minor), -remainder), else_=0)),
        func.sum(case((late, remainder), else_=0)),
        func.min(case((late, i.due_date), else_=None)),
        func.sum(case((late, 1), else_=0)),
    ).group_by(i.seller_key, i.bill_to_key, i.currency)
    if seller_key is not None:
        stmt = stmt.where(i.seller_key == seller_key)
    if bill_to_keys is not None:
        stmt = stmt.where(i.bill_to_key.in_(set(bill_to_keys)))
    found = [
        Balance(seller, bill_to, cur, int(b), int(u), int(c), int(o), int(g), due, int(n))
        for seller, bill_to, cur, b, u, c, o, g, due, n in session.execute(stmt)
    ]
    return sorted(found, key=lambda x: (x.seller_key, x.bill_to_key, x.currency))


def own_balances(session: Session, actor: Actor, *, today: date) -> list[Balance]:
    """What the actor's organization owes, per seller and currency (the vendor's balance
    for a direct-bill partner or provider, its provider's for a reseller)."""
    return balances(session, today=today, bill_to_keys=[str(actor.organization_id)])


@dataclass(frozen=True, slots=True)
class Delinquency:
    balance: Balance
    name: str
    organization_id: uuid.UUID | None
    customer_id: uuid.UUID | None


def seller_key_of(actor: Actor) -> str:
    """Whose documents the actor reads as the seller: the vendor's, or its own."""
    return VENDOR if actor.is_vendor else str(actor.organization_id)


def delinquencies(session: Session, actor: Actor, *, now: datetime) -> list[Delinquency]:
    """The bill-tos with something overdue on the actor's side's documents — the vendor's
    delinquent partners, or a partner's delinquent resellers and customers — most
    overdue first (rules.md §11)."""
    if actor.is_vendor and not actor.can(Perm.BILLING_READ):
        return []
    late = [
        b
        for b in balances(session, today=now.date(), seller_key=seller_key_of(actor))
        if b.is_delinquent
    ]
    ids = {uuid.UUID(b.bill_to_key) for b in late}
    orgs: dict[uuid.UUID, str] = {
        oid: name
        for oid, name in session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(ids))
        )
    }
    customers: dict[uuid.UUID, str] = {
        cid: name
        for cid, name in session.execute(
            select(Customer.id, Customer.company_name).where(Customer.id.in_(ids))
        )
    }
    out = []
    for b in late:
        key = uuid.UUID(b.bill_to_key)
        org = key if key in orgs else None
        out.append(
            Delinquency(
                balance=b,
                name=orgs.get(key) or customers.get(key) or b.bill_to_key,
                organization_id=org,
                customer_id=None if org else key,
            )
        )
    return sorted(
        out, key=lambda d: (d.balance.oldest_due or date.max, -d.balance.overdue_minor, d.name)
    )
