"""The customer agreement, accepted for a customer before anything is ordered for it
(PC:csp-overview.md, PC:agreements.md; rules.md §5.1–5.3), in one of two ways:

- **partner attestation** — an Admin agent or Sales agent of a direct-bill partner or an
  indirect provider confirms that the customer accepted it, naming the signer and the date
  (``POST /v1/customers/{id}/agreements``, PC:confirm-customer-agreement.md);
- **customer acceptance** — the customer's administrator reads it and accepts it on the
  public page ``/customer/agreement`` (Partner Center sends customers to the admin center
  for this; opencsp has the page itself).

Either one satisfies ``queries.has_accepted_customer_agreement``, which ordering calls."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.agreements import queries, rules
from opencsp.agreements.errors import (
    CustomerAgreementChanged,
    InvalidTemplateId,
    NoCustomerAgreementPublished,
    PartnerConfirmedAgreementAlreadyExists,
)
from opencsp.agreements.models import AgreementTemplate, CustomerAgreement
from opencsp.agreements.rules import AgreementType, Contact, Method
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.db import insert_unless_exists
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.customers import credentials
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.markets import queries as markets


def _audit(
    session: Session,
    actor: Actor,
    row: CustomerAgreement,
    customer: Customer,
    template: AgreementTemplate,
    *,
    partner_id: uuid.UUID,
) -> None:
    """One ``create_agreement`` record in ``partner_id``'s log."""
    audit.record(
        session,
        actor,
        "create_agreement",
        "agreement",
        resource_id=row.id,
        new=_wire(row),
        customer_id=customer.id,
        customer_name=customer.company_name,
        data={"TemplateId": template.id, "Method": row.method},
        partner_id=partner_id,
    )


def region_of_customer(session: Session, customer: Customer) -> str:
    """A customer's CSP region: the market of the country on its tenant
    (PC:regional-authorization-overview.md)."""
    return markets.market_for(session, customer.country).id


def agreement_for(session: Session, customer: Customer) -> AgreementTemplate:
    """The customer agreement a customer accepts today: the newest published for its
    region, or for every region (``rules.current``)."""
    template = queries.current_template(
        session, AgreementType.CUSTOMER, region_of_customer(session, customer)
    )
    if template is None:
        raise NoCustomerAgreementPublished()
    return template


def _attestable_template(
    session: Session, customer: Customer, template_id: uuid.UUID
) -> AgreementTemplate:
    """The template must be a published customer agreement that applies to the
    customer's region (one the metadata offers for it), whatever its rank."""
    offered = queries.applicable_templates(
        session, AgreementType.CUSTOMER, region_of_customer(session, customer)
    )
    for template, _rank in offered:
        if template.id == template_id:
            return template
    raise InvalidTemplateId(template_id=template_id)


def _wire(row: CustomerAgreement) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "templateId": str(row.template_id),
        "type": row.agreement_type,
        "method": row.method,
        "dateAgreed": row.date_agreed.isoformat(),
        "primaryContact": {
            "firstName": row.contact_first_name,
            "lastName": row.contact_last_name,
            "email": row.contact_email,
            "phoneNumber": row.contact_phone,
        },
    }


def attest(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    *,
    template_id: uuid.UUID,
    agreement_type: str,
    date_agreed: str,
    contact: Contact,
) -> tuple[CustomerAgreement, AgreementTemplate]:
    """A partner confirms the customer's acceptance (PC:confirm-customer-agreement.md;
    rules.md §5.2): Admin agent or Sales agent of a direct-bill partner or indirect
    provider (resellers cannot: their provider does it), on a customer it can see, for a
    published customer agreement of the customer's region, dated no later than now.
    One partner confirmation per customer and template: a second one is ``600061``."""
    rules.ensure_can_attest(actor.tier)
    if not actor.can(Perm.CUSTOMER_AGREEMENT_ATTEST):
        raise PermissionDenied()
    customer = customers.get_visible(session, actor, customer_id)
    rules.ensure_confirmable(rules.parse_agreement_type(agreement_type))
    contact = rules.clean_contact(
        contact.first_name, contact.last_name, contact.email, contact.phone
    )
    template = _attestable_template(session, customer, template_id)
    agreed = rules.parse_date_agreed(date_agreed)
    rules.ensure_not_in_future(agreed, now=clock.now())
    if queries.acceptance(session, customer.id, template.id, Method.PARTNER_ATTESTATION):
        raise PartnerConfirmedAgreementAlreadyExists()
    row = CustomerAgreement(
        id=new_id(),
        customer_id=customer.id,
        template_id=template.id,
        agreement_type=template.agreement_type,
        method=Method.PARTNER_ATTESTATION.value,
        date_agreed=agreed,
        contact_first_name=contact.first_name,
        contact_last_name=contact.last_name,
        contact_email=contact.email,
        contact_phone=contact.phone,
        partner_id=actor.organization_id,
        user_id=actor.user_id,
        created_at=clock.now(),
    )
    if not insert_unless_exists(session, row):
        raise PartnerConfirmedAgreementAlreadyExists()
    _audit(session, actor, row, customer, template, partner_id=actor.organization_id)
    return row, template


def list_agreements(
    session: Session, actor: Actor, customer_id: uuid.UUID, types: Collection[AgreementType]
) -> list[tuple[CustomerAgreement, AgreementTemplate]]:
    """The customer's acceptances, by either method
    (PC:developer/get-confirmation-of-customer-agreement.md), for a customer the actor
    can see (404 otherwise)."""
    customer = customers.get_visible(session, actor, customer_id)
    rows = queries.customer_agreements(session, customer.id, types)
    found = {t.id: t for t in queries.templates(session)}
    return [(row, found[row.template_id]) for row in rows]


def is_signed_directly(session: Session, actor: Actor, customer_id: uuid.UUID) -> bool:
    """Whether the customer itself accepted the customer agreement
    (PC:developer/get-direct-sign-status-of-customer-agreement.md)."""
    customer = customers.get_visible(session, actor, customer_id)
    return queries.has_signed_directly(session, customer.id)


def accept_as_customer(
    session: Session,
    customer: Customer,
    *,
    template_id: uuid.UUID,
    contact: Contact,
    consent: bool,
) -> CustomerAgreement:
    """The customer's administrator (signed in with the customer's admin credentials)
    accepts the customer agreement they were shown: ``template_id`` must still be the
    current one for the customer's region, so nobody accepts a text they did not read.
    Dated now, with the contact they typed. Accepting again changes nothing. Every
    partner of the customer finds it in its audit log."""
    rules.ensure_consent(consent)
    contact = rules.clean_contact(
        contact.first_name, contact.last_name, contact.email, contact.phone
    )
    template = agreement_for(session, customer)
    if template.id != template_id:
        raise CustomerAgreementChanged()
    existing = queries.acceptance(session, customer.id, template.id, Method.CUSTOMER_ACCEPTANCE)
    if existing is not None:
        return existing
    row = CustomerAgreement(
        id=new_id(),
        customer_id=customer.id,
        template_id=template.id,
        agreement_type=template.agreement_type,
        method=Method.CUSTOMER_ACCEPTANCE.value,
        date_agreed=clock.now(),
        contact_first_name=contact.first_name,
        contact_last_name=contact.last_name,
        contact_email=contact.email,
        contact_phone=contact.phone,
        partner_id=None,
        user_id=None,
        created_at=clock.now(),
    )
    if not insert_unless_exists(session, row):
        found = queries.acceptance(session, customer.id, template.id, Method.CUSTOMER_ACCEPTANCE)
        assert found is not None  # the twin that won the race
        return found
    actor = credentials.admin_actor(customer)
    for partner_id in queries.partners_of_customer(session, customer.id) or [customer.id]:
        _audit(session, actor, row, customer, template, partner_id=partner_id)
    return row
