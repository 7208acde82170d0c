"""The transactional outbox: messages for the outside world (the vendor's fulfillment
system, e-mail) are written in the same transaction as the change that causes them, and
delivered afterwards by a job, with retries and exponential backoff, at least once.

``(topic, key)`` is unique, so a change enqueued twice (a retried request, a re-run job)
is one message; receivers get the key to deduplicate their side. A message is
``pending`` until delivered (``delivered``) or until it has failed ``max_attempts``
times (``failed``, kept for the operator to inspect and retry).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from opencsp.core.config import settings
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


# --- delivery: claim a batch, send it, settle each message -------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    key: str
    payload: dict[str, Any]


def claim(
    session: Session, topic: str, *, now: datetime, after: int | None, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take up to ``limit`` due pending messages of ``topic`` after id ``after``, oldest
    first, skipping rows another deliverer holds; they stay with the caller for ``lease``
    (a deliverer that dies leaves them due again once it has passed)."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.topic == topic,
            OutboxMessage.status == PENDING,
            OutboxMessage.available_at <= now,
            OutboxMessage.id > (after or 0),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    until = now + lease
    for row in rows:
        row.available_at = until
    session.flush()
    return [Claimed(row.id, row.key, dict(row.payload)) for row in rows]


def settle(session: Session, outcomes: Mapping[int, str | None], *, now: datetime) -> Counter[str]:
    """Record each delivery (``outcomes``: message id → error text, or None when it left):
    delivered, retried after the backoff, or failed after the last allowed attempt
    (the delivery settings: ``provisioning_backoff_*``, ``provisioning_max_attempts``)."""
    s = settings()
    base = timedelta(seconds=s.provisioning_backoff_base_seconds)
    ceiling = timedelta(seconds=s.provisioning_backoff_ceiling_seconds)
    counts: Counter[str] = Counter()
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(list(outcomes)))):
        error = outcomes[row.id]
        row.attempts += 1
        if error is None:
            row.status, row.delivered_at, row.last_error = DELIVERED, now, ""
        else:
            row.last_error = error[:1024]
            if row.attempts >= s.provisioning_max_attempts:
                row.status = FAILED
            else:
                row.available_at = now + backoff(row.attempts, base=base, ceiling=ceiling)
        counts[row.status if row.status != PENDING else "retrying"] += 1
    session.flush()
    return counts
