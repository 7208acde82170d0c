"""What seats added midterm have cost partners since a day: the ``addQuantity`` lines the
bill run will write for them (``history``: the added seats from the day of the add to the
cycle's end, prorated by day), worked out from the subscriptions' histories the same way.
The credit limit counts them as unbilled charges (rules.md §11), as it counts orders."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing.accrual import events_of
from opencsp.billing.history import history_lines
from opencsp.billing.lines import ChargeType, midnight
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

_INCLUSIVE = timedelta(microseconds=1)
"""``history_lines`` stops before its bound; the seats added at ``upto`` itself count."""


def added_seat_charges(
    session: Session, org_ids: Collection[uuid.UUID], since: date, upto: datetime
) -> dict[uuid.UUID, dict[str, Decimal]]:
    """Per partner and currency, the ``addQuantity`` charges of its subscriptions that
    accrue from ``since`` through ``upto``, exact (each line is already rounded). Reads
    only the subscriptions with seats added since then, and their histories."""
    if not org_ids:
        return {}
    start = midnight(since)
    owners = dict(
        session.execute(
            select(Subscription.id, Subscription.organization_id)
            .join(SubscriptionEvent, SubscriptionEvent.subscription_id == Subscription.id)
            .where(
                Subscription.organization_id.in_(set(org_ids)),
                SubscriptionEvent.kind == EventKind.ADD_QUANTITY.value,
                SubscriptionEvent.at >= start,
            )
            .distinct()
        ).all()
    )
    out: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if not owners:
        return out
    for sub_id, history in events_of(session, list(owners)).items():
        for line in history_lines(history, until=upto + _INCLUSIVE):
            if line.charge_type is ChargeType.ADD_QUANTITY and line.accrued_at >= start:
                out[owners[sub_id]][line.currency] += line.amount
    return out
