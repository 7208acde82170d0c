"""Recording what happened. Every mutating service of every domain calls ``record`` in the
same transaction as its change, so the record exists exactly when the change does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.core import clock, context
from opencsp.core.actor import Actor
from opencsp.core.ids import new_id


def _as_json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True)
    return json.dumps(value, default=str, sort_keys=True)


def record(
    session: Session,
    actor: Actor,
    operation_type: str,
    resource_type: str,
    *,
    resource_id: object | None = None,
    old: Any = None,
    new: Any = None,
    customer_id: Any = None,
    customer_name: str | None = None,
    data: Mapping[str, object] | None = None,
    status: str = "succeeded",
    partner_id: uuid.UUID | None = None,
) -> AuditRecord:
    """Append one record (PC:developer/auditing-resources.md: operationType, resourceType,
    old and new values as JSON strings, customizedData as key/value pairs).

    ``partner_id`` is the organization whose records these are — the one the change is
    about, so it sees the record in its own log even when the vendor's operator acted;
    it defaults to the actor's organization."""
    row = AuditRecord(
        id=new_id(),
        partner_id=partner_id or actor.organization_id,
        user_id=actor.user_id,
        user_principal_name=actor.email,
        application_id=str(actor.token_id) if actor.token_id else None,
        customer_id=customer_id,
        customer_name=customer_name,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        operation_type=operation_type,
        operation_status=status,
        operation_date=clock.now(),
        original_correlation_id=context.correlation_id.get(),
        resource_old_value=_as_json(old),
        resource_new_value=_as_json(new),
        customized_data=[{"key": k, "value": str(v)} for k, v in (data or {}).items()],
    )
    session.add(row)
    return row


def purge_expired(session: Session, *, retention_days: int) -> int:
    """Drop records older than the retained window (90 days by default —
    PC:developer/get-a-record-of-partner-center-activity-by-user.md). The only deletion
    audit records ever see; idempotent."""
    cutoff = clock.now() - timedelta(days=retention_days)
    result = session.execute(
        delete(AuditRecord).where(AuditRecord.operation_date < cutoff),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)
