"""A partner's standing in the program: good (no row), ``restricted`` or ``deauthorized``
(``partners.models.PartnerStanding``), and what each blocks. It lives in the partners
layer so that customers, orders and partnerships — which sit below the program domain —
can read it.

- **Restricted** (rules.md §2c, PC:restricted-direct-bill-capabilities.md): a direct-bill
  partner that stopped meeting the requirements after its notice period. Blocked: new
  purchases, new add-ons and one-time purchases (``orders.facts.buyer_facts`` →
  ``BuyerRestricted``), creating customer tenants, generating reseller-relationship
  invitations and indirect-provider partnership invitations. Still allowed: existing
  subscriptions keep renewing (renewals never pass checkout), seat changes and suspension.
  The vendor lifts a restriction (``lift``).
- **Deauthorized** (rules.md §3.4, PC:new-indirect-reseller-requirement.md): a reseller
  under the revenue floor. Its tenant is terminated for the program: its enrollment is
  ended (state ``rejected`` with the reason, so every "enrollment active" check refuses
  it: it is no partner of record (800016), transacts nothing (800039)), its partnerships
  end, and it may not enroll again — a new enrollment with the same tenant domain, or
  resubmitting its own — before ``reenroll_after`` (one year). Approving its
  re-enrollment reinstates it (``reinstate``).

Every change is audited and notified to the partner (``notifications.notify``, once per
decision)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import PermissionDenied
from opencsp.notifications.service import notify
from opencsp.partners import queries
from opencsp.partners.errors import (
    DeauthorizationNotLiftable,
    PartnerDeauthorized,
    PartnerInGoodStanding,
    PartnerRestricted,
    ReenrollmentTooEarly,
    StandingReasonRequired,
)
from opencsp.partners.models import Enrollment, Partnership, PartnerStanding
from opencsp.partners.rules import EnrollmentState, PartnershipState

RESTRICTED, DEAUTHORIZED = "restricted", "deauthorized"
STATUSES = (RESTRICTED, DEAUTHORIZED)


# --- reads ----------------------------------------------------------------------------------


def standing_of(session: Session, organization_id: uuid.UUID) -> PartnerStanding | None:
    """The partner's standing row; None is good standing."""
    return session.get(PartnerStanding, organization_id)


def is_restricted(session: Session, organization_id: uuid.UUID) -> bool:
    """Restricted or deauthorized: either way the partner starts nothing new."""
    return standing_of(session, organization_id) is not None


def deauthorized_among(session: Session, organization_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``organization_ids`` are deauthorized, in one statement."""
    wanted = set(organization_ids)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(PartnerStanding.organization_id).where(
                PartnerStanding.organization_id.in_(wanted),
                PartnerStanding.status == DEAUTHORIZED,
            )
        )
    )


@dataclass(frozen=True, slots=True)
class StandingRow:
    """One line of the vendor's list: the standing and the partner's name and tier."""

    standing: PartnerStanding
    name: str
    tier: str


def standings(session: Session, *, status: str | None = None) -> list[StandingRow]:
    """Every partner not in good standing (or only ``status``), latest first, with its
    name, in one statement."""
    stmt = (
        select(PartnerStanding, Organization.name, Organization.tier)
        .join(Organization, Organization.id == PartnerStanding.organization_id)
        .order_by(PartnerStanding.effective_at.desc(), PartnerStanding.organization_id)
    )
    if status is not None:
        stmt = stmt.where(PartnerStanding.status == status)
    return [StandingRow(s, name, tier) for s, name, tier in session.execute(stmt)]


# --- guards -----------------------------------------------------------------------------------


def ensure_not_restricted(
    session: Session,
    organization_id: uuid.UUID,
    error: type[PartnerRestricted] = PartnerRestricted,
) -> None:
    """Refuse a new start (customer, invitation, partnership) while restricted (``error``,
    rules.md §2c) or deauthorized (``PartnerDeauthorized``, rules.md §3.4)."""
    row = standing_of(session, organization_id)
    if row is None:
        return
    if row.status == DEAUTHORIZED:
        raise PartnerDeauthorized(reenroll_after=_day(row.reenroll_after))
    raise error()


def ensure_may_reenroll(
    session: Session,
    today: date,
    *,
    organization_id: uuid.UUID | None = None,
    tenant_domain: str | None = None,
) -> None:
    """A deauthorized tenant — found by its organization (resubmitting) or by its tenant
    domain (a new enrollment) — enrolls again only on or after ``reenroll_after``
    (at least one year, rules.md §3.4)."""
    conditions = []
    if organization_id is not None:
        conditions.append(PartnerStanding.organization_id == organization_id)
    if tenant_domain is not None:
        conditions.append(PartnerStanding.tenant_domain == tenant_domain.strip().lower())
    if not conditions:
        return
    rows = session.scalars(
        select(PartnerStanding).where(PartnerStanding.status == DEAUTHORIZED, or_(*conditions))
    )
    for row in rows:
        if row.reenroll_after is not None and today < row.reenroll_after:
            raise ReenrollmentTooEarly(
                deauthorized_on=_day(row.effective_at.date()),
                reenroll_after=_day(row.reenroll_after),
            )


# --- changes ----------------------------------------------------------------------------------


def _ensure_program_admin(actor: Actor) -> None:
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()


def _reason(text: str | None) -> str:
    value = (text or "").strip()
    if not value or len(value) > 1024:
        raise StandingReasonRequired()
    return value


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"


def restrict(
    session: Session, actor: Actor, organization_id: uuid.UUID, *, reason: str, now: datetime
) -> PartnerStanding:
    """Restrict a partner from ``now`` (rules.md §2c); already restricted or deauthorized:
    the row as it is, nothing changes."""
    _ensure_program_admin(actor)
    text = _reason(reason)
    existing = standing_of(session, organization_id)
    if existing is not None:
        return existing
    row = PartnerStanding(
        organization_id=organization_id,
        status=RESTRICTED,
        effective_at=now,
        reason=text,
        tenant_domain=_domain_of(session, organization_id),
        reenroll_after=None,
        decided_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "restrict_partner",
        "partner_standing",
        resource_id=organization_id,
        partner_id=organization_id,
        new={"status": RESTRICTED, "effectiveAt": now.isoformat(), "reason": text},
    )
    notify(
        session,
        organization_id,
        kind="partner_restricted",
        key=f"standing:{organization_id}:restricted:{now.isoformat()}",
        params={"since": now.date().isoformat(), "reason": text},
        now=now,
    )
    return row


def deauthorize(
    session: Session,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
    reenroll_after: date,
) -> PartnerStanding:
    """Deauthorize a reseller from ``now`` (rules.md §3.4): the standing (replacing a
    restriction), its enrollment ended with the reason, its active partnerships ended
    (customers kept, as when a side ends one). Already deauthorized: nothing changes."""
    _ensure_program_admin(actor)
    text = _reason(reason)
    row = standing_of(session, organization_id)
    if row is not None and row.status == DEAUTHORIZED:
        return row
    old = None if row is None else {"status": row.status}
    if row is None:
        row = PartnerStanding(organization_id=organization_id)
        session.add(row)
    row.status, row.effective_at, row.reason = DEAUTHORIZED, now, text
    row.tenant_domain = _domain_of(session, organization_id)
    row.reenroll_after, row.decided_by = reenroll_after, actor.user_id
    enrollment = queries.enrollment_of(session, organization_id)
    if enrollment is not None and enrollment.state != EnrollmentState.REJECTED.value:
        enrollment.state = EnrollmentState.REJECTED.value
        enrollment.decided_at, enrollment.decided_by = now, actor.user_id
        enrollment.reason = text
    ended = _end_partnerships(session, actor, organization_id, now)
    session.flush()
    audit.record(
        session,
        actor,
        "deauthorize_partner",
        "partner_standing",
        resource_id=organization_id,
        partner_id=organization_id,
        old=old,
        new={
            "status": DEAUTHORIZED,
            "effectiveAt": now.isoformat(),
            "reenrollAfter": reenroll_after.isoformat(),
            "reason": text,
            "partnershipsEnded": len(ended),
        },
    )
    notify(
        session,
        organization_id,
        kind="partner_deauthorized",
        key=f"standing:{organization_id}:deauthorized:{now.isoformat()}",
        params={"since": now.date().isoformat(), "reenrollAfter": reenroll_after.isoformat()},
        now=now,
    )
    return row


def _end_partnerships(
    session: Session, actor: Actor, reseller_id: uuid.UUID, now: datetime
) -> list[Partnership]:
    rows = list(
        session.scalars(
            select(Partnership).where(
                Partnership.reseller_id == reseller_id,
                Partnership.state == PartnershipState.ACTIVE.value,
            )
        )
    )
    for partnership in rows:
        partnership.state = PartnershipState.ENDED.value
        partnership.ended_at, partnership.ended_by = now, actor.user_id
        for side in (partnership.provider_id, partnership.reseller_id):
            audit.record(
                session,
                actor,
                "end_partnership",
                "partner_relationship",
                resource_id=partnership.id,
                partner_id=side,
                old={"state": "active"},
                new={"state": "ended"},
                data={"customersKept": "true", "cause": "deauthorized"},
            )
    return rows


def lift(
    session: Session, actor: Actor, organization_id: uuid.UUID, *, reason: str, now: datetime
) -> PartnerStanding:
    """The vendor lifts a restriction (the row is deleted; the audit log keeps it) and the
    partner is told. A deauthorization is not lifted: the reseller re-enrolls after its
    year. Answers the row as it was."""
    _ensure_program_admin(actor)
    text = _reason(reason)
    row = standing_of(session, organization_id)
    if row is None:
        raise PartnerInGoodStanding()
    if row.status == DEAUTHORIZED:
        raise DeauthorizationNotLiftable(reenroll_after=_day(row.reenroll_after))
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "lift_partner_restriction",
        "partner_standing",
        resource_id=organization_id,
        partner_id=organization_id,
        old={"status": row.status, "effectiveAt": row.effective_at.isoformat()},
        new={"status": "good", "reason": text},
    )
    notify(
        session,
        organization_id,
        kind="restriction_lifted",
        key=f"standing:{organization_id}:lifted:{now.isoformat()}",
        params={"since": row.effective_at.date().isoformat(), "reason": text},
        now=now,
    )
    return row


def reinstate(session: Session, actor: Actor, enrollment: Enrollment, *, now: datetime) -> bool:
    """Approving the re-enrollment of a deauthorized reseller ends its deauthorization
    (``enrollment.approve`` calls it); True when there was one."""
    row = standing_of(session, enrollment.organization_id)
    if row is None or row.status != DEAUTHORIZED:
        return False
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "reinstate_partner",
        "partner_standing",
        resource_id=enrollment.organization_id,
        partner_id=enrollment.organization_id,
        old={"status": DEAUTHORIZED, "effectiveAt": row.effective_at.isoformat()},
        new={"status": "good", "enrollment": str(enrollment.id)},
    )
    notify(
        session,
        enrollment.organization_id,
        kind="partner_reinstated",
        key=f"standing:{enrollment.organization_id}:reinstated:{now.isoformat()}",
        params={"since": now.date().isoformat()},
        now=now,
    )
    return True


def _domain_of(session: Session, organization_id: uuid.UUID) -> str | None:
    profile = queries.profile_of(session, organization_id)
    return profile.tenant_domain if profile is not None else None
