"""A customer's subscriptions and one subscription: offer, term (start–end, both whole
UTC days inclusive, rules.md §9b), the price locked for the term, status, auto-renew, the
seats still refundable with each batch's deadline (rules.md §9c), the cancellation
window ("cancellable until …" or closed: after it, 900117), the scheduled next-term
instructions (§9f), the term and billing-cycle changes the §9f matrix allows now (and a
pending one, ``nextChargeInstructions``), upgrade options with the reason an option is
closed and the customer's subscriptions seats could move into, the history
from ``subscriptions.queries.timeline`` and, for the partner the subscription is billed
to, the action forms (``console.pages.subscription_actions``).

What is read is what ``subscriptions.queries`` lets the actor read; indirect resellers
cannot view customer subscriptions (rules.md §1.4, ``auth.rules.TIER_DENIED``), so the
pages need ``Perm.SUBSCRIPTIONS_READ``; a reader without ``SUBSCRIPTIONS_MANAGE`` (a
Helpdesk agent) sees no action."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.console import rendering, session
from opencsp.console.pages import commerce
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.subscriptions import changes, queries, scheduling, upgrades
from opencsp.subscriptions.errors import SubscriptionNotFound
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.SUBSCRIPTIONS_READ)]


def manages(visit: Visit, sub: Subscription) -> bool:
    """Whether to show the action forms: the partner billed for the subscription, with
    the permission to manage (the service decides again on every action)."""
    return (
        visit.actor.can(Perm.SUBSCRIPTIONS_MANAGE)
        and not visit.actor.is_vendor
        and sub.organization_id == visit.actor.organization_id
    )


@router.get("/customers/{customer_id}/subscriptions")
def list_subscriptions(request: Request, customer_id: str, visit: Reader) -> Response:
    customer = commerce.customer_of(request, visit)
    rows = queries.list_views(db(request), visit.actor, customer.id, now=clock.now())
    context: dict[str, Any] = {
        "customer": customer,
        "rows": rows,
        "can_buy": visit.actor.can(Perm.ORDERS_MANAGE),
        **commerce.formatters(request),
    }
    return rendering.render(request, "subscriptions.html", context)


def subscription_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        return commerce.not_found(request, error, status)
    store = db(request)
    customer = commerce.customer_of(request, visit)
    sub_id = commerce.parse_uuid(
        request.path_params.get("subscription_id", ""), SubscriptionNotFound
    )
    now = clock.now()
    shown = queries.view(store, visit.actor, customer.id, sub_id, now=now)
    sub = shown.sub
    can_manage = manages(visit, sub)
    active = sub.status == Status.ACTIVE.value
    deadline = shown.cancellation_allowed_until
    context: dict[str, Any] = {
        "customer": customer,
        "view": shown,
        "sub": sub,
        "events": queries.timeline(store, visit.actor, customer.id, sub.id),
        "scheduled": scheduling.from_json(sub.scheduled_next_term),
        "cancellable": deadline is not None and now <= deadline,
        "deadline": deadline,
        "options": upgrades.eligibilities(store, visit.actor, customer.id, sub.id)
        if can_manage and active
        else [],
        "can_manage": can_manage,
        "is_active": active,
        "is_suspended": sub.status == Status.SUSPENDED.value,
        "midterm": changes.midterm_options(
            TermDuration(sub.term_duration), BillingPlan(sub.billing_plan), trial=sub.is_trial
        ),
        "term_choices": [t.value for t in TermDuration if t is not TermDuration.ONE_TIME],
        "plan_choices": [
            p.value for p in BillingPlan if p not in (BillingPlan.NONE, BillingPlan.ONE_TIME)
        ],
        "error": commerce.with_code(request, error),
        "notice": commerce.notice(request),
        **commerce.formatters(request),
    }
    return rendering.render(request, "subscription.html", context, status=status)


@router.get("/customers/{customer_id}/subscriptions/{subscription_id}")
def show_subscription(
    request: Request, customer_id: str, subscription_id: str, visit: Reader
) -> Response:
    return subscription_view(request)
