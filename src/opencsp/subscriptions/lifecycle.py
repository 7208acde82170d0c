"""The timed lifecycle of subscriptions, and how every lifecycle job works through them.

**The ``lifecycle`` job** (rules.md §9e, PC:subscription-lifecycle.md): a subscription
expired for 30 days turns disabled, one disabled for 90 days is deleted
(``rules.lifecycle_due``). The move takes effect at 00:00 UTC of the day it fell due,
whenever the job gets to it, so a late or re-run job writes the same history as a punctual
one; a subscription due twice over (expired 120 days ago) is caught up in one run.

**How the lifecycle jobs run** (this one, ``renewals``, provisioning delivery): due rows
are selected set-based in a stable order (keyset, never OFFSET) and handled in batches,
each batch in its own unit of work (``Units``: the adapter's factory, which commits when
the block ends), so a crash loses only the current batch and the next run redoes it.
Each subscription is handled in a savepoint: one whose work was already done — its event's
idempotency key exists, or another worker changed the row (``version``) — is skipped
without harm. On PostgreSQL a batch's rows are claimed ``FOR UPDATE SKIP LOCKED``, so
several workers share the work; SQLite has a single writer.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from opencsp.audit import service as audit
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.subscriptions import events, rules
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Action, Status

log = logging.getLogger("opencsp.subscriptions.lifecycle")

Units = Callable[[], AbstractContextManager[tuple[Session, Actor]]]
"""Opens one unit of work as the job's actor; it commits when the block ends."""

C = TypeVar("C")
K = TypeVar("K")

Step = Callable[[Session, Actor, C | None], tuple[Counter[str], C | None]]
"""One batch: handles the due rows after the cursor, returns what it did and the cursor
of the next batch (None: nothing left)."""


class AlreadyDone(Exception):
    """The work on one subscription was already done by an earlier or concurrent run."""


class Skipped(Exception):
    """One subscription can't be handled now (the reason is the message); it stays due."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome


def summary(counts: Counter[str]) -> str:
    """A job's one-line result: each outcome with its count, or that nothing was due."""
    return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "nothing due"


def run_in_batches(units: Units, step: Step[C]) -> Counter[str]:
    """Run ``step`` batch after batch, each in a unit of work of its own, until no due row
    is left after the cursor."""
    total: Counter[str] = Counter()
    cursor: C | None = None
    while True:
        with units() as (session, actor):
            counts, cursor = step(session, actor, cursor)
        total.update(counts)
        if cursor is None:
            return total


def handle_each(
    session: Session, rows: Iterable[Subscription], work: Callable[[Subscription], str]
) -> Counter[str]:
    """Apply ``work`` to each row in a savepoint of its own and count the outcomes. Work
    done already (``AlreadyDone``, a stale ``version``) is rolled back and counted as
    ``already done``; a ``Skipped`` row is rolled back, logged and counted by its outcome.
    Anything else is a crash: it propagates and the unit of work rolls back."""
    counts: Counter[str] = Counter()
    for sub in rows:
        sub_id = sub.id
        try:
            with session.begin_nested():
                outcome = work(sub)
        except (AlreadyDone, StaleDataError):
            counts["already done"] += 1
        except Skipped as skipped:
            log.warning("subscription %s left as it is: %s", sub_id, skipped)
            counts[skipped.outcome] += 1
        else:
            counts[outcome] += 1
    return counts


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def after_cursor(
    column: InstrumentedAttribute[K], cursor: tuple[K, uuid.UUID] | None
) -> ColumnElement[bool]:
    """Rows after ``cursor`` in ``(column, id)`` order (keyset pagination)."""
    if cursor is None:
        return true()
    key, sub_id = cursor
    return or_(column > key, and_(column == key, Subscription.id > sub_id))


# --- the ``lifecycle`` job: expired → disabled → deleted ----------------------------------------

ELAPSED: dict[Action, tuple[EventKind, str]] = {
    Action.EXPIRE_ELAPSED: (EventKind.DISABLE, "disabled"),
    Action.DISABLE_ELAPSED: (EventKind.DELETE, "deleted"),
}


def due_elapsed(
    session: Session, *, today: date, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Subscription]:
    """Expired and disabled subscriptions whose days in that state may have run out
    (``rules.lifecycle_due`` decides each), oldest change first."""
    expired_before = midnight(today - timedelta(days=rules.EXPIRED_DAYS - 1))
    disabled_before = midnight(today - timedelta(days=rules.DISABLED_DAYS - 1))
    return session.scalars(
        select(Subscription)
        .where(
            or_(
                and_(
                    Subscription.status == Status.EXPIRED.value,
                    Subscription.status_changed_at < expired_before,
                ),
                and_(
                    Subscription.status == Status.DISABLED.value,
                    Subscription.status_changed_at < disabled_before,
                ),
            ),
            after_cursor(Subscription.status_changed_at, after),
        )
        .order_by(Subscription.status_changed_at, Subscription.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def apply_elapsed(session: Session, actor: Actor, sub: Subscription, *, today: date) -> str:
    """Move ``sub`` on if its time in its state has run out (rules.md §9e): the event
    ``disable``/``delete`` keyed ``{kind}:{subscription}:{term}`` takes effect at 00:00 UTC of
    the day it fell due."""
    status = Status(sub.status)
    since = sub.status_changed_at.date()
    action = rules.lifecycle_due(status, since, today)
    if action is None:
        return "not yet due"
    kind, outcome = ELAPSED[action]
    days = rules.EXPIRED_DAYS if action is Action.EXPIRE_ELAPSED else rules.DISABLED_DAYS
    at = midnight(since + timedelta(days=days))
    move(session, actor, sub, action, kind, at=at)
    return outcome


def term_key(kind: events.EventKind, sub_id: uuid.UUID, term_number: int) -> str:
    """The idempotency key of a lifecycle event: once per subscription and term."""
    return f"{kind.value}:{sub_id}:{term_number}"


def move(
    session: Session,
    actor: Actor,
    sub: Subscription,
    action: Action,
    kind: events.EventKind,
    *,
    at: datetime,
) -> Status:
    """Move ``sub`` through the lifecycle table by ``action`` effective ``at`` (its
    effects applied) and record it once per subscription and term: the event's
    ``{kind}:{id}:{term}`` key makes a re-run raise ``AlreadyDone`` instead of writing a
    second transition (rules.md §9d–9e)."""
    old = Status(sub.status)
    new = rules.transition(old, action)
    sub.status = new.value
    sub.status_changed_at = at
    sub.updated_at = clock.now()
    if rules.effects(action).clear_scheduled:
        sub.scheduled_next_term = None
    session.flush()
    recorded = events.record(
        session,
        sub,
        kind,
        at=at,
        actor_id=None,
        quantity_before=sub.quantity,
        idempotency_key=term_key(kind, sub.id, sub.term_number),
        details={"action": action.value},
    )
    if recorded is None:
        raise AlreadyDone()
    audit_status_change(session, actor, sub, old, new, action)
    return new


def audit_status_change(
    session: Session,
    actor: Actor,
    sub: Subscription,
    old: Status,
    new: Status,
    action: Action,
    **data: object,
) -> None:
    audit.record(
        session,
        actor,
        f"subscription.{action.value}",
        "Subscription",
        resource_id=sub.id,
        old={"status": old.value},
        new={"status": new.value, "termNumber": sub.term_number},
        customer_id=sub.customer_id,
        partner_id=sub.organization_id,
        data=data,
    )


def lifecycle_step(
    session: Session, actor: Actor, after: tuple[datetime, uuid.UUID] | None
) -> tuple[Counter[str], tuple[datetime, uuid.UUID] | None]:
    """One batch of the ``lifecycle`` job."""
    today = clock.now().date()
    limit = settings().job_batch_size
    rows = due_elapsed(session, today=today, after=after, limit=limit)
    if not rows:
        return Counter(), None
    cursor = (rows[-1].status_changed_at, rows[-1].id)
    counts = handle_each(session, rows, lambda sub: apply_elapsed(session, actor, sub, today=today))
    return counts, cursor


def run_lifecycle(units: Units) -> str:
    """The ``lifecycle`` job: every elapsed expiry and disablement, batch by batch."""
    return summary(run_in_batches(units, lifecycle_step))
