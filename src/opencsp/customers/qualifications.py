"""A customer's segment qualifications (rules.md §9a; PC:developer/update-customer-
qualification-asynchronous.md, get-customer-qualification-asynchronous.md).

A partner with a relationship to the customer (direct-bill or indirect provider: those
that manage customers) asks for a qualification; it is ``InReview`` until the vendor's
Program admin approves it or denies it with a reason (``qualification_rules``). The
partners of the customer are notified of the decision, the vendor's Program admins of a
request. The checkout (``orders.gates``) and the customer's catalog read the approved
ones (``approved_for``, ``qualifies``).

Services take the session first, never commit, and audit every change. A customer the
caller may not see is 404, as everywhere (``customers.queries.get_visible``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import service as auth_service
from opencsp.auth.rules import Role
from opencsp.catalog.rules import Segment
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.errors import PermissionDenied
from opencsp.customers import queries
from opencsp.customers.errors import QualificationNotFound
from opencsp.customers.models import Customer, CustomerQualification
from opencsp.customers.qualification_rules import (
    GOVERNMENT_SEGMENT,
    Qualification,
    VettingStatus,
    check_request,
    clean_reason,
    ensure_in_review,
    ensure_requestable,
    missing_for_segment,
    parse_qualification,
)
from opencsp.notifications.service import notify
from opencsp.partners.models import PartnerQualification


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One qualification of the vendor's queue, with its customer."""

    qualification: CustomerQualification
    customer: Customer


def _snapshot(row: CustomerQualification) -> dict[str, str | None]:
    return {
        "qualification": row.qualification,
        "educationSegment": row.education_segment,
        "website": row.website,
        "vettingStatus": row.vetting_status,
        "vettingReason": row.vetting_reason,
    }


def qualifications_of(
    session: Session, actor: Actor, customer_id: uuid.UUID
) -> Sequence[CustomerQualification]:
    """The customer's qualifications, by name, for an actor that may see the customer."""
    customer = queries.get_visible(session, actor, customer_id)
    return session.scalars(
        select(CustomerQualification)
        .where(CustomerQualification.customer_id == customer.id)
        .order_by(CustomerQualification.qualification)
    ).all()


def request_qualification(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    *,
    qualification: str | None,
    education_segment: str | None = None,
    website: str | None = None,
) -> CustomerQualification:
    """A partner asks the vendor to qualify its customer: ``InReview`` from now. Asking
    again after a denial starts a new review (a new ``vettingCreatedDate``)."""
    if not actor.can(Perm.CUSTOMERS_MANAGE) or actor.is_vendor:
        raise PermissionDenied()
    customer = queries.get_visible(session, actor, customer_id)
    qual, segment, site = check_request(qualification, education_segment, website)
    row = session.get(CustomerQualification, (customer.id, qual.value))
    ensure_requestable(VettingStatus(row.vetting_status) if row else None, qual)
    now = clock.now()
    old = _snapshot(row) if row else None
    if row is None:
        row = CustomerQualification(customer_id=customer.id, qualification=qual.value)
        session.add(row)
    row.education_segment = segment.value if segment else None
    row.website = site
    row.vetting_status = VettingStatus.IN_REVIEW.value
    row.vetting_reason = None
    row.vetting_created_date = now
    row.decided_at = None
    row.decided_by = None
    session.flush()
    audit.record(
        session,
        actor,
        "request_customer_qualification",
        "customer_qualification",
        resource_id=customer.id,
        old=old,
        new=_snapshot(row),
        customer_id=customer.id,
        customer_name=customer.company_name,
    )
    vendor = auth_service.vendor_organization(session)
    if vendor is not None:
        notify(
            session,
            vendor.id,
            kind="customer_qualification_requested",
            key=f"customer-qualification:{customer.id}:{qual.value}:requested:{now.isoformat()}",
            params={
                "customerId": str(customer.id),
                "customerName": customer.company_name,
                "qualification": qual.value,
                "partnerName": actor.organization_name,
            },
            now=now,
            roles=(Role.PROGRAM_ADMIN,),
        )
    return row


def review_queue(
    session: Session, actor: Actor, *, status: VettingStatus | None = VettingStatus.IN_REVIEW
) -> list[QueueItem]:
    """The vendor's queue: qualifications in ``status`` (all when None), oldest first."""
    _ensure_program_admin(actor)
    stmt = select(CustomerQualification, Customer).join(
        Customer, Customer.id == CustomerQualification.customer_id
    )
    if status is not None:
        stmt = stmt.where(CustomerQualification.vetting_status == status.value)
    rows = session.execute(
        stmt.order_by(
            CustomerQualification.vetting_created_date,
            CustomerQualification.customer_id,
            CustomerQualification.qualification,
        )
    ).all()
    return [QueueItem(q, c) for q, c in rows]


def _ensure_program_admin(actor: Actor) -> None:
    if not actor.can(Perm.PROGRAM_ADMIN) or not actor.is_vendor:
        raise PermissionDenied()


def _decide(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    qualification: str,
    status: VettingStatus,
    reason: str | None,
) -> QueueItem:
    _ensure_program_admin(actor)
    qual = parse_qualification(qualification)
    customer = queries.get_visible(session, actor, customer_id)
    row = session.get(CustomerQualification, (customer.id, qual.value))
    if row is None:
        raise QualificationNotFound(qualification=qual.value)
    ensure_in_review(VettingStatus(row.vetting_status), qual.value)
    old = _snapshot(row)
    now = clock.now()
    row.vetting_status = status.value
    row.vetting_reason = reason
    row.decided_at, row.decided_by = now, actor.user_id
    session.flush()
    operation = "approve" if status is VettingStatus.APPROVED else "deny"
    audit.record(
        session,
        actor,
        f"{operation}_customer_qualification",
        "customer_qualification",
        resource_id=customer.id,
        old=old,
        new=_snapshot(row),
        customer_id=customer.id,
        customer_name=customer.company_name,
        partner_id=actor.organization_id,
    )
    for partner_id in queries.partners_of(session, customer.id):
        notify(
            session,
            partner_id,
            kind=f"customer_qualification_{operation}d",
            key=(
                f"customer-qualification:{customer.id}:{qual.value}:{status.value}:"
                f"{row.vetting_created_date.isoformat()}:{partner_id}"
            ),
            params={
                "customerId": str(customer.id),
                "customerName": customer.company_name,
                "qualification": qual.value,
                "reason": reason or "",
            },
            now=now,
        )
    return QueueItem(row, customer)


def approve(
    session: Session, actor: Actor, customer_id: uuid.UUID, qualification: str
) -> QueueItem:
    """The vendor approves a qualification in review: the customer may buy in its
    segment from now (rules.md §9a)."""
    return _decide(session, actor, customer_id, qualification, VettingStatus.APPROVED, None)


def deny(
    session: Session, actor: Actor, customer_id: uuid.UUID, qualification: str, reason: str | None
) -> QueueItem:
    """The vendor denies a qualification in review, with the reason its partners read."""
    text = clean_reason(reason)
    return _decide(session, actor, customer_id, qualification, VettingStatus.DENIED, text)


# --- what the checkout and the catalog read ------------------------------------------------


def approved_for(
    session: Session, customer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, frozenset[str]]:
    """The approved qualifications of each customer, in one query."""
    ids = list(customer_ids)
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    if ids:
        for customer_id, qualification in session.execute(
            select(CustomerQualification.customer_id, CustomerQualification.qualification).where(
                CustomerQualification.customer_id.in_(ids),
                CustomerQualification.vetting_status == VettingStatus.APPROVED.value,
            )
        ):
            found[customer_id].add(qualification)
    return {i: frozenset(found.get(i, ())) for i in ids}


def partner_approved(session: Session, organization_id: uuid.UUID) -> frozenset[str]:
    """The segments the partner is approved for (``partners.models.PartnerQualification``)."""
    return frozenset(
        session.scalars(
            select(PartnerQualification.segment).where(
                PartnerQualification.organization_id == organization_id,
                PartnerQualification.status == VettingStatus.APPROVED.value,
            )
        )
    )


def qualifies(
    session: Session, customer_id: uuid.UUID, partner_id: uuid.UUID | None, segment: Segment
) -> bool:
    """Whether the customer (and, for government, the partner) may buy in ``segment``;
    ``partner_id`` None (the vendor reading) skips the partner's part."""
    if segment is Segment.COMMERCIAL:
        return True
    customer = approved_for(session, [customer_id])[customer_id]
    partner = (
        partner_approved(session, partner_id)
        if partner_id is not None
        else frozenset({GOVERNMENT_SEGMENT})
    )
    return missing_for_segment(segment, customer, partner) is None


__all__ = [
    "Qualification",
    "QueueItem",
    "VettingStatus",
    "approve",
    "approved_for",
    "deny",
    "partner_approved",
    "qualifications_of",
    "qualifies",
    "request_qualification",
    "review_queue",
]
