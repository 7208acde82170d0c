"""Dependencies every route uses: the request's session, the authenticated actor (bearer
token), per-tenant throttling, and ``require(Perm.X)`` to declare permissions on a route."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute, storage, strategies
from sqlalchemy.orm import Session

from opencsp.auth import credentials
from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.errors import PermissionDenied, Throttled, Unauthenticated


def get_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


SessionDep = Annotated[Session, Depends(get_session)]


@lru_cache(maxsize=4)
def _limiter(uri: str) -> strategies.FixedWindowRateLimiter:
    return strategies.FixedWindowRateLimiter(storage.storage_from_string(uri))


def throttle(tenant: str, *, per_minute: int, storage_uri: str) -> None:
    """Per-tenant fixed window (PC:developer/api-throttling-guidance.md: 429 with
    Retry-After; 500 requests a minute per tenant by default)."""
    limiter = _limiter(storage_uri)
    item = RateLimitItemPerMinute(per_minute)
    if not limiter.hit(item, "tenant", tenant):
        # limits reports the window's reset as wall-clock epoch seconds
        reset_at, _remaining = limiter.get_window_stats(item, "tenant", tenant)
        raise Throttled(retry_after=max(1, int(reset_at - time.time()) + 1))


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


def current_actor(request: Request, session: SessionDep) -> Actor:
    actor = credentials.authenticate_token(session, bearer_token(request))
    cfg = settings()
    throttle(
        str(actor.organization_id),
        per_minute=cfg.throttle_per_minute,
        storage_uri=cfg.throttle_storage_uri,
    )
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def require(*perms: Perm) -> Any:
    """Route dependency: the authenticated actor, provided it holds every permission."""

    def check(actor: ActorDep) -> Actor:
        if not all(actor.can(p) for p in perms):
            raise PermissionDenied()
        return actor

    return Depends(check)


def require_any(*perms: Perm) -> Any:
    """Route dependency: the authenticated actor, provided it holds at least one of the
    permissions (an operation open to several vendor roles)."""

    def check(actor: ActorDep) -> Actor:
        if not any(actor.can(p) for p in perms):
            raise PermissionDenied()
        return actor

    return Depends(check)
