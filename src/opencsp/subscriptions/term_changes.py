"""Midterm changes of term and billing frequency (rules.md §9b, §9f "Term /
billing-frequency change matrix"; PC:create-a-new-subscription.md,
PC:customers/billing-frequency-changes.md), asked for by a subscription PATCH
(``termDuration``, ``billingCycle``, ``nextChargeInstructions``) through ``service.update``.

- **An immediate term change** (monthly → annual or triennial, annual → triennial, on any
  plan the new term allows) starts a new term today: ``term_number`` + 1, from today to
  the natural end of the new term (``terms.Term.first``), priced from the price list in
  force now for the new term and plan. The unused part of the old term is credited,
  prorated by day as a cancellation is (``rules.prorated_refund``: today through the old
  end; changing on the old term's first day credits all of it). The new term has a fresh
  cancellation window and one seat batch holding every seat; scheduled next-term
  instructions are removed (``changes.CLEARS_SCHEDULED``).

  History, in the NCE charge vocabulary (file-formats.md §8e): ``changeBillingPlan`` on
  the *old* term carrying the credit in ``refund`` (``details.change = "termChange"``),
  then ``convert`` starting the *new* term at its price, keyed ``convert:{id}:{term}`` with
  ``details.anchorDay`` as a renewal's (so the window, the anchor of the month step and
  the provisioning message follow as for any new term).

- **A billing-frequency change** (triennial billed monthly ↔ annual) takes effect at the
  next billing cycle: stored in ``next_billing_plan`` from ``next_billing_plan_from`` (the
  first day of the cycle after today's, ``changes.next_billing_cycle_start``), shown as
  ``nextChargeInstructions`` and applied by ``billing_cycles`` in the ``renewals`` job.
  Asking for the current plan again, or sending ``nextChargeInstructions: null``, removes
  the pending change. In a term's last cycle there is no next cycle to change (800097):
  the renewal's scheduled instructions change the plan.

Both need an active subscription [inferred, as seat changes and auto-renew do: suspended
800091, otherwise 800012]; trials change neither (800107)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.actor import Actor
from opencsp.core.money import Currency
from opencsp.pricing import queries as pricing
from opencsp.subscriptions import changes, events, renewals, rules, seats, terms
from opencsp.subscriptions.changes import ChangeEvent, ChangeTiming
from opencsp.subscriptions.errors import BillingCycleNotChangeable
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.lifecycle import term_key
from opencsp.subscriptions.models import Subscription

TERM_CHANGE = "termChange"
BILLING_CYCLE_CHANGE = "billingCycleChange"
"""``details.change`` of the events, telling the two kinds of plan change apart."""


@dataclass(frozen=True, slots=True)
class PlanDecision:
    """What a PATCH asks of the term and plan: a new term now, a plan for the next
    billing cycle, or the removal of the pending one; nothing by default."""

    new_term: tuple[TermDuration, BillingPlan] | None = None
    next_plan: BillingPlan | None = None
    cancel_next: bool = False

    @property
    def is_change(self) -> bool:
        return self != PlanDecision()


def decide(
    sub: Subscription,
    *,
    term: TermDuration | None,
    plan: BillingPlan | None,
    next_plan: BillingPlan | None,
    clear_next: bool,
) -> PlanDecision:
    """Read the PATCH's ``termDuration`` / ``billingCycle`` (what the client wants the
    subscription to be), ``nextChargeInstructions.product.billingCycle`` (``next_plan``)
    and an explicit ``nextChargeInstructions: null`` (``clear_next``) against the matrix
    (``changes.check_term_change``: 800107, 900270, 800122, 800097). A body echoing the
    resource as read asks for nothing; ``billingCycle`` sent as the current plan with no
    ``nextChargeInstructions`` removes a pending change (the full-resource PATCH,
    rules.md §9d "omitting … next-charge instructions silently resets them")."""
    current_term, current_plan = TermDuration(sub.term_duration), BillingPlan(sub.billing_plan)
    pending = BillingPlan(sub.next_billing_plan) if sub.next_billing_plan else None
    wanted = (term or current_term, plan or current_plan)
    timing = changes.check_term_change(
        current_term, current_plan, *wanted, immediate=True, trial=sub.is_trial
    )
    asked_next = next_plan if next_plan not in (None, current_plan) else None
    if timing is ChangeTiming.IMMEDIATE:
        if asked_next is not None:
            raise BillingCycleNotChangeable(
                description="Change the term, or the billing cycle from the next cycle, "
                "not both in one update"
            )
        return PlanDecision(new_term=wanted)
    by_cycle = wanted[1] if timing is ChangeTiming.NEXT_BILLING_CYCLE else None
    if asked_next is not None:
        changes.check_term_change(
            current_term, current_plan, current_term, asked_next, immediate=True, trial=sub.is_trial
        )
        if by_cycle not in (None, asked_next):
            raise BillingCycleNotChangeable(
                description="billingCycle and nextChargeInstructions ask for different "
                "billing cycles"
            )
        by_cycle = asked_next
    if by_cycle is not None:
        return PlanDecision(next_plan=by_cycle) if by_cycle is not pending else PlanDecision()
    back_to_current = next_plan is current_plan or (plan is current_plan and next_plan is None)
    return PlanDecision(cancel_next=pending is not None and (clear_next or back_to_current))


def apply(
    session: Session, actor: Actor, sub: Subscription, decision: PlanDecision, now: datetime
) -> None:
    if decision.new_term is not None:
        change_term(session, actor, sub, *decision.new_term, now)
    elif decision.next_plan is not None:
        schedule_billing_cycle(session, actor, sub, decision.next_plan, now)
    elif decision.cancel_next:
        cancel_billing_cycle_change(session, actor, sub, now)


def change_term(
    session: Session,
    actor: Actor,
    sub: Subscription,
    term: TermDuration,
    plan: BillingPlan,
    now: datetime,
) -> None:
    """Start a new ``term`` billed ``plan`` today, crediting the old term's unused days
    (module docstring). Without a price for the new term and plan in the list in force
    now, nothing changes (``PriceNotFound``)."""
    seats.ensure_active(sub)
    today = now.date()
    price = pricing.unit_price(
        session,
        renewals.catalog_item_of(sub),
        sub.market_id,
        sub.currency,
        term,
        plan,
        at=now,
        quantity=sub.quantity,
    )
    credit = rules.prorated_refund(
        sub.unit_price,
        sub.quantity,
        sub.term_start,
        sub.term_end,
        today,
        currency=Currency.of(sub.currency),
    )
    before = {
        "termDuration": sub.term_duration,
        "billingCycle": sub.billing_plan,
        "unitPrice": str(sub.unit_price),
        "termNumber": sub.term_number,
    }
    events.record(
        session,
        sub,
        EventKind.CHANGE_BILLING_PLAN,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        refund=credit,
        details={"change": TERM_CHANGE, "termDuration": term.value, "billingCycle": plan.value},
    )
    new = terms.Term.first(today, term)
    sub.term_number += 1
    sub.term_start, sub.term_end, sub.custom_term_end = new.start, new.end, None
    sub.anchor_day = None
    sub.term_duration, sub.billing_plan = term.value, plan.value
    sub.unit_price, sub.price_list_id = price.unit_price, price.price_list_id
    sub.cancellable_until = renewals.renewal_window_end(sub, now)
    sub.next_billing_plan, sub.next_billing_plan_from = None, None
    seats.clear_scheduled(sub, ChangeEvent.TERM_CHANGE)
    session.flush()
    events.record(
        session,
        sub,
        EventKind.CONVERT,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        idempotency_key=term_key(EventKind.CONVERT, sub.id, sub.term_number),
        details={
            "change": TERM_CHANGE,
            "anchorDay": new.anchor_day,
            "priceListId": str(price.price_list_id),
            "credit": str(credit),
            "previous": before,
        },
    )
    renewals.add_seat_batch(session, sub, now)


def schedule_billing_cycle(
    session: Session, actor: Actor, sub: Subscription, plan: BillingPlan, now: datetime
) -> None:
    """Bill ``sub`` on ``plan`` from its next billing cycle (module docstring)."""
    seats.ensure_active(sub)
    anchor = renewals.anchor_days([sub])[sub.id]
    periods = terms.billing_periods(
        sub.term_start, sub.term_end, BillingPlan(sub.billing_plan), anchor_day=anchor
    )
    start = changes.next_billing_cycle_start(periods, now.date())
    if start is None:
        raise BillingCycleNotChangeable(
            description="This is the term's last billing cycle; change the billing cycle "
            "for the renewal with scheduledNextTermInstructions"
        )
    sub.next_billing_plan, sub.next_billing_plan_from = plan.value, start
    _record_instruction(session, actor, sub, now, {"billingCycle": plan.value, "from": str(start)})


def cancel_billing_cycle_change(
    session: Session, actor: Actor, sub: Subscription, now: datetime
) -> None:
    """Remove the pending billing-frequency change; the plan stays as it is."""
    sub.next_billing_plan, sub.next_billing_plan_from = None, None
    _record_instruction(session, actor, sub, now, None)


def _record_instruction(
    session: Session,
    actor: Actor,
    sub: Subscription,
    now: datetime,
    instruction: dict[str, str] | None,
) -> None:
    events.record(
        session,
        sub,
        EventKind.SCHEDULE,
        at=now,
        actor_id=actor.user_id,
        quantity_before=sub.quantity,
        details={"change": BILLING_CYCLE_CHANGE, "nextChargeInstructions": instruction},
    )
