"""Notifying an organization: one inbox message and one e-mail per recipient, written in
the caller's transaction (so a decision and its notice are kept or lost together), each
at most once per ``key``.

Recipients of the e-mail are the organization's active Global admins (and the users of
the roles given). The e-mail body is rendered when it is delivered, in each recipient's
language, from ``kind`` and ``params``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.models import User, UserRole
from opencsp.auth.rules import Role
from opencsp.core import outbox
from opencsp.core.actor import Actor
from opencsp.core.db import insert_unless_exists
from opencsp.core.ids import new_id
from opencsp.notifications import queries
from opencsp.notifications.models import Notification

EMAIL_TOPIC = "email"


def recipients(
    session: Session, organization_id: uuid.UUID, roles: Iterable[Role] = ()
) -> list[User]:
    """The active users of the organization holding Global admin or one of ``roles``."""
    wanted = {Role.GLOBAL_ADMIN.value, *(r.value for r in roles)}
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.organization_id == organization_id,
                User.is_active.is_(True),
                UserRole.role.in_(sorted(wanted)),
            )
            .distinct()
            .order_by(User.email)
        )
    )


def notify(
    session: Session,
    organization_id: uuid.UUID,
    *,
    kind: str,
    key: str,
    params: dict[str, Any],
    now: datetime,
    roles: Iterable[Role] = (),
) -> bool:
    """Put a message of ``kind`` in the organization's inbox and queue its e-mail to each
    recipient. ``key`` identifies the decision notified (e.g. ``"restricted:<org>:2027"``):
    notifying the same key again changes nothing and answers False."""
    row = Notification(
        id=new_id(),
        organization_id=organization_id,
        key=key,
        kind=kind,
        params=params,
        created_at=now,
        read_at=None,
    )
    if not insert_unless_exists(session, row):
        return False
    for user in recipients(session, organization_id, roles):
        outbox.enqueue(
            session,
            topic=EMAIL_TOPIC,
            key=f"{key}:{user.email}"[:160],
            payload={
                "notification_id": str(row.id),
                "to": user.email,
                "locale": user.locale,
                "kind": kind,
                "params": params,
            },
            now=now,
        )
    return True


def mark_read(
    session: Session, actor: Actor, notification_id: uuid.UUID, *, now: datetime
) -> Notification:
    """A user of the organization opens a message: it is read from ``now`` on (a second
    read keeps the first instant). Another organization's message is 404."""
    row = queries.get_visible(session, actor, notification_id)
    if row.read_at is None:
        row.read_at = now
        session.flush()
    return row
