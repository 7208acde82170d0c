"""Wire shapes of the partners domain.

Partner Center's: ``LegalBusinessProfile`` (sample ``profiles-legalbusiness-update``),
``SupportProfile`` (PC:developer/update-support-profile.md), ``MpnProfile`` (sample
``profiles-mpn-get``, plus ``partnerName`` as in get-partner-by-mpn-id.md) and
``PartnerRelationship`` (sample ``relationships-indirect-resellers-list``). The legal
profile adds opencsp's ``tenantDomain``, ``taxId`` and ``organizationRegistrationNumber``.
opencsp's own: enrollment (the vendor's ``/v1/program/partners``) and partnership
requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from opencsp.core.http import Link, Resource, WireModel
from opencsp.partners import rules
from opencsp.partners.models import PartnerId, PartnerProfile, PartnershipRequest
from opencsp.partners.queries import PartnerRow, PartnerSummary


class Address(WireModel):
    """Partner Center's Address; absent parts are left out of the output, as in the
    samples."""

    country: str | None = None
    region: str | None = None
    city: str | None = None
    state: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class Contact(WireModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_number: str | None = None


class SelfLinks(WireModel):
    self: Link


class AttributesIn(WireModel):
    """``attributes`` as a client sends it back: only the etag matters."""

    object_type: str | None = None
    etag: str | None = None


class LegalBusinessProfileRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "LegalBusinessProfile"

    company_name: str
    address: Address
    primary_contact: Contact
    company_approver_address: Address
    company_approver_email: str
    vetting_status: str
    vetting_sub_status: str
    profile_type: str = "LegalBusinessProfile"
    tenant_domain: str
    tax_id: str | None = None
    organization_registration_number: str | None = None
    links: SelfLinks = Field(
        default_factory=lambda: SelfLinks(self=Link(uri="/profiles/legalbusiness"))
    )
    etag: str = Field(exclude=True)

    def resource_etag(self) -> str | None:
        return self.etag

    @classmethod
    def of(
        cls, profile: PartnerProfile, *, state: rules.EnrollmentState | None, etag: str
    ) -> LegalBusinessProfileRead:
        vetting, sub_status = rules.vetting_of(state)
        address = Address.model_validate(profile.address)
        address.address_line2 = address.address_line2 or ""  # as Partner Center shows it
        contact = Contact(
            first_name=profile.contact_first_name,
            last_name=profile.contact_last_name,
            email=profile.contact_email,
            phone_number=profile.contact_phone,
        )
        approver = address.model_copy(update={"first_name": None, "last_name": None})
        return cls(
            company_name=profile.company_name,
            address=address.model_copy(
                update={"first_name": contact.first_name, "last_name": contact.last_name}
            ),
            primary_contact=contact,
            company_approver_address=approver.model_copy(update={"phone_number": None}),
            company_approver_email=profile.contact_email,
            vetting_status=vetting,
            vetting_sub_status=sub_status,
            tenant_domain=profile.tenant_domain,
            tax_id=profile.tax_id,
            organization_registration_number=profile.registration_number,
            etag=etag,
        )


class LegalBusinessProfileUpdate(WireModel):
    """The PUT body. ``companyApproverAddress``/``companyApproverEmail`` and the vetting
    fields are read-only here: opencsp derives them (the approver is the primary contact
    at the company address; vetting is the enrollment's state)."""

    company_name: str
    address: Address
    primary_contact: Contact
    tenant_domain: str | None = None
    tax_id: str | None = None
    organization_registration_number: str | None = None
    attributes: AttributesIn | None = None


class SupportProfileRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PartnerSupportProfile"

    email: str | None = None
    telephone: str | None = None
    website: str | None = None
    profile_type: str = "support_profile"
    links: SelfLinks = Field(
        default_factory=lambda: SelfLinks(self=Link(uri="/v1/profiles/support"))
    )
    etag: str = Field(exclude=True)

    def resource_etag(self) -> str | None:
        return self.etag

    @classmethod
    def of(cls, profile: PartnerProfile, *, etag: str) -> SupportProfileRead:
        return cls(
            email=profile.support_email,
            telephone=profile.support_phone,
            website=profile.support_website,
            etag=etag,
        )


class SupportProfileUpdate(WireModel):
    email: str | None = None
    telephone: str | None = None
    website: str | None = None
    attributes: AttributesIn | None = None


class MpnProfileRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "MpnProfile"

    partner_name: str
    mpn_id: str
    profile_type: str = "MpnProfile"
    links: SelfLinks = Field(default_factory=lambda: SelfLinks(self=Link(uri="/profiles/mpn")))


class PartnerRelationshipRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PartnerRelationship"

    id: uuid.UUID
    name: str
    relationship_type: str
    state: str
    mpn_id: str | None = None
    location: str | None = None

    @classmethod
    def of(
        cls, partner: PartnerSummary, relationship_type: rules.RelationshipType
    ) -> PartnerRelationshipRead:
        return cls(
            id=partner.organization_id,
            name=partner.name,
            relationship_type=relationship_type.value,
            state="Active",
            mpn_id=str(partner.location_partner_id) if partner.location_partner_id else None,
            location=partner.country,
        )


class PartnershipEndedRead(Resource):
    """The answer to ending a partnership: it says that the customers were kept."""

    OBJECT_TYPE: ClassVar[str] = "PartnerRelationship"

    id: uuid.UUID
    name: str
    relationship_type: str
    state: str = "Ended"
    customers_kept: bool = True
    message: str


class PartnerIdRead(WireModel):
    mpn_id: str
    kind: str
    country: str | None = None
    status: str

    @classmethod
    def of(cls, row: PartnerId) -> PartnerIdRead:
        return cls(mpn_id=str(row.mpn_id), kind=row.kind, country=row.country, status=row.status)


class EnrollmentRead(Resource):
    """A partner's enrollment as the vendor's verification queue shows it."""

    OBJECT_TYPE: ClassVar[str] = "PartnerEnrollment"

    organization_id: uuid.UUID
    company_name: str
    tier: str
    country: str
    tenant_domain: str
    primary_contact_email: str
    program: str
    state: str
    submitted_at: datetime
    verifying_at: datetime | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    partner_ids: list[PartnerIdRead] = Field(default_factory=list)

    @classmethod
    def of(cls, row: PartnerRow, partner_ids: Sequence[PartnerId]) -> EnrollmentRead:
        return cls(
            organization_id=row.organization.id,
            company_name=row.profile.company_name,
            tier=row.organization.tier,
            country=row.profile.country,
            tenant_domain=row.profile.tenant_domain,
            primary_contact_email=row.profile.contact_email,
            program=row.enrollment.program,
            state=row.enrollment.state,
            submitted_at=row.enrollment.submitted_at,
            verifying_at=row.enrollment.verifying_at,
            decided_at=row.enrollment.decided_at,
            reason=row.enrollment.reason,
            partner_ids=[PartnerIdRead.of(p) for p in partner_ids],
        )


class RejectionBody(WireModel):
    reason: str = ""


class EnrollmentApplication(WireModel):
    """What a company gives to enroll (the public enrollment form)."""

    company_name: str
    country: str
    address_line1: str
    address_line2: str | None = None
    city: str
    state: str | None = None
    postal_code: str | None = None
    phone_number: str | None = None
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    contact_phone: str | None = None
    tax_id: str | None = None
    registration_number: str | None = None
    tenant_domain: str
    admin_email: str
    admin_display_name: str | None = None
    admin_password: str = Field(repr=False)


class PartnershipRequestCreate(WireModel):
    invited_email: str | None = None
    message: str | None = None


class PartnershipRequestRead(Resource):
    """A provider's partnership request. ``url`` is the path with the single-use token:
    returned once, when the request is created; only its digest is kept."""

    OBJECT_TYPE: ClassVar[str] = "PartnershipRequest"

    id: uuid.UUID
    status: str
    invited_email: str | None = None
    message: str | None = None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    url: str | None = None

    @classmethod
    def of(
        cls, request: PartnershipRequest, *, status: str, url: str | None = None
    ) -> PartnershipRequestRead:
        return cls(
            id=request.id,
            status=status,
            invited_email=request.invited_email,
            message=request.message,
            created_at=request.created_at,
            expires_at=request.expires_at,
            used_at=request.used_at,
            revoked_at=request.revoked_at,
            url=url,
        )


class PartnershipAcceptance(WireModel):
    token: str
