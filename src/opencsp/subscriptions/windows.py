"""Windows of a subscription: cancelling for a refund, reducing seats per batch, the
update ceiling and the pending renewal (rules.md §9c–9d). Window lengths are settings the
caller passes (``settings().cancellation_window_days``, ``perpetual_refund_days``).

A window is open up to and including its last instant: purchased at t with a 7-day window,
cancelling at exactly t + 7 days is allowed, a microsecond later is not (DESIGN's
``now > start + window`` refuses).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from opencsp.catalog.rules import ProductType, cancellation_policy
from opencsp.core.errors import InvalidInput
from opencsp.subscriptions.errors import (
    CancellationWindowPassed,
    NoCancellationWindowAfterUpgrade,
    QuantityNotDecreasable,
    RenewalPending,
    SeatReductionWindowPassed,
    TooManyUpdates,
)
from opencsp.subscriptions.terms import renewal_instant

UPDATE_CEILING = 1200
"""Updates one subscription takes; past it Partner Center answers 900311 and the
workaround is a second subscription (rules.md §9c, PC:create-a-new-subscription.md)."""


def _window_days(product_type: ProductType, window_days: int, perpetual_days: int) -> int:
    policy = cancellation_policy(
        product_type, window_days=window_days, perpetual_days=perpetual_days
    )
    return policy.window.days


def cancellation_deadline(
    purchased_or_renewed_at: datetime,
    *,
    window_days: int,
    product_type: ProductType,
    upgraded: bool,
    perpetual_days: int,
) -> datetime | None:
    """The last instant a cancellation refunds (``cancellationAllowedUntilDate``): the
    purchase or the latest renewal plus the product type's window — perpetual software its
    refund days, everything else ``window_days`` (PC:new-commerce-cancellation-policy.md).
    None after an upgrade, which has no window until the next renewal (rules.md §9f)."""
    if upgraded:
        return None
    days = _window_days(product_type, window_days, perpetual_days)
    return purchased_or_renewed_at + timedelta(days=days)


def cancellation_allowed(
    purchased_or_renewed_at: datetime,
    now: datetime,
    *,
    window_days: int,
    product_type: ProductType,
    upgraded: bool,
    perpetual_days: int,
) -> bool:
    deadline = cancellation_deadline(
        purchased_or_renewed_at,
        window_days=window_days,
        product_type=product_type,
        upgraded=upgraded,
        perpetual_days=perpetual_days,
    )
    return deadline is not None and now <= deadline


def ensure_cancellation_allowed(
    purchased_or_renewed_at: datetime,
    now: datetime,
    *,
    window_days: int,
    product_type: ProductType,
    upgraded: bool,
    perpetual_days: int,
) -> None:
    """Cancel only within the window after purchase or renewal; afterwards 900117 with
    the window's day count (rules.md §9c, PC:developer/error-codes.md)."""
    if upgraded:
        raise NoCancellationWindowAfterUpgrade(days=0)
    if not cancellation_allowed(
        purchased_or_renewed_at,
        now,
        window_days=window_days,
        product_type=product_type,
        upgraded=False,
        perpetual_days=perpetual_days,
    ):
        raise CancellationWindowPassed(days=_window_days(product_type, window_days, perpetual_days))


# --- seat batches ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatBatch:
    """Seats added together (purchase, renewal or a midterm increase) and the last instant
    they may be taken back (``refundableQuantity.details[]``, rules.md §9c)."""

    quantity: int
    added_at: datetime
    allowed_until: datetime

    @classmethod
    def added(cls, quantity: int, added_at: datetime, *, window_days: int) -> SeatBatch:
        return cls(quantity, added_at, added_at + timedelta(days=window_days))

    def is_refundable(self, now: datetime) -> bool:
        return self.quantity > 0 and self.added_at <= now <= self.allowed_until


@dataclass(frozen=True, slots=True)
class RefundableDetail:
    quantity: int
    allowed_until: datetime


@dataclass(frozen=True, slots=True)
class Refundable:
    """``refundableQuantity{totalQuantity, details[{quantity, allowedUntilDateTime}]}``
    (sample subscriptions-get-by-id-nce)."""

    total_quantity: int
    details: tuple[RefundableDetail, ...]


def refundable(batches: Iterable[SeatBatch], now: datetime) -> Refundable:
    """The seats that may still be reduced at ``now``: every batch inside its window,
    in the order of their deadlines."""
    open_batches = sorted(
        (batch for batch in batches if batch.is_refundable(now)),
        key=lambda batch: (batch.allowed_until, batch.added_at),
    )
    details = tuple(RefundableDetail(b.quantity, b.allowed_until) for b in open_batches)
    return Refundable(sum(d.quantity for d in details), details)


def reduce(
    batches: Sequence[SeatBatch],
    by: int,
    now: datetime,
    *,
    product_type: ProductType,
    window_days: int,
) -> tuple[SeatBatch, ...]:
    """The batches after removing ``by`` seats at ``now``, taken from the newest batch
    still in its window first (a reduction undoes the latest addition; older batches'
    seats, already past or nearer their deadline, are the ones kept). Emptied batches are
    dropped; the order of the rest is kept.

    Seats can be reduced only within their batch's window (rules.md §9c): with nothing
    refundable, 900257 with the window's days; with some but fewer than ``by``, 800090.
    Software subscriptions take no seat reductions (cancel and re-buy instead), 800090."""
    if by <= 0:
        raise InvalidInput(description="A seat reduction removes at least one seat")
    if not cancellation_policy(product_type, window_days=window_days).seat_reduction:
        raise QuantityNotDecreasable(description="Seats of this product can't be reduced")
    available = refundable(batches, now).total_quantity
    if available == 0:
        raise SeatReductionWindowPassed(days=window_days)
    if by > available:
        raise QuantityNotDecreasable(data=[{"refundableQuantity": available, "requested": by}])
    left = by
    result = list(batches)
    newest_first = sorted(
        (i for i, batch in enumerate(result) if batch.is_refundable(now)),
        key=lambda i: result[i].added_at,
        reverse=True,
    )
    for index in newest_first:
        take = min(left, result[index].quantity)
        result[index] = replace(result[index], quantity=result[index].quantity - take)
        left -= take
        if left == 0:
            break
    return tuple(batch for batch in result if batch.quantity > 0)


# --- updates and renewals ----------------------------------------------------------------------


def check_update_count(updates_so_far: int) -> None:
    """Refuse the update after the 1,200th with 900311 (rules.md §9c)."""
    if updates_so_far >= UPDATE_CEILING:
        raise TooManyUpdates()


def pending_renewal(now: datetime, end: date, *, term_end_processed: bool) -> bool:
    """A renewal is pending from the renewal instant, 00:00 UTC of the day after the
    inclusive end date, until the term end is recorded (renewed or expired); it can take up
    to 24 hours (rules.md §9d, PC:create-a-new-subscription.md)."""
    return not term_end_processed and now >= renewal_instant(end)


def ensure_not_pending_renewal(now: datetime, end: date, *, term_end_processed: bool) -> None:
    """While the renewal is pending auto-renew, scheduled instructions and status are
    read-only: 409, retry after 2 minutes (rules.md §9d)."""
    if pending_renewal(now, end, term_end_processed=term_end_processed):
        raise RenewalPending()
