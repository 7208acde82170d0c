"""``GET|POST /v1/customers/{id}/qualifications`` (PC:developer/get-customer-qualification-
asynchronous.md, update-customer-qualification-asynchronous.md): the customer's segment
qualifications, and a partner's request for one, which the vendor vets asynchronously
(``vettingStatus`` InReview → Approved | Denied). A customer the caller may not see is
404. The vendor's side is ``program.qualification_routes``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, status

from opencsp.core.actor import Actor, Perm
from opencsp.customers import qualifications
from opencsp.customers.qualification_schemas import (
    CustomerQualificationCreate,
    CustomerQualificationCreated,
    CustomerQualificationRead,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["customers"])

Reader = Annotated[Actor, require(Perm.CUSTOMERS_READ)]
Manager = Annotated[Actor, require(Perm.CUSTOMERS_MANAGE)]


@router.get(
    "/customers/{customer_id}/qualifications",
    response_model=list[CustomerQualificationRead],
    response_model_exclude_none=True,
)
def list_qualifications(
    customer_id: uuid.UUID, session: SessionDep, actor: Reader
) -> list[CustomerQualificationRead]:
    rows = qualifications.qualifications_of(session, actor, customer_id)
    return [CustomerQualificationRead.of(r) for r in rows]


@router.post(
    "/customers/{customer_id}/qualifications",
    response_model=CustomerQualificationCreated,
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
)
def request_qualification(
    customer_id: uuid.UUID,
    body: CustomerQualificationCreate,
    session: SessionDep,
    actor: Manager,
) -> CustomerQualificationCreated:
    row = qualifications.request_qualification(
        session,
        actor,
        customer_id,
        qualification=body.qualification,
        education_segment=body.education_segment,
        website=body.website,
    )
    return CustomerQualificationCreated.of(row)
