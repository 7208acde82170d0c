"""Gathering the facts direct-bill eligibility is judged on (``program.eligibility``),
set-based: the partner's country, its partner IDs, the vendor's evidence, its TTM
figure (``reporting.ttm``), the first month it transacted, its open application.

"Transacting since" (rules.md §2a "CSP tenure": transacted as an indirect reseller for at
least 12 months) is the first month (``period``) of a vendor charge line — a line the
vendor billed a provider — naming this organization as the reseller of record, whatever
the line's product type or whether its document is paid **[inferred]**: tenure counts
transacting, revenue counts paid revenue. Months after the current one (lines billed in
advance) are not counted.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing.models import VENDOR, Charge
from opencsp.core.config import settings
from opencsp.partners.models import PartnerId, PartnerProfile
from opencsp.program.eligibility import (
    Checklist,
    EligibilityFacts,
    EvidenceFact,
    PartnerIdFact,
    Policy,
    evaluate,
)
from opencsp.program.models import DirectBillApplication, Evidence
from opencsp.reporting.errors import RevenueRateMissing
from opencsp.reporting.ttm import Ttm, ttm_all, ttm_for

OPEN_STATES = ("submitted", "info_requested", "assessment")


def policy() -> Policy:
    """The policy of the settings (``OPENCSP_DIRECT_BILL_TTM_THRESHOLD_USD``,
    ``OPENCSP_DIRECT_BILL_TENURE_MONTHS``, ``OPENCSP_MANAGED_SERVICE_REQUIRED``)."""
    s = settings()
    return Policy(
        ttm_threshold_usd=Decimal(s.direct_bill_ttm_threshold_usd).quantize(Decimal("0.01")),
        tenure_months=s.direct_bill_tenure_months,
        managed_service_required=s.managed_service_required,
    )


def open_application(session: Session, organization_id: uuid.UUID) -> DirectBillApplication | None:
    return session.scalars(
        select(DirectBillApplication).where(DirectBillApplication.open_key == str(organization_id))
    ).one_or_none()


def _countries(session: Session, orgs: list[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    rows = session.execute(
        select(Organization.id, func.coalesce(PartnerProfile.country, Organization.country))
        .outerjoin(PartnerProfile, PartnerProfile.organization_id == Organization.id)
        .where(Organization.id.in_(orgs))
    )
    return {org: country for org, country in rows}


def _partner_ids(
    session: Session, orgs: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[PartnerIdFact, ...]]:
    found: dict[uuid.UUID, list[PartnerIdFact]] = defaultdict(list)
    for p in session.scalars(
        select(PartnerId)
        .where(PartnerId.organization_id.in_(orgs))
        .order_by(PartnerId.created_at, PartnerId.mpn_id)
    ):
        found[p.organization_id].append(PartnerIdFact(p.mpn_id, p.kind, p.country, p.status))
    return {org: tuple(ids) for org, ids in found.items()}


def _evidence(session: Session, orgs: list[uuid.UUID]) -> dict[uuid.UUID, tuple[EvidenceFact, ...]]:
    found: dict[uuid.UUID, list[EvidenceFact]] = defaultdict(list)
    for e in session.scalars(
        select(Evidence)
        .where(Evidence.organization_id.in_(orgs))
        .order_by(Evidence.effective_on, Evidence.recorded_at, Evidence.id)
    ):
        found[e.organization_id].append(
            EvidenceFact(e.kind, e.outcome, e.effective_on, e.recorded_at, dict(e.detail or {}))
        )
    return {org: tuple(rows) for org, rows in found.items()}


def evidence_facts(session: Session, organization_id: uuid.UUID) -> tuple[EvidenceFact, ...]:
    """One organization's evidence records, oldest first."""
    return _evidence(session, [organization_id]).get(organization_id, ())


def _transacting_since(
    session: Session, orgs: list[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, date]:
    """The first month of a vendor charge line with each reseller of record, not after
    the current month (module docstring)."""
    current = now.astimezone(UTC).date().replace(day=1)
    rows = session.execute(
        select(Charge.reseller_organization_id, func.min(Charge.period))
        .where(
            Charge.tier == VENDOR,
            Charge.reseller_organization_id.in_(orgs),
            Charge.period <= current,
        )
        .group_by(Charge.reseller_organization_id)
    )
    return {org: first for org, first in rows if org is not None}


def _ttm(session: Session, orgs: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, Ttm | None]:
    """Each organization's TTM figures (one statement for one partner, or for all when
    there are several); none when a month's FX rate is missing."""
    try:
        if len(orgs) == 1:
            return {orgs[0]: ttm_for(session, orgs[0], now)}
        every = ttm_all(session, now)
    except RevenueRateMissing:
        return dict.fromkeys(orgs)
    return {org: every.get(org) for org in orgs}


def drill_down_link(organization_id: uuid.UUID, now: datetime) -> str:
    """The reporting drill-down of the ``directBill`` figure behind the revenue row."""
    day = now.astimezone(UTC).date().isoformat()
    return f"/v1/reporting/revenue/ttm/directBill/lines?partnerId={organization_id}&asOf={day}"


def gather_many(
    session: Session,
    organization_ids: Sequence[uuid.UUID],
    *,
    now: datetime,
    applications: Mapping[uuid.UUID, DirectBillApplication] | None = None,
) -> dict[uuid.UUID, EligibilityFacts]:
    """The facts of several organizations as of ``now`` in a handful of statements;
    ``applications`` gives the application judged for an organization (none: the
    attestation and the managed service are still to come)."""
    orgs = list(dict.fromkeys(organization_ids))
    if not orgs:
        return {}
    apps = applications or {}
    countries = _countries(session, orgs)
    ids = _partner_ids(session, orgs)
    evidence = _evidence(session, orgs)
    since = _transacting_since(session, orgs, now=now)
    ttm = _ttm(session, orgs, now)
    result = {}
    for org in orgs:
        app, figures = apps.get(org), ttm.get(org)
        result[org] = EligibilityFacts(
            as_of=now.astimezone(UTC).date(),
            country=countries.get(org),
            partner_ids=ids.get(org, ()),
            location_mpn_id=app.location_mpn_id if app else None,
            has_application=app is not None,
            signer_name=app.signer_name if app else None,
            attested_at=app.authority_attested_at if app else None,
            managed_service=app.managed_service if app else None,
            evidence=evidence.get(org, ()),
            ttm_usd=figures.direct_bill if figures else None,
            ttm_start=figures.start if figures else None,
            ttm_end=figures.end if figures else None,
            ttm_link=drill_down_link(org, now),
            transacting_since=since.get(org),
        )
    return result


def direct_bill_checklist(
    session: Session,
    organization_id: uuid.UUID,
    *,
    now: datetime,
    application: DirectBillApplication | None = None,
) -> Checklist:
    """The live direct-bill checklist of an organization (rules.md §2a) under the
    settings' policy; ``application`` defaults to its open application."""
    if application is None:
        application = open_application(session, organization_id)
    apps = {organization_id: application} if application else {}
    facts = gather_many(session, [organization_id], now=now, applications=apps)
    return evaluate(facts[organization_id], policy())


def checklists(
    session: Session, applications: Sequence[DirectBillApplication], *, now: datetime
) -> dict[uuid.UUID, Checklist]:
    """The live checklist of each application's organization, set-based (the review
    queue), keyed by application id."""
    by_org = {a.organization_id: a for a in applications}
    facts = gather_many(session, list(by_org), now=now, applications=by_org)
    rules = policy()
    return {a.id: evaluate(facts[a.organization_id], rules) for a in applications}
