"""Reads of keeping and losing a tier, through the actor's visibility: the vendor's
Program admin sees every partner's standing, reassessments and floor checks; a partner
sees its own only (another's is 404, never 403)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Perm
from opencsp.partners import standing
from opencsp.partners.errors import PartnerNotFound
from opencsp.partners.models import PartnerStanding
from opencsp.program import standing_rules as rules
from opencsp.program.models import FloorCheck, Reassessment


def sees_all(actor: Actor) -> bool:
    return actor.is_vendor and actor.can(Perm.PROGRAM_ADMIN)


def _scope(column: Any, actor: Actor, partner_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """The actor's visibility (its own organization unless it sees all), and the partner
    asked for."""
    found: list[ColumnElement[bool]] = []
    if not sees_all(actor):
        found.append(column == actor.organization_id)
    if partner_id is not None:
        found.append(column == partner_id)
    return found


@dataclass(frozen=True, slots=True)
class Named:
    """A row with its partner's name and tier."""

    row: Any
    name: str
    tier: str


def _evaluations(
    session: Session,
    actor: Actor,
    model: type[Reassessment] | type[FloorCheck],
    *,
    partner_id: uuid.UUID | None,
    outcome: str | None,
    limit: int,
) -> list[Named]:
    """Rows of one kind of evaluation the actor may see, latest first, with names."""
    stmt = (
        select(model, Organization.name, Organization.tier)
        .join(Organization, Organization.id == model.organization_id)
        .where(*_scope(model.organization_id, actor, partner_id))
        .order_by(model.evaluated_at.desc(), model.id)
        .limit(limit)
    )
    if outcome is not None:
        stmt = stmt.where(model.outcome == outcome)
    return [Named(r, name, tier) for r, name, tier in session.execute(stmt)]


def reassessments(
    session: Session,
    actor: Actor,
    *,
    partner_id: uuid.UUID | None = None,
    outcome: str | None = None,
    limit: int = 500,
) -> list[Named]:
    """Reassessments, latest evaluation first."""
    return _evaluations(
        session, actor, Reassessment, partner_id=partner_id, outcome=outcome, limit=limit
    )


def floor_checks(
    session: Session,
    actor: Actor,
    *,
    partner_id: uuid.UUID | None = None,
    outcome: str | None = None,
    limit: int = 500,
) -> list[Named]:
    """Floor checks, latest evaluation first."""
    return _evaluations(
        session, actor, FloorCheck, partner_id=partner_id, outcome=outcome, limit=limit
    )


def standings(session: Session, actor: Actor, *, status: str | None = None) -> list[Named]:
    """Partners not in good standing (the vendor), or the actor's own standing."""
    rows = standing.standings(session, status=status)
    if not sees_all(actor):
        rows = [r for r in rows if r.standing.organization_id == actor.organization_id]
    return [Named(r.standing, r.name, r.tier) for r in rows]


@dataclass(frozen=True, slots=True)
class StandingView:
    """A partner's standing as read by one actor: the row (None: good standing), and
    the notices running against it."""

    organization_id: uuid.UUID
    name: str
    tier: str
    row: PartnerStanding | None
    reassessment_notice: Reassessment | None
    floor_notice: FloorCheck | None


def standing_of(
    session: Session, actor: Actor, partner_id: uuid.UUID, *, today: date
) -> StandingView:
    """One partner's standing and notices (404 for a partner the actor may not see)."""
    if not sees_all(actor) and partner_id != actor.organization_id:
        raise PartnerNotFound()
    org = session.get(Organization, partner_id)
    if org is None:
        raise PartnerNotFound()
    notice = session.scalars(
        select(Reassessment)
        .where(
            Reassessment.organization_id == partner_id,
            Reassessment.outcome == rules.NOT_MET,
            Reassessment.notice_until >= today,
            Reassessment.restricted_at.is_(None),
        )
        .order_by(Reassessment.cycle.desc())
        .limit(1)
    ).one_or_none()
    floor = session.scalars(
        select(FloorCheck)
        .where(
            FloorCheck.organization_id == partner_id,
            FloorCheck.outcome == rules.BELOW,
            FloorCheck.deauthorized_at.is_(None),
        )
        .order_by(FloorCheck.period.desc())
        .limit(1)
    ).one_or_none()
    return StandingView(
        org.id, org.name, org.tier, standing.standing_of(session, partner_id), notice, floor
    )
