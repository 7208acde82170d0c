"""What the commerce pages share (buy flow, orders, subscriptions, order requests): the
labels of terms, plans, statuses and history events, money and day formatting for the
reader's locale, the notices these pages show after an action, the "any of these
permissions" page dependency, and keeping a refused action's Partner Center code so the
page can show it next to the message (rules.md §12: every error carries its code).

No rule lives here: the pages call ``orders`` and ``subscriptions`` services, which decide."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import NOTICES as SHARED_NOTICES
from opencsp.console.feedback import TITLES
from opencsp.console.i18n import N_
from opencsp.console.pages.catalog import PLANS, TERMS, price_text
from opencsp.console.session import Visit, db, path_id
from opencsp.core.actor import Perm
from opencsp.core.errors import DomainError, PermissionDenied
from opencsp.customers import queries as customers
from opencsp.customers.errors import CustomerNotFound
from opencsp.customers.models import Customer
from opencsp.subscriptions.events import EventKind

__all__ = ["PLANS", "TERMS"]

NOTICES: dict[str, str] = {
    "cart_saved": N_("The cart was saved."),
    "order_placed": N_("The order was placed."),
    "purchase_cancelled": N_("The purchase was cancelled and its refund recorded."),
    "subscription_changed": N_("The subscription was changed."),
    "order_request_sent": N_("The order request was sent to your provider."),
    "order_request_declined": N_("The order request was declined."),
    "order_request_converted": N_(
        "The order request is now a cart. Review it and check it out to place the order."
    ),
}

STATUSES: dict[str, str] = {
    "active": N_("Active"),
    "pending": N_("Pending"),
    "suspended": N_("Suspended"),
    "expired": N_("Expired"),
    "disabled": N_("Disabled"),
    "deleted": N_("Deleted"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "open": N_("Open"),
    "converted": N_("Turned into a cart"),
    "declined": N_("Declined"),
}

EVENTS: dict[str, str] = {
    EventKind.NEW.value: N_("Purchased"),
    EventKind.RENEW.value: N_("Renewed"),
    EventKind.ADD_QUANTITY.value: N_("Seats added"),
    EventKind.REMOVE_QUANTITY.value: N_("Seats removed"),
    EventKind.MOVE_QUANTITY.value: N_("Seats moved by an upgrade"),
    EventKind.CANCEL.value: N_("Cancelled"),
    EventKind.CONVERT.value: N_("Converted (a trial to paid, or upgraded seats)"),
    EventKind.CHANGE_BILLING_PLAN.value: N_("Billing plan changed"),
    EventKind.SUSPEND.value: N_("Suspended"),
    EventKind.REACTIVATE.value: N_("Reactivated"),
    EventKind.EXPIRE.value: N_("Expired"),
    EventKind.DISABLE.value: N_("Disabled"),
    EventKind.DELETE.value: N_("Deleted"),
    EventKind.AUTO_RENEW.value: N_("Auto-renew changed"),
    EventKind.RENAME.value: N_("Renamed"),
    EventKind.SCHEDULE.value: N_("Next-term change scheduled"),
    EventKind.UPGRADE.value: N_("Upgraded"),
    EventKind.TRANSFER.value: N_("Moved to the indirect provider"),
}

ERROR_CODE_STATE = "commerce_error_code"


def any_of(*perms: Perm) -> Any:
    """Page dependency: the signed-in user holding at least one of ``perms`` (403 page
    otherwise) — the orders list is open to buyers and to subscription readers, as the
    API's ``GET .../orders`` is."""

    def check(visit: Annotated[Visit, Depends(session.signed_in)]) -> Visit:
        if not any(visit.actor.can(p) for p in perms):
            raise PermissionDenied()
        return visit

    return Depends(check)


def notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = (NOTICES.get(key) or SHARED_NOTICES.get(key)) if key else None
    return rendering.translate(request, message) if message else None


def done(path: str, key: str) -> RedirectResponse:
    """After a successful form: to a page, with one of this module's fixed notices."""
    assert key in NOTICES
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}done={key}", status_code=303)


@contextmanager
def keeping_code(request: Request) -> Iterator[None]:
    """Remember the code of a refused action for the page shown again with its message."""
    try:
        yield
    except DomainError as exc:
        request.state.commerce_error_code = exc.code
        raise


def error_code(request: Request) -> int | str | None:
    code: int | str | None = session.state(request, ERROR_CODE_STATE)
    return code


def with_code(request: Request, error: str | None) -> str | None:
    """The refused action's message followed by its code (``… (code 900117)``)."""
    code = error_code(request)
    if error is None or code is None:
        return error
    label = rendering.translate(request, N_("code"))
    return f"{error} ({label} {code})"


def not_found(request: Request, error: str, status: int) -> Response:
    """The error page for a record the reader may not see (a failed form's own 404)."""
    title = rendering.translate(request, TITLES.get(status, TITLES[404]))
    context = {"status": status, "title": title, "message": error}
    return rendering.render(request, "error.html", context, status=status)


def customer_of(request: Request, visit: Visit) -> Customer:
    """The page's customer, if the reader may see it (the same 404 otherwise)."""
    customer_id = path_id(request.path_params.get("customer_id", ""), CustomerNotFound)
    return customers.get_visible(db(request), visit.actor, customer_id)


def parse_uuid(value: str, missing: type[DomainError]) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise missing() from None


def formatters(request: Request) -> dict[str, Callable[..., str]]:
    """``price(amount, currency)`` exact in the currency's digits — or "—" for a reader
    who may not see prices (an indirect reseller never sees its provider's prices,
    rules.md §1.4) — ``day(date)`` an inclusive whole UTC day in the reader's locale, and
    the label lookups."""
    visit = session.find_visit(request)
    prices_shown = visit is not None and visit.actor.can(Perm.PRICING_READ)
    language = session.language_of(request)
    locale = i18n.babel_locale(language)
    gettext = i18n.gettext_for(language)

    def price(amount: Decimal | None, currency: str | None) -> str:
        return price_text(amount, currency, language) if prices_shown else "—"

    def day(value: date | None) -> str:
        return "—" if value is None else str(format_date(value, "medium", locale=locale))

    def label(table: dict[str, str], key: str | None) -> str:
        if key is None:
            return "—"
        return gettext(table[key]) if key in table else key

    return {
        "price": price,
        "day": day,
        "term_label": lambda key: label(TERMS, key),
        "plan_label": lambda key: label(PLANS, key),
        "status_label": lambda key: label(STATUSES, key),
        "event_label": lambda key: label(EVENTS, key),
    }
