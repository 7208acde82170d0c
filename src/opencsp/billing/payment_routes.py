"""Payments, delinquencies and credit limits (opencsp extensions; rules.md §11,
PC:credit-limit-enforcement.md):

- ``POST /invoices/{id}/payments`` records money received against an invoice (the
  seller: the vendor's Billing operator, or a partner for its own downstream invoices);
  ``MS-RequestId`` names the payment, so a retry records nothing more;
- ``GET /invoices/{id}/payments`` lists a visible invoice's payments;
- ``GET /billing/delinquencies``: bill-tos with something overdue on the caller's
  side's documents (the vendor's partners, or a partner's resellers and customers);
- ``GET|PUT|DELETE /billing/creditlimits/{orgId}``: a partner's credit limit in USD and
  its available credit (PUT and DELETE: the vendor's Billing operator).

A document or a limit the caller may not see is 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from opencsp.billing import credit, payments
from opencsp.billing.payment_schemas import (
    CreditLimitIn,
    CreditLimitRead,
    DelinquencyRead,
    PaymentIn,
    PaymentRead,
    credit_limit_read,
    delinquency_read,
    payment_read,
)
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import collection
from opencsp.web.deps import SessionDep, require, require_any

router = APIRouter(tags=["payments"])

Reader = Annotated[Actor, require(Perm.BILLING_READ)]
Recorder = Annotated[Actor, require_any(Perm.BILLING_OPERATE, Perm.BILLING_MANAGE)]
Operator = Annotated[Actor, require(Perm.BILLING_OPERATE)]
RequestId = Annotated[str | None, Header(alias="MS-RequestId")]


@router.post(
    "/invoices/{invoice_id}/payments",
    response_model=PaymentRead,
    status_code=status.HTTP_201_CREATED,
)
def record_payment(
    invoice_id: str,
    body: PaymentIn,
    session: SessionDep,
    actor: Recorder,
    request_id: RequestId = None,
) -> PaymentRead:
    payment = payments.record_payment(
        session,
        actor,
        invoice_id,
        body.amount,
        body.currency_code,
        body.received_on,
        body.reference,
        request_id=request_id,
    )
    return payment_read(payment)


@router.get("/invoices/{invoice_id}/payments", response_model=Collection[PaymentRead])
def list_payments(invoice_id: str, session: SessionDep, actor: Reader) -> Collection[PaymentRead]:
    items = [payment_read(p) for p in payments.list_payments(session, actor, invoice_id)]
    return collection(
        items,
        total_count=len(items),
        path=f"/invoices/{invoice_id}/payments",
        query={},
        next_token=None,
    )


@router.get("/billing/delinquencies", response_model=Collection[DelinquencyRead])
def list_delinquencies(session: SessionDep, actor: Reader) -> Collection[DelinquencyRead]:
    items = [delinquency_read(d) for d in payments.delinquencies(session, actor, now=clock.now())]
    return collection(
        items, total_count=len(items), path="/billing/delinquencies", query={}, next_token=None
    )


@router.get("/billing/creditlimits/{org_id}", response_model=CreditLimitRead)
def get_credit_limit(org_id: uuid.UUID, session: SessionDep, actor: Reader) -> CreditLimitRead:
    return credit_limit_read(credit.get_credit_position(session, actor, org_id, clock.now()))


@router.put("/billing/creditlimits/{org_id}", response_model=CreditLimitRead)
def set_credit_limit(
    org_id: uuid.UUID, body: CreditLimitIn, session: SessionDep, actor: Operator
) -> CreditLimitRead:
    now = clock.now()
    credit.set_credit_limit(session, actor, org_id, body.credit_limit, now=now)
    return credit_limit_read(credit.get_credit_position(session, actor, org_id, now))


@router.delete("/billing/creditlimits/{org_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_credit_limit(org_id: uuid.UUID, session: SessionDep, actor: Operator) -> Response:
    credit.remove_credit_limit(session, actor, org_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
