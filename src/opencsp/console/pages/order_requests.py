"""Order requests: an indirect reseller cannot buy (rules.md §1.3–1.4), so it asks the
provider it sells the customer through — offers of the customer's country, seats and a
note, without prices (resellers see none, §1.4) and with itself as the reseller of
record (§6.4). The provider sees the requests sent to it, declines one with a reason or
turns it into a cart (``orders.requests.convert_request``), which opens the buy flow's
cart review prefilled; it checks that cart out as any other.

``orders.requests`` decides who sees and may do what; this module shows it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from opencsp.catalog import queries as catalog
from opencsp.catalog.models import Availability
from opencsp.catalog.rules import ProductType, Segment
from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.pages import commerce
from opencsp.console.pages.buy import chosen_lines, offer_titles, text
from opencsp.console.pages.catalog import grouped
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Perm, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.customers.models import Customer
from opencsp.markets import queries as markets
from opencsp.orders import requests
from opencsp.orders.errors import OrderRequestNotFound
from opencsp.orders.models import OrderRequest
from opencsp.partners import queries as partners
from opencsp.pricing import browse

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.CUSTOMERS_READ)]
Requester = Annotated[Visit, allowed(Perm.CUSTOMERS_READ, post=True)]
Provider = Annotated[Visit, allowed(Perm.ORDERS_MANAGE, post=True)]
INDIRECT = frozenset({Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER})
RECENT = 200


def _indirect(visit: Visit) -> None:
    """Order requests pass between a reseller and its provider only."""
    if visit.actor.tier not in INDIRECT:
        raise PermissionDenied()


def requests_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        return commerce.not_found(request, error, status)
    _indirect(visit)
    store = db(request)
    customer = commerce.customer_of(request, visit)
    rows = list(reversed(requests.list_requests(store, visit.actor, customer.id)))
    is_reseller = visit.actor.tier is Tier.INDIRECT_RESELLER
    items = [str(line.get("catalogItemId", "")) for row in rows for line in row.lines]
    context: dict[str, Any] = {
        "customer": customer,
        "rows": rows,
        "titles": offer_titles(store, items),
        "is_reseller": is_reseller,
        "can_act": visit.actor.tier is Tier.INDIRECT_PROVIDER
        and visit.actor.can(Perm.ORDERS_MANAGE),
        "groups": grouped(_offers(request, customer)) if is_reseller else [],
        "error": commerce.with_code(request, error),
        "notice": commerce.notice(request),
        **commerce.formatters(request),
    }
    return rendering.render(request, "order_requests.html", context, status=status)


def _offers(request: Request, customer: Customer) -> list[browse.CatalogLine]:
    """The offers sold in the customer's country, without prices."""
    store = db(request)
    market = markets.market_for(store, customer.country)
    sold = set(store.scalars(catalog.sold_in(customer.country).with_only_columns(Availability.id)))
    lines = browse.catalog_lines(
        store,
        market_id=market.id,
        segment=Segment.COMMERCIAL,
        product_types=frozenset(ProductType),
        at=clock.now(),
        price_list=None,
        currency=None,
    )
    return [line for line in lines if line.availability_id in sold]


@router.get("/customers/{customer_id}/order-requests")
def list_requests(request: Request, customer_id: str, visit: Reader) -> Response:
    return requests_view(request)


ERRORS = [on_error(requests_view, shown_with=Perm.CUSTOMERS_READ)]


@router.post("/customers/{customer_id}/order-requests", dependencies=ERRORS)
def send_request(request: Request, customer_id: str, visit: Requester) -> Response:
    """The reseller's request, with its own location partner ID on record."""
    form: FormData = request.state.console_form
    with commerce.keeping_code(request):
        _indirect(visit)
        customer = commerce.customer_of(request, visit)
        own = partners.location_partner_id(db(request), visit.actor.organization_id)
        lines = chosen_lines(form, str(own.mpn_id) if own else None)
        requests.submit_request(
            db(request), visit.actor, customer.id, lines, note=text(form, "note")[:1024]
        )
    return commerce.done(f"/customers/{customer.id}/order-requests", "order_request_sent")


@router.post("/customers/{customer_id}/order-requests/{request_id}/decline", dependencies=ERRORS)
def decline(request: Request, customer_id: str, request_id: str, visit: Provider) -> Response:
    form: FormData = request.state.console_form
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        found = commerce.parse_uuid(request_id, OrderRequestNotFound)
        requests.decline_request(
            db(request), visit.actor, customer.id, found, text(form, "reason")[:512]
        )
    return commerce.done(f"/customers/{customer.id}/order-requests", "order_request_declined")


@router.post("/customers/{customer_id}/order-requests/{request_id}/convert", dependencies=ERRORS)
def convert(request: Request, customer_id: str, request_id: str, visit: Provider) -> Response:
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        found = commerce.parse_uuid(request_id, OrderRequestNotFound)
        cart = requests.convert_request(db(request), visit.actor, customer.id, found)
    return commerce.done(f"/customers/{customer.id}/carts/{cart.id}", "order_request_converted")


@router.get("/order-requests")
def all_requests(request: Request, visit: Reader) -> Response:
    """Every request sent (reseller) or received (provider), newest first."""
    _indirect(visit)
    store = db(request)
    rows = list(
        store.scalars(
            requests.visible(visit.actor)
            .order_by(OrderRequest.created_at.desc(), OrderRequest.id)
            .limit(RECENT)
        )
    )
    ids = {row.customer_id for row in rows}
    found = select(Customer.id, Customer.company_name).where(Customer.id.in_(ids))
    names = {row.id: row.company_name for row in store.execute(found)} if ids else {}
    context: dict[str, Any] = {
        "rows": rows,
        "names": names,
        "is_reseller": visit.actor.tier is Tier.INDIRECT_RESELLER,
        **commerce.formatters(request),
    }
    return rendering.render(request, "order_requests_all.html", context)
