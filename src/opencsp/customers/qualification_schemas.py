"""Wire shapes of customer qualifications: Partner Center's (samples
``customers-qualifications-*.json``: the create response says ``vettingCreateDate``, the
list ``vettingCreatedDate``, both as documented) and the vendor's review queue."""

from __future__ import annotations

import uuid
from datetime import datetime

from opencsp.core.http import WireModel
from opencsp.customers.models import Customer, CustomerQualification


class CustomerQualificationCreate(WireModel):
    qualification: str | None = None
    education_segment: str | None = None
    website: str | None = None


class CustomerQualificationRead(WireModel):
    """One item of ``GET /v1/customers/{id}/qualifications`` (a bare JSON array)."""

    qualification: str
    education_segment: str | None = None
    website: str | None = None
    vetting_status: str
    vetting_reason: str | None = None
    vetting_created_date: datetime | None = None

    @classmethod
    def of(cls, row: CustomerQualification) -> CustomerQualificationRead:
        return cls(
            qualification=row.qualification,
            education_segment=row.education_segment,
            website=row.website,
            vetting_status=row.vetting_status,
            vetting_reason=row.vetting_reason,
            vetting_created_date=row.vetting_created_date,
        )


class CustomerQualificationCreated(WireModel):
    """The answer of ``POST /v1/customers/{id}/qualifications``: in review."""

    qualification: str
    education_segment: str | None = None
    website: str | None = None
    vetting_status: str
    vetting_create_date: datetime

    @classmethod
    def of(cls, row: CustomerQualification) -> CustomerQualificationCreated:
        return cls(
            qualification=row.qualification,
            education_segment=row.education_segment,
            website=row.website,
            vetting_status=row.vetting_status,
            vetting_create_date=row.vetting_created_date,
        )


class QualificationReviewRead(CustomerQualificationRead):
    """A queue item of ``GET /v1/program/qualifications``: the qualification with its
    customer and the vendor's decision time."""

    customer_id: uuid.UUID
    company_name: str
    country: str
    decided_at: datetime | None = None

    @classmethod
    def of_customer(cls, row: CustomerQualification, customer: Customer) -> QualificationReviewRead:
        return cls(
            **CustomerQualificationRead.of(row).model_dump(),
            customer_id=customer.id,
            company_name=customer.company_name,
            country=customer.country,
            decided_at=row.decided_at,
        )


class DenialBody(WireModel):
    reason: str | None = None
