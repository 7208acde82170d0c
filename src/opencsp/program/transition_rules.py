"""Pure rules of a direct-bill partner's transition to indirect reseller (rules.md §2d,
PC:transition-direct-to-indirect.md): the state machine, the vendor's approval deadline
in business days, and the months the switch is billed around. No session, no clock.

States (``TRANSITIONS``)::

    requested ──approve──▶ approved ──(agreement, provider, every consent)──▶ scheduled
        │                     │                                                  │
        └─reject▶ rejected    └─withdraw▶ withdrawn ◀─withdraw──────────────────┤
                                                                                 ▼
                          completed ◀──complete── switching ◀──switch (1st of effective_period)

- ``requested``: the partner (Global admin) enrolled as indirect reseller on the same
  tenant; the vendor approves within five business days ("usually immediate, up to 5
  business days").
- ``approved``: the partner accepts the reseller agreement, chooses a provider and records
  each customer's consent (the reseller relationship extension: the partner must inform
  the customer and obtain consent first). When all three are done it is ``scheduled``
  for the next calendar month, ``effective_period``.
- ``switching``: from the first instant of ``effective_period`` the organization is an
  indirect reseller (no purchases, no price lists, no customer tenants — rules.md §1.4);
  its customers and subscriptions move once the bill run has closed the month before,
  so that month is billed to the partner and every later one to the provider.
- ``completed``, ``rejected``, ``withdrawn`` are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum

from opencsp.program.errors import (
    ConsentSignerRequired,
    TransitionClosed,
    TransitionNotDue,
    TransitionReasonRequired,
    TransitionStepOutOfOrder,
)

APPROVAL_BUSINESS_DAYS = 5
"""The vendor approves a transition within five business days (PC:transition-direct-to-
indirect.md: "usually immediate but can take up to 5 business days")."""


class TransitionState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    SWITCHING = "switching"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN = frozenset(
    {
        TransitionState.REQUESTED,
        TransitionState.APPROVED,
        TransitionState.SCHEDULED,
        TransitionState.SWITCHING,
    }
)
"""States that hold the organization's one open transition (``open_key``)."""

TRANSITIONS: Mapping[TransitionState, frozenset[TransitionState]] = {
    TransitionState.REQUESTED: frozenset(
        {TransitionState.APPROVED, TransitionState.REJECTED, TransitionState.WITHDRAWN}
    ),
    TransitionState.APPROVED: frozenset({TransitionState.SCHEDULED, TransitionState.WITHDRAWN}),
    TransitionState.SCHEDULED: frozenset({TransitionState.SWITCHING, TransitionState.WITHDRAWN}),
    TransitionState.SWITCHING: frozenset({TransitionState.COMPLETED}),
    TransitionState.COMPLETED: frozenset(),
    TransitionState.REJECTED: frozenset(),
    TransitionState.WITHDRAWN: frozenset(),
}

STEPS: Mapping[str, frozenset[TransitionState]] = {
    "approve": frozenset({TransitionState.REQUESTED}),
    "reject": frozenset({TransitionState.REQUESTED}),
    "withdraw": frozenset(
        {TransitionState.REQUESTED, TransitionState.APPROVED, TransitionState.SCHEDULED}
    ),
    "accept_agreement": frozenset({TransitionState.APPROVED}),
    "choose_provider": frozenset({TransitionState.APPROVED}),
    "record_consent": frozenset(
        {TransitionState.APPROVED, TransitionState.SCHEDULED, TransitionState.SWITCHING}
    ),
    "switch": frozenset({TransitionState.SCHEDULED}),
    "complete": frozenset({TransitionState.SWITCHING}),
}
"""Which states each step may be taken in (a step's own preconditions come on top)."""


def can_move(current: TransitionState, target: TransitionState) -> bool:
    return target in TRANSITIONS[current]


def ensure_move(current: TransitionState, target: TransitionState) -> TransitionState:
    """Move only along ``TRANSITIONS``; a final state answers that it is closed."""
    if not can_move(current, target):
        if not TRANSITIONS[current]:
            raise TransitionClosed(state=current.value)
        raise TransitionStepOutOfOrder(step=target.value, state=current.value)
    return target


def ensure_step(step: str, current: TransitionState) -> None:
    """``step`` is allowed in ``current`` (``STEPS``); otherwise a clear refusal naming the
    state (closed when it is final)."""
    if current in STEPS[step]:
        return
    if not TRANSITIONS[current]:
        raise TransitionClosed(state=current.value)
    raise TransitionStepOutOfOrder(step=step, state=current.value)


def is_open(state: TransitionState) -> bool:
    return state in OPEN


# --- dates -------------------------------------------------------------------------------


def is_business_day(day: date) -> bool:
    """Monday to Friday (public holidays are not modelled)."""
    return day.weekday() < 5


def add_business_days(start: date, days: int) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself never counts, so a
    request on a Saturday and one on the Friday before share their deadline)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def approve_by(requested_on: date, *, business_days: int = APPROVAL_BUSINESS_DAYS) -> date:
    """The vendor's deadline: five business days after the request (rules.md §2d)."""
    return add_business_days(requested_on, business_days)


def is_overdue(state: TransitionState, deadline: date, *, today: date) -> bool:
    """A request still waiting for the vendor after its deadline day."""
    return state is TransitionState.REQUESTED and today > deadline


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def period_text(month: date) -> str:
    return f"{month:%Y-%m}"


def parse_period(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def effective_period_for(scheduled_on: date) -> date:
    """The switch takes effect at the start of the first calendar month after the day the
    transition is ready (approved, agreement accepted, provider chosen, every consent):
    the month it is ready in is still billed to the partner."""
    return next_month(month_start(scheduled_on))


def ensure_switch_due(effective_period: date, *, today: date) -> None:
    """The switch happens on or after the first day of ``effective_period``."""
    if today < effective_period:
        raise TransitionNotDue(period=period_text(effective_period))


def switch_period(effective_period: date, latest_closed: date | None) -> date | None:
    """The month from which the provider is bill-to, decided at completion, or None while
    the last directly billed month (``effective_period`` − 1) is not closed yet.

    Completion waits for the bill run to close ``effective_period`` − 1, so its lines are
    the partner's; when the bill run has meanwhile closed later months too (the
    completion ran late), those were billed to the partner as well, and the provider is
    bill-to from the first month still open — never a month billed twice or not at all."""
    last_direct = previous_month(effective_period)
    if latest_closed is None or latest_closed < last_direct:
        return None
    return max(effective_period, next_month(latest_closed))


# --- consent and readiness ----------------------------------------------------------------


def missing_consents(
    customers: Iterable[tuple[str, str]], consented: Iterable[str]
) -> list[tuple[str, str]]:
    """The customers (id, name) moving to the provider whose consent is not recorded,
    by name: every customer the partner holds directly moves, so each needs consent
    (rules.md §2d); a customer stays out only if the partner ends its relationship."""
    have = set(consented)
    return sorted(((cid, name) for cid, name in customers if cid not in have), key=_by_name)


def _by_name(item: tuple[str, str]) -> tuple[str, str]:
    return (item[1].casefold(), item[0])


def is_ready(*, agreement_accepted: bool, provider_chosen: bool, missing: Iterable[object]) -> bool:
    """Ready to schedule: the reseller agreement accepted, a provider chosen and every
    customer's consent recorded."""
    return agreement_accepted and provider_chosen and not list(missing)


def clean_reason(reason: str | None) -> str:
    """A rejection says why (1–1024 characters): the partner reads it."""
    text = (reason or "").strip()
    if not text or len(text) > 1024:
        raise TransitionReasonRequired()
    return text


def clean_consent_by(value: str | None) -> str:
    """Who consented for the customer: a name (and e-mail), 1–256 characters."""
    text = (value or "").strip()
    if not text or len(text) > 256:
        raise ConsentSignerRequired()
    return text


NEXT_STEP: Mapping[TransitionState, str] = {
    TransitionState.REQUESTED: "awaitingApproval",
    TransitionState.APPROVED: "acceptAgreement",
    TransitionState.SCHEDULED: "scheduled",
    TransitionState.SWITCHING: "switching",
    TransitionState.COMPLETED: "done",
    TransitionState.REJECTED: "rejected",
    TransitionState.WITHDRAWN: "withdrawn",
}


def next_step(state: TransitionState, *, agreement_accepted: bool, provider_chosen: bool) -> str:
    """What the wizard shows next: request → awaiting approval → accept agreement →
    choose provider → customers' consent → scheduled → switching → done."""
    if state is TransitionState.APPROVED:
        if not agreement_accepted:
            return "acceptAgreement"
        if not provider_chosen:
            return "chooseProvider"
        return "customerConsent"
    return NEXT_STEP[state]
