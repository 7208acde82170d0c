"""Evidence the vendor records about a partner for direct-bill eligibility (rules.md
§2a): a credit check (begun, passed or failed on a day), a support plan bought (ASfP or
PSfP, on a day), a third-party assessment (scheduled for a day, passed or failed).
Program admin only; every record audited and notified to the partner. Records are never
edited: a later record supersedes an earlier one (``program.eligibility``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.notifications.service import notify
from opencsp.partners.errors import PartnerNotFound
from opencsp.program.eligibility import SUPPORT_PLANS
from opencsp.program.errors import InvalidEvidence
from opencsp.program.models import Evidence

OUTCOMES: Mapping[str, frozenset[str]] = {
    "credit_check": frozenset({"scheduled", "passed", "failed"}),
    "support_plan": frozenset({"bought"}),
    "assessment": frozenset({"scheduled", "passed", "failed"}),
}
"""What can be recorded of each kind. A credit check ``scheduled`` is the day it began."""


def clean(kind: str, outcome: str, plan: str | None) -> tuple[str, str, dict[str, Any]]:
    """A valid (kind, outcome, detail): the support plan names ASfP or PSfP."""
    kind, outcome = kind.strip().lower(), outcome.strip().lower()
    if kind not in OUTCOMES:
        raise InvalidEvidence(detail=f"kind must be one of {', '.join(sorted(OUTCOMES))}")
    if outcome not in OUTCOMES[kind]:
        allowed = ", ".join(sorted(OUTCOMES[kind]))
        raise InvalidEvidence(detail=f"A {kind} record's outcome must be one of {allowed}")
    detail: dict[str, Any] = {}
    if kind == "support_plan":
        wanted = {p.lower(): p for p in SUPPORT_PLANS}.get((plan or "").strip().lower())
        if wanted is None:
            raise InvalidEvidence(detail="plan must be ASfP or PSfP")
        detail["plan"] = wanted
    return kind, outcome, detail


def _partner(session: Session, organization_id: uuid.UUID) -> Organization:
    org = session.get(Organization, organization_id)
    if org is None or org.tier == Tier.VENDOR.value:
        raise PartnerNotFound()
    return org


def record_evidence(
    session: Session,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    kind: str,
    outcome: str,
    effective_on: date,
    plan: str | None = None,
) -> Evidence:
    """The vendor records one fact about a partner (module docstring)."""
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()
    kind, outcome, detail = clean(kind, outcome, plan)
    org = _partner(session, organization_id)
    now = clock.now()
    row = Evidence(
        id=new_id(),
        organization_id=org.id,
        kind=kind,
        outcome=outcome,
        detail=detail,
        effective_on=effective_on,
        recorded_at=now,
        recorded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    params = {"kind": kind, "outcome": outcome, "effectiveOn": effective_on.isoformat(), **detail}
    audit.record(
        session,
        actor,
        "record_program_evidence",
        "program_evidence",
        resource_id=row.id,
        partner_id=org.id,
        new=params,
    )
    notify(
        session, org.id, kind="evidence_recorded", key=f"evidence:{row.id}", params=params, now=now
    )
    return row


def list_evidence(session: Session, actor: Actor, organization_id: uuid.UUID) -> list[Evidence]:
    """A partner's evidence, oldest first: the vendor's Program admin sees every
    partner's, a partner its own; anything else is not found."""
    if not (actor.can(Perm.PROGRAM_ADMIN) or actor.organization_id == organization_id):
        raise PartnerNotFound()
    _partner(session, organization_id)
    return list(
        session.scalars(
            select(Evidence)
            .where(Evidence.organization_id == organization_id)
            .order_by(Evidence.effective_on, Evidence.recorded_at, Evidence.id)
        )
    )
