"""Dependencies every route uses: the request's session, the authenticated actor (bearer
token), per-tenant throttling, and ``require(Perm.X)`` to declare permissions on a route.

FastAPI runs a plain ``def`` dependency on a worker thread (one thread hop each), an
``async def`` one on the event loop: the dependencies that do no I/O are ``async``, so a
request hops only for the token look-up and for its route."""

from __future__ import annotations

import threading
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


async def get_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


SessionDep = Annotated[Session, Depends(get_session)]


@lru_cache(maxsize=4)
def _limiter(uri: str) -> strategies.FixedWindowRateLimiter:
    return strategies.FixedWindowRateLimiter(storage.storage_from_string(uri))


class _LocalWindows:
    """The fixed windows of ``limits``' ``memory://`` storage, kept in this process
    without it: that storage starts a timer thread on every hit to expire its keys,
    which costs a request more than the count itself. A tenant's window opens at its
    first request and lasts a minute; every request counts, refused or not."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, int], tuple[float, int]] = {}

    def hit(self, tenant: str, per_minute: int) -> float | None:
        """None when the request is within the limit, else the window's end (epoch s)."""
        now = time.time()
        with self._lock:
            key = (tenant, per_minute)
            ends, count = self._windows.get(key, (0.0, 0))
            if now >= ends:
                if len(self._windows) > _MAX_WINDOWS:
                    self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
                ends, count = now + 60.0, 0
            count += 1
            self._windows[key] = (ends, count)
        return None if count <= per_minute else ends


_MAX_WINDOWS = 10_000
_local = _LocalWindows()


def throttle(tenant: str, *, per_minute: int, storage_uri: str) -> None:
    """Per-tenant fixed window (PC:developer/api-throttling-guidance.md: 429 with
    Retry-After; 500 requests a minute per tenant by default)."""
    if storage_uri == "memory://":
        ends = _local.hit(tenant, per_minute)
        if ends is not None:
            raise Throttled(retry_after=max(1, int(ends - time.time()) + 1))
        return
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

    async def check(actor: ActorDep) -> Actor:
        if not all(actor.can(p) for p in perms):
            raise PermissionDenied()
        return actor

    return Depends(check)


def require_any(*perms: Perm) -> Any:
    """Route dependency: the authenticated actor, provided it holds at least one of the
    permissions (an operation open to several vendor roles)."""

    async def check(actor: ActorDep) -> Actor:
        if not any(actor.can(p) for p in perms):
            raise PermissionDenied()
        return actor

    return Depends(check)
