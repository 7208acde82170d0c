"""The open period's vendor lines before its bill run (unbilled line items and the
reconciliation file of the open period, rules.md §9b; PC: unbilled invoice line items):
the same rules as the run, read-only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing.accrual import TIER, chunks, walked_rows
from opencsp.billing.lines import midnight
from opencsp.billing.lines import next_month as following
from opencsp.billing.models import Charge
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.subscriptions.models import Subscription


def preview(session: Session, *, bill_to_key: str, period: date) -> list[Charge]:
    """The vendor lines a bill-to partner's ``period`` holds so far, as the run would
    write them (not added to the session): its subscriptions' histories walked up to
    now by the same rules, and the one-time lines recorded already. Lines accrue only
    once their instant has passed, so the current month shows what has happened."""
    org = uuid.UUID(bill_to_key)
    ids = list(session.scalars(select(Subscription.id).where(Subscription.organization_id == org)))
    rows: list[dict[str, Any]] = []
    now = clock.now()
    until = min(midnight(following(period)), now)
    for chunk in chunks(ids, settings().bill_run_batch_size):
        rows.extend(walked_rows(session, chunk, period, now, until))
    recorded = session.scalars(
        select(Charge).where(
            Charge.period == period, Charge.tier == TIER, Charge.bill_to_key == bill_to_key
        )
    ).all()
    for row in recorded:
        session.expunge(row)
    return [*recorded, *(Charge(**row) for row in rows)]
