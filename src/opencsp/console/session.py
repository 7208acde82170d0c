"""Who is at the console: the session cookie, CSRF protection and permission checks, as
FastAPI dependencies for the pages.

The cookie carries a random secret whose digest names a server-side session row
(``auth.credentials``), so logging out really ends the session. Every state-changing form
carries the session's CSRF token (htmx sends it as ``X-CSRF-Token``); before a session
exists, the login and language forms use a double-submit cookie instead. A request that
fails these checks is refused before any service runs, so it changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opencsp.auth import credentials, queries
from opencsp.console import i18n
from opencsp.console.i18n import N_
from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.crypto import same
from opencsp.core.errors import InvalidCredentials, NotFound, PermissionDenied
from opencsp.core.ids import new_secret, parse_guid

SESSION_COOKIE = "opencsp_session"
LOGIN_CSRF_COOKIE = "opencsp_login_csrf"
LANGUAGE_COOKIE = "lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in console user for one request."""

    actor: Actor
    secret: str
    csrf_token: str
    display_name: str
    user_locale: str

    @property
    def user_id(self) -> uuid.UUID:
        assert self.actor.user_id is not None  # console sessions always belong to a user
        return self.actor.user_id


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the login page."""

    def __init__(self, next_path: str | None) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(PermissionDenied):
    code = "CsrfTokenInvalid"
    description = N_(
        "This form has expired or was not sent from this console. Reload the page and try again."
    )


def db(request: Request) -> Session:
    """The request's unit of work (opened and committed by the web middleware)."""
    session: Session = request.state.session
    return session


def path_id(value: str, missing: type[NotFound]) -> uuid.UUID:
    """A GUID from the page's path; a malformed one names nothing visible, so it is the
    same 404 as any unknown id."""
    parsed = parse_guid(value)
    if parsed is None:
        raise missing()
    return parsed


def state(request: Request, name: str) -> Any:
    return getattr(request.state, name, None)


def safe_next(value: str | None) -> str:
    """Only a path on this site may follow a login or a language switch: anything with a
    scheme, a host or a protocol-relative ``//`` goes home instead (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def find_visit(request: Request) -> Visit | None:
    """The signed-in user, if the session cookie names a live session (once per request)."""
    if hasattr(request.state, "console_visit"):
        visit: Visit | None = request.state.console_visit
        return visit
    found = None
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        session = db(request)
        try:
            actor, row = credentials.resume(session, secret)
        except InvalidCredentials:
            actor = None
        if actor is not None and actor.user_id is not None:
            user = queries.get_visible_user(session, actor, actor.user_id)
            found = Visit(actor, secret, row.csrf_token, user.display_name, user.locale)
    request.state.console_visit = found
    return found


def language_of(request: Request) -> str:
    """The page language: switch cookie, then the user's setting, then the browser."""
    if not hasattr(request.state, "console_language"):
        visit = find_visit(request)
        request.state.console_language = i18n.choose(
            cookie=request.cookies.get(LANGUAGE_COOKIE),
            user_locale=visit.user_locale if visit else None,
            accept_language=request.headers.get("accept-language"),
        )
    language: str = request.state.console_language
    return language


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def signed_in(request: Request) -> Visit:
    visit = find_visit(request)
    if visit is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else None)
    return visit


async def submitted(request: Request) -> FormData:
    """The posted form, kept on the request so a failed form can be shown again."""
    form = await request.form()
    request.state.console_form = form
    return form


def _sent_token(request: Request, form: FormData) -> str:
    value = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD) or ""
    return value if isinstance(value, str) else ""


async def posted(request: Request, visit: Annotated[Visit, Depends(signed_in)]) -> Visit:
    """A signed-in user's state-changing request, carrying the session's CSRF token."""
    form = await submitted(request)
    sent = _sent_token(request, form)
    if not sent or not same(sent, visit.csrf_token):
        raise CsrfRefused()
    return visit


async def login_posted(request: Request) -> FormData:
    """A form sent before signing in: the double-submit cookie must match the field."""
    form = await submitted(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    sent = _sent_token(request, form)
    if not cookie or not sent or not same(sent, cookie):
        raise CsrfRefused()
    return form


async def public_form(request: Request) -> FormData:
    """A form anyone may post (language switch, enrollment, customer pages): a signed-in
    visitor's must carry the session's CSRF token, anyone else's the login page's
    double-submit token."""
    visit = find_visit(request)
    if visit is None:
        return await login_posted(request)
    await posted(request, visit)
    form: FormData = request.state.console_form
    return form


def login_csrf(request: Request) -> str:
    """The pre-session CSRF token: the browser's cookie, or a new one for this page."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or state(request, "console_login_csrf")
    if not token:
        token = new_secret(24)
        request.state.console_login_csrf = token
    return str(token)


def form_token(request: Request) -> str:
    """The CSRF token a form on this page must carry."""
    visit = find_visit(request)
    return visit.csrf_token if visit else login_csrf(request)


def _cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings().cookie_secure,
    )


def keep_login_csrf(request: Request, response: Response) -> None:
    """Send the pre-session token cookie if this page minted a new one."""
    minted = state(request, "console_login_csrf")
    if minted and not request.cookies.get(LOGIN_CSRF_COOKIE):
        _cookie(response, LOGIN_CSRF_COOKIE, minted, None)


def start(response: Response, secret: str) -> None:
    _cookie(response, SESSION_COOKIE, secret, settings().session_hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")


def end(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def remember_language(response: Response, language: str) -> None:
    _cookie(response, LANGUAGE_COOKIE, language, 365 * 24 * 3600)


def allowed(*perms: Perm, post: bool = False) -> Any:
    """Page dependency: the signed-in user (with a valid CSRF token when ``post``),
    provided their roles and tier grant every permission; otherwise a 403 page."""

    def check(visit: Visit) -> Visit:
        if not all(visit.actor.can(p) for p in perms):
            raise PermissionDenied()
        return visit

    if post:

        def check_posted(visit: Annotated[Visit, Depends(posted)]) -> Visit:
            return check(visit)

        return Depends(check_posted)

    def check_signed_in(visit: Annotated[Visit, Depends(signed_in)]) -> Visit:
        return check(visit)

    return Depends(check_signed_in)


SignedIn = Annotated[Visit, Depends(signed_in)]
Posted = Annotated[Visit, Depends(posted)]
