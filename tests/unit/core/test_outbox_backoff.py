"""The outbox's retry backoff: doubling from the base, capped at the ceiling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opencsp.core.outbox import backoff

BASE, CEILING = timedelta(seconds=30), timedelta(hours=1)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, timedelta()),
        (1, timedelta(seconds=30)),
        (2, timedelta(minutes=1)),
        (3, timedelta(minutes=2)),
        (7, timedelta(minutes=32)),
        (8, CEILING),  # 64 minutes, capped
        (10_000, CEILING),
    ],
)
def test_backoff(attempts: int, wait: timedelta) -> None:
    assert backoff(attempts, base=BASE, ceiling=CEILING) == wait
