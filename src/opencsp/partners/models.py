"""Tables of the partners domain. Every row hangs off an ``auth`` organization (the
partner's tenant)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class PartnerProfile(Base):
    """The legal business profile and the support profile of a partner
    (PC:developer/profile-resources.md). ``tenant_domain`` cannot change once the
    enrollment is active (PC:enrolling-in-the-csp-program.md). ``version`` makes the ETag."""

    __tablename__ = "partner_profiles"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    company_name: Mapped[str] = mapped_column(String(256))
    country: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    contact_first_name: Mapped[str] = mapped_column(String(50))
    contact_last_name: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    registration_number: Mapped[str | None] = mapped_column(String(64))
    tenant_domain: Mapped[str] = mapped_column(String(253), unique=True)
    support_email: Mapped[str | None] = mapped_column(String(320))
    support_phone: Mapped[str | None] = mapped_column(String(40))
    support_website: Mapped[str | None] = mapped_column(String(2048))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerId(Base):
    """A partner ID (formerly MPN ID): one global account per partner and location
    accounts per country; ``kind`` is ``global`` or ``location``, ``status`` ``active``,
    ``inactive`` or ``suspended`` (PC:direct-partner-new-requirements.md,
    PC:indirect-reseller-tasks-in-partner-center.md)."""

    __tablename__ = "partner_ids"

    mpn_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Enrollment(Base):
    """A partner's enrollment in a CSP program tier, with the vendor's verification:
    ``submitted`` → ``verifying`` → ``active`` or ``rejected``
    (PC:indirect-reseller-tasks-in-partner-center.md). New partners enroll as indirect
    resellers (since October 2020). One row per organization and program."""

    __tablename__ = "enrollments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    program: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    location_mpn_id: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verifying_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(1024))

    __table_args__ = (UniqueConstraint("organization_id", "program"),)


class Partnership(Base):
    """An indirect provider's partnership with an indirect reseller
    (PC:indirect-provider-tasks-in-partner-center.md). ``state`` is ``active`` or
    ``ended``; ending keeps the customers. One row per pair, reused if renewed."""

    __tablename__ = "partnerships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    reseller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (UniqueConstraint("provider_id", "reseller_id"),)


class PartnershipRequest(Base):
    """A provider's invitation to partner: a link carrying a single-use token, of which
    only the SHA-256 is stored (PC:indirect-provider-tasks-in-partner-center.md)."""

    __tablename__ = "partnership_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_email: Mapped[str | None] = mapped_column(String(320))
    message: Mapped[str | None] = mapped_column(String(1024))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_partnership_requests_expires_at", "expires_at"),)


class PartnerStanding(Base):
    """A partner's CSP status when it is not in good standing (rules.md §2c, §3.4):
    ``restricted`` (a direct-bill partner that stopped meeting the requirements: no new
    purchases, add-ons, customers or reseller invitations; existing subscriptions keep
    renewing) or ``deauthorized`` (a reseller under the revenue floor: it cannot transact,
    and its tenant domain cannot enroll again before ``reenroll_after``). No row means
    good standing; lifting a restriction deletes the row (the audit log keeps it)."""

    __tablename__ = "partner_standings"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(1024))
    tenant_domain: Mapped[str | None] = mapped_column(String(253), index=True)
    reenroll_after: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class PartnerQualification(Base):
    """A partner's qualification for a restricted segment (rules.md §9a: Azure Government
    and GCC need the partner qualified for ``government``), vetted by the vendor:
    ``status`` is ``InReview``, ``Approved`` or ``Denied``."""

    __tablename__ = "partner_qualifications"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str | None] = mapped_column(String(1024))
