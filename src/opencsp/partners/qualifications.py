"""A partner's qualification for a restricted segment (rules.md §9a: "GCC requires both
partner and customer qualification; Azure Government requires partner qualification").
The one partner segment is ``government``: a partner's Global admin requests it, the
vendor's Program admin approves it or denies it with a reason (``InReview`` →
``Approved`` | ``Denied``; a denied one may be asked again). The checkout reads the
approved ones (``orders.facts``). A partner sees its own; the vendor sees all.

Services take the session first, never commit, audit every change and notify the
decision to the partner (``notifications.service.notify``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import service as auth_service
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import PermissionDenied
from opencsp.core.visibility import owned_by
from opencsp.notifications.service import notify
from opencsp.partners.errors import (
    PartnerNotFound,
    PartnerQualificationExists,
    PartnerQualificationNotFound,
    PartnerQualificationNotInReview,
    QualificationReasonRequired,
    UnknownPartnerSegment,
)
from opencsp.partners.models import PartnerProfile, PartnerQualification

GOVERNMENT = "government"
SEGMENTS = frozenset({GOVERNMENT})
REASON_MAX = 1024


class Status(StrEnum):
    IN_REVIEW = "InReview"
    APPROVED = "Approved"
    DENIED = "Denied"


# --- pure rules ------------------------------------------------------------------------------


def parse_segment(value: str | None) -> str:
    """``government`` (read case-insensitively); anything else is refused."""
    segment = (value or "").strip().lower()
    if segment not in SEGMENTS:
        raise UnknownPartnerSegment(segment=value or "")
    return segment


def ensure_requestable(current: Status | None, segment: str) -> None:
    """Asked once: again only after a denial."""
    if current is not None and current is not Status.DENIED:
        raise PartnerQualificationExists(segment=segment, status=current.value)


def ensure_in_review(current: Status, segment: str) -> None:
    if current is not Status.IN_REVIEW:
        raise PartnerQualificationNotInReview(segment=segment, status=current.value)


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise QualificationReasonRequired()
    return text[:REASON_MAX]


# --- reads -----------------------------------------------------------------------------------


def visible(actor: Actor) -> Select[PartnerQualification, PartnerProfile]:
    """Qualifications with the partner's profile: the actor's own, or all for the vendor."""
    return (
        select(PartnerQualification, PartnerProfile)
        .join(
            PartnerProfile, PartnerProfile.organization_id == PartnerQualification.organization_id
        )
        .where(owned_by(actor, PartnerQualification.organization_id))
    )


def qualifications_of(
    session: Session, actor: Actor, *, status: Status | None = None
) -> Sequence[tuple[PartnerQualification, PartnerProfile]]:
    """Oldest request first (the vendor's queue when ``status`` is InReview)."""
    stmt = visible(actor)
    if status is not None:
        stmt = stmt.where(PartnerQualification.status == status.value)
    rows = session.execute(
        stmt.order_by(PartnerQualification.requested_at, PartnerQualification.organization_id)
    ).all()
    return [(q, p) for q, p in rows]


def approved_segments(session: Session, organization_id: uuid.UUID) -> frozenset[str]:
    return frozenset(
        session.scalars(
            select(PartnerQualification.segment).where(
                PartnerQualification.organization_id == organization_id,
                PartnerQualification.status == Status.APPROVED.value,
            )
        )
    )


# --- changes ---------------------------------------------------------------------------------


def _snapshot(row: PartnerQualification) -> dict[str, str | None]:
    return {"segment": row.segment, "status": row.status, "reason": row.reason}


def request_qualification(
    session: Session, actor: Actor, segment: str | None
) -> PartnerQualification:
    """The partner's Global admin asks to be qualified for ``segment``; the vendor's
    Program admins are notified."""
    if actor.is_vendor or not actor.can(Perm.PROFILES_MANAGE):
        raise PermissionDenied()
    wanted = parse_segment(segment)
    row = session.get(PartnerQualification, (actor.organization_id, wanted))
    ensure_requestable(Status(row.status) if row else None, wanted)
    old = _snapshot(row) if row else None
    now = clock.now()
    if row is None:
        row = PartnerQualification(organization_id=actor.organization_id, segment=wanted)
        session.add(row)
    row.status, row.requested_at, row.reason = Status.IN_REVIEW.value, now, None
    row.decided_at, row.decided_by = None, None
    session.flush()
    audit.record(
        session,
        actor,
        "request_partner_qualification",
        "partner_qualification",
        resource_id=actor.organization_id,
        old=old,
        new=_snapshot(row),
    )
    vendor = auth_service.vendor_organization(session)
    if vendor is not None:
        notify(
            session,
            vendor.id,
            kind="partner_qualification_requested",
            key=f"partner-qualification:{actor.organization_id}:{wanted}:requested:{now.isoformat()}",
            params={"partnerName": actor.organization_name, "segment": wanted},
            now=now,
            roles=(Role.PROGRAM_ADMIN,),
        )
    return row


def _decide(
    session: Session,
    actor: Actor,
    organization_id: uuid.UUID,
    segment: str,
    status: Status,
    reason: str | None,
) -> PartnerQualification:
    if not actor.is_vendor or not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()
    wanted = parse_segment(segment)
    if session.get(PartnerProfile, organization_id) is None:
        raise PartnerNotFound()
    row = session.get(PartnerQualification, (organization_id, wanted))
    if row is None:
        raise PartnerQualificationNotFound(segment=wanted)
    ensure_in_review(Status(row.status), wanted)
    old = _snapshot(row)
    now = clock.now()
    row.status, row.reason = status.value, reason
    row.decided_at, row.decided_by = now, actor.user_id
    session.flush()
    operation = "approve" if status is Status.APPROVED else "deny"
    audit.record(
        session,
        actor,
        f"{operation}_partner_qualification",
        "partner_qualification",
        resource_id=organization_id,
        old=old,
        new=_snapshot(row),
        partner_id=organization_id,
    )
    notify(
        session,
        organization_id,
        kind=f"partner_qualification_{operation}d",
        key=(
            f"partner-qualification:{organization_id}:{wanted}:{status.value}:"
            f"{row.requested_at.isoformat()}"
        ),
        params={"segment": wanted, "reason": reason or ""},
        now=now,
    )
    return row


def approve(
    session: Session, actor: Actor, organization_id: uuid.UUID, segment: str
) -> PartnerQualification:
    """The vendor qualifies the partner for ``segment`` (Program admin)."""
    return _decide(session, actor, organization_id, segment, Status.APPROVED, None)


def deny(
    session: Session, actor: Actor, organization_id: uuid.UUID, segment: str, reason: str | None
) -> PartnerQualification:
    """The vendor refuses the qualification, with the reason the partner reads."""
    return _decide(session, actor, organization_id, segment, Status.DENIED, clean_reason(reason))
