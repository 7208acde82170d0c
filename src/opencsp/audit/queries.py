"""Reading audit records through the actor's visibility: a partner sees its own
organization's records, the vendor sees all."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opencsp.audit import rules
from opencsp.audit.errors import InvalidAuditFilter
from opencsp.audit.models import AuditRecord
from opencsp.audit.rules import Window
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.ids import parse_guid
from opencsp.core.pagination import Page, check_size, paginate
from opencsp.core.visibility import owned_by

_OPERATORS = {"companyname": "substring", "customerid": "equals", "resourcetype": "equals"}


@dataclass(frozen=True)
class AuditFilter:
    field: str  # companyname | customerid | resourcetype
    value: str


def parse_filter(raw: str | None) -> AuditFilter | None:
    """``{"Field": "CompanyName", "Value": "...", "Operator": "substring"}``, keys and
    names read case-insensitively (api-surface.md §3c)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidAuditFilter() from exc
    if not isinstance(data, dict):
        raise InvalidAuditFilter()
    folded = {str(k).lower(): v for k, v in data.items()}
    field = str(folded.get("field", "")).lower()
    value = folded.get("value")
    operator = str(folded.get("operator", "")).lower()
    if field not in _OPERATORS or not isinstance(value, str) or operator != _OPERATORS[field]:
        raise InvalidAuditFilter()
    if field == "customerid" and parse_guid(value) is None:
        raise InvalidAuditFilter()
    return AuditFilter(field=field, value=value)


def visible(actor: Actor) -> Select[AuditRecord]:
    return select(AuditRecord).where(owned_by(actor, AuditRecord.partner_id))


def in_window(actor: Actor, window: Window, flt: AuditFilter | None) -> Select[AuditRecord]:
    stmt = visible(actor).where(
        AuditRecord.operation_date >= window.start, AuditRecord.operation_date < window.end
    )
    if flt is not None:
        if flt.field == "companyname":
            stmt = stmt.where(
                func.lower(AuditRecord.customer_name).contains(flt.value.lower(), autoescape=True)
            )
        elif flt.field == "customerid":
            stmt = stmt.where(AuditRecord.customer_id == uuid.UUID(flt.value))
        else:
            stmt = stmt.where(func.lower(AuditRecord.resource_type) == flt.value.lower())
    return stmt.order_by(AuditRecord.operation_date.desc(), AuditRecord.id)


def page_of_records(
    session: Session,
    actor: Actor,
    *,
    start_date: date | None,
    end_date: date | None,
    filter_json: str | None,
    size: int | None,
    token: str | None,
) -> Page[AuditRecord]:
    """One page of the actor's records in the requested window (30 days by default, 90
    kept — PC:developer/get-a-record-of-partner-center-activity-by-user.md), newest first."""
    cfg = settings()
    window = rules.query_window(
        start_date,
        end_date,
        now=clock.now(),
        default_days=cfg.audit_default_window_days,
        retention_days=cfg.audit_retention_days,
    )
    stmt = in_window(actor, window, parse_filter(filter_json))
    return paginate(session, stmt, size=check_size(size, default=500, maximum=2000), token=token)
