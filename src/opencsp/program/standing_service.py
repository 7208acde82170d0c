"""The vendor's actions on standing (Program admin): restrict or lift a partner by hand,
and run the reassessment and floor jobs now, in the caller's unit of work."""

from __future__ import annotations

import uuid
from contextlib import nullcontext

from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.partners import standing
from opencsp.partners.errors import PartnerNotFound
from opencsp.partners.models import PartnerStanding
from opencsp.program.floor import run_floor
from opencsp.program.reassessment import run_reassessments


def _ensure_program_admin(actor: Actor) -> None:
    if not (actor.is_vendor and actor.can(Perm.PROGRAM_ADMIN)):
        raise PermissionDenied()


def _partner(session: Session, partner_id: uuid.UUID) -> Organization:
    org = session.get(Organization, partner_id)
    if org is None or org.tier == Tier.VENDOR.value:
        raise PartnerNotFound()
    return org


def restrict_partner(
    session: Session, actor: Actor, partner_id: uuid.UUID, *, reason: str
) -> PartnerStanding:
    """Restrict a partner now (rules.md §2c), e.g. after a review outside the yearly job."""
    _ensure_program_admin(actor)
    org = _partner(session, partner_id)
    return standing.restrict(session, actor, org.id, reason=reason, now=clock.now())


def lift_restriction(
    session: Session, actor: Actor, partner_id: uuid.UUID, *, reason: str
) -> PartnerStanding:
    """Lift a partner's restriction (``partners.standing.lift``); answers the row lifted."""
    _ensure_program_admin(actor)
    org = _partner(session, partner_id)
    return standing.lift(session, actor, org.id, reason=reason, now=clock.now())


def run_reassessments_now(session: Session, actor: Actor) -> str:
    """The ``program.reassess`` job, every batch in the caller's unit of work."""
    _ensure_program_admin(actor)
    return run_reassessments(lambda: nullcontext((session, actor)))


def run_floor_now(session: Session, actor: Actor) -> str:
    """The ``program.floor`` job, every batch in the caller's unit of work."""
    _ensure_program_admin(actor)
    return run_floor(lambda: nullcontext((session, actor)))
