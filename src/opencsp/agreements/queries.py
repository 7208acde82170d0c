"""Reads of agreements. Ordering calls ``has_accepted_customer_agreement``; the partner
agreement checks call ``has_signed_partner_agreement``.

Templates and their documents are the program's published texts: every actor may read
them, like markets, so those reads take no actor. Reads about one customer take its id
and expect the caller to have found the customer through
``customers.queries.get_visible`` (404 for anyone else); reads about one partner take
the partner's organization id."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.agreements import rules
from opencsp.agreements.errors import TemplateNotFound
from opencsp.agreements.models import (
    AgreementDocument,
    AgreementTemplate,
    CustomerAgreement,
    PartnerAgreementSignature,
)
from opencsp.agreements.rules import AgreementType, Method
from opencsp.customers.models import CustomerRelationship

CUSTOMER_AGREEMENT = AgreementType.CUSTOMER.value
PARTNER_AGREEMENT = AgreementType.PARTNER.value


# --- templates and documents ---------------------------------------------------------------


def templates(
    session: Session, types: Collection[AgreementType] | None = None
) -> Sequence[AgreementTemplate]:
    """Every template (published and retired) of the given types, newest first."""
    stmt = select(AgreementTemplate)
    if types is not None:
        stmt = stmt.where(AgreementTemplate.agreement_type.in_([t.value for t in types]))
    return session.scalars(
        stmt.order_by(AgreementTemplate.published_at.desc(), AgreementTemplate.id)
    ).all()


def get_template(session: Session, template_id: uuid.UUID) -> AgreementTemplate:
    template = session.get(AgreementTemplate, template_id)
    if template is None:
        raise TemplateNotFound()
    return template


def find_version(
    session: Session, agreement_type: AgreementType, region: str | None, version: str
) -> AgreementTemplate | None:
    region_is = (
        AgreementTemplate.region.is_(None) if region is None else AgreementTemplate.region == region
    )
    return session.scalar(
        select(AgreementTemplate).where(
            AgreementTemplate.agreement_type == agreement_type.value,
            region_is,
            AgreementTemplate.version == version,
        )
    )


def current_template(
    session: Session, agreement_type: AgreementType, region: str | None
) -> AgreementTemplate | None:
    """The template to sign today in a CSP region (``rules.current``)."""
    return rules.current(templates(session, [agreement_type]), agreement_type, region)


def applicable_templates(
    session: Session, agreement_type: AgreementType, region: str | None
) -> list[tuple[AgreementTemplate, int]]:
    return rules.applicable(templates(session, [agreement_type]), agreement_type, region)


def documents_of(session: Session, template_id: uuid.UUID) -> dict[str, AgreementDocument]:
    rows = session.scalars(
        select(AgreementDocument)
        .where(AgreementDocument.template_id == template_id)
        .order_by(AgreementDocument.language)
    )
    return {row.language: row for row in rows}


def document_in(
    session: Session, template_id: uuid.UUID, requested_language: str | None
) -> AgreementDocument:
    """A template's document in the requested language, or English
    (``rules.document_language``)."""
    documents = documents_of(session, template_id)
    if not documents:
        raise TemplateNotFound()
    return documents[rules.document_language(requested_language, sorted(documents))]


# --- customers ---------------------------------------------------------------------------


def customer_agreements(
    session: Session, customer_id: uuid.UUID, types: Collection[AgreementType]
) -> Sequence[CustomerAgreement]:
    """The customer's acceptances of the given types, by either method, oldest first."""
    return session.scalars(
        select(CustomerAgreement)
        .where(
            CustomerAgreement.customer_id == customer_id,
            CustomerAgreement.agreement_type.in_([t.value for t in types]),
        )
        .order_by(CustomerAgreement.date_agreed, CustomerAgreement.created_at, CustomerAgreement.id)
    ).all()


def acceptance(
    session: Session, customer_id: uuid.UUID, template_id: uuid.UUID, method: Method
) -> CustomerAgreement | None:
    return session.scalar(
        select(CustomerAgreement).where(
            CustomerAgreement.customer_id == customer_id,
            CustomerAgreement.template_id == template_id,
            CustomerAgreement.method == method.value,
        )
    )


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


def has_signed_directly(session: Session, customer_id: uuid.UUID) -> bool:
    """Whether the customer itself accepted the customer agreement (``isSigned`` of
    PC:developer/get-direct-sign-status-of-customer-agreement.md); a partner's
    attestation does not count here."""
    found = session.scalar(
        select(CustomerAgreement.id)
        .where(
            CustomerAgreement.customer_id == customer_id,
            CustomerAgreement.agreement_type == CUSTOMER_AGREEMENT,
            CustomerAgreement.method == Method.CUSTOMER_ACCEPTANCE.value,
        )
        .limit(1)
    )
    return found is not None


def partners_of_customer(session: Session, customer_id: uuid.UUID) -> list[uuid.UUID]:
    """The partners holding an active relationship with the customer: they are told, in
    their audit logs, when the customer accepts the agreement itself."""
    return list(
        session.scalars(
            select(CustomerRelationship.partner_id)
            .where(
                CustomerRelationship.customer_id == customer_id,
                CustomerRelationship.state == "active",
            )
            .order_by(CustomerRelationship.created_at, CustomerRelationship.partner_id)
        )
    )


# --- the partner agreement ------------------------------------------------------------------


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


def signatures_of(
    session: Session, organization_id: uuid.UUID
) -> Sequence[PartnerAgreementSignature]:
    """The partner's signatures, one per CSP region, oldest first."""
    return session.scalars(
        select(PartnerAgreementSignature)
        .where(PartnerAgreementSignature.organization_id == organization_id)
        .order_by(PartnerAgreementSignature.signed_at, PartnerAgreementSignature.region)
    ).all()
