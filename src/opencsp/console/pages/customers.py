"""Customers: the list (searched by the start of the company name, a page at a time),
one customer (company and billing profiles, who works with it — direct-bill partner,
provider, reseller — and whether the customer agreement was accepted, which every order
requires: PC:csp-overview.md), editing the billing profile (guarded by its ETag, so two
people editing at once cannot overwrite each other) and ending one's relationship.

What a partner sees is what ``customers.queries`` lets it see: a customer of someone
else is the same 404 as one that does not exist."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from opencsp.agreements import queries as agreements
from opencsp.console import rendering, session
from opencsp.console.feedback import TITLES, done, notice, on_error
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm
from opencsp.core.pagination import InvalidContinuationToken
from opencsp.customers import queries, rules, service
from opencsp.customers.errors import CustomerNotFound, InvalidCustomerInput
from opencsp.customers.models import Customer
from opencsp.customers.rules import CustomerFilter, FilterField, RelationshipToPartner
from opencsp.customers.schemas import BillingProfileIn, CustomerPatch

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.CUSTOMERS_READ)]
Manager = Annotated[Visit, allowed(Perm.CUSTOMERS_MANAGE, post=True)]
Remover = Annotated[Visit, allowed(Perm.CUSTOMER_RELATIONSHIP_REMOVE, post=True)]

PAGE_SIZE = 25
ADDRESS_FIELDS = (
    "addressLine1",
    "addressLine2",
    "city",
    "state",
    "postalCode",
    "firstName",
    "lastName",
    "phoneNumber",
)


def text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """A form read into a wire model; what cannot be read is a clear error naming it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        raise InvalidCustomerInput(field=where) from exc


def agreement_status(request: Request, customer_id: uuid.UUID) -> dict[str, Any] | None:
    latest = agreements.latest_customer_acceptance(db(request), customer_id)
    if latest is None:
        return None
    return {"date": latest.date_agreed, "method": latest.method}


@router.get("/customers")
def list_customers(request: Request, visit: Reader) -> Response:
    search = request.query_params.get("q", "").strip()
    token = request.query_params.get("next") or None
    flt = CustomerFilter(FilterField.COMPANY_NAME, search) if search else None
    store = db(request)
    try:
        page = queries.page_of_customers(store, visit.actor, flt, size=PAGE_SIZE, token=token)
    except InvalidContinuationToken:
        page = queries.page_of_customers(store, visit.actor, flt, size=PAGE_SIZE, token=None)
    ids = [c.id for c in page.items]
    views = queries.views_for(store, visit.actor, page.items)
    roles = queries.roles_of(store, visit.actor.organization_id, ids)
    names = queries.organization_names(
        store, [v.associated_partner_id for v in views if v.associated_partner_id]
    )
    rows = [
        {
            "customer": v.customer,
            "role": roles.get(v.customer.id),
            "reseller": names.get(v.associated_partner_id) if v.associated_partner_id else None,
            "agreement": agreement_status(request, v.customer.id),
        }
        for v in views
    ]
    context = {
        "rows": rows,
        "total": page.total_count,
        "search": search,
        "next_token": page.next_token,
        "paged": token is not None,
        "notice": notice(request),
        "can_create": visit.actor.can(Perm.CUSTOMERS_CREATE)
        and rules.role_for_tier(visit.actor.tier)
        in (
            rules.RelationshipRole.DIRECT,
            rules.RelationshipRole.PROVIDER,
        ),
    }
    return rendering.render(request, "customers.html", context)


def _visible(request: Request, visit: Visit) -> Customer:
    customer_id = path_id(request.path_params.get("customer_id", ""), CustomerNotFound)
    return queries.get_visible(db(request), visit.actor, customer_id)


def customer_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        title = rendering.translate(request, TITLES[404])
        context = {"status": status, "title": title, "message": error}
        return rendering.render(request, "error.html", context, status=status)
    store = db(request)
    customer = _visible(request, visit)
    view = queries.views_for(store, visit.actor, [customer])[0]
    mine = queries.relationship_of(store, customer.id, visit.actor.organization_id)
    context = {
        "customer": customer,
        "address": customer.billing_address,
        "relationships": queries.relationships_shown_to(store, visit.actor, customer),
        "related": view.relationship is RelationshipToPartner.RESELLER,
        "agreement": agreement_status(request, customer.id),
        "can_edit": visit.actor.can(Perm.CUSTOMERS_MANAGE) and not visit.actor.is_vendor,
        "can_remove": visit.actor.can(Perm.CUSTOMER_RELATIONSHIP_REMOVE)
        and mine is not None
        and mine.role != rules.RelationshipRole.RESELLER.value,
        "error": error,
        "notice": notice(request),
    }
    return rendering.render(request, "customer.html", context, status=status)


@router.get("/customers/{customer_id}")
def show_customer(request: Request, customer_id: str, visit: Reader) -> Response:
    return customer_view(request)


def billing_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        return customer_view(request, error=error, status=status)
    customer = _visible(request, visit)
    form: FormData | None = session.state(request, "console_form")
    stored = customer.billing_address
    if error is not None and form is not None:
        draft = {name: text(form, name) for name in ("email", "culture", "language")}
        draft["company_name"] = text(form, "company_name")
        address = {name: text(form, name) for name in ADDRESS_FIELDS}
        etag = text(form, "etag")
    else:
        draft = {
            "email": customer.billing_email,
            "culture": customer.billing_culture,
            "language": customer.billing_language,
            "company_name": customer.billing_company_name,
        }
        address = {name: stored.get(name) or "" for name in ADDRESS_FIELDS}
        etag = rules.billing_etag(customer.id, customer.billing_version)
    context = {
        "customer": customer,
        "draft": draft,
        "address": address,
        "etag": etag,
        "error": error,
    }
    return rendering.render(request, "customer_billing.html", context, status=status)


@router.get("/customers/{customer_id}/billing")
def edit_billing(request: Request, customer_id: str, visit: Reader) -> Response:
    return billing_view(request)


@router.post("/customers/{customer_id}/billing", dependencies=[on_error(billing_view)])
def save_billing(request: Request, customer_id: str, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    parsed = path_id(customer_id, CustomerNotFound)
    address = {name: text(form, name) or None for name in ADDRESS_FIELDS}
    body = parse(
        BillingProfileIn,
        {
            "firstName": text(form, "firstName") or None,
            "lastName": text(form, "lastName") or None,
            "email": text(form, "email"),
            "culture": text(form, "culture"),
            "language": text(form, "language"),
            "companyName": text(form, "company_name"),
            "defaultAddress": {**address, "country": text(form, "country")},
        },
    )
    service.update_billing_profile(
        db(request), visit.actor, parsed, body, etag=text(form, "etag") or None
    )
    return done(f"/customers/{parsed}", "billing_saved")


@router.post("/customers/{customer_id}/remove", dependencies=[on_error(customer_view)])
def remove_relationship(request: Request, customer_id: str, visit: Remover) -> Response:
    parsed = path_id(customer_id, CustomerNotFound)
    body = CustomerPatch(relationship_to_partner=RelationshipToPartner.NONE)
    service.remove_relationship(db(request), visit.actor, parsed, body)
    return done("/customers", "relationship_removed")
