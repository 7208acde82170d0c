"""The customer family of Partner Center's API (PC:developer/customer-resources.md):
``/v1/customers`` (list with ``size``, ``filter`` and continuation; create), one customer,
its company and billing profiles, removing the reseller relationship, its indirect
resellers, the relationship request link, ``POST /v1/validations/address`` and ``HEAD
/v1/domains/{domain}``. A customer the caller may not see is 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import CONTINUATION_HEADER, check_size, collection
from opencsp.customers import creation, invitations, queries, rules, service, validations
from opencsp.customers.schemas import (
    Address,
    AddressValidationRead,
    BillingProfileRead,
    BillingProfileUpdate,
    CompanyProfileRead,
    CustomerCreate,
    CustomerPatch,
    CustomerRead,
    PartnerRelationshipRead,
    RelationshipRequestRead,
    billing_profile,
    company_profile,
    customer_created,
    customer_detail,
    customer_item,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["customers"])

Reader = Annotated[Actor, require(Perm.CUSTOMERS_READ)]
Creator = Annotated[Actor, require(Perm.CUSTOMERS_CREATE)]
Manager = Annotated[Actor, require(Perm.CUSTOMERS_MANAGE)]
Inviter = Annotated[Actor, require(Perm.CUSTOMER_RELATIONSHIP_REQUEST)]
Remover = Annotated[Actor, require(Perm.CUSTOMER_RELATIONSHIP_REMOVE)]

DEFAULT_PAGE = 200
MAX_PAGE = 1000


@router.get("/customers", response_model=Collection[CustomerRead], response_model_exclude_none=True)
def list_customers(
    session: SessionDep,
    actor: Reader,
    size: Annotated[int | None, Query()] = None,
    filter: Annotated[str | None, Query()] = None,
    continuation: Annotated[str | None, Header(alias=CONTINUATION_HEADER)] = None,
) -> Collection[CustomerRead]:
    """``size`` 0 or absent means the default page (200); at most 1000."""
    flt = rules.parse_filter(filter)
    page_size = check_size(size or None, default=DEFAULT_PAGE, maximum=MAX_PAGE)
    page = queries.page_of_customers(session, actor, flt, size=page_size, token=continuation)
    views = queries.views_for(session, actor, page.items)
    items = [customer_item(v.customer, v.relationship, v.associated_partner_id) for v in views]
    return collection(
        items,
        total_count=page.total_count,
        path="/customers",
        query={"size": size, "filter": filter},
        next_token=page.next_token,
    )


@router.post(
    "/customers",
    response_model=CustomerRead,
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
)
def create_customer(body: CustomerCreate, session: SessionDep, actor: Creator) -> CustomerRead:
    created = creation.create_customer(session, actor, body)
    return customer_created(
        created.customer,
        user_name=created.user_name,
        password=created.password,
        warnings=created.warnings,
        associated=created.associated_partner_id,
    )


# before /customers/{customer_id}, so the word is never read as an id
@router.get("/customers/relationshiprequests", response_model=RelationshipRequestRead)
def relationship_request(
    request: Request,
    session: SessionDep,
    actor: Inviter,
    indirect_csp: Annotated[str | None, Query(alias="indirectCSP")] = None,
) -> RelationshipRequestRead:
    path = invitations.request_link(session, actor, indirect_csp=indirect_csp)
    return RelationshipRequestRead(url=str(request.base_url).rstrip("/") + path)


@router.get(
    "/customers/{customer_id}", response_model=CustomerRead, response_model_exclude_none=True
)
def get_customer(customer_id: uuid.UUID, session: SessionDep, actor: Reader) -> CustomerRead:
    view = queries.get_view(session, actor, customer_id)
    return customer_detail(view.customer, view.relationship, view.associated_partner_id)


@router.patch(
    "/customers/{customer_id}", response_model=CustomerRead, response_model_exclude_none=True
)
@router.patch(
    "/customers/{customer_id}/",
    response_model=CustomerRead,
    response_model_exclude_none=True,
    include_in_schema=False,
)
def update_customer(
    customer_id: uuid.UUID, body: CustomerPatch, session: SessionDep, actor: Remover
) -> CustomerRead:
    """Only ``relationshipToPartner: "none"``: end the caller's relationship."""
    service.remove_relationship(session, actor, customer_id, body)
    return CustomerRead(relationship_to_partner=rules.RelationshipToPartner.NONE)


@router.get(
    "/customers/{customer_id}/profiles/company",
    response_model=CompanyProfileRead,
    response_model_exclude_none=True,
)
def get_company_profile(
    customer_id: uuid.UUID, session: SessionDep, actor: Reader
) -> CompanyProfileRead:
    customer = queries.get_visible(session, actor, customer_id)
    return company_profile(customer, detail=customer.allow_delegated_access)


@router.get(
    "/customers/{customer_id}/profiles/billing",
    response_model=BillingProfileRead,
    response_model_exclude_none=True,
)
def get_billing_profile(
    customer_id: uuid.UUID, session: SessionDep, actor: Reader
) -> BillingProfileRead:
    return billing_profile(queries.get_visible(session, actor, customer_id))


@router.put(
    "/customers/{customer_id}/profiles/billing",
    response_model=BillingProfileRead,
    response_model_exclude_none=True,
)
def update_billing_profile(
    customer_id: uuid.UUID,
    body: BillingProfileUpdate,
    session: SessionDep,
    actor: Manager,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> BillingProfileRead:
    """The ETag comes in ``If-Match`` or, as in the documented request, in
    ``attributes.etag``."""
    etag = if_match or (body.attributes.etag if body.attributes else None)
    customer = service.update_billing_profile(session, actor, customer_id, body, etag=etag)
    return billing_profile(customer)


@router.get(
    "/customers/{customer_id}/relationships",
    response_model=Collection[PartnerRelationshipRead],
    response_model_exclude_none=True,
)
def list_customer_resellers(
    customer_id: uuid.UUID, session: SessionDep, actor: Reader
) -> Collection[PartnerRelationshipRead]:
    """The customer's indirect resellers (PC:developer/get-indirect-resellers-of-a-customer.md)."""
    items = [
        PartnerRelationshipRead(
            id=r.id, name=r.name, mpn_id=str(r.mpn_id) if r.mpn_id is not None else None
        )
        for r in queries.resellers_shown_to(session, actor, customer_id)
    ]
    return Collection[PartnerRelationshipRead](total_count=len(items), items=items)


@router.post(
    "/validations/address",
    response_model=AddressValidationRead,
    response_model_exclude_none=True,
)
def validate_address(body: Address, session: SessionDep, _actor: Reader) -> AddressValidationRead:
    return AddressValidationRead.of(validations.check_address(session, body.wire()))


@router.head("/domains/{domain}")
def domain_availability(domain: str, session: SessionDep, _actor: Creator) -> Response:
    """200 when the domain is in use, 404 when it is available
    (PC:developer/verify-domain-availability.md)."""
    taken = validations.is_domain_taken(session, domain)
    return Response(status_code=status.HTTP_200_OK if taken else status.HTTP_404_NOT_FOUND)
