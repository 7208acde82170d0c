"""The transactional outbox: messages for the outside world (the vendor's fulfillment
system, e-mail) are written in the same transaction as the change that causes them, and
delivered afterwards by a job, with retries and exponential backoff, at least once.

``(topic, key)`` is unique, so a change enqueued twice (a retried request, a re-run job)
is one message; receivers get the key to deduplicate their side. A message is
``pending`` until delivered (``delivered``) or until it has failed ``max_attempts``
times (``failed``, kept for the operator to inspect and retry).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from opencsp.core.db import Base, insert_unless_exists
from opencsp.core.types import ROW_ID, UTCDateTime

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(160))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(1024), default="")

    __table_args__ = (
        UniqueConstraint("topic", "key"),
        Index("ix_outbox_messages_due", "status", "available_at"),
    )


def backoff(attempts: int, *, base: timedelta, ceiling: timedelta) -> timedelta:
    """The wait before the next attempt after ``attempts`` failures: ``base`` doubled per
    failure, never more than ``ceiling``."""
    if attempts <= 0:
        return timedelta()
    wait: timedelta = base * (2 ** min(attempts - 1, 30))
    return min(wait, ceiling)


def message(*, topic: str, key: str, payload: dict[str, Any], now: datetime) -> OutboxMessage:
    """A new message due at once; added as is when its key cannot be taken yet (a key
    made from a row written in the same transaction), else through ``enqueue``."""
    return OutboxMessage(
        topic=topic, key=key, payload=payload, created_at=now, available_at=now, attempts=0
    )


def enqueue(
    session: Session, *, topic: str, key: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Write a message in the caller's transaction; False when ``(topic, key)`` was
    already enqueued (nothing changes)."""
    return insert_unless_exists(session, message(topic=topic, key=key, payload=payload, now=now))
