"""Billing rows for tests that read invoices without running a whole bill run: ``charge``
writes one charge line straight to the table (amounts exact in minor units), ``issue``
issues a period's documents from them with the real ``billing.issue``; ``bill`` runs a
whole month's bill run as the job does, just after the month ended."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import credit, run
from opencsp.billing.issue import issue_documents
from opencsp.billing.lines import midnight, next_month
from opencsp.billing.models import VENDOR, Charge, Invoice
from opencsp.core import clock
from opencsp.core.money import Money
from opencsp.subscriptions.models import Subscription
from tests.factories import Member, system
from tests.factories.commerce import Scene, scene, sign_partner_agreement
from tests.factories.jobs import units

_keys = itertools.count(1)


def charge(
    session: Session,
    sub: Subscription,
    period: date,
    *,
    each: str | Decimal,
    quantity: int | None = None,
    charge_type: str = "cycleCharge",
    document_type: str = "invoice",
    tier: str = "vendor",
    seller: uuid.UUID | None = None,
    bill_to: uuid.UUID | None = None,
    bill_to_customer: bool = False,
    billing_currency: str | None = None,
    fx_rate: str | Decimal = "1",
    billed_each: str | Decimal | None = None,
    accrued_at: datetime | None = None,
    gives_back: Charge | None = None,
) -> Charge:
    """One line of ``sub`` in ``period`` at ``each`` per seat (signed; negative is a
    credit), billed by the vendor to the subscription's partner unless ``tier``/``seller``/
    ``bill_to`` say otherwise (``bill_to_customer`` bills the subscription's customer).
    ``gives_back``: the charge a credit returns (its ``offsets_key``)."""
    seats = sub.quantity if quantity is None else quantity
    pricing = sub.currency
    billing = billing_currency or pricing
    each_minor = Money.of(Decimal(each), pricing).to_minor()
    billed_minor = Money.of(Decimal(billed_each if billed_each else each), billing).to_minor()
    bill_org = None if bill_to_customer else (bill_to or sub.organization_id)
    row = Charge(
        tier=tier,
        key=f"test:{next(_keys)}",
        period=period,
        document_type=document_type,
        seller_key=str(seller) if seller else VENDOR,
        bill_to_key=str(sub.customer_id) if bill_to_customer else str(bill_org),
        seller_organization_id=seller,
        bill_to_organization_id=bill_org,
        customer_id=sub.customer_id,
        reseller_organization_id=sub.reseller_organization_id,
        partner_id_on_record=sub.partner_id_on_record,
        subscription_id=sub.id,
        order_id=sub.order_id,
        order_line_number=sub.order_line_number,
        product_id=sub.product_id,
        sku_id=sub.sku_id,
        availability_id=sub.availability_id,
        product_type=sub.product_type,
        market_id=sub.market_id,
        charge_type=charge_type,
        accrued_at=accrued_at or datetime.combine(period, time(), tzinfo=UTC),
        charge_start=max(period, sub.term_start),
        charge_end=sub.term_end,
        quantity=seats,
        unit_price=sub.unit_price,
        pricing_currency=pricing,
        each_minor=each_minor,
        amount_minor=each_minor * seats,
        currency=billing,
        fx_rate=Decimal(fx_rate),
        fx_date=period,
        billed_each_minor=billed_minor,
        billed_amount_minor=billed_minor * seats,
        cost_minor=None,
        term_duration=sub.term_duration,
        billing_plan=sub.billing_plan,
        term_number=sub.term_number,
        cycle_number=None,
        event_sequence=None,
        term_start=sub.term_start,
        term_end=sub.term_end,
        offsets_period=gives_back.period if gives_back else None,
        offsets_key=gives_back.key if gives_back else None,
        price_ratio=None,
        ratio_of=None,
        created_at=accrued_at or datetime.combine(period, time(), tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    return row


def issue(session: Session, period: date) -> list[Invoice]:
    """The period's documents from the charges written so far."""
    numbers = issue_documents(session, period, now=datetime.combine(period, time(), tzinfo=UTC))
    found = session.scalars(select(Invoice).where(Invoice.id.in_(numbers))).all()
    return sorted(found, key=lambda doc: numbers.index(doc.id))


def months(first: date, last: date) -> Iterator[date]:
    """The first days of the months from ``first`` to ``last``, both included."""
    month = first
    while month <= last:
        yield month
        month = next_month(month)


def bill(session: Session, period: date) -> run.RunResult:
    """The bill run of ``period``, two hours after the month ended, by the system actor."""
    with clock.frozen(midnight(next_month(period)) + timedelta(hours=2)):
        return run.run_month(units(session, system(session)), period)


def buying_scene(session: Session) -> Scene:
    """``commerce.scene`` with the direct-bill partner's own partner agreement signed:
    everything its purchases need (credit-limit tests)."""
    found = scene(session)
    sign_partner_agreement(session, found.direct)
    return found


def set_credit_limit(session: Session, who: Member, amount: str) -> None:
    """``who``'s credit limit in USD, set by the system actor now."""
    credit.set_credit_limit(session, system(session), who.org.id, Decimal(amount), now=clock.now())
