"""Tables of the customers domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class Customer(Base):
    """A customer tenant (PC:developer/customer-resources.md). ``country`` is the
    country on the tenant, which decides its market (PC:regional-authorization-overview.md).
    The billing profile lives here with ``billing_version`` for its ETag. The tenant's
    administrator (``admin_user_name`` + a hashed password, shown once at creation)
    accepts relationship invitations and the customer agreement on the customer pages."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    company_name: Mapped[str] = mapped_column(String(256), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    organization_registration_number: Mapped[str | None] = mapped_column(String(64))
    billing_first_name: Mapped[str | None] = mapped_column(String(50))
    billing_last_name: Mapped[str | None] = mapped_column(String(50))
    billing_email: Mapped[str] = mapped_column(String(320))
    billing_culture: Mapped[str] = mapped_column(String(16))
    billing_language: Mapped[str] = mapped_column(String(8))
    billing_company_name: Mapped[str] = mapped_column(String(256))
    billing_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    billing_version: Mapped[int] = mapped_column(Integer, default=1)
    billing_profile_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    allow_delegated_access: Mapped[bool] = mapped_column(Boolean, default=True)
    admin_user_name: Mapped[str] = mapped_column(String(320))
    admin_password_hash: Mapped[str] = mapped_column(String(256))
    created_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerRelationship(Base):
    """A partner's reseller relationship with a customer. ``role`` is ``direct`` (a
    direct-bill partner), ``provider`` (an indirect provider) or ``reseller`` (an indirect
    reseller, with ``provider_id`` naming the provider it sells through). A customer
    created by a provider for a reseller has both rows (rules.md §6.5). ``state`` is
    ``active`` or ``ended``; ``source`` is ``created`` or ``invitation``."""

    __tablename__ = "customer_relationships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("customer_id", "partner_id"),)


class CustomerQualification(Base):
    """A customer's qualification for a segment (PC:developer/update-customer-qualification-
    asynchronous.md; rules.md §9a): ``qualification`` is ``Education`` (with
    ``education_segment`` K12 or HigherEducation and a ``website``), ``Nonprofit``,
    ``GovernmentCommunityCloud`` or ``StateOwnedEntity``; the vendor vets it:
    ``vetting_status`` ``InReview``, ``Approved`` or ``Denied`` with ``vetting_reason``."""

    __tablename__ = "customer_qualifications"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    qualification: Mapped[str] = mapped_column(String(32), primary_key=True)
    education_segment: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(2048))
    vetting_status: Mapped[str] = mapped_column(String(16))
    vetting_reason: Mapped[str | None] = mapped_column(String(1024))
    vetting_created_date: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
