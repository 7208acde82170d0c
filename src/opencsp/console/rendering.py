"""Rendering console pages: one Jinja2 environment per language with the gettext
catalog installed, the filters that format values for the reader's locale, and the
response headers every page carries.

Pages are personal (they show a user's data and sometimes a secret), so none is cached
and none may be framed; scripts and styles come only from this site."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, get_currency_name
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from opencsp import __version__
from opencsp.console import i18n, navigation, session
from opencsp.core.config import settings
from opencsp.notifications import queries as notification_queries

TEMPLATES = Path(__file__).parent / "templates"

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
}


def _filters(language: str) -> dict[str, Callable[..., str]]:
    locale = i18n.babel_locale(language)
    gettext = i18n.gettext_for(language)

    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        # the locale's date, a 24-hour time, always in UTC (billing periods are UTC)
        day = format_date(value.astimezone(UTC), "medium", locale=locale)
        return f"{day} {format_time(value, 'HH:mm', tzinfo=UTC, locale=locale)} UTC"

    def country(code: str | None, fallback: str | None = None) -> str:
        """Country names from CLDR in the reader's language; the source's name otherwise."""
        if not code:
            return "—"
        return str(locale.territories.get(code.upper()) or fallback or code.upper())

    def currency(code: str) -> str:
        return str(get_currency_name(code, locale=locale))

    def market(name: str) -> str:
        return gettext(name)  # market names are extracted from the markets data

    def number(value: int) -> str:
        return format_decimal(value, locale=locale)

    def role(name: str) -> str:
        return gettext(i18n.ROLE_LABELS.get(name, name))

    def tier(name: str) -> str:
        return gettext(i18n.TIER_LABELS.get(name, name))

    return {
        "when": when,
        "country": country,
        "currency": currency,
        "market": market,
        "number": number,
        "role": role,
        "tier": tier,
    }


def static_url(path: str) -> str:
    """A static file's URL, versioned so a new release is never served from a stale cache."""
    return f"/static/{path}?v={__version__}"


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # added by the jinja2.ext.i18n extension at run time, so Environment's types lack it
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(language))
    env.globals.update(
        language=language, languages=i18n.LANGUAGES, static=static_url, version=__version__
    )
    return env


def page_context(request: Request) -> dict[str, Any]:
    """What the layout needs: who is signed in, their menu, the CSRF token for forms and
    the current path (where the language switch returns)."""
    visit = session.find_visit(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "request": request,
        "visit": visit,
        "actor": visit.actor if visit else None,
        "menu": navigation.menu(visit.actor) if visit else [],
        "csrf_token": session.form_token(request),
        "here": session.safe_next(here if request.method == "GET" else request.url.path),
        "is_htmx": session.is_htmx(request),
        "cloud_name": settings().cloud_name,  # a national cloud's own deployment (§13)
        "unread_notifications": _unread(request, visit),  # the inbox badge (issue 7, task H)
    }


def _unread(request: Request, visit: session.Visit | None) -> int:
    """The organization's unread notifications; 0 signed out or outside a unit of work
    (an error page)."""
    store = getattr(request.state, "session", None)
    if visit is None or store is None:
        return 0
    return notification_queries.unread_count(store, visit.actor.organization_id)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    language = session.language_of(request)
    values = page_context(request) | dict(context or {})
    html = environment(language).get_template(template).render(values)
    response = HTMLResponse(
        html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})}
    )
    response.headers["Content-Language"] = language
    session.keep_login_csrf(request, response)
    return response


def translate(request: Request, message: str) -> str:
    """A message in the page's language (for text built in Python, such as flashes)."""
    return i18n.gettext_for(session.language_of(request))(message)
