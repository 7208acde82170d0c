"""The one source of "now". Rules take ``now=`` as a value; services and jobs call
``clock.now()``; nothing else reads the wall clock.

The clock in force lives in a context variable, so a test freezes time with
``clock.frozen(...)`` and a request or job sees the test clock it read at its start.

Test clock (modeled on Kill Bill's): when ``OPENCSP_TEST_CLOCK=true``, a single row in
``test_clock`` holds the instant that server, CLI and jobs all treat as "now". The instant
stands still until it is moved, so windows and renewals can be tested to the second.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from opencsp.core.config import settings
from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class TestClockRow(Base):
    __tablename__ = "test_clock"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    now: Mapped[datetime] = mapped_column(UTCDateTime())


_fixed: ContextVar[datetime | None] = ContextVar("opencsp_clock_fixed", default=None)


def ensure_aware_utc(value: datetime) -> datetime:
    """Aware datetimes only; naive ones are a bug, never silently assumed to be UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: every instant in opencsp is timezone-aware")
    return value.astimezone(UTC)


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant, aware UTC: the frozen or test-clock instant if one is in force."""
    fixed = _fixed.get()
    return fixed if fixed is not None else system_now()


@contextmanager
def frozen(instant: datetime) -> Iterator[datetime]:
    """Hold "now" at ``instant`` for the block (tests, and the test clock per unit of work)."""
    token = _fixed.set(ensure_aware_utc(instant))
    try:
        yield instant
    finally:
        _fixed.reset(token)


def read_test_clock(session: Session) -> datetime | None:
    return session.scalar(select(TestClockRow.now).where(TestClockRow.id == 1))


def set_test_clock(session: Session, instant: datetime) -> datetime:
    instant = ensure_aware_utc(instant)
    row = session.get(TestClockRow, 1)
    if row is None:
        session.add(TestClockRow(id=1, now=instant))
    else:
        row.now = instant
    session.flush()
    return instant


@contextmanager
def from_database(session: Session) -> Iterator[None]:
    """Within the block, "now" is the test clock's instant when the setting is on and the
    clock has been set; otherwise the current clock stays in force."""
    instant = read_test_clock(session) if settings().test_clock else None
    if instant is None:
        yield
        return
    with frozen(instant):
        yield
