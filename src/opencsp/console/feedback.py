"""What the console tells its user after an action — the one place where outcomes become
messages (STYLE.md habit 6: domain errors become flash messages in ``console/`` only).

A domain error is shown with its own description, translated: the catalog holds each
error's description template (extracted by ``console/extract.py``) and the error's
parameters are filled into the translation. Where it is shown depends on the request:

- an htmx request gets an alert fragment swapped into the page's flash area;
- a form registered with ``on_error(view)`` is shown again with the message inline;
- anything else gets the error page for the status (403, 404, ...).

The status is the error's own, so the web middleware rolls the unit of work back and a
failed form never leaves anything half-written. Success notices travel through a
redirect as a key (``?done=user_created``) naming one of the fixed messages below, so
no text from a URL ever reaches a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import i18n, rendering, session
from opencsp.console.i18n import N_
from opencsp.core.actor import Perm
from opencsp.core.errors import DomainError, InvalidCredentials, Unauthenticated


class FormView(Protocol):
    def __call__(self, request: Request, *, error: str, status: int) -> Response: ...


# Where the console says something better than the API's description.
CONSOLE_MESSAGES: dict[type[DomainError], str] = {
    InvalidCredentials: N_("Invalid email or password."),
    Unauthenticated: N_("Please sign in to continue."),
}

NOTICES: dict[str, str] = {
    "user_created": N_("The user was created."),
    "roles_saved": N_("The roles were saved."),
    "user_activated": N_("The user was activated."),
    "user_deactivated": N_("The user was deactivated."),
    "token_revoked": N_("The token was revoked. Requests using it are now refused."),
    "signed_out": N_("You have signed out."),
    "billing_saved": N_("The billing profile was saved."),
    "relationship_removed": N_("Your relationship with the customer has ended."),
    "template_published": N_("The agreement template was published."),
    "template_retired": N_("The agreement template was retired."),
    "partner_agreement_signed": N_("The partner agreement was signed."),
    "agreement_confirmed": N_("The customer's acceptance of the customer agreement was confirmed."),
    "customer_agreement_accepted": N_("Thank you. The customer agreement is accepted."),
    "price_list_imported": N_("The price list was imported."),
    "fx_rates_imported": N_("The FX rates were imported."),
    "credit_limit_saved": N_("The credit limit was saved."),
    "payment_recorded": N_("The payment was recorded."),
}

TITLES: dict[int, str] = {
    400: N_("The request could not be completed"),
    401: N_("Please sign in"),
    403: N_("You don't have access to this page"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
    409: N_("This change conflicts with the current data"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


def describe(exc: DomainError, gettext: Callable[[str], str]) -> str:
    """The error's message in the reader's language (English where no translation
    exists, never an empty or half-formatted message)."""
    own = CONSOLE_MESSAGES.get(type(exc))
    if own is not None:
        return gettext(own)
    template = type(exc).description
    try:
        from_class = template.format(**exc.params) == exc.message
    except (KeyError, IndexError, ValueError):
        from_class = False
    if not from_class:
        template = exc.message  # raised with a description of its own
    shown = {key: _label(value, gettext) for key, value in exc.params.items()}
    try:
        return gettext(template).format(**shown)
    except (KeyError, IndexError, ValueError):
        return exc.message


def describe_for_locale(exc: DomainError, locale: str) -> str | None:
    """The API's error description in an ``X-Locale`` language (``ko-KR``); None keeps the
    English description."""
    language = i18n.supported(locale)
    if language is None or language == i18n.DEFAULT:
        return None
    return describe(exc, i18n.gettext_for(language))


def _label(value: object, gettext: Callable[[str], str]) -> object:
    """Roles and tiers named in an error read as they do everywhere else in the console."""
    if isinstance(value, str):
        label = i18n.ROLE_LABELS.get(value) or i18n.TIER_LABELS.get(value)
        if label:
            return gettext(label)
    return value


def notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


def done(path: str, key: str) -> RedirectResponse:
    """After a successful form: back to a page, with one of the fixed notices."""
    assert key in NOTICES
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}done={key}", status_code=303)


def on_error(view: FormView, *, shown_with: Perm | None = None) -> Any:
    """Route dependency: if this form fails, show ``view`` again with the message —
    only to a user who may see that page (``shown_with``), so a refused request never
    reveals the page it was refused on."""

    def register(request: Request) -> None:
        request.state.console_on_error = (view, shown_with)

    return Depends(register)


def _form_view(request: Request) -> FormView | None:
    registered: tuple[FormView, Perm | None] | None = session.state(request, "console_on_error")
    if registered is None:
        return None
    view, shown_with = registered
    if shown_with is None:
        return view
    visit = session.find_visit(request)
    return view if visit is not None and visit.actor.can(shown_with) else None


def render_error(request: Request, exc: DomainError) -> Response:
    """The console's answer to a failed request (the web error handler calls it for
    pages, never for the API). Whatever the failed request changed is rolled back first,
    so a page shown again reads the database as it really is."""
    session.db(request).rollback()
    gettext = i18n.gettext_for(session.language_of(request))
    message = describe(exc, gettext)
    status = exc.status
    if session.is_htmx(request):
        return rendering.render(
            request,
            "partials/alert.html",
            {"message": message, "kind": "error"},
            status=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    view = _form_view(request)
    if view is not None and status in (400, 401, 403, 404, 409):
        return view(request, error=message, status=status)
    title = TITLES.get(status, TITLES[500 if status >= 500 else 400])
    return rendering.render(
        request,
        "error.html",
        {"status": status, "title": gettext(title), "message": message},
        status=status,
    )


def login_redirect(request: Request, exc: Exception) -> Response:
    """No session: to the login page (htmx follows ``HX-Redirect`` instead)."""
    assert isinstance(exc, session.LoginRequired)
    target = "/login"
    if exc.next_path and exc.next_path != "/":
        target += "?next=" + quote(session.safe_next(exc.next_path), safe="/")
    if session.is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    response = RedirectResponse(target, status_code=303)
    if request.cookies.get(session.SESSION_COOKIE):
        session.end(response)  # an expired or revoked session: drop the stale cookie
    return response
