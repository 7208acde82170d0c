"""Wire shapes of the customer family (PC:developer/customer-resources.md,
PC:developer/utility-resources.md; samples ``customers-*.json``). Responses leave out
absent values, as Partner Center's do; requests are read case-insensitively."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import Field

from opencsp.core.http import Link, Links, Resource, WireModel
from opencsp.customers.addresses import AddressCheck, AddressStatus
from opencsp.customers.models import Customer
from opencsp.customers.rules import (
    WARNING_TEXT,
    NameWarning,
    RelationshipToPartner,
    billing_etag,
)


class Address(WireModel):
    """Partner Center's Address; every field optional on the wire, the rules decide."""

    address_line1: str | None = Field(default=None, max_length=1024)
    address_line2: str | None = Field(default=None, max_length=1024)
    address_line3: str | None = Field(default=None, max_length=1024)
    city: str | None = Field(default=None, max_length=1024)
    state: str | None = Field(default=None, max_length=1024)
    postal_code: str | None = Field(default=None, max_length=1024)
    country: str | None = Field(default=None, max_length=1024)
    region: str | None = Field(default=None, max_length=1024)
    district: str | None = Field(default=None, max_length=1024)
    first_name: str | None = Field(default=None, max_length=1024)
    middle_name: str | None = Field(default=None, max_length=1024)
    last_name: str | None = Field(default=None, max_length=1024)
    phone_number: str | None = Field(default=None, max_length=1024)

    def wire(self) -> dict[str, Any]:
        """The camelCase fields that hold a value (how addresses are stored)."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v is not None}


# --- requests ---------------------------------------------------------------------------


class CompanyProfileIn(WireModel):
    domain: str = Field(max_length=300)
    company_name: str | None = Field(default=None, max_length=1024)
    organization_registration_number: str | None = Field(default=None, max_length=256)


class BillingProfileIn(WireModel):
    first_name: str | None = Field(default=None, max_length=1024)
    last_name: str | None = Field(default=None, max_length=1024)
    email: str = Field(max_length=1024)
    culture: str = Field(max_length=64)
    language: str = Field(max_length=64)
    company_name: str = Field(max_length=1024)
    default_address: Address


class EtagIn(WireModel):
    etag: str | None = None


class BillingProfileUpdate(BillingProfileIn):
    """PUT body: the whole billing profile; ``attributes.etag`` may carry the ETag."""

    attributes: EtagIn | None = None


class CustomerCreate(WireModel):
    """POST /v1/customers (samples ``customers-create-for-indirect-reseller.request.json``).
    The company name is ``companyProfile.companyName`` or else
    ``billingProfile.companyName``; ``associatedPartnerId`` is the indirect reseller's
    tenant ID. Other fields of the Customer resource are ignored."""

    company_profile: CompanyProfileIn
    billing_profile: BillingProfileIn
    associated_partner_id: uuid.UUID | None = None


class CustomerPatch(WireModel):
    relationship_to_partner: RelationshipToPartner | None = None


# --- responses --------------------------------------------------------------------------


def self_link(uri: str) -> Links:
    return Links(self=Link(uri=uri))


class CompanyProfileRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "CustomerCompanyProfile"

    tenant_id: uuid.UUID
    domain: str
    company_name: str
    address: dict[str, str] | None = None
    email: str | None = None
    organization_registration_number: str | None = None
    links: Links | None = None


class BillingProfileRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "CustomerBillingProfile"

    id: uuid.UUID
    first_name: str | None = None
    last_name: str | None = None
    email: str
    culture: str
    language: str
    company_name: str
    default_address: dict[str, str]
    links: Links | None = None
    etag: str = Field(exclude=True)

    def resource_etag(self) -> str | None:
        return self.etag


class UserCredentials(WireModel):
    user_name: str
    password: str


class NameWarningRead(WireModel):
    code: NameWarning
    description: str


class CustomerRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Customer"

    id: uuid.UUID | None = None
    commerce_id: uuid.UUID | None = None
    company_profile: CompanyProfileRead | None = None
    billing_profile: BillingProfileRead | None = None
    relationship_to_partner: RelationshipToPartner
    allow_delegated_access: bool | None = None
    user_credentials: UserCredentials | None = None
    custom_domains: list[str] | None = None
    associated_partner_id: uuid.UUID | None = None
    warnings: list[NameWarningRead] | None = None
    links: Links | None = None


class RelationshipRequestRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "RelationshipRequest"

    url: str


class PartnerRelationshipRead(Resource):
    """An indirect reseller of a customer (PC:developer/get-indirect-resellers-of-a-customer.md)."""

    OBJECT_TYPE: ClassVar[str] = "PartnerRelationship"

    id: uuid.UUID
    name: str
    relationship_type: str = "is_indirect_cloud_solution_provider_of"
    mpn_id: str | None = None


class AddressValidationRead(WireModel):
    original_address: dict[str, str]
    suggested_addresses: list[dict[str, str]]
    status: AddressStatus
    validation_message: str | None = None

    @classmethod
    def of(cls, check: AddressCheck) -> AddressValidationRead:
        return cls(
            original_address=check.original,
            suggested_addresses=[check.suggested] if check.suggested else [],
            status=check.status,
            validation_message=check.message,
        )


# --- shaping ----------------------------------------------------------------------------

_COMPANY_ADDRESS = {
    "country": "country",
    "state": "region",  # the documented company profile names the state "region"
    "city": "city",
    "addressLine1": "addressLine1",
    "addressLine2": "addressLine2",
    "postalCode": "postalCode",
    "phoneNumber": "phoneNumber",
}


def company_profile(customer: Customer, *, detail: bool) -> CompanyProfileRead:
    """The company profile; ``detail`` adds the address and email, which Partner Center
    returns only to partners with delegated access (PC:dap-faq.md)."""
    address = None
    if detail:
        stored = customer.billing_address
        address = {out: stored[key] for key, out in _COMPANY_ADDRESS.items() if stored.get(key)}
    return CompanyProfileRead(
        tenant_id=customer.id,
        domain=customer.domain,
        company_name=customer.company_name,
        address=address,
        email=customer.billing_email if detail else None,
        organization_registration_number=customer.organization_registration_number,
        links=self_link(f"/customers/{customer.id}/profiles/company"),
    )


def billing_profile(customer: Customer, *, links: bool = True) -> BillingProfileRead:
    return BillingProfileRead(
        id=customer.billing_profile_id,
        first_name=customer.billing_first_name,
        last_name=customer.billing_last_name,
        email=customer.billing_email,
        culture=customer.billing_culture,
        language=customer.billing_language,
        company_name=customer.billing_company_name,
        default_address=dict(customer.billing_address),
        links=self_link(f"/customers/{customer.id}/profiles/billing") if links else None,
        etag=billing_etag(customer.id, customer.billing_version),
    )


def customer_item(
    customer: Customer, relationship: RelationshipToPartner, associated: uuid.UUID | None
) -> CustomerRead:
    """A customer in a list (sample ``customers-filter-by-company-name.response.json``)."""
    return CustomerRead(
        id=customer.id,
        company_profile=company_profile(customer, detail=False),
        relationship_to_partner=relationship,
        associated_partner_id=associated,
        links=self_link(f"/customers/{customer.id}"),
    )


def customer_detail(
    customer: Customer, relationship: RelationshipToPartner, associated: uuid.UUID | None
) -> CustomerRead:
    """Get by ID (sample ``customers-get-by-id.response.json``): with the billing profile,
    ``allowDelegatedAccess`` and, with delegated access, address, email and domains."""
    detail = customer.allow_delegated_access
    return CustomerRead(
        id=customer.id,
        commerce_id=customer.id,
        company_profile=company_profile(customer, detail=detail),
        billing_profile=billing_profile(customer),
        relationship_to_partner=relationship,
        allow_delegated_access=customer.allow_delegated_access,
        custom_domains=[customer.domain] if detail else None,
        associated_partner_id=associated,
        links=self_link(f"/customers/{customer.id}"),
    )


def customer_created(
    customer: Customer,
    *,
    user_name: str,
    password: str,
    warnings: list[NameWarning],
    associated: uuid.UUID | None,
) -> CustomerRead:
    """The create response (sample ``customers-create-for-indirect-reseller.response.json``):
    the only time the administrator's password is ever shown. Name warnings, when there
    are any, come in ``warnings`` (PC:validate-names-addresses.md)."""
    return CustomerRead(
        id=customer.id,
        commerce_id=customer.id,
        company_profile=company_profile(customer, detail=False),
        billing_profile=billing_profile(customer, links=False),
        relationship_to_partner=RelationshipToPartner.RESELLER,
        allow_delegated_access=customer.allow_delegated_access,
        user_credentials=UserCredentials(user_name=user_name, password=password),
        associated_partner_id=associated,
        warnings=[NameWarningRead(code=w, description=WARNING_TEXT[w]) for w in warnings] or None,
    )
