"""The inbox: the organization's notifications, newest first, in the reader's language
(subjects and bodies from ``notifications.messages``), a page at a time; opening one
marks it read. The unread count shows in the navigation (``rendering.page_context``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.notifications import queries, service
from opencsp.notifications.errors import NotificationNotFound
from opencsp.notifications.messages import render

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.PROFILE_READ)]
Poster = Annotated[Visit, allowed(Perm.PROFILE_READ, post=True)]


@router.get("/inbox")
def inbox(request: Request, visit: Reader) -> Response:
    language = session.language_of(request)
    token = request.query_params.get("page") or None
    page = queries.page_of(db(request), visit.actor, size=25, token=token)
    rows = [
        {"row": row, "text": render(row.kind, dict(row.params or {}), language)}
        for row in page.items
    ]
    context = {"rows": rows, "total": page.total_count, "next_token": page.next_token}
    return rendering.render(request, "inbox.html", context)


@router.post("/inbox/{notification_id}/read")
def mark_read(request: Request, notification_id: str, visit: Poster) -> Response:
    found = path_id(notification_id, NotificationNotFound)
    service.mark_read(db(request), visit.actor, found, now=clock.now())
    return RedirectResponse(f"/inbox#n-{found}", status_code=303)
