"""Units of work for batched jobs inside a test's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from opencsp.core.actor import Actor
from opencsp.jobs.registry import Units


def units(session: Session, actor: Actor) -> Units:
    """Each unit a savepoint, released when it ends and rolled back when it raises, as a
    committed unit would be."""

    @contextmanager
    def unit() -> Iterator[tuple[Session, Actor]]:
        with session.begin_nested():
            yield session, actor

    return unit
