"""Wire shapes of payments, delinquencies and credit limits (opencsp extensions in the
Partner Center style: camelCase, ``attributes.objectType``, amounts as exact decimals
with the currency's minor digits, ``currencyCode``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from opencsp.billing.credit import CreditPosition
from opencsp.billing.models import Payment
from opencsp.billing.payments import Delinquency
from opencsp.core.http import Resource, WireModel
from opencsp.core.money import Money


class PaymentIn(WireModel):
    """``POST /invoices/{id}/payments``: the amount received, in the invoice's currency."""

    amount: Decimal
    currency_code: str = Field(min_length=3, max_length=3)
    received_on: date
    reference: str = Field(min_length=1, max_length=128)


class PaymentRead(Resource):
    OBJECT_TYPE = "Payment"

    id: uuid.UUID
    invoice_id: str
    amount: Decimal
    currency_code: str
    received_on: date
    reference: str
    recorded_at: datetime


def payment_read(payment: Payment) -> PaymentRead:
    return PaymentRead(
        id=payment.id,
        invoice_id=payment.invoice_id,
        amount=Money.from_minor(payment.amount_minor, payment.currency).amount,
        currency_code=payment.currency,
        received_on=payment.received_on,
        reference=payment.reference,
        recorded_at=payment.created_at,
    )


class DelinquencyRead(Resource):
    """A bill-to with something overdue in one currency (rules.md §11)."""

    OBJECT_TYPE = "Delinquency"

    partner_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    name: str
    currency_code: str
    balance_amount: Decimal
    overdue_amount: Decimal
    overdue_invoices: int
    oldest_due_date: date | None


def delinquency_read(found: Delinquency) -> DelinquencyRead:
    b = found.balance
    return DelinquencyRead(
        partner_id=found.organization_id,
        customer_id=found.customer_id,
        name=found.name,
        currency_code=b.currency,
        balance_amount=b.money(b.balance_minor).amount,
        overdue_amount=b.money(b.overdue_minor).amount,
        overdue_invoices=b.overdue_invoices,
        oldest_due_date=b.oldest_due,
    )


class CreditLimitIn(WireModel):
    """``PUT /billing/creditlimits/{orgId}``: the limit in USD."""

    credit_limit: Decimal


class CreditLimitRead(Resource):
    """A partner's credit limit and the figures of its available credit, USD
    (rules.md §11: available = limit − (outstanding + unbilled − overpayment))."""

    OBJECT_TYPE = "CreditLimit"

    partner_id: uuid.UUID
    currency_code: str = "USD"
    credit_limit: Decimal
    outstanding_amount: Decimal
    unbilled_amount: Decimal
    unbilled_since: date
    overpayment_amount: Decimal
    available_credit: Decimal
    fx_month: date


def credit_limit_read(found: CreditPosition) -> CreditLimitRead:
    return CreditLimitRead(
        partner_id=found.organization_id,
        credit_limit=found.limit,
        outstanding_amount=found.outstanding,
        unbilled_amount=found.unbilled,
        unbilled_since=found.unbilled_since,
        overpayment_amount=found.overpayment,
        available_credit=found.available,
        fx_month=found.month,
    )
