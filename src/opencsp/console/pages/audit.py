"""The audit log: what was changed, by whom and when, newest first — the organization's
own records (the vendor sees the whole program's), over the last 30 days by default and
at most the 90 days kept (PC:developer/get-a-record-of-partner-center-activity-by-user.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from opencsp.audit import queries
from opencsp.console import rendering
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.AUDIT_READ)]
PAGE_SIZE = 50


@router.get("/audit")
def audit_log(
    request: Request,
    visit: Reader,
    start: Annotated[date | None, Query()] = None,
    end: Annotated[date | None, Query()] = None,
    after: Annotated[str | None, Query()] = None,
) -> Response:
    page = queries.page_of_records(
        db(request),
        visit.actor,
        start_date=start,
        end_date=end,
        filter_json=None,
        size=PAGE_SIZE,
        token=after,
    )
    context = {
        "records": page.items,
        "total": page.total_count,
        "next_token": page.next_token,
        "start": start,
        "end": end,
    }
    return rendering.render(request, "audit.html", context)
