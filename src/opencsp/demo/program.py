"""Load the program's story through the same use cases people use: agreement templates
published by the vendor; partners enrolled, verified and approved (two granted the
provider tier); the partner agreement signed in each partner's region; partnerships
requested by providers and accepted by resellers; customers created by direct-bill
partners and by providers (for themselves and for their resellers), some with the
customer agreement accepted — attested by an agent, or by the customer itself. The
catalog manager publishes the catalog, 13 months of price lists plus next month's preview,
and the FX rates (``demo.catalog``, ``demo.pricing``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.agreements import customer_acceptance, partner_agreement, templates
from opencsp.agreements.rules import Contact, DocumentText
from opencsp.auth import queries as auth_queries
from opencsp.auth import service as auth_service
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.ids import new_secret
from opencsp.customers import creation
from opencsp.customers.schemas import Address, BillingProfileIn, CompanyProfileIn, CustomerCreate
from opencsp.demo import catalog, commerce, pricing
from opencsp.demo.parties import (
    APPLICANT,
    CUSTOMERS,
    PARTNERS,
    PARTNERSHIPS,
    VENDOR,
    DemoCustomer,
    DemoOrganization,
)
from opencsp.partners import enrollment, partnerships
from opencsp.partners.schemas import EnrollmentApplication
from opencsp.pricing.rules import month_of

CUSTOMER_AGREEMENT = (
    DocumentText(
        "Nimbus Cloud Customer Agreement",
        "This agreement governs the customer's use of Nimbus Cloud services bought through "
        "a Nimbus Cloud partner. The partner bills the customer; Nimbus Cloud provides the "
        "services on the terms set out here.",
    ),
    DocumentText(
        "Nimbus Cloud 고객 계약",
        "본 계약은 고객이 Nimbus Cloud 파트너를 통해 구매한 Nimbus Cloud 서비스의 사용에 "
        "적용됩니다. 파트너가 고객에게 요금을 청구하며, Nimbus Cloud는 여기에 정한 조건에 "
        "따라 서비스를 제공합니다.",
    ),
)
PARTNER_AGREEMENT = (
    DocumentText(
        "Nimbus Cloud Partner Agreement",
        "This agreement sets out the terms on which a partner resells Nimbus Cloud services "
        "in a CSP region: obligations to customers, billing, support and compliance.",
    ),
    DocumentText(
        "Nimbus Cloud 파트너 계약",
        "본 계약은 파트너가 CSP 지역에서 Nimbus Cloud 서비스를 재판매하는 조건, 즉 고객에 "
        "대한 의무, 청구, 지원 및 규정 준수를 정합니다.",
    ),
)


@dataclass(frozen=True)
class LoadedCustomer:
    row: dict[str, Any]


def _names(full: str) -> tuple[str, str]:
    first, _, last = full.partition(" ")
    return first, last or first


def _password() -> str:
    return "demo-" + new_secret(9)


def _publish(session: Session, system: Actor) -> None:
    for kind, (en, ko) in (
        ("MicrosoftCustomerAgreement", CUSTOMER_AGREEMENT),
        ("MicrosoftPartnerAgreement", PARTNER_AGREEMENT),
    ):
        templates.publish_template(
            session,
            system,
            agreement_type=kind,
            version="2026-11",
            region=None,
            agreement_link=None,
            documents={"en": en, "ko": ko},
        )


def _enroll(session: Session, org: DemoOrganization) -> Organization:
    assert org.address is not None and org.country is not None
    admin = org.users[0]
    first, last = _names(admin.name)
    application = EnrollmentApplication(
        company_name=org.name,
        country=org.country,
        address_line1=org.address.line1,
        city=org.address.city,
        state=org.address.state,
        postal_code=org.address.postal_code,
        phone_number=org.address.phone,
        contact_first_name=first,
        contact_last_name=last,
        contact_email=admin.email,
        contact_phone=org.address.phone,
        tenant_domain=org.domain,
        admin_email=admin.email,
        admin_display_name=admin.name,
        admin_password=_password(),
    )
    return enrollment.enroll(session, application).organization


def _approve(session: Session, system: Actor, org: DemoOrganization) -> Organization:
    enrolled = _enroll(session, org)
    enrollment.start_verification(session, system, enrolled.id)
    enrollment.approve(session, system, enrolled.id)
    if org.tier is Tier.INDIRECT_PROVIDER:
        enrollment.grant_provider_tier(session, system, enrolled.id)
    elif org.tier is Tier.DIRECT_BILL:
        # The direct-bill review flow belongs to program governance (issue 7); the demo's
        # two direct-bill partners are taken as already approved for that tier.
        enrolled.tier = Tier.DIRECT_BILL.value
        audit.record(
            session,
            system,
            "grant_direct_bill_tier",
            "organization",
            resource_id=enrolled.id,
            partner_id=enrolled.id,
            new={"tier": Tier.DIRECT_BILL.value},
        )
    for user in org.users[1:]:
        auth_service.create_user(
            session,
            system,
            organization_id=enrolled.id,
            email=user.email,
            display_name=user.name,
            roles=[user.role],
            locale=user.locale,
        )
    admin = auth_queries.user_by_email(session, org.users[0].email)
    assert admin is not None
    admin.locale = org.users[0].locale
    return enrolled


def _actor(session: Session, email: str) -> Actor:
    user = auth_queries.user_by_email(session, email)
    assert user is not None, email
    return auth_service.actor_for(session, user)


def _by_role(org: DemoOrganization, *roles: Role) -> str:
    return next(u.email for u in org.users if u.role in roles)


def _create_customer(
    session: Session, orgs: dict[str, Organization], customer: DemoCustomer
) -> creation.CreatedCustomer:
    seller = next(p for p in PARTNERS if p.key == customer.seller)
    first, last, email = customer.contact
    address = Address(
        address_line1=customer.address.line1,
        city=customer.address.city,
        state=customer.address.state,
        postal_code=customer.address.postal_code,
        country=customer.country,
        first_name=first,
        last_name=last,
        phone_number=customer.address.phone,
    )
    language = "ko" if customer.country == "KR" else ("de" if customer.country == "DE" else "en")
    body = CustomerCreate(
        company_profile=CompanyProfileIn(domain=customer.domain, company_name=customer.name),
        billing_profile=BillingProfileIn(
            first_name=first,
            last_name=last,
            email=email,
            culture=f"{language}-{customer.country}",
            language=language,
            company_name=customer.name,
            default_address=address,
        ),
        associated_partner_id=orgs[customer.reseller].id if customer.reseller else None,
    )
    return creation.create_customer(session, _actor(session, seller.users[0].email), body)


def _agreement(session: Session, customer: DemoCustomer, created: creation.CreatedCustomer) -> None:
    first, last, email = customer.contact
    contact = Contact(first_name=first, last_name=last, email=email, phone=None)
    template = customer_acceptance.agreement_for(session, created.customer)
    if customer.agreement == "attested":
        seller = next(p for p in PARTNERS if p.key == customer.seller)
        agent = _actor(session, _by_role(seller, Role.ADMIN_AGENT, Role.SALES_AGENT))
        customer_acceptance.attest(
            session,
            agent,
            created.customer.id,
            template_id=template.id,
            agreement_type=template.agreement_type,
            date_agreed=clock.now().date().isoformat(),
            contact=contact,
        )
    elif customer.agreement == "customer":
        customer_acceptance.accept_as_customer(
            session, created.customer, template_id=template.id, contact=contact, consent=True
        )


def _catalog_and_prices(session: Session) -> None:
    """The catalog manager publishes the catalog, then the price lists of the last 13
    months and next month's preview, and the FX rates, all relative to today."""
    manager = _actor(session, _by_role(VENDOR, Role.CATALOG_MANAGER))
    current = month_of(clock.now())
    products = catalog.publish_catalog(session, manager, current)
    pricing.load_prices(session, manager, products, current=current)


def load(session: Session, system: Actor) -> list[dict[str, Any]]:
    """Load the whole story; returns the customers' administrator credentials (shown once)."""
    _publish(session, system)
    _catalog_and_prices(session)
    orgs = {org.key: _approve(session, system, org) for org in PARTNERS}
    _enroll(session, APPLICANT)  # submitted: waits in the vendor's verification queue
    for org in PARTNERS:
        partner_agreement.sign_partner_agreement(session, _actor(session, org.users[0].email), None)
    for provider_key, reseller_keys in PARTNERSHIPS.items():
        provider = next(p for p in PARTNERS if p.key == provider_key)
        for reseller_key in reseller_keys:
            reseller = next(p for p in PARTNERS if p.key == reseller_key)
            issued = partnerships.request_partnership(
                session, _actor(session, provider.users[0].email)
            )
            partnerships.accept_partnership(
                session, _actor(session, reseller.users[0].email), issued.token
            )
    rows = []
    for customer in CUSTOMERS:
        created = _create_customer(session, orgs, customer)
        _agreement(session, customer, created)
        rows.append(
            {
                "customerId": str(created.customer.id),
                "companyName": created.customer.company_name,
                "country": created.customer.country,
                "soldBy": next(p.name for p in PARTNERS if p.key == customer.seller),
                "indirectReseller": next(
                    (p.name for p in PARTNERS if p.key == customer.reseller), None
                ),
                "adminUserName": created.user_name,
                "adminPassword": created.password,
                "customerAgreement": customer.agreement or "not accepted",
            }
        )
    commerce.load(session, system)  # 13 months of orders and subscription changes
    return rows
