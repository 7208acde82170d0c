"""``GET /v1/auditrecords`` (PC:developer/get-a-record-of-partner-center-activity-by-user.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query

from opencsp.audit import queries
from opencsp.audit.schemas import AuditRecordRead
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import CONTINUATION_HEADER, collection
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["audit"])


@router.get("/auditrecords", response_model=Collection[AuditRecordRead])
def list_audit_records(
    session: SessionDep,
    actor: Annotated[Actor, require(Perm.AUDIT_READ)],
    start_date: Annotated[date | None, Query(alias="startDate")] = None,
    end_date: Annotated[date | None, Query(alias="endDate")] = None,
    filter: Annotated[str | None, Query()] = None,
    size: Annotated[int | None, Query()] = None,
    continuation: Annotated[str | None, Header(alias=CONTINUATION_HEADER)] = None,
) -> Collection[AuditRecordRead]:
    page = queries.page_of_records(
        session,
        actor,
        start_date=start_date,
        end_date=end_date,
        filter_json=filter,
        size=size,
        token=continuation,
    )
    items = [AuditRecordRead.model_validate(row) for row in page.items]
    return collection(
        items,
        total_count=page.total_count,
        path="/auditrecords",
        query={"startDate": start_date, "endDate": end_date, "filter": filter, "size": size},
        next_token=page.next_token,
    )
