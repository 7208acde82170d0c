"""The charge lines of a billing period, from a subscription's history of events
(``subscription_events``) or a one-time purchase (``order_lines``), in the NCE
reconciliation vocabulary (file-formats.md §8e, PC:recon-file-charge-types.md). Pure: the
caller maps rows to :class:`EventFacts` / :class:`OneTimeFacts`.

**Which period** (DESIGN.md §4: calendar months in UTC): a line *accrues* at its event's
``at``, a cycle charge at 00:00 UTC of the cycle's start. It belongs to the month it
accrues in, unless that month is already closed: then to the first open period.
``closed_before`` is 00:00 UTC of the first open month (every earlier month is closed);
the bill run passes the keys it has already billed so a line is billed once (a late
event's lines are the only old ones not yet billed). Each line's ``key`` — source, event
sequence or term.cycle, charge type, part — is what the bill run's unique constraint holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from opencsp.billing.errors import PeriodClosed
from opencsp.billing.history import history_lines
from opencsp.billing.lines import (
    ChargeLine,
    ChargeType,
    EventFacts,
    OneTimeFacts,
    midnight,
    month_of,
    next_month,
    per_seat_parts,
)
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, round_amount

# --- periods --------------------------------------------------------------------------------


def ensure_month_start(instant: datetime) -> None:
    if instant.utcoffset() is None or instant != midnight(month_of(instant.astimezone(UTC))):
        raise InvalidInput(description="closed_before must be 00:00 UTC on the first of a month")


def period_for(accrued_at: datetime, closed_before: datetime) -> date:
    """The billing period a line accruing at ``accrued_at`` belongs to: its own calendar
    month (UTC), or the first open period when that month is closed (module docstring;
    rules.md §9b "billing period is a full calendar month")."""
    ensure_month_start(closed_before)
    return month_of(max(accrued_at, closed_before).astimezone(UTC))


def charges_for_period(
    lines: Iterable[ChargeLine],
    period: date,
    *,
    closed_before: datetime,
    billed: Collection[str] = (),
) -> list[ChargeLine]:
    """The lines the bill run of ``period`` (an open month, its first day) takes: those
    accruing in it, and the late ones of closed months not yet ``billed`` (their keys),
    each with ``period`` set."""
    ensure_month_start(closed_before)
    first_open = month_of(closed_before)
    if period != month_of(period) or period < first_open:
        raise PeriodClosed(period=period.isoformat(), open=first_open.isoformat())
    return [
        replace(line, period=period)
        for line in lines
        if line.key not in billed and period_for(line.accrued_at, closed_before) == period
    ]


def period_lines(
    events: Sequence[EventFacts],
    period: date,
    *,
    closed_before: datetime,
    billed: Collection[str] = (),
) -> list[ChargeLine]:
    """One subscription's charge lines for ``period`` (a month's first day) from its whole
    ordered history: ``history_lines`` up to the period's end, then
    ``charges_for_period``."""
    until = midnight(next_month(period))
    return charges_for_period(
        history_lines(events, until=until), period, closed_before=closed_before, billed=billed
    )


def one_time_lines(purchase: OneTimeFacts) -> list[ChargeLine]:
    """A one-time purchase's lines: ``new`` at purchase, unit price rounded once per seat
    (perpetual software has no term, PC:create-a-new-subscription.md), and on cancellation
    (a full refund within 30 days, rules.md §9c) ``cancelImmediate`` crediting the
    recorded ``refund`` exactly, never more than was charged."""
    currency = Currency.of(purchase.currency)
    each = round_amount(purchase.unit_price, currency)
    day = purchase.ordered_at.date()
    common: dict[str, Any] = {
        "charge_start": day,
        "charge_end": day,
        "unit_price": purchase.unit_price,
        "currency": currency.code,
        "order_id": purchase.order_id,
        "order_line_number": purchase.line_number,
        "term_duration": TermDuration.ONE_TIME.value,
        "billing_plan": BillingPlan.ONE_TIME.value,
    }
    source = f"order:{purchase.order_id}:{purchase.line_number}"
    charged = each * purchase.quantity
    bought = f"{source}:{ChargeType.NEW.value}"
    lines = [
        ChargeLine(
            key=bought,
            charge_type=ChargeType.NEW,
            accrued_at=purchase.ordered_at,
            period=month_of(purchase.ordered_at),
            quantity=purchase.quantity,
            effective_unit_price=each,
            amount=charged,
            **common,
        )
    ]
    if purchase.cancelled_at is None or not purchase.refund:
        return lines
    credit = min(round_amount(purchase.refund, currency), charged)
    for part, (seats, amount) in enumerate(per_seat_parts(credit, purchase.quantity, currency)):
        lines.append(
            ChargeLine(
                key=f"{source}:{ChargeType.CANCEL_IMMEDIATE.value}:{part}",
                charge_type=ChargeType.CANCEL_IMMEDIATE,
                accrued_at=purchase.cancelled_at,
                period=month_of(purchase.cancelled_at),
                quantity=seats,
                effective_unit_price=-amount,
                amount=-amount * seats,
                offsets_period=month_of(purchase.ordered_at),
                offsets_key=bought,
                **common,
            )
        )
    return lines
