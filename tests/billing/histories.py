"""Builders of subscription histories for the pure billing rules (no database)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from opencsp.billing.lines import ChargeLine, EventFacts

SUB = uuid.UUID("00000000-0000-4000-8000-000000000001")


def at(y: int, m: int, d: int, hour: int = 0) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def event(
    seq: int,
    kind: str,
    when: datetime,
    *,
    start: date,
    end: date,
    term: str = "P1Y",
    plan: str = "monthly",
    before: int = 0,
    after: int = 1,
    price: str = "120.00",
    status: str = "active",
    refund: str | None = None,
    number: int = 1,
    currency: str = "USD",
    anchor: int | None = None,
) -> EventFacts:
    return EventFacts(
        subscription_id=SUB,
        sequence=seq,
        kind=kind,
        at=when,
        term_number=number,
        term_start=start,
        term_end=end,
        term_duration=term,
        billing_plan=plan,
        status_after=status,
        quantity_before=before,
        quantity_after=after,
        unit_price=Decimal(price),
        currency=currency,
        refund=Decimal(refund) if refund is not None else None,
        anchor_day=anchor,
    )


def then(prev: EventFacts, seq: int, kind: str, when: datetime, **changes: object) -> EventFacts:
    """The next event of the same subscription: the previous one's state, changed."""
    base = replace(prev, sequence=seq, kind=kind, at=when, quantity_before=prev.quantity_after)
    return replace(base, **({"refund": None} | changes))  # type: ignore[arg-type]


FOREVER = at(2031, 1, 1)


def summary(lines: list[ChargeLine]) -> list[tuple[str, date, date, int, str, str]]:
    return [
        (
            line.charge_type.value,
            line.charge_start,
            line.charge_end,
            line.quantity,
            str(line.effective_unit_price),
            str(line.amount),
        )
        for line in lines
    ]


def total(lines: list[ChargeLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))
