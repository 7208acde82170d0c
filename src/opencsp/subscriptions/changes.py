"""Changes to a running subscription: trials and their conversion, upgrades (transitions),
the term / billing-frequency matrix, and scheduled next-term instructions
(rules.md §9f–9g, PC:create-a-new-subscription.md)."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from datetime import date, timedelta

from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, TermDuration
from opencsp.core.http import WireEnum
from opencsp.subscriptions.errors import (
    BillingCycleLongerThanTerm,
    BillingCycleNotChangeable,
    QuantityNotChangeable,
    SchedulingNotAllowed,
    StatusNotChangeable,
    SubscriptionNotActive,
    TargetCatalogItemMismatch,
    TargetEndsEarlier,
    TargetIsSource,
    TargetNotActive,
    TargetNotReady,
    TermShorter,
    TransitionTermInvalid,
    TransitionTermShorter,
    TrialConversionBelowMinimum,
    TrialConversionTargetEndsEarly,
    TrialTermChange,
    UpgradeNotSupported,
    UpgradeQuantityInvalid,
)
from opencsp.subscriptions.rules import Status

# --- trials (rules.md §9g) ---------------------------------------------------------------------

TRIAL_SEATS = 25
TRIAL_DAYS = 30
TRIAL_CONVERSION_TERM = TermDuration.P1Y
TRIAL_CONVERSION_PLAN = BillingPlan.MONTHLY


def trial_end(start: date) -> date:
    """A 30-day trial's inclusive last day: started 2026-03-01, it ends 2026-03-30."""
    return start + timedelta(days=TRIAL_DAYS - 1)


def trial_conversion_target(
    term: TermDuration | None = None, plan: BillingPlan | None = None
) -> tuple[TermDuration, BillingPlan]:
    """The paid term a trial converts to: annual billed monthly unless chosen (§9g)."""
    return term or TRIAL_CONVERSION_TERM, plan or TRIAL_CONVERSION_PLAN


def ensure_not_trial(*, is_trial: bool, changing: str) -> None:
    """During a trial neither quantity (800095) nor status (800096) changes (§9g).
    ``changing`` is ``"quantity"`` or ``"status"``."""
    if not is_trial:
        return
    if changing == "quantity":
        raise QuantityNotChangeable(description="A trial's quantity can't be changed")
    raise StatusNotChangeable(description="A trial's status can't be changed")


def check_trial_conversion(
    quantity: int, *, scheduled: bool, trial_ends: date, into_end: date | None = None
) -> None:
    """A conversion before the trial ends keeps at least 25 seats (schedule it to convert
    fewer); converting into an existing subscription needs that one to end on or after the
    trial end (rules.md §9g). Scheduling needs auto-renew on: ``ensure_can_schedule``."""
    if not scheduled and quantity < TRIAL_SEATS:
        raise TrialConversionBelowMinimum(minimum=TRIAL_SEATS)
    if into_end is not None and into_end < trial_ends:
        raise TrialConversionTargetEndsEarly(trial_end=trial_ends.isoformat())


# --- upgrades (rules.md §9f) --------------------------------------------------------------------


class UpgradeKind(WireEnum):
    FULL = "full"  # all seats move; the subscription ID is kept, licenses move by themselves
    PARTIAL = "partial"  # a coterminous second subscription; licenses are moved by hand


@dataclass(frozen=True, slots=True)
class UpgradeSide:
    """What an upgrade needs to know of a subscription."""

    subscription_id: str
    catalog_item_id: str
    status: Status
    quantity: int
    term: TermDuration
    end: date
    trial: bool = False


@dataclass(frozen=True, slots=True)
class UpgradePlan:
    kind: UpgradeKind
    end: date
    """The upgraded seats end with the source: a partial upgrade is coterminous."""
    cancellation_window: bool = False
    """No window after an upgrade (§9f)."""
    clears_scheduled: bool = True
    """A midterm upgrade removes scheduled upgrades and changes (§9f)."""


def check_upgrade(
    source: UpgradeSide,
    to_catalog_item_id: str,
    *,
    quantity: int,
    term: TermDuration,
    upgrade_targets: Set[str],
    target: UpgradeSide | None = None,
    target_window_open: bool = False,
) -> UpgradePlan:
    """Accept an upgrade of ``quantity`` seats of ``source`` to ``to_catalog_item_id`` or
    raise (rules.md §9f): only active sources (800012); only to a higher SKU, which the
    catalog lists in ``upgrade_targets`` (no downgrades); 1 to all seats; a term no shorter
    than the source's (900267). Into an existing ``target``: it is active (900258), not
    the source (900259), of the requested catalog item (900260), past its own cancellation
    window (900261), on the source's term (a shorter one 900267, a longer one 900268) and
    not ending before the source
    (900236; the error's text says "later", the doc's table "not before": equal ends are
    accepted, which is what coterminous means). A trial is never a source: upgrades go
    paid to paid, a trial converts at its end (§9f, §9g)."""
    if source.status is not Status.ACTIVE:
        raise SubscriptionNotActive()
    if source.trial:
        raise UpgradeNotSupported(
            target=to_catalog_item_id,
            source=source.catalog_item_id,
            description="A trial can't be upgraded: it converts to paid at its end (schedule "
            "the paid offer with scheduledNextTermInstructions)",
        )
    if to_catalog_item_id not in upgrade_targets:
        raise UpgradeNotSupported(target=to_catalog_item_id, source=source.catalog_item_id)
    if not 1 <= quantity <= source.quantity:
        raise UpgradeQuantityInvalid(available=source.quantity, quantity=quantity)
    if TERM_MONTHS[term] < TERM_MONTHS[source.term]:
        raise TransitionTermShorter()
    if target is not None:
        _check_target(source, target, to_catalog_item_id, target_window_open=target_window_open)
    kind = UpgradeKind.FULL if quantity == source.quantity else UpgradeKind.PARTIAL
    return UpgradePlan(kind, source.end)


def _check_target(
    source: UpgradeSide, target: UpgradeSide, catalog_item_id: str, *, target_window_open: bool
) -> None:
    if target.status is not Status.ACTIVE:
        raise TargetNotActive()
    if target.subscription_id == source.subscription_id:
        raise TargetIsSource()
    if target.catalog_item_id.upper() != catalog_item_id.upper():
        raise TargetCatalogItemMismatch()
    if target_window_open:
        raise TargetNotReady()
    if TERM_MONTHS[target.term] < TERM_MONTHS[source.term]:
        raise TransitionTermShorter()
    if target.term is not source.term:
        raise TransitionTermInvalid()
    if target.end < source.end:
        raise TargetEndsEarlier()


# --- term and billing-frequency changes (rules.md §9f matrix) ------------------------------------


class ChangeTiming(WireEnum):
    IMMEDIATE = "immediate"  # the term changes now
    NEXT_BILLING_CYCLE = "next_billing_cycle"  # nextChargeInstructions
    AT_RENEWAL = "at_renewal"  # scheduledNextTermInstructions


_T, _P = TermDuration, BillingPlan

IMMEDIATE_TERM_CHANGES: dict[tuple[TermDuration, BillingPlan], frozenset[TermDuration]] = {
    (_T.P1M, _P.MONTHLY): frozenset({_T.P1Y, _T.P3Y}),
    (_T.P1Y, _P.MONTHLY): frozenset({_T.P3Y}),
    (_T.P1Y, _P.ANNUAL): frozenset({_T.P3Y}),
}
"""Midterm term changes: monthly → annual or triennial, annual → triennial, each to any
plan the new term allows (rules.md §9f table)."""

NEXT_CYCLE_PLAN_CHANGES: dict[tuple[TermDuration, BillingPlan], frozenset[BillingPlan]] = {
    (_T.P3Y, _P.MONTHLY): frozenset({_P.ANNUAL}),
    (_T.P3Y, _P.ANNUAL): frozenset({_P.MONTHLY}),
}
"""Midterm billing-frequency changes, which take effect at the next billing cycle; upfront
(triennial) can only be chosen at purchase (rules.md §9b, §9f table)."""


def check_term_change(
    current_term: TermDuration,
    current_plan: BillingPlan,
    new_term: TermDuration,
    new_plan: BillingPlan,
    *,
    immediate: bool,
    trial: bool = False,
) -> ChangeTiming | None:
    """When a change of term or billing plan takes effect, None when nothing changes, or
    the documented error (rules.md §9f): trials 800107; a plan longer than the term 900270;
    midterm (``immediate``) a shorter term 800122, a term change outside the matrix 800122
    or a plan change outside it 800097. At renewal (a scheduled change) any standard
    combination is accepted."""
    if (current_term, current_plan) == (new_term, new_plan):
        return None
    if trial:
        raise TrialTermChange()
    if new_plan not in PERIOD_MONTHS or new_term not in TERM_MONTHS:
        raise BillingCycleNotChangeable()
    if PERIOD_MONTHS[new_plan] > TERM_MONTHS[new_term]:
        raise BillingCycleLongerThanTerm()
    if not immediate:
        return ChangeTiming.AT_RENEWAL
    if new_term is current_term:
        if new_plan in NEXT_CYCLE_PLAN_CHANGES.get((current_term, current_plan), frozenset()):
            return ChangeTiming.NEXT_BILLING_CYCLE
        raise BillingCycleNotChangeable()
    if new_term in IMMEDIATE_TERM_CHANGES.get((current_term, current_plan), frozenset()):
        return ChangeTiming.IMMEDIATE
    if TERM_MONTHS[new_term] < TERM_MONTHS[current_term]:
        raise TermShorter()
    raise TermShorter(description="This term change isn't supported midterm")


@dataclass(frozen=True, slots=True)
class MidtermOptions:
    """What the matrix lets a subscription change to now: a new term (with the plans
    that term can be billed on) at once, or another plan from the next billing cycle."""

    immediate: tuple[tuple[TermDuration, BillingPlan], ...]
    next_cycle: tuple[BillingPlan, ...]


def midterm_options(term: TermDuration, plan: BillingPlan, *, trial: bool) -> MidtermOptions:
    """Every (term, plan) ``check_term_change`` accepts midterm for ``term`` billed
    ``plan``, in the order of the enums (rules.md §9f table); trials have none (800107)."""
    if trial:
        return MidtermOptions((), ())
    terms = IMMEDIATE_TERM_CHANGES.get((term, plan), frozenset())
    immediate = tuple(
        (t, p)
        for t in TermDuration
        if t in terms
        for p in BillingPlan
        if p in PERIOD_MONTHS and PERIOD_MONTHS[p] <= TERM_MONTHS[t]
    )
    plans = NEXT_CYCLE_PLAN_CHANGES.get((term, plan), frozenset())
    return MidtermOptions(immediate, tuple(p for p in BillingPlan if p in plans))


def next_billing_cycle_start(periods: Sequence[tuple[date, date]], today: date) -> date | None:
    """The first day of the billing cycle after the one ``today`` is in: where a
    billing-frequency change takes effect (rules.md §9f "scheduled, next cycle"). A cycle
    starting today has been charged already, so the next one is the one after. None in a
    term's last cycle: the next cycle is the renewal, which scheduled instructions reach."""
    for start, _ in periods:
        if start > today:
            return start
    return None


# --- scheduled next-term instructions ----------------------------------------------------------


class ChangeEvent(WireEnum):
    """Things that happen to a running subscription, for what they do to its scheduled
    next-term instructions."""

    MIDTERM_CANCEL = "midterm_cancel"
    AUTO_RENEW_OFF = "auto_renew_off"
    AUTO_RENEW_ON = "auto_renew_on"
    QUANTITY_CHANGE = "quantity_change"
    UPGRADE = "upgrade"
    TRIAL_CONVERSION = "trial_conversion"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    FRIENDLY_NAME_CHANGE = "friendly_name_change"
    BILLING_CYCLE_CHANGE = "billing_cycle_change"
    TERM_CHANGE = "term_change"


CLEARS_SCHEDULED: frozenset[ChangeEvent] = frozenset(
    {
        ChangeEvent.MIDTERM_CANCEL,
        ChangeEvent.AUTO_RENEW_OFF,
        ChangeEvent.QUANTITY_CHANGE,
        ChangeEvent.UPGRADE,
        ChangeEvent.TRIAL_CONVERSION,
        ChangeEvent.SUSPEND,
        ChangeEvent.TERM_CHANGE,
    }
)
"""Any midterm cancel, auto-renew off, quantity change, SKU upgrade or trial conversion
deletes the scheduled instructions (rules.md §9f), and so does suspending (§9d).

[inferred] An immediate term change deletes them too: it starts a new term, and the
instructions were written for the old term's renewal (their custom end date was checked
against that renewal date, 900245). A billing-frequency change at the next billing cycle
keeps the term and its renewal, so it keeps them."""


def clears_scheduled(event: ChangeEvent) -> bool:
    return event in CLEARS_SCHEDULED


@dataclass(frozen=True, slots=True)
class TermSettings:
    """What a term is bought on; the next term starts from the current one's."""

    catalog_item_id: str
    term: TermDuration
    plan: BillingPlan
    quantity: int
    custom_end: date | None = None
    promotion_id: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduledInstructions:
    """``scheduledNextTermInstructions``: any field left None keeps the current value
    (PC:developer/create-scheduled-changes.md)."""

    catalog_item_id: str | None = None
    term: TermDuration | None = None
    plan: BillingPlan | None = None
    quantity: int | None = None
    custom_end: date | None = None
    promotion_id: str | None = None


def ensure_can_schedule(status: Status, *, auto_renew: bool) -> None:
    """Scheduled changes only on an active subscription with auto-renew on (§9f)."""
    if status is not Status.ACTIVE or not auto_renew:
        raise SchedulingNotAllowed(status=status.value, auto_renew="on" if auto_renew else "off")


def apply_at_renewal(
    current: TermSettings, instructions: ScheduledInstructions | None
) -> TermSettings:
    """The next term's settings: the current ones with the scheduled instructions laid
    over them. A custom end date and a promotion belong to one term, so without new ones
    the next term has none (the price is looked up again at renewal, DESIGN.md §4)."""
    base = replace(current, custom_end=None, promotion_id=None)
    if instructions is None:
        return base
    return TermSettings(
        catalog_item_id=instructions.catalog_item_id or base.catalog_item_id,
        term=instructions.term or base.term,
        plan=instructions.plan or base.plan,
        quantity=instructions.quantity if instructions.quantity is not None else base.quantity,
        custom_end=instructions.custom_end,
        promotion_id=instructions.promotion_id,
    )
