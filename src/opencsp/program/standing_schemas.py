"""Wire shapes of standings, reassessments and floor checks (``/v1/program/...``, in
Partner Center's style: camelCase, ``attributes.objectType``; USD amounts as decimal
strings, never floats)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from opencsp.core.http import Attributes, WireModel
from opencsp.program import standing_rules as rules
from opencsp.program.standing_queries import Named, StandingView


def _attrs(kind: str) -> Any:
    return Field(default_factory=lambda: Attributes(object_type=kind))


class ReasonBody(WireModel):
    reason: str


class ReassessBody(WireModel):
    partner_id: uuid.UUID


class JobRun(WireModel):
    job: str
    summary: str


class StandingRead(WireModel):
    partner_id: uuid.UUID
    company_name: str
    tier: str
    status: str  # good | restricted | deauthorized
    effective_at: datetime | None = None
    reason: str | None = None
    tenant_domain: str | None = None
    reenroll_after: date | None = None
    notice_until: date | None = None
    deauthorize_on: date | None = None
    attributes: Attributes = _attrs("PartnerStanding")

    @classmethod
    def of_row(cls, named: Named) -> StandingRead:
        row = named.row
        return cls(
            partner_id=row.organization_id,
            company_name=named.name,
            tier=named.tier,
            status=row.status,
            effective_at=row.effective_at,
            reason=row.reason,
            tenant_domain=row.tenant_domain,
            reenroll_after=row.reenroll_after,
        )

    @classmethod
    def of_view(cls, view: StandingView) -> StandingRead:
        row = view.row
        return cls(
            partner_id=view.organization_id,
            company_name=view.name,
            tier=view.tier,
            status=row.status if row is not None else "good",
            effective_at=row.effective_at if row is not None else None,
            reason=row.reason if row is not None else None,
            tenant_domain=row.tenant_domain if row is not None else None,
            reenroll_after=row.reenroll_after if row is not None else None,
            notice_until=view.reassessment_notice.notice_until
            if view.reassessment_notice is not None
            else None,
            deauthorize_on=view.floor_notice.deauthorize_on
            if view.floor_notice is not None
            else None,
        )


class ReassessmentRead(WireModel):
    id: uuid.UUID
    partner_id: uuid.UUID
    company_name: str
    cycle: int
    due_on: date
    evaluated_at: datetime
    outcome: str  # met | notMet
    requirements: list[dict[str, Any]]
    growth: dict[str, Any]
    billed_ttm_usd: str
    previous_billed_ttm_usd: str | None = None
    notice_until: date | None = None
    notice_cleared_at: str | None = None
    restricted_at: datetime | None = None
    attributes: Attributes = _attrs("Reassessment")

    @classmethod
    def of(cls, named: Named) -> ReassessmentRead:
        row = named.row
        snapshot = dict(row.checklist or {})
        return cls(
            id=row.id,
            partner_id=row.organization_id,
            company_name=named.name,
            cycle=row.cycle,
            due_on=row.due_on,
            evaluated_at=row.evaluated_at,
            outcome=row.outcome,
            requirements=list(snapshot.get("requirements", [])),
            growth=dict(snapshot.get("growth", {})),
            billed_ttm_usd=rules.usd(row.ttm_minor),
            previous_billed_ttm_usd=rules.usd(row.previous_ttm_minor)
            if row.previous_ttm_minor is not None
            else None,
            notice_until=row.notice_until,
            notice_cleared_at=snapshot.get("cleared"),
            restricted_at=row.restricted_at,
        )


class FloorCheckRead(WireModel):
    id: uuid.UUID
    partner_id: uuid.UUID
    company_name: str
    period: str
    evaluated_at: datetime
    ttm_usd: str
    outcome: str  # met | below
    deauthorize_on: date | None = None
    deauthorized_at: datetime | None = None
    attributes: Attributes = _attrs("FloorCheck")

    @classmethod
    def of(cls, named: Named) -> FloorCheckRead:
        row = named.row
        return cls(
            id=row.id,
            partner_id=row.organization_id,
            company_name=named.name,
            period=row.period,
            evaluated_at=row.evaluated_at,
            ttm_usd=rules.usd(row.ttm_minor),
            outcome=row.outcome,
            deauthorize_on=row.deauthorize_on,
            deauthorized_at=row.deauthorized_at,
        )
