"""An order's one-time charges recorded through billing when they happen (DESIGN.md §3:
orders record one-time charges through billing): a perpetual purchase's ``new`` line at
checkout and its ``cancelImmediate`` credit when it is cancelled (rules.md §9c;
``billing.one_time``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from opencsp.billing import one_time
from opencsp.billing.lines import OneTimeFacts
from opencsp.orders.models import Order, OrderLine


def record_one_time(session: Session, order: Order, line: OrderLine, *, now: datetime) -> int:
    """Record the line's charge (and its refund once it is cancelled); idempotent."""
    facts = OneTimeFacts(
        order_id=order.id,
        line_number=line.line_number,
        ordered_at=order.created_at,
        quantity=line.quantity,
        unit_price=line.unit_price,
        currency=line.currency,
        cancelled_at=line.cancelled_at,
        refund=line.refund,
    )
    source = one_time.OneTimeSource(
        organization_id=order.organization_id,
        customer_id=order.customer_id,
        market_id=order.market_id,
        reseller_organization_id=line.reseller_organization_id,
        partner_id_on_record=line.partner_id_on_record,
        product_id=line.product_id,
        sku_id=line.sku_id,
        availability_id=line.availability_id,
        product_type=line.product_type,
        billing_currency=order.billing_currency,
    )
    return one_time.record(session, facts, source, now=now)
