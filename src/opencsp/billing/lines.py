"""The values of the bill run's rules: the facts of a subscription event or one-time
purchase as the caller maps them from their rows, and the charge line they produce, in
the NCE reconciliation vocabulary (file-formats.md §8e, PC:recon-file-charge-types.md).
The rules that make lines are in ``charges``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from opencsp.core.errors import InvalidInput
from opencsp.core.http import WireEnum
from opencsp.core.money import Currency, Money


class ChargeType(WireEnum):
    """``ChargeType`` of the NCE reconciliation file (file-formats.md §8e)."""

    NEW = "new"
    RENEW = "renew"
    CYCLE_CHARGE = "cycleCharge"
    ADD_QUANTITY = "addQuantity"
    REMOVE_QUANTITY = "removeQuantity"
    MOVE_QUANTITY = "moveQuantity"
    CANCEL_IMMEDIATE = "cancelImmediate"
    CONVERT = "convert"
    CHANGE_BILLING_PLAN = "changeBillingPlan"
    CUSTOMER_CREDIT = "customerCredit"
    EXTEND_TERM = "extendTerm"


@dataclass(frozen=True, slots=True)
class EventFacts:
    """One ``subscription_events`` row, as the rules need it (``from_row``). ``kind`` is
    the ``subscriptions.events.EventKind`` value; ``anchor_day`` is the month-step anchor
    a renewal recorded (``details.anchorDay``), none for a first term."""

    subscription_id: uuid.UUID
    sequence: int
    kind: str
    at: datetime
    term_number: int
    term_start: date
    term_end: date
    term_duration: str
    billing_plan: str
    status_after: str
    quantity_before: int
    quantity_after: int
    unit_price: Decimal
    currency: str
    refund: Decimal | None = None
    anchor_day: int | None = None

    @classmethod
    def from_row(cls, row: Any) -> EventFacts:
        """From a ``subscription_events`` row: an ORM object or a Core row."""
        details: dict[str, Any] = row.details if isinstance(row.details, dict) else {}
        anchor = details.get("anchorDay")
        return cls(
            subscription_id=row.subscription_id,
            sequence=row.sequence,
            kind=row.kind,
            at=row.at,
            term_number=row.term_number,
            term_start=row.term_start,
            term_end=row.term_end,
            term_duration=row.term_duration,
            billing_plan=row.billing_plan,
            status_after=row.status_after,
            quantity_before=row.quantity_before,
            quantity_after=row.quantity_after,
            unit_price=row.unit_price,
            currency=row.currency,
            refund=row.refund,
            anchor_day=int(anchor) if anchor else None,
        )


@dataclass(frozen=True, slots=True)
class OneTimeFacts:
    """A one-time purchase (perpetual software, an ``order_lines`` row without a term):
    bought at ``ordered_at``, cancelled at ``cancelled_at`` with its ``refund``."""

    order_id: str
    line_number: int
    ordered_at: datetime
    quantity: int
    unit_price: Decimal
    currency: str
    cancelled_at: datetime | None = None
    refund: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One charge (positive) or credit (negative) in the pricing ``currency``.

    ``unit_price`` is the locked price of a seat for the whole term (the file's
    ``UnitPrice``); ``effective_unit_price`` what one seat pays on this line, signed, at
    the currency's minor unit (``EffectiveUnitPrice``); ``amount`` = the two multiplied.
    ``charge_start``–``charge_end`` is the inclusive span it pays for. ``offsets_period``
    is, for a credit, the period of the latest charge it gives back (an invoice already
    issued for it means a credit note, ``invoices.split_documents``), and
    ``offsets_key`` that charge's key (the downstream tiers price the credit as they
    priced it, ``billing.downstream_lines``)."""

    key: str
    charge_type: ChargeType
    accrued_at: datetime
    period: date
    charge_start: date
    charge_end: date
    quantity: int
    unit_price: Decimal
    effective_unit_price: Decimal
    amount: Decimal
    currency: str
    subscription_id: uuid.UUID | None = None
    order_id: str | None = None
    order_line_number: int | None = None
    event_sequence: int | None = None
    term_number: int | None = None
    cycle_number: int | None = None
    term_start: date | None = None
    term_end: date | None = None
    term_duration: str | None = None
    billing_plan: str | None = None
    offsets_period: date | None = None
    offsets_key: str | None = None

    @property
    def is_credit(self) -> bool:
        return self.amount < 0


def month_of(at: datetime | date) -> date:
    return date(at.year, at.month, 1)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def per_seat_parts(total: Decimal, quantity: int, currency: Currency) -> list[tuple[int, Decimal]]:
    """``total`` (at the minor unit) as (seats, per-seat amount) parts that multiply back
    to it exactly: one part when it divides evenly, else the seats at the lower amount and
    the remainder's seats one minor unit higher (module docstring)."""
    if quantity < 1:
        raise InvalidInput(description="A charge needs at least one seat")
    minor = Money(total, currency).to_minor()
    if Money.from_minor(minor, currency).amount != total:
        raise InvalidInput(description="A credit must be at the currency's minor unit")
    sign = -1 if minor < 0 else 1
    base, extra = divmod(abs(minor), quantity)
    parts = [(quantity - extra, base), (extra, base + 1)]
    return [
        (seats, Money.from_minor(sign * each, currency).amount)
        for seats, each in parts
        if seats > 0 and (each > 0 or extra == 0)
    ]
