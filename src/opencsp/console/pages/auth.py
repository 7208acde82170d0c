"""Signing in and out, and the language switch.

A failed login says only that the email or password is invalid — never which — and
costs the same time either way (``auth.credentials.login``). After signing in, the user
goes back to the page that asked for it, provided it is a page of this site."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from opencsp.auth import credentials
from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import notice, on_error
from opencsp.console.session import Visit, db, login_posted, posted
from opencsp.core.config import settings

router = APIRouter()


def _field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def login_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    form: FormData | None = session.state(request, "console_form")
    context = {
        "error": error,
        "notice": notice(request),
        "email": _field(form, "email"),
        "next": session.safe_next(_field(form, "next") or request.query_params.get("next")),
    }
    return rendering.render(request, "login.html", context, status=status)


@router.get("/login")
def login_page(request: Request) -> Response:
    if session.find_visit(request) is not None:
        return RedirectResponse(session.safe_next(request.query_params.get("next")), 303)
    return login_view(request)


@router.post("/login", dependencies=[on_error(login_view)])
def login(request: Request, form: Annotated[FormData, Depends(login_posted)]) -> Response:
    store = db(request)
    stale = request.cookies.get(session.SESSION_COOKIE)
    if stale:
        credentials.logout(store, stale)
    opened = credentials.login(
        store,
        _field(form, "email"),
        _field(form, "password"),
        hours=settings().session_hours,
    )
    response = RedirectResponse(session.safe_next(_field(form, "next")), status_code=303)
    session.start(response, opened.secret)
    return response


@router.post("/logout")
def logout(request: Request, visit: Annotated[Visit, Depends(posted)]) -> Response:
    credentials.logout(db(request), visit.secret)
    response = RedirectResponse("/login?done=signed_out", status_code=303)
    session.end(response)
    return response


@router.post("/language")
def switch_language(
    request: Request, form: Annotated[FormData, Depends(session.public_form)]
) -> Response:
    language = i18n.supported(_field(form, "lang")) or i18n.DEFAULT
    response = RedirectResponse(session.safe_next(_field(form, "next")), status_code=303)
    session.remember_language(response, language)
    return response
