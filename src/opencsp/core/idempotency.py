"""Stored responses of mutating requests, keyed by ``MS-RequestId`` (PC:developer/headers.md:
"used to ensure id-potency; if there's a timeout, the retry call should include the same
value"). A replay returns the stored response and changes nothing; the same id with a
different request, or from a different principal, is refused.

Stored responses can hold secrets shown once (a new API token, a customer's admin
password), so they are sealed with AES-GCM under a key derived from the caller's own
credential and the request id: the database keeps only a digest of the credential, so
whoever reads the table cannot open them; only the caller's retry can."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Integer, LargeBinary, String, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.util import identity_key

from opencsp.core import clock
from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(128))
    location: Mapped[str | None] = mapped_column(String(1024))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _key(credential: str, request_id: str) -> bytes:
    return hashlib.sha256(
        b"opencsp-idempotency\x00" + credential.encode() + b"\x00" + request_id.encode()
    ).digest()


def seal(body: bytes, *, credential: str, request_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(credential, request_id)).encrypt(nonce, body, None)


def unseal(sealed: bytes, *, credential: str, request_id: str) -> bytes | None:
    """The stored body, or None if it cannot be opened with this credential."""
    try:
        return AESGCM(_key(credential, request_id)).decrypt(sealed[:12], sealed[12:], None)
    except (InvalidTag, ValueError):
        return None


def find(session: Session, request_id: str) -> IdempotencyRecord | None:
    return session.get(IdempotencyRecord, request_id)


def claim(session: Session, request_id: str, principal: str, fp: str) -> IdempotencyRecord | None:
    """Insert the key before the work runs, in one statement (``INSERT … ON CONFLICT DO
    NOTHING … RETURNING``): the new record, or None when the key is already taken. A
    concurrent request with the same key waits on the unique key until the first one's
    transaction ends, so only one of them does the work; the other then finds the stored
    response with :func:`find`."""
    values = {
        "request_id": request_id,
        "principal": principal,
        "fingerprint": fp,
        "status_code": 0,
        "content_type": None,
        "location": None,
        "body": b"",
        "created_at": clock.now(),
    }
    table = IdempotencyRecord.__table__.c
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    claimed = session.execute(
        insert(IdempotencyRecord)
        .values(values)
        .on_conflict_do_nothing(index_elements=[table.request_id])
        .returning(table.request_id)
    ).first()
    if claimed is None:
        return None
    stale = session.identity_map.get(identity_key(IdempotencyRecord, request_id))
    if stale is not None:  # a rolled-back claim of this key earlier in the session
        session.expunge(stale)
    row = IdempotencyRecord(**values)
    make_transient_to_detached(row)  # the row as inserted: later changes are an UPDATE
    session.add(row)
    return row


def purge_expired(session: Session, *, retention: timedelta) -> int:
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < clock.now() - retention)
    )
    return int(getattr(result, "rowcount", 0) or 0)
