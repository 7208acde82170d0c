"""Changing customers the actor can see: the billing profile (PUT with its ETag,
PC:developer/update-a-customer-s-billing-profile.md) and ending the actor's reseller
relationship (PC:developer/remove-a-reseller-relationship-with-a-customer.md). Creation
is ``creation``; invitations are ``invitations``. Services take the session first, never
commit, and audit every change. The vendor reads customers and changes none of them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.errors import PermissionDenied
from opencsp.customers import queries, rules, validations
from opencsp.customers.errors import (
    CountryChangeNotAllowed,
    PhoneNumberMissing,
    UnsupportedCustomerUpdate,
)
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.customers.rules import RelationshipRole, RelationshipToPartner
from opencsp.customers.schemas import BillingProfileIn, CustomerPatch


def _ensure_partner(actor: Actor, perm: Perm) -> None:
    """Declared on the route too; repeated here so no caller can skip it. The vendor
    (even its operator at the CLI) does not change a partner's customers."""
    if not actor.can(perm) or actor.is_vendor:
        raise PermissionDenied()


def billing_snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "firstName": customer.billing_first_name,
        "lastName": customer.billing_last_name,
        "email": customer.billing_email,
        "culture": customer.billing_culture,
        "language": customer.billing_language,
        "companyName": customer.billing_company_name,
        "defaultAddress": dict(customer.billing_address),
    }


def update_billing_profile(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    body: BillingProfileIn,
    *,
    etag: str | None,
) -> Customer:
    """Replace the billing profile, provided ``etag`` is the current one (stale: 2055).
    The same rules as at creation apply; the address stays in the customer's country
    (its tenant country decides its market), and where a registration number is required
    the phone is too (600051). Each save makes a new ETag."""
    _ensure_partner(actor, Perm.CUSTOMERS_MANAGE)
    customer = queries.get_visible(session, actor, customer_id)
    rules.ensure_etag_matches(etag, rules.billing_etag(customer.id, customer.billing_version))
    given_country = (body.default_address.country or "").strip().upper()
    if given_country != customer.country:
        raise CountryChangeNotAllowed(country=customer.country)
    address = validations.valid_billing_address(session, body.default_address.wire())
    if rules.in_any(customer.country, settings().registration_number_countries) and not (
        address.get("phoneNumber")
    ):
        raise PhoneNumberMissing(country=customer.country)
    company_name, _ = rules.check_company_name(body.company_name)
    culture, language = rules.check_culture(body.culture, body.language)
    email = validations.customer_email(
        session, body.email, *queries.partners_of(session, customer.id)
    )
    old = billing_snapshot(customer)
    customer.billing_first_name = (body.first_name or "").strip() or None
    customer.billing_last_name = (body.last_name or "").strip() or None
    customer.billing_email = email
    customer.billing_culture = culture
    customer.billing_language = language
    customer.billing_company_name = company_name
    customer.billing_address = address
    customer.billing_version += 1
    session.flush()
    audit.record(
        session,
        actor,
        "update_customer_billing_profile",
        "customer",
        resource_id=customer.id,
        old=old,
        new=billing_snapshot(customer),
        customer_id=customer.id,
        customer_name=customer.company_name,
        partner_id=actor.organization_id,
    )
    return customer


def ensure_no_active_subscriptions(
    session: Session, customer: Customer, partner_id: uuid.UUID
) -> None:
    """A relationship is removed only once every subscription the partner sold the
    customer is suspended, its Azure reservations and software purchases cancelled
    (PC:remove-a-relationship.md; rules.md §5.6). opencsp has no subscriptions yet, so
    today there is nothing to check and this returns: the subscriptions domain, when it
    exists, makes this refuse while any of the partner's subscriptions is active."""
    del session, customer, partner_id


def remove_relationship(
    session: Session, actor: Actor, customer_id: uuid.UUID, body: CustomerPatch
) -> list[CustomerRelationship]:
    """``PATCH /v1/customers/{id}`` with ``relationshipToPartner: "none"``: a Global admin
    of a direct-bill partner or an indirect provider ends its relationship with the
    customer, which then leaves its list (404 from then on). A provider's relationship
    carries its resellers' through it — their link to the customer was that provider —
    so those end too [inferred]. Anything else than ``none`` is refused."""
    _ensure_partner(actor, Perm.CUSTOMER_RELATIONSHIP_REMOVE)
    if body.relationship_to_partner is not RelationshipToPartner.NONE:
        raise UnsupportedCustomerUpdate()
    customer = queries.get_visible(session, actor, customer_id)
    mine = queries.relationship_of(session, customer.id, actor.organization_id)
    if mine is None or mine.role == RelationshipRole.RESELLER.value:
        raise PermissionDenied()
    ensure_no_active_subscriptions(session, customer, actor.organization_id)
    through_me = session.scalars(
        select(CustomerRelationship).where(
            CustomerRelationship.customer_id == customer.id,
            CustomerRelationship.provider_id == actor.organization_id,
            CustomerRelationship.state == rules.ACTIVE,
        )
    ).all()
    now = clock.now()
    ended = [mine, *through_me]
    for row in ended:
        row.state = rules.ENDED
        row.ended_at = now
        audit.record(
            session,
            actor,
            "remove_partner_customer_relationship",
            "customer",
            resource_id=customer.id,
            old={"relationshipToPartner": "reseller", "role": row.role},
            new={"relationshipToPartner": "none"},
            customer_id=customer.id,
            customer_name=customer.company_name,
            partner_id=row.partner_id,
        )
    session.flush()
    return ended
