"""One's own API tokens: the list (name, prefix, created, last used, revoked), creating
one — its secret is shown on the result page once and never again, since only its
digest is stored — and revoking one, after which requests with it are refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.auth import credentials, queries
from opencsp.auth.errors import TokenNotFound
from opencsp.console import rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm

router = APIRouter()

Owner = Annotated[Visit, allowed(Perm.TOKENS_OWN)]
Poster = Annotated[Visit, allowed(Perm.TOKENS_OWN, post=True)]


def tokens_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    form: FormData | None = session.state(request, "console_form")
    name = form.get("name") if form is not None and error is not None else ""
    context = {
        "tokens": queries.tokens_of(db(request), visit.actor, visit.user_id),
        "error": error,
        "notice": notice(request),
        "draft_name": name if isinstance(name, str) else "",
    }
    return rendering.render(request, "tokens.html", context, status=status)


# A failed change shows the list again, with the message.
RESHOW = [on_error(tokens_view, shown_with=Perm.TOKENS_OWN)]


@router.get("/tokens")
def list_tokens(request: Request, visit: Owner) -> Response:
    return tokens_view(request)


@router.post("/tokens", dependencies=RESHOW)
def create_token(request: Request, visit: Poster) -> Response:
    form: FormData = request.state.console_form
    name = form.get("name")
    issued = credentials.create_token(
        db(request), visit.actor, visit.user_id, name if isinstance(name, str) else ""
    )
    context = {"token": issued.token, "secret": issued.secret}
    return rendering.render(request, "token_created.html", context)


@router.post("/tokens/{token_id}/revoke", dependencies=RESHOW)
def revoke_token(request: Request, token_id: str, visit: Poster) -> Response:
    token = credentials.revoke_token(db(request), visit.actor, path_id(token_id, TokenNotFound))
    if session.is_htmx(request):
        return rendering.render(request, "partials/token_row.html", {"token": token})
    return done("/tokens", "token_revoked")
