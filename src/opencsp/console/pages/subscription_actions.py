"""The actions of the subscription page, each a small form with its CSRF token and the
version the page showed (the subscription's ETag, so a change made meanwhile by someone
else is refused with 2055 instead of being overwritten): seats, suspend, reactivate,
cancel, auto-renew, friendly name, next-term instructions, a term change now, a
billing-cycle change from the next cycle, and upgrade (also into an existing
subscription). Each calls one ``subscriptions.service`` (or ``upgrades``) function,
which decides — windows 900117 / 900257 / 800090, 900311, the pending renewal's 409, the
term matrix 800122 / 800097 (rules.md §9c–9f) — and a refusal shows the subscription
again with the message and its code."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import Enum
from typing import Annotated, NoReturn, TypeVar

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages import commerce
from opencsp.console.pages.subscriptions import subscription_view
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm
from opencsp.core.errors import InvalidInput
from opencsp.subscriptions import service, upgrades
from opencsp.subscriptions.changes import ScheduledInstructions
from opencsp.subscriptions.errors import SubscriptionNotFound
from opencsp.subscriptions.service import SubscriptionChange

router = APIRouter()

Manager = Annotated[Visit, allowed(Perm.SUBSCRIPTIONS_MANAGE, post=True)]
SHOWN_AGAIN = [on_error(subscription_view, shown_with=Perm.SUBSCRIPTIONS_READ)]
PATH = "/customers/{customer_id}/subscriptions/{subscription_id}"

E = TypeVar("E", bound=Enum)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def whole(form: FormData, name: str, *, required: bool = True) -> int | None:
    raw = text(form, name)
    if not raw and not required:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(description=N_("Seats must be a whole number.")) from None


def choice(kind: type[E], value: str) -> E | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        message = N_("Choose a term and a billing plan from the list.")
        raise InvalidInput(description=message) from None


def act(
    request: Request, visit: Visit, call: Callable[[uuid.UUID, uuid.UUID, int | None], object]
) -> Response:
    """Run one change with the version the page showed, then back to the subscription."""
    form: FormData = request.state.console_form
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        sub_id = commerce.parse_uuid(
            request.path_params.get("subscription_id", ""), SubscriptionNotFound
        )
        version = whole(form, "version", required=False)
        call(customer.id, sub_id, version)
    return commerce.done(f"/customers/{customer.id}/subscriptions/{sub_id}", "subscription_changed")


@router.post(PATH + "/quantity", dependencies=SHOWN_AGAIN)
def change_quantity(request: Request, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    seats = whole(form, "quantity")
    assert seats is not None
    return act(
        request,
        visit,
        lambda c, s, v: service.change_quantity(db(request), visit.actor, c, s, seats, if_match=v),
    )


@router.post(PATH + "/suspend", dependencies=SHOWN_AGAIN)
def suspend(request: Request, visit: Manager) -> Response:
    return act(
        request, visit, lambda c, s, v: service.suspend(db(request), visit.actor, c, s, if_match=v)
    )


@router.post(PATH + "/reactivate", dependencies=SHOWN_AGAIN)
def reactivate(request: Request, visit: Manager) -> Response:
    return act(
        request,
        visit,
        lambda c, s, v: service.reactivate(db(request), visit.actor, c, s, if_match=v),
    )


@router.post(PATH + "/cancel", dependencies=SHOWN_AGAIN)
def cancel(request: Request, visit: Manager) -> Response:
    return act(
        request, visit, lambda c, s, v: service.cancel(db(request), visit.actor, c, s, if_match=v)
    )


@router.post(PATH + "/auto-renew", dependencies=SHOWN_AGAIN)
def auto_renew(request: Request, visit: Manager) -> Response:
    on = text(request.state.console_form, "on") == "1"
    return act(
        request,
        visit,
        lambda c, s, v: service.set_auto_renew(db(request), visit.actor, c, s, on, if_match=v),
    )


@router.post(PATH + "/rename", dependencies=SHOWN_AGAIN)
def rename(request: Request, visit: Manager) -> Response:
    name = text(request.state.console_form, "friendly_name")
    return act(
        request,
        visit,
        lambda c, s, v: service.rename(db(request), visit.actor, c, s, name, if_match=v),
    )


@router.post(PATH + "/schedule", dependencies=SHOWN_AGAIN)
def schedule(request: Request, visit: Manager) -> Response:
    """Set the next term's term, plan and seats (empty keeps the current one), or remove
    the instructions (``clear``)."""
    form: FormData = request.state.console_form
    instructions: ScheduledInstructions | None = None
    if not text(form, "clear"):
        instructions = ScheduledInstructions(
            term=choice(TermDuration, text(form, "term")),
            plan=choice(BillingPlan, text(form, "plan")),
            quantity=whole(form, "quantity", required=False),
        )
    return act(
        request,
        visit,
        lambda c, s, v: service.schedule_next_term(
            db(request), visit.actor, c, s, instructions, if_match=v
        ),
    )


@router.post(PATH + "/term", dependencies=SHOWN_AGAIN)
def change_term(request: Request, visit: Manager) -> Response:
    """Change the term now (rules.md §9f matrix): the value is ``{term}:{plan}``, one of
    the options the page offers; the service checks the matrix again."""
    term, _, plan = text(request.state.console_form, "term_plan").partition(":")
    change = SubscriptionChange(
        term_duration=choice(TermDuration, term) or _missing(),
        billing_cycle=choice(BillingPlan, plan) or _missing(),
    )
    return act(
        request,
        visit,
        lambda c, s, v: service.update(db(request), visit.actor, c, s, change, if_match=v),
    )


@router.post(PATH + "/billing-cycle", dependencies=SHOWN_AGAIN)
def change_billing_cycle(request: Request, visit: Manager) -> Response:
    """Bill on another plan from the next billing cycle, or remove that change
    (``clear``)."""
    form: FormData = request.state.console_form
    change = (
        SubscriptionChange(clear_next_billing_cycle=True)
        if text(form, "clear")
        else SubscriptionChange(
            next_billing_cycle=choice(BillingPlan, text(form, "plan")) or _missing()
        )
    )
    return act(
        request,
        visit,
        lambda c, s, v: service.update(db(request), visit.actor, c, s, change, if_match=v),
    )


def _missing() -> NoReturn:
    raise InvalidInput(description=N_("Choose a term and a billing plan from the list."))


@router.post(PATH + "/upgrade", dependencies=SHOWN_AGAIN)
def upgrade(request: Request, visit: Manager) -> Response:
    """Upgrade to a higher offer: as a new subscription, or (``into``) into one of the
    customer's subscriptions on that offer."""
    form: FormData = request.state.console_form
    seats = whole(form, "quantity")
    assert seats is not None
    into = text(form, "into")
    wanted = upgrades.UpgradeRequest(
        to_catalog_item_id=text(form, "to"),
        quantity=seats,
        to_subscription_id=commerce.parse_uuid(into, SubscriptionNotFound) if into else None,
    )
    return act(
        request,
        visit,
        lambda c, s, v: upgrades.transition(db(request), visit.actor, c, s, wanted),
    )
