"""Pure rules of new-commerce subscriptions: the lifecycle as a transition table, what a
move does besides changing the status, and the money of a term (proration, refunds, the
constant per-period charge). Dates of terms live in ``terms``, windows in ``windows``,
upgrades, trials and scheduled changes in ``changes`` (rules.md §9b–9g).

No database, no clock: time comes in as ``now=``/dates, settings as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, TermDuration
from opencsp.core.errors import InvalidInput
from opencsp.core.http import WireEnum
from opencsp.core.money import Currency, round_amount
from opencsp.subscriptions.errors import InvalidTransition

EXPIRED_DAYS = 30
"""An expired subscription turns disabled after 30 days (rules.md §9e)."""

DISABLED_DAYS = 90
"""A disabled subscription is deleted after 90 days (rules.md §9e)."""


class Status(WireEnum):
    """``status`` of a subscription with the API's spellings (PC:developer/subscription-
    resources.md). There is no ``cancelled`` state: Partner Center reports a cancelled NCE
    subscription as ``deleted`` at once (rules.md §9e "Canceled … then Deleted directly"),
    so cancelling moves to ``deleted``; that it was a cancellation (with its refund) is
    recorded by the action, not the state. ``pending`` is an order line not yet
    provisioned; ``none`` is the API's unknown value and never a stored state."""

    NONE = "none"
    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    DISABLED = "disabled"
    DELETED = "deleted"


class Action(WireEnum):
    """What moves a subscription through its lifecycle (rules.md §9d–9e)."""

    ACTIVATE = "activate"  # provisioning finished: pending → active
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    TERM_END_WITH_RENEW = "term_end_with_renew"  # the renewal instant passed, auto-renew on
    RENEW = "renew"  # the renewal is recorded: a new term starts
    TERM_END_WITHOUT_RENEW = "term_end_without_renew"
    TERM_END_WHILE_SUSPENDED = "term_end_while_suspended"
    EXPIRE_ELAPSED = "expire_elapsed"  # expired for EXPIRED_DAYS
    DISABLE_ELAPSED = "disable_elapsed"  # disabled for DISABLED_DAYS


_S, _A = Status, Action

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (_S.PENDING, _A.ACTIVATE): _S.ACTIVE,
    (_S.ACTIVE, _A.SUSPEND): _S.SUSPENDED,
    (_S.SUSPENDED, _A.REACTIVATE): _S.ACTIVE,
    (_S.ACTIVE, _A.CANCEL): _S.DELETED,
    (_S.SUSPENDED, _A.CANCEL): _S.DELETED,
    (_S.ACTIVE, _A.TERM_END_WITH_RENEW): _S.ACTIVE,
    (_S.ACTIVE, _A.RENEW): _S.ACTIVE,
    (_S.ACTIVE, _A.TERM_END_WITHOUT_RENEW): _S.EXPIRED,
    (_S.SUSPENDED, _A.TERM_END_WHILE_SUSPENDED): _S.DISABLED,
    (_S.EXPIRED, _A.EXPIRE_ELAPSED): _S.DISABLED,
    (_S.DISABLED, _A.DISABLE_ELAPSED): _S.DELETED,
}
"""The new-commerce lifecycle (PC:subscription-lifecycle.md; rules.md §9d–9e):

- active ⇄ suspended; a suspended subscription is reactivated only before its term ends,
  because at term end it becomes disabled;
- cancel (within the window, checked by ``windows``) deletes at once, from active or
  suspended (a suspended subscription is still billed, so its window still refunds —
  [inferred]);
- at term end: auto-renew on → stays active and renews; off → expired (30 days, not billed,
  can't be reactivated); still suspended → disabled;
- expired for 30 days → disabled; disabled for 90 days → deleted (unrecoverable).

Renewing needs auto-renew on, which suspension turns off (``effects``), so a suspended
subscription never renews. Anything not in the table is refused."""


def transition(status: Status, action: Action) -> Status:
    """The state after ``action``, or ``InvalidTransition`` (409) when the table has no
    such move."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(status=status.value, action=action.value) from None


def allowed_actions(status: Status) -> frozenset[Action]:
    return frozenset(action for (source, action) in TRANSITIONS if source is status)


SEATED = frozenset({Status.ACTIVE, Status.SUSPENDED, Status.PENDING})
"""Statuses whose seats are on the customer's tenant: what a pooled seat limit counts
(rules.md §9i)."""


def is_billed(status: Status) -> bool:
    """Active and suspended NCE subscriptions are billed; expired, disabled and deleted
    are not (rules.md §9d–9e). A pending one is not billed until it is active."""
    return status in {Status.ACTIVE, Status.SUSPENDED}


@dataclass(frozen=True, slots=True)
class Effects:
    """What a move does besides the status, for the service to apply."""

    auto_renew_off: bool = False
    clear_scheduled: bool = False
    """Remove ``scheduledNextTermInstructions``; ``nextChargeInstructions`` stay."""
    ends_access: bool = False


_EFFECTS: dict[Action, Effects] = {
    # Suspending turns auto-renew off and removes scheduled changes; next-charge
    # instructions remain (rules.md §9d, PC:create-a-new-subscription.md).
    Action.SUSPEND: Effects(auto_renew_off=True, clear_scheduled=True),
    # A midterm cancel deletes scheduled changes (rules.md §9f) and access at once (§9c).
    Action.CANCEL: Effects(auto_renew_off=True, clear_scheduled=True, ends_access=True),
    Action.TERM_END_WITHOUT_RENEW: Effects(clear_scheduled=True),
    Action.TERM_END_WHILE_SUSPENDED: Effects(clear_scheduled=True, ends_access=True),
    Action.EXPIRE_ELAPSED: Effects(ends_access=True),
    Action.DISABLE_ELAPSED: Effects(ends_access=True),
    # Renewing consumes the scheduled instructions (``changes.apply_at_renewal``).
    Action.RENEW: Effects(clear_scheduled=True),
}


def effects(action: Action) -> Effects:
    """The side effects of ``action`` (none for reactivate: auto-renew stays off until the
    partner turns it back on, rules.md §9d)."""
    return _EFFECTS.get(action, Effects())


def lifecycle_due(status: Status, since: date, today: date) -> Action | None:
    """The timed move due on ``today`` for a subscription in ``status`` since ``since``
    (the first day in that state): expired for 30 whole days → disabled, disabled for 90
    → deleted (rules.md §9e). A subscription expired on day d is disabled on d + 30."""
    if status is Status.EXPIRED and today >= since + timedelta(days=EXPIRED_DAYS):
        return Action.EXPIRE_ELAPSED
    if status is Status.DISABLED and today >= since + timedelta(days=DISABLED_DAYS):
        return Action.DISABLE_ELAPSED
    return None


# --- money of a term ------------------------------------------------------------------------


def days_in(start: date, end: date) -> int:
    """Whole days of an inclusive ``start``–``end`` span."""
    if end < start:
        raise InvalidInput(description="A term can't end before it starts")
    return (end - start).days + 1


def prorated_refund(
    unit_price_for_term: Decimal,
    quantity: int,
    term_start: date,
    term_end: date,
    cancelled_on: date,
    *,
    currency: Currency,
) -> Decimal:
    """The refund of cancelling (or reducing ``quantity`` seats) on ``cancelled_on``:
    the line's term price times unused whole days over days in the term, rounded once
    (rules.md §9c, proration daily; PC:new-commerce-cancellation-policy.md).

    The cancellation day itself is not charged (access ends at once, §9c), so the unused
    days are ``cancelled_on`` through ``term_end``: cancelling on the first day refunds
    everything. Dates outside the term clamp: before it, all; after it, nothing.
    ``used_charge`` is the complement, so the two always add up to the line price."""
    total = days_in(term_start, term_end)
    effective = min(max(cancelled_on, term_start), term_end + timedelta(days=1))
    unused = (term_end - effective).days + 1
    line = unit_price_for_term * quantity
    return round_amount(line * unused / total, currency)


def used_charge(
    unit_price_for_term: Decimal,
    quantity: int,
    term_start: date,
    term_end: date,
    cancelled_on: date,
    *,
    currency: Currency,
) -> Decimal:
    """What the partner keeps paying after a cancellation on ``cancelled_on``: the line
    price less the refund, so refund + used = price exactly."""
    line = round_amount(unit_price_for_term * quantity, currency)
    refund = prorated_refund(
        unit_price_for_term, quantity, term_start, term_end, cancelled_on, currency=currency
    )
    return line - refund


def period_charge(
    unit_price_for_term: Decimal,
    quantity: int,
    term: TermDuration,
    plan: BillingPlan,
    *,
    currency: Currency,
) -> Decimal:
    """The charge of one billing period: the term price times period months over term
    months (an annual term billed monthly pays 1/12 a month), rounded once per line. It is
    constant for the whole term (rules.md §9b, PC:billing-basics.md), so the periods may
    add up to the term price give or take the rounding of each."""
    if plan not in PERIOD_MONTHS or term not in TERM_MONTHS:
        raise InvalidInput(description=f"{term.value} billed {plan.value} has no periods")
    period, months = PERIOD_MONTHS[plan], TERM_MONTHS[term]
    if period > months:
        raise InvalidInput(description="The billing cycle cannot be longer than the term.")
    return round_amount(unit_price_for_term * quantity * period / months, currency)


def prorated_first_term(
    unit_price_for_term: Decimal,
    quantity: int,
    start: date,
    custom_end: date,
    natural_end: date,
    *,
    currency: Currency,
) -> Decimal:
    """The price of a first term shortened to a custom end date: the term price times its
    days over the days of the natural term (rules.md §9f "the first short term is
    prorated", PC:align-subscription-end-dates.md)."""
    fraction_days = days_in(start, custom_end)
    total = days_in(start, natural_end)
    if fraction_days > total:
        raise InvalidInput(description="A custom term end date must be within the first term")
    return round_amount(unit_price_for_term * quantity * fraction_days / total, currency)
