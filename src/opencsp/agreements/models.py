"""Tables of the agreements domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import UTCDateTime


class AgreementTemplate(Base):
    """A published agreement: ``agreement_type`` ``MicrosoftCustomerAgreement`` (the
    customer agreement) or ``MicrosoftPartnerAgreement`` (the partner agreement), a
    ``version`` with its ``version_rank`` (0 = newest, as Partner Center ranks them), and
    the CSP ``region`` (a market id) it applies to, or None for every region
    (PC:developer/agreement-metadata-resources.md, PC:agreements.md). ``status`` is
    ``published`` or ``retired``."""

    __tablename__ = "agreement_templates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    agreement_type: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    agreement_link: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (UniqueConstraint("agreement_type", "region", "version"),)


class AgreementDocument(Base):
    """A template's text in one language (``en``, ``ko``, ...)."""

    __tablename__ = "agreement_documents"

    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreement_templates.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)


class CustomerAgreement(Base):
    """A customer's acceptance of the customer agreement: ``method`` is
    ``partner_attestation`` (an Admin or Sales agent of a direct-bill partner or provider
    confirms it, with the signer's contact and ``date_agreed`` not in the future) or
    ``customer_acceptance`` (the customer's administrator accepts it on the customer page)
    (PC:confirm-customer-agreement.md, PC:developer/agreement-resources.md)."""

    __tablename__ = "customer_agreements"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreement_templates.id", ondelete="RESTRICT")
    )
    agreement_type: Mapped[str] = mapped_column(String(48))
    method: Mapped[str] = mapped_column(String(24))
    date_agreed: Mapped[datetime] = mapped_column(UTCDateTime())
    contact_first_name: Mapped[str] = mapped_column(String(50))
    contact_last_name: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("customer_id", "template_id", "method"),)


class PartnerAgreementSignature(Base):
    """A partner's signature of the partner agreement for one CSP region (a market id):
    signed once per region, only by a Global admin, recorded with signer and date
    (PC:microsoft-partner-agreement.md, rules.md §1.6)."""

    __tablename__ = "partner_agreement_signatures"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    region: Mapped[str] = mapped_column(String(64))
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreement_templates.id", ondelete="RESTRICT")
    )
    signer_user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    signer_name: Mapped[str] = mapped_column(String(256))
    signer_email: Mapped[str] = mapped_column(String(320))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("organization_id", "region"),)


class CustomerSignIn(Base):
    """The customer administrator's short session on the public acceptance page
    (``/customer/agreement``), opened with the customer's admin credentials
    (``customers.credentials.verify_admin``). The cookie carries a random secret; only its
    SHA-256 is stored, with the session's CSRF token, so a leaked database opens no
    session. It lasts ``SIGN_IN_MINUTES`` and signing out deletes it."""

    __tablename__ = "customer_signins"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
