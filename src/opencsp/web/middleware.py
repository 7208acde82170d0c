"""ASGI middleware: the request context, and the unit of work with idempotent replay.

One request is one unit of work. The session opens before the route runs and commits only
if the response is a success (status < 400); otherwise everything rolls back. A mutating
request carrying ``MS-RequestId`` claims that key inside the same transaction, so the
stored response exists exactly when the change does; a retry gets the stored response.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import nullcontext
from typing import Any

from anyio import sleep_forever, to_thread
from sqlalchemy.orm import Session

from opencsp.core import clock, context, idempotency
from opencsp.core.config import settings
from opencsp.core.crypto import digest
from opencsp.core.db import new_session
from opencsp.core.errors import Conflict, Unexpected
from opencsp.web.errors import error_body

log = logging.getLogger("opencsp.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_ID = b"ms-requestid"
CORRELATION_ID = b"ms-correlationid"
LOCALE = b"x-locale"
NOT_STORED = frozenset({401, 429})


class RequestIdReused(Conflict):
    code = "RequestIdReused"
    description = (
        "MS-RequestId {request_id} was already used for a different request; "
        "use a new id for a new request"
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip()
    return None


def _json_message(status: int, body: dict[str, Any]) -> list[Message]:
    payload = json.dumps(body).encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        },
        {"type": "http.response.body", "body": payload},
    ]


class RequestContextMiddleware:
    """Echo or mint ``MS-CorrelationId``, echo ``MS-RequestId``, read ``X-Locale``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = _header(scope, CORRELATION_ID) or str(uuid.uuid4())
        request_id = _header(scope, REQUEST_ID)
        locale = _header(scope, LOCALE) or "en-US"
        c_token = context.correlation_id.set(correlation)
        l_token = context.locale.set(locale)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in (CORRELATION_ID, REQUEST_ID, LOCALE)
                ]
                headers.append((b"ms-correlationid", correlation.encode("latin-1")))
                headers.append((b"x-locale", locale.encode("latin-1")))
                if request_id:
                    headers.append((b"ms-requestid", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            context.correlation_id.reset(c_token)
            context.locale.reset(l_token)


class UnitOfWorkMiddleware:
    """One session per request, on the app's ``state.bind`` (None: the configured
    database; tests point it at their own transaction)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # No I/O here: the session takes a pooled connection at its first statement.
        session = new_session(scope["app"].state.bind)
        scope.setdefault("state", {})["session"] = session
        try:
            instant = None
            if settings().test_clock:
                instant = await to_thread.run_sync(clock.read_test_clock, session)
            with clock.frozen(instant) if instant else nullcontext():
                request_id = _header(scope, REQUEST_ID)
                if scope["method"] in MUTATING and request_id:
                    await self._idempotent(scope, receive, send, session, request_id)
                else:
                    await self._plain(scope, receive, send, session)
        finally:
            # After a commit or a rollback the connection is back in the pool and closing
            # does no I/O; only a session still in a transaction needs the thread.
            if session.in_transaction():
                await to_thread.run_sync(session.close)
            else:
                session.close()

    async def _run(
        self, scope: Scope, receive: Receive, session: Session
    ) -> tuple[int, list[Message]]:
        """Run the app, buffering its response; an unexpected exception becomes a 500 in
        the error shape (logged here, never shown)."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await to_thread.run_sync(session.rollback)
            return 500, _json_message(500, error_body(Unexpected.code, Unexpected.description))
        status = next((m["status"] for m in messages if m["type"] == "http.response.start"), 500)
        return status, messages

    async def _finish(self, session: Session, status: int) -> bool:
        """Commit a success, roll back anything else; False if the commit itself failed."""
        try:
            if status < 400:
                await to_thread.run_sync(session.commit)
            else:
                await to_thread.run_sync(session.rollback)
        except Exception:
            log.exception("commit failed")
            await to_thread.run_sync(session.rollback)
            return False
        return True

    async def _plain(self, scope: Scope, receive: Receive, send: Send, session: Session) -> None:
        if scope["method"] in MUTATING:
            status, messages = await self._run(scope, receive, session)
            if not await self._finish(session, status):
                messages = _json_message(500, error_body(Unexpected.code, Unexpected.description))
            for message in messages:
                await send(message)
            return
        # Reads stream straight through; a token's last-use stamp is committed afterwards.
        status_box = [500]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await to_thread.run_sync(session.rollback)
            for message in _json_message(500, error_body(Unexpected.code, Unexpected.description)):
                await send(message)
            return
        await self._finish(session, status_box[0])

    async def _idempotent(
        self, scope: Scope, receive: Receive, send: Send, session: Session, request_id: str
    ) -> None:
        body = await _read_body(receive)
        credential = _header(scope, b"authorization") or _header(scope, b"cookie") or ""
        principal = digest(credential)
        fp = idempotency.fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )

        def claim() -> tuple[idempotency.IdempotencyRecord | None, list[Message] | None]:
            """One thread hop: claim the key, or read (and answer with) the stored twin."""
            record = idempotency.claim(session, request_id, principal, fp)
            if record is not None:
                return record, None
            found = idempotency.find(session, request_id)
            session.rollback()
            return None, _replay(found, request_id, principal, fp, credential)

        record, replay = await to_thread.run_sync(claim)
        if record is None:
            for message in replay or _conflict(request_id):
                await send(message)
            return
        status, messages = await self._run(scope, _replaying(body), session)
        if status < 400:
            _store(record, status, messages, credential=credential)
            if not await self._finish(session, status):
                messages = _json_message(500, error_body(Unexpected.code, Unexpected.description))
        else:
            store = status not in NOT_STORED and status < 500
            await self._store_failure(
                session, request_id, principal, fp, status, messages, credential, store=store
            )
        for message in messages:
            await send(message)

    async def _store_failure(
        self,
        session: Session,
        request_id: str,
        principal: str,
        fp: str,
        status: int,
        messages: list[Message],
        credential: str,
        *,
        store: bool,
    ) -> None:
        """Roll the failed work back; a business failure is remembered too (``store``), so
        a retry gets the same answer. One thread hop."""

        def write() -> None:
            session.rollback()
            if not store:
                return
            record = idempotency.claim(session, request_id, principal, fp)
            if record is None:  # a twin claimed the key meanwhile: its answer stands
                session.rollback()
                return
            _store(record, status, messages, credential=credential)
            session.commit()

        await to_thread.run_sync(write)


def _replay(
    found: idempotency.IdempotencyRecord | None,
    request_id: str,
    principal: str,
    fp: str,
    credential: str,
) -> list[Message] | None:
    """The stored response of a request id, or the conflict answer when the id was used
    by another principal or for another request; None when nothing is stored."""
    if found is None:
        return None
    if found.principal != principal or found.fingerprint != fp:
        return _conflict(request_id)
    body = idempotency.unseal(found.body, credential=credential, request_id=request_id)
    if body is None:
        return _conflict(request_id)
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"x-idempotent-replay", b"true"),
    ]
    if found.content_type:
        headers.append((b"content-type", found.content_type.encode("latin-1")))
    if found.location:
        headers.append((b"location", found.location.encode("latin-1")))
    return [
        {"type": "http.response.start", "status": found.status_code, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


def _conflict(request_id: str) -> list[Message]:
    exc = RequestIdReused(request_id=request_id)
    return _json_message(exc.status, error_body(exc.code, exc.message))


def _store(
    record: idempotency.IdempotencyRecord,
    status: int,
    messages: list[Message],
    *,
    credential: str,
) -> None:
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.lower(): v for k, v in start.get("headers", [])}
    record.status_code = status
    content_type = headers.get(b"content-type")
    location = headers.get(b"location")
    record.content_type = content_type.decode("latin-1") if content_type else None
    record.location = location.decode("latin-1") if location else None
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    record.body = idempotency.seal(body, credential=credential, request_id=record.request_id)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await sleep_forever()  # the client stays connected until the response is sent
        raise AssertionError("unreachable")

    return receive
