"""Creating a customer tenant (PC:developer/create-a-customer.md,
PC:developer/create-a-customer-for-an-indirect-reseller.md, PC:add-a-new-customer.md;
rules.md §5.4).

A direct-bill partner or an indirect provider with an active enrollment creates the
tenant, its default domain, the reseller relationship and an administrator whose
password is returned once. A provider may create it for one of its indirect resellers
(``associatedPartnerId``): the customer then has a relationship with both, the reseller
through the provider (rules.md §6.5). Every check runs before anything is written, so a
refused request leaves nothing behind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.config import settings
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.customers import credentials, queries, rules, validations
from opencsp.customers.errors import (
    AssociatedPartnerNotAllowed,
    DomainTaken,
    ResellerNotActive,
    ResellerNotInPartnership,
)
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.customers.registration import check_registration
from opencsp.customers.rules import NameWarning, RelationshipRole
from opencsp.customers.schemas import CustomerCreate
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.partners.errors import CustomerCreationRestricted


@dataclass(frozen=True)
class CreatedCustomer:
    customer: Customer
    user_name: str
    password: str  # shown once; only its hash is kept
    warnings: list[NameWarning]
    associated_partner_id: uuid.UUID | None


def ensure_active_partner(session: Session, organization_id: uuid.UUID) -> None:
    """An organization works with customers only while its CSP enrollment is active;
    one without an enrollment is not enrolled (error 800039)."""
    enrollment = partners.enrollment_of(session, organization_id)
    rules.ensure_enrollment_active(enrollment.state if enrollment else None)


def ensure_sells_in(session: Session, organization_id: uuid.UUID, country: str) -> None:
    """The customer's country must be in the market of the partner's location (2030)."""
    rules.ensure_sells_in(
        partners.region_of(session, organization_id),
        markets.market_for(session, country).id,
        country,
    )


def associated_reseller(session: Session, actor: Actor, reseller_id: uuid.UUID) -> Organization:
    """The indirect reseller a provider creates the customer for: it must be in an active
    partnership with the provider (unknown, not a reseller, or not a partner of this
    provider: all 404) and its enrollment active
    (PC:developer/create-a-customer-for-an-indirect-reseller.md)."""
    if actor.tier is not Tier.INDIRECT_PROVIDER:
        raise AssociatedPartnerNotAllowed()
    reseller = session.get(Organization, reseller_id)
    if (
        reseller is None
        or reseller.tier != Tier.INDIRECT_RESELLER.value
        or partners.active_partnership(session, actor.organization_id, reseller_id) is None
    ):
        raise ResellerNotInPartnership(reseller_id=reseller_id)
    enrollment = partners.enrollment_of(session, reseller_id)
    if enrollment is None or enrollment.state != rules.ACTIVE:
        raise ResellerNotActive()
    return reseller


def create_customer(session: Session, actor: Actor, body: CustomerCreate) -> CreatedCustomer:
    """Create the customer and its relationships — not while the partner is restricted or
    deauthorized (rules.md §2c, §3.4; ``partners.standing``); audited as ``add_customer`` for the
    creating partner (and for the reseller it was created for)."""
    if not actor.can(Perm.CUSTOMERS_CREATE):
        raise PermissionDenied()
    rules.ensure_can_create_customers(actor.tier)
    standing.ensure_not_restricted(session, actor.organization_id, CustomerCreationRestricted)
    ensure_active_partner(session, actor.organization_id)
    reseller = (
        associated_reseller(session, actor, body.associated_partner_id)
        if body.associated_partner_id is not None
        else None
    )
    cfg = settings()
    billing = body.billing_profile
    company_name, warnings = rules.check_company_name(
        body.company_profile.company_name or billing.company_name
    )
    billing_company, _ = rules.check_company_name(billing.company_name)
    culture, language = rules.check_culture(billing.culture, billing.language)
    address = validations.valid_billing_address(session, billing.default_address.wire())
    country = address["country"]
    registration = check_registration(
        country,
        body.company_profile.organization_registration_number,
        address.get("phoneNumber"),
        required_in=cfg.registration_number_countries,
    )
    ensure_sells_in(session, actor.organization_id, country)
    partner_ids = [actor.organization_id] + ([reseller.id] if reseller else [])
    email = validations.customer_email(session, billing.email, *partner_ids)
    domain = rules.default_domain(body.company_profile.domain, suffix=cfg.customer_domain_suffix)
    if queries.domain_in_use(session, domain):
        raise DomainTaken(domain=domain)

    password, password_hash = credentials.new_admin_password()
    now = clock.now()
    customer = Customer(
        id=new_id(),
        company_name=company_name,
        domain=domain,
        country=country,
        organization_registration_number=registration,
        billing_first_name=(billing.first_name or "").strip() or None,
        billing_last_name=(billing.last_name or "").strip() or None,
        billing_email=email,
        billing_culture=culture,
        billing_language=language,
        billing_company_name=billing_company,
        billing_address=address,
        billing_version=1,
        billing_profile_id=new_id(),
        allow_delegated_access=True,
        admin_user_name=credentials.admin_user_name(domain),
        admin_password_hash=password_hash,
        created_by_organization_id=actor.organization_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError as exc:  # a concurrent creation took the domain first
        raise DomainTaken(domain=domain) from exc
    own_role = rules.role_for_tier(actor.tier)
    assert own_role is not None  # ensured above: direct-bill or provider
    session.add(_relationship(customer.id, actor.organization_id, own_role, None, now))
    if reseller is not None:
        session.add(
            _relationship(
                customer.id, reseller.id, RelationshipRole.RESELLER, actor.organization_id, now
            )
        )
    session.flush()
    for partner_id in partner_ids:
        audit.record(
            session,
            actor,
            "add_customer",
            "customer",
            resource_id=customer.id,
            new=_wire(customer, reseller.id if reseller else None),
            customer_id=customer.id,
            customer_name=customer.company_name,
            partner_id=partner_id,
        )
    return CreatedCustomer(
        customer=customer,
        user_name=customer.admin_user_name,
        password=password,
        warnings=warnings,
        associated_partner_id=reseller.id if reseller else None,
    )


def _relationship(
    customer_id: uuid.UUID,
    partner_id: uuid.UUID,
    role: RelationshipRole,
    provider_id: uuid.UUID | None,
    now: datetime,
) -> CustomerRelationship:
    return CustomerRelationship(
        id=new_id(),
        customer_id=customer_id,
        partner_id=partner_id,
        role=role.value,
        provider_id=provider_id,
        state=rules.ACTIVE,
        source=rules.SOURCE_CREATED,
        created_at=now,
    )


def _wire(customer: Customer, reseller_id: uuid.UUID | None) -> dict[str, object]:
    """What the audit log keeps of a new customer — never its administrator's password."""
    return {
        "id": str(customer.id),
        "companyName": customer.company_name,
        "domain": customer.domain,
        "country": customer.country,
        "associatedPartnerId": str(reseller_id) if reseller_id else None,
    }
