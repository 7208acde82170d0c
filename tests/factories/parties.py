"""Factories for the parties of the program: enrolled partners with profiles and partner
IDs, partnerships, customers with their reseller relationships, agreement templates and
signatures. Rows are written directly (test set-up, not the use cases under test)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from sqlalchemy.orm import Session

from opencsp.agreements.models import (
    AgreementDocument,
    AgreementTemplate,
    CustomerAgreement,
    PartnerAgreementSignature,
)
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.crypto import hash_password
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.partners.models import Enrollment, PartnerId, PartnerProfile, Partnership
from tests.factories import Member, member, organization

_mpn = itertools.count(6_100_001)
_seq = itertools.count(1)
CUSTOMER_ADMIN_PASSWORD = "customer admin password"


def address(country: str = "US", **overrides: Any) -> dict[str, Any]:
    base = {
        "addressLine1": "1 Main Street",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": country,
        "firstName": "Pat",
        "lastName": "Lee",
        "phoneNumber": "4255550101",
    }
    if country == "KR":
        base |= {"city": "Seoul", "state": None, "postalCode": "04524"}
    return base | overrides


def enroll(
    session: Session, org: Organization, *, country: str | None = None, state: str = "active"
) -> PartnerProfile:
    """Profile, a global and a location partner ID (active), and an enrollment."""
    country = country or org.country or "US"
    now = clock.now()
    domain = f"p{org.id.hex[:10]}.partners.example"
    profile = PartnerProfile(
        organization_id=org.id,
        company_name=org.name,
        country=country,
        address=address(country),
        contact_first_name="Pat",
        contact_last_name="Lee",
        contact_email=f"contact@{domain}",
        contact_phone="4255550101",
        tax_id=None,
        registration_number=None,
        tenant_domain=domain,
        support_email=f"support@{domain}",
        support_phone=None,
        support_website=None,
        version=1,
        updated_at=now,
    )
    session.add(profile)
    session.add(
        PartnerId(
            mpn_id=next(_mpn),
            organization_id=org.id,
            kind="global",
            country=None,
            status="active",
            created_at=now,
        )
    )
    location = PartnerId(
        mpn_id=next(_mpn),
        organization_id=org.id,
        kind="location",
        country=country,
        status="active",
        created_at=now,
    )
    session.add(location)
    session.add(
        Enrollment(
            id=uuid.uuid4(),
            organization_id=org.id,
            program="indirect_reseller",
            state=state,
            location_mpn_id=location.mpn_id,
            submitted_at=now,
            decided_at=now if state in ("active", "rejected") else None,
        )
    )
    session.flush()
    return profile


def partner(
    session: Session,
    tier: Tier = Tier.DIRECT_BILL,
    *,
    country: str = "US",
    roles: tuple[Role, ...] = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
    name: str | None = None,
) -> Member:
    """An enrolled, active partner of ``tier`` in ``country`` with a user holding ``roles``."""
    org = organization(session, tier, name=name or f"Partner {next(_seq)}", country=country)
    enroll(session, org, country=country)
    return member(session, org, roles=roles)


def partnership(session: Session, provider: Organization, reseller: Organization) -> Partnership:
    row = Partnership(
        id=uuid.uuid4(),
        provider_id=provider.id,
        reseller_id=reseller.id,
        state="active",
        accepted_at=clock.now(),
        accepted_by=None,
    )
    session.add(row)
    session.flush()
    return row


def customer(
    session: Session,
    seller: Organization,
    *,
    reseller: Organization | None = None,
    country: str = "US",
    name: str | None = None,
) -> Customer:
    """A customer of ``seller`` (direct-bill partner or provider), and of ``reseller``
    when given (created by the provider for it)."""
    n = next(_seq)
    cid = uuid.uuid4()
    company = name or f"Customer {n}"
    row = Customer(
        id=cid,
        company_name=company,
        domain=f"customer{n}-{cid.hex[:6]}.onopencsp.example",
        country=country,
        organization_registration_number=None,
        billing_first_name="Gena",
        billing_last_name="Soto",
        billing_email=f"billing@customer{n}.example",
        billing_culture="en-US",
        billing_language="en",
        billing_company_name=company,
        billing_address=address(country),
        billing_version=1,
        billing_profile_id=uuid.uuid4(),
        allow_delegated_access=True,
        admin_user_name=f"admin@customer{n}.example",
        admin_password_hash=hash_password(CUSTOMER_ADMIN_PASSWORD),
        created_by_organization_id=seller.id,
        created_at=clock.now(),
    )
    session.add(row)
    role = "direct" if seller.tier == Tier.DIRECT_BILL.value else "provider"
    session.add(_relationship(cid, seller.id, role, None))
    if reseller is not None:
        session.add(_relationship(cid, reseller.id, "reseller", seller.id))
    session.flush()
    return row


def _relationship(
    customer_id: uuid.UUID, partner_id: uuid.UUID, role: str, provider_id: uuid.UUID | None
) -> CustomerRelationship:
    return CustomerRelationship(
        id=uuid.uuid4(),
        customer_id=customer_id,
        partner_id=partner_id,
        role=role,
        provider_id=provider_id,
        state="active",
        source="created",
        created_at=clock.now(),
    )


def template(
    session: Session,
    agreement_type: str = "MicrosoftCustomerAgreement",
    *,
    region: str | None = None,
    version: str | None = None,
) -> AgreementTemplate:
    row = AgreementTemplate(
        id=uuid.uuid4(),
        agreement_type=agreement_type,
        version=version or f"v{next(_seq)}",
        region=region,
        status="published",
        agreement_link="https://agreements.example/mca",
        published_at=clock.now(),
        published_by=None,
    )
    session.add(row)
    session.flush()
    for language, title in (("en", "Customer Agreement"), ("ko", "고객 계약")):
        session.add(
            AgreementDocument(
                template_id=row.id, language=language, title=title, body=f"{title} text"
            )
        )
    session.flush()
    return row


def accepted(
    session: Session, customer_row: Customer, tmpl: AgreementTemplate
) -> CustomerAgreement:
    row = CustomerAgreement(
        id=uuid.uuid4(),
        customer_id=customer_row.id,
        template_id=tmpl.id,
        agreement_type=tmpl.agreement_type,
        method="partner_attestation",
        date_agreed=clock.now(),
        contact_first_name="Tania",
        contact_last_name="Carr",
        contact_email="tania@customer.example",
        contact_phone=None,
        partner_id=None,
        user_id=None,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def signed(
    session: Session, org: Organization, region: str, tmpl: AgreementTemplate
) -> PartnerAgreementSignature:
    row = PartnerAgreementSignature(
        id=uuid.uuid4(),
        organization_id=org.id,
        region=region,
        template_id=tmpl.id,
        signer_user_id=uuid.uuid4(),
        signer_name="Grace Hopper",
        signer_email="ga@partner.example",
        signed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row
