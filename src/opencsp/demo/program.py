"""Load the program's story through the same use cases people use: agreement templates
published by the vendor; partners enrolled, verified and approved (two granted the
provider tier); the partner agreement signed in each partner's region; partnerships
requested by providers and accepted by resellers; customers created by direct-bill
partners and by providers (for themselves and for their resellers), some with the
customer agreement accepted — attested by an agent, or by the customer itself. The
catalog manager publishes the catalog, 13 months of price lists plus next month's preview,
and the FX rates (``demo.catalog``, ``demo.pricing``). Each step runs under ``clock.frozen``
at its own instant, between the program's opening and the first demo month (``load``), so
the story is consistent in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
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
from opencsp.demo import catalog, commerce, commerce_plan, pricing
from opencsp.demo.parties import (
    APPLICANT,
    CUSTOMERS,
    PARTNERS,
    PARTNERSHIPS,
    VENDOR,
    DemoCustomer,
    DemoOrganization,
    partner,
    served,
)
from opencsp.partners import enrollment, partnerships
from opencsp.partners.schemas import EnrollmentApplication
from opencsp.pricing.rules import month_of

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
OPENING_LEAD = timedelta(days=45)
"""How long before the first demo month the program opens (``opening``): time for the
partners' enrollments, partnerships and customers (about a month, ``load``)."""

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


def _approve(
    session: Session, system: Actor, org: DemoOrganization, enrolled: Organization
) -> Organization:
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


def opening(now: datetime) -> datetime:
    """When the demo's program opens: ``OPENING_LEAD`` before the first of the 13 demo
    months, 09:00 UTC. Every party, partnership and agreement is dated between the opening
    and the first month, so nothing a demo order relies on comes after it."""
    first = commerce_plan.months(now.date())[0]
    return datetime.combine(first, time(9), tzinfo=UTC) - OPENING_LEAD


def _partner_steps(session: Session, system: Actor, start: datetime) -> dict[str, Organization]:
    """Each partner on its own day from ``start``: enrolled, verified the next day,
    approved the day after (its users added), the partner agreement signed that
    afternoon."""
    orgs = {}
    for n, org in enumerate(PARTNERS):
        day = start + n * DAY
        with clock.frozen(day):
            enrolled = _enroll(session, org)
        with clock.frozen(day + DAY):
            enrollment.start_verification(session, system, enrolled.id)
        with clock.frozen(day + 2 * DAY):
            orgs[org.key] = _approve(session, system, org, enrolled)
        with clock.frozen(day + 2 * DAY + 4 * HOUR):
            admin = _actor(session, org.users[0].email)
            partner_agreement.sign_partner_agreement(session, admin, None)
    return orgs


def _partnerships(session: Session, at: datetime) -> None:
    """Each provider invites its resellers; each accepts an hour later (those of the
    served markets)."""
    for provider_key, reseller_keys in PARTNERSHIPS.items():
        provider = partner(provider_key)
        for reseller in filter(None, map(partner, reseller_keys)):
            if provider is None:
                break
            with clock.frozen(at):
                issued = partnerships.request_partnership(
                    session, _actor(session, provider.users[0].email)
                )
            with clock.frozen(at + HOUR):
                partnerships.accept_partnership(
                    session, _actor(session, reseller.users[0].email), issued.token
                )
            at += 2 * HOUR


def _customers(
    session: Session, orgs: dict[str, Organization], start: datetime
) -> list[dict[str, Any]]:
    """One customer every other day from ``start``, the customer agreement accepted (or
    attested) four hours after its creation."""
    rows = []
    for n, customer in enumerate(CUSTOMERS):
        with clock.frozen(start + 2 * n * DAY):
            created = _create_customer(session, orgs, customer)
        with clock.frozen(start + 2 * n * DAY + 4 * HOUR):
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
    return rows


@dataclass(frozen=True)
class Loaded:
    """What ``load`` made: the customers' administrator credentials (shown once) and the
    commerce story's summary (and the governance story's, ``demo.load``)."""

    customers: list[dict[str, Any]]
    commerce: commerce.Summary
    governance: str | None = None
    """What ``demo.governance`` made (``Summary.describe``), once ``demo.load`` ran it."""


def load(session: Session, system: Actor) -> Loaded:
    """Load the whole story in time order (module docstring): at the opening the vendor
    publishes the agreement templates and the catalog; partners enroll and are approved
    one a day, sign the partner agreement, form partnerships; customers are created and
    accept the customer agreement — all before the first demo month, so the 13 months of
    commerce that follow never predate what they rely on. The price lists are imported
    at today's date (their status — history, current, preview — is relative to it); the
    applicant applied three days ago and waits in the queue."""
    now = clock.now()
    start = opening(now)
    with clock.frozen(start):
        _publish(session, system)
        manager = _actor(session, _by_role(VENDOR, Role.CATALOG_MANAGER))
        products = catalog.publish_catalog(session, manager, month_of(now))
    pricing.load_prices(session, manager, products, current=month_of(now))
    orgs = _partner_steps(session, system, start + DAY + HOUR)
    _partnerships(session, start + 12 * DAY + HOUR)
    rows = _customers(session, orgs, start + 14 * DAY + 2 * HOUR)
    if served(APPLICANT):
        with clock.frozen(now - 3 * DAY):
            _enroll(session, APPLICANT)  # submitted: waits in the vendor's verification queue
    summary = commerce.load(session, system)  # 13 months of orders and subscription changes
    return Loaded(rows, summary)
