"""Reads of agreements. Ordering calls ``has_accepted_customer_agreement``; the partner
agreement checks call ``has_signed_partner_agreement``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.agreements.models import CustomerAgreement, PartnerAgreementSignature

CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
PARTNER_AGREEMENT = "MicrosoftPartnerAgreement"


def latest_customer_acceptance(
    session: Session, customer_id: uuid.UUID
) -> CustomerAgreement | None:
    """The customer's most recent acceptance of the customer agreement, by either method."""
    return session.scalar(
        select(CustomerAgreement)
        .where(
            CustomerAgreement.customer_id == customer_id,
            CustomerAgreement.agreement_type == CUSTOMER_AGREEMENT,
        )
        .order_by(CustomerAgreement.date_agreed.desc(), CustomerAgreement.id)
        .limit(1)
    )


def has_accepted_customer_agreement(session: Session, customer_id: uuid.UUID) -> bool:
    """Whether the customer agreement has been accepted for the customer, by partner
    attestation or by the customer itself: required before any order is placed for it
    (PC:csp-overview.md, PC:agreements.md; rules.md §5.1)."""
    return latest_customer_acceptance(session, customer_id) is not None


def partner_agreement_signature(
    session: Session, organization_id: uuid.UUID, region: str
) -> PartnerAgreementSignature | None:
    return session.scalar(
        select(PartnerAgreementSignature).where(
            PartnerAgreementSignature.organization_id == organization_id,
            PartnerAgreementSignature.region == region,
        )
    )


def has_signed_partner_agreement(session: Session, organization_id: uuid.UUID, region: str) -> bool:
    """Whether the partner signed the partner agreement for the CSP region — once per
    region where it does business (PC:microsoft-partner-agreement.md; rules.md §1.6)."""
    return partner_agreement_signature(session, organization_id, region) is not None
