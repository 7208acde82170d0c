"""Reading an organization's inbox: its own notifications only (a partner sees its own;
another organization's message is 404), newest first."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opencsp.core.actor import Actor
from opencsp.core.pagination import Page, check_size, paginate
from opencsp.notifications.errors import NotificationNotFound
from opencsp.notifications.models import Notification

PAGE_SIZE, MAX_PAGE_SIZE = 20, 200


def visible(actor: Actor) -> Select[Any]:
    """The actor's organization's notifications, newest first (ties by id)."""
    return (
        select(Notification)
        .where(Notification.organization_id == actor.organization_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def page_of(
    session: Session,
    actor: Actor,
    *,
    size: int | None = None,
    token: str | None = None,
    unread_only: bool = False,
) -> Page[Notification]:
    stmt = visible(actor)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    size = check_size(size, default=PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    return paginate(session, stmt, size=size, token=token)


def latest(session: Session, organization_id: uuid.UUID, *, limit: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.organization_id == organization_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, organization_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Notification.organization_id == organization_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def get_visible(session: Session, actor: Actor, notification_id: uuid.UUID) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.organization_id != actor.organization_id:
        raise NotificationNotFound()
    return row
