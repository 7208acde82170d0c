"""The unit of work: one per request, CLI command or job item. It begins a transaction,
hands out one session, and commits once at the end; services never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.core.db import new_session


@contextmanager
def unit_of_work(bind: Engine | Any | None = None) -> Iterator[Session]:
    """Commit once if the block succeeds, roll back everything if it raises.

    When the test clock is on, it is read first so the whole unit sees one "now"."""
    session = new_session(bind)
    try:
        with clock.from_database(session):
            yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
