"""The inbox: ``GET /v1/notifications`` (the caller's organization's messages, newest
first, paged with ``continuationToken``/``MS-ContinuationToken``; ``unreadOnly=true``),
``POST /v1/notifications/{id}/read``. Subjects and bodies in the ``X-Locale`` language."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query

from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import CONTINUATION_HEADER, collection
from opencsp.notifications import queries, service
from opencsp.notifications.schemas import NotificationRead
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["notifications"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]


@router.get("/notifications", response_model=Collection[NotificationRead])
def list_notifications(
    session: SessionDep,
    actor: Reader,
    size: Annotated[int | None, Query()] = None,
    unread_only: Annotated[bool, Query(alias="unreadOnly")] = False,
    continuation: Annotated[str | None, Header(alias=CONTINUATION_HEADER)] = None,
    x_locale: Annotated[str | None, Header(alias="X-Locale")] = None,
) -> Collection[NotificationRead]:
    page = queries.page_of(session, actor, size=size, token=continuation, unread_only=unread_only)
    return collection(
        [NotificationRead.of(row, x_locale) for row in page.items],
        total_count=page.total_count,
        path="/notifications",
        query={"size": size, "unreadOnly": "true" if unread_only else None},
        next_token=page.next_token,
    )


@router.post("/notifications/{notification_id}/read", response_model=NotificationRead)
def read_notification(
    notification_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    x_locale: Annotated[str | None, Header(alias="X-Locale")] = None,
) -> NotificationRead:
    row = service.mark_read(session, actor, notification_id, now=clock.now())
    return NotificationRead.of(row, x_locale)
