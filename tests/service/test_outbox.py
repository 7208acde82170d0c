"""The outbox keeps one message per (topic, key): a retried change enqueues nothing new."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from opencsp.core.outbox import PENDING, OutboxMessage, enqueue

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def test_enqueue_once_per_topic_and_key(session) -> None:
    assert enqueue(session, topic="provisioning", key="s1:1", payload={"a": 1}, now=NOW)
    assert not enqueue(session, topic="provisioning", key="s1:1", payload={"a": 2}, now=NOW)
    assert enqueue(session, topic="provisioning", key="s1:2", payload={"a": 3}, now=NOW)
    assert enqueue(session, topic="email", key="s1:1", payload={}, now=NOW)
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.topic, m.key, m.payload) for m in rows] == [
        ("provisioning", "s1:1", {"a": 1}),
        ("provisioning", "s1:2", {"a": 3}),
        ("email", "s1:1", {}),
    ]
    assert {m.status for m in rows} == {PENDING}
    assert all(m.available_at == NOW and m.attempts == 0 for m in rows)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
