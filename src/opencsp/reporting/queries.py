"""Whose revenue an actor may read, and the reads through it.

A partner reads its own figures only; naming another partner answers 404 exactly as a
partner that does not exist (DESIGN.md §5). The vendor (a Billing operator or Global
admin: the route asks for ``billing.read``) reads any partner's, or everyone's."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Tier
from opencsp.reporting import revenue, ttm
from opencsp.reporting.errors import PartnerRevenueNotFound
from opencsp.reporting.rules import Measure


def scope(session: Session, actor: Actor, partner_id: uuid.UUID | None) -> uuid.UUID | None:
    """The partner whose revenue is read: a partner's own (another's is 404); for the
    vendor the partner named (404 unless it is a partner), or None for every partner."""
    if not actor.is_vendor:
        if partner_id is not None and partner_id != actor.organization_id:
            raise PartnerRevenueNotFound(partner_id=partner_id)
        return actor.organization_id
    if partner_id is None:
        return None
    org = session.get(Organization, partner_id)
    if org is None or org.tier == Tier.VENDOR.value:
        raise PartnerRevenueNotFound(partner_id=partner_id)
    return partner_id


def partner_of(session: Session, actor: Actor, partner_id: uuid.UUID | None) -> uuid.UUID:
    """Like ``scope``, but one partner is required (the vendor must name it)."""
    found = scope(session, actor, partner_id)
    if found is None:
        raise PartnerRevenueNotFound(partner_id="(none named)")
    return found


def ttm_figures(
    session: Session, actor: Actor, partner_id: uuid.UUID | None, as_of: datetime | date
) -> list[ttm.Ttm]:
    """The TTM figures the actor asked for: one partner's, or every partner's (vendor)."""
    org = scope(session, actor, partner_id)
    if org is None:
        return list(ttm.ttm_all(session, as_of).values())
    return [ttm.ttm_for(session, org, as_of)]


def ttm_drill(
    session: Session,
    actor: Actor,
    partner_id: uuid.UUID | None,
    as_of: datetime | date,
    measure: Measure,
) -> ttm.TtmDrill:
    """The lines behind one partner's figure (``ttm.ttm_lines``)."""
    return ttm.ttm_lines(session, partner_of(session, actor, partner_id), as_of, measure)


def revenue_rows(
    session: Session,
    actor: Actor,
    partner_id: uuid.UUID | None,
    start: date,
    end: date,
    by: revenue.Breakdown,
    *,
    paid_only: bool = True,
) -> list[revenue.RevenueRow]:
    """A revenue breakdown of one partner, or of the vendor over all (``revenue``)."""
    org = scope(session, actor, partner_id)
    return revenue.revenue_by(session, org, start, end, by, paid_only=paid_only)


def chart_series(
    session: Session, actor: Actor, partner_id: uuid.UUID | None, measure: Measure, end: date
) -> list[revenue.MonthPoint]:
    org = scope(session, actor, partner_id)
    return revenue.monthly_series(session, org, measure, end)


def names(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {k: o.name for k, o in ttm.organizations(session, ids).items()}
