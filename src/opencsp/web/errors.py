"""The one mapping from errors to HTTP responses: ``{code, description, data, source}``
(reference/csp/error-codes.md) for domain errors, validation errors, unknown routes and
methods, throttling and anything unexpected. No stack trace ever reaches a client.

A browser asking for a console page (HTML, outside the API, its schema and docs) gets the
error as a page instead: the console puts its renderer in ``app.state.render_html_error``.
An API caller sending ``X-Locale`` gets the description in that language where the
console's catalogs have it (``app.state.describe_error``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from opencsp.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    Unexpected,
)

log = logging.getLogger("opencsp.web")
SOURCE = "opencsp"
API_PATHS = ("/v1", "/openapi.json", "/docs")


def error_body(code: int | str, description: str, data: list[Any] | None = None) -> dict[str, Any]:
    return {"code": code, "description": description, "data": data or [], "source": SOURCE}


def error_response(exc: DomainError, description: str | None = None) -> JSONResponse:
    body = error_body(exc.code, description or exc.message, exc.data)
    headers: dict[str, str] = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
        body |= {"statusCode": 429, "message": exc.message}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="opencsp"'
    return JSONResponse(body, status_code=exc.status, headers=headers)


class MethodNotAllowed(DomainError):
    status = 405
    code = "MethodNotAllowed"
    description = "The method is not allowed on this resource"


def _http_exception(exc: StarletteHTTPException) -> DomainError:
    if exc.status_code == 404:
        return NotFound()
    if exc.status_code == 405:
        return MethodNotAllowed()
    if exc.status_code == 401:
        return Unauthenticated()
    if exc.status_code == 403:
        return PermissionDenied()
    if exc.status_code >= 500:
        return Unexpected()
    return InvalidInput(description=str(exc.detail))


def _validation_data(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        out.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    return out


def _in_requested_language(request: Request, exc: DomainError) -> str | None:
    """``X-Locale`` chooses the language of returned text (PC:developer/headers.md); the
    console supplies the catalogs as ``app.state.describe_error(exc, locale)``."""
    describe = getattr(request.app.state, "describe_error", None)
    locale = request.headers.get("x-locale")
    if describe is None or not locale:
        return None
    text: str | None = describe(exc, locale)
    return text


async def respond(request: Request, exc: DomainError) -> Response:
    """The error shape, or a console page for a browser asking for one."""
    render = getattr(request.app.state, "render_html_error", None)
    wants_html = "text/html" in request.headers.get("accept", "") or "hx-request" in request.headers
    if render is None or not wants_html or request.url.path.startswith(API_PATHS):
        return error_response(exc, _in_requested_language(request, exc))
    page: Response = await run_in_threadpool(render, request, exc)
    return page


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return await respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        data = _validation_data(exc)
        first = data[0] if data else {"field": "", "message": "Invalid request input"}
        description = f"Invalid request input: {first['field']}: {first['message']}".rstrip(": ")
        return await respond(request, InvalidInput(description=description, data=data))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return await respond(request, _http_exception(exc))
