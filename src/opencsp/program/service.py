"""Program administration use cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.errors import NotFound, PermissionDenied


def move_test_clock(session: Session, actor: Actor, instant: datetime) -> datetime:
    """Set the instant every unit of work on this database treats as "now" (test clock,
    only when ``OPENCSP_TEST_CLOCK`` is on; Program admin only)."""
    if not settings().test_clock:
        raise NotFound()
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()
    before = clock.now()
    moved = clock.set_test_clock(session, instant)
    audit.record(
        session,
        actor,
        "update_test_clock",
        "test_clock",
        old={"now": before.isoformat()},
        new={"now": moved.isoformat()},
    )
    return moved
