"""Tables of the program domain (issue 7; rules.md §2, §3.4).

- ``program_applications``: a reseller's application for the direct-bill tier. While it
  is open (``submitted``, ``info_requested``, ``assessment``) ``open_key`` holds the
  organization id, and it is unique: one open application per organization, held by the
  database. Approval creates or links the separate direct-bill organization
  (``direct_organization_id``); ``billing_anniversary`` and ``tenant_domain`` are
  captured then and never change (PC:enrolling-in-the-csp-program.md).
- ``program_application_messages``: the conversation of an application (the vendor's
  requests for more information, the partner's answers, decisions).
- ``program_evidence``: facts the vendor records about a partner: a credit check, a
  support plan bought (ASfP or PSfP), a third-party assessment (rules.md §2a).
- ``program_reassessments``: one per direct-bill partner and year of its enrollment
  (unique), with the checklist it was judged on, the growth figures and, when it failed,
  the date the restriction takes effect (``notice_until``).
- ``program_floor_checks``: one per reseller and anniversary month (unique), with its
  TTM and, when under the floor, the date it is deauthorized (rules.md §3.4).
- ``program_transitions`` / ``program_transition_customers``: a direct-bill partner
  stepping back to indirect reseller (rules.md §2d), one open at a time (``open_key``),
  with each customer's consent to move to the chosen provider.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class DirectBillApplication(Base):
    __tablename__ = "program_applications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    location_mpn_id: Mapped[int | None] = mapped_column(Integer)
    signer_name: Mapped[str] = mapped_column(String(256))
    signer_email: Mapped[str] = mapped_column(String(320))
    signer_title: Mapped[str | None] = mapped_column(String(128))
    authority_attested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    managed_service: Mapped[str | None] = mapped_column(String(4000))
    billing_anniversary: Mapped[date] = mapped_column(Date)
    tenant_domain: Mapped[str] = mapped_column(String(253))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(1024))
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    direct_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )


class ApplicationMessage(Base):
    __tablename__ = "program_application_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("program_applications.id", ondelete="CASCADE"), index=True
    )
    author_organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(24))
    body: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Evidence(Base):
    __tablename__ = "program_evidence"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (Index("ix_program_evidence_org_kind", "organization_id", "kind"),)


class Reassessment(Base):
    __tablename__ = "program_reassessments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    cycle: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON)
    ttm_minor: Mapped[int] = mapped_column(BigInteger)
    previous_ttm_minor: Mapped[int | None] = mapped_column(BigInteger)
    notice_until: Mapped[date | None] = mapped_column(Date)
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("organization_id", "cycle"),)


class FloorCheck(Base):
    __tablename__ = "program_floor_checks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    period: Mapped[str] = mapped_column(String(7))
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ttm_minor: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    deauthorize_on: Mapped[date | None] = mapped_column(Date)
    deauthorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("organization_id", "period"),)


class TierTransition(Base):
    __tablename__ = "program_transitions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approve_by: Mapped[date] = mapped_column(Date)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    agreement_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    effective_period: Mapped[str | None] = mapped_column(String(7))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(1024))


class TierTransitionCustomer(Base):
    __tablename__ = "program_transition_customers"

    transition_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("program_transitions.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    consent_by: Mapped[str] = mapped_column(String(256))
    consent_recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
