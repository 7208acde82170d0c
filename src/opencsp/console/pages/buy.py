"""The buy flow for direct-bill partners and indirect providers (rules.md §1.3): from a
customer, choose offers sold in the customer's country with their term, billing plan and
seats, priced in the currency the partner buys in for the customer (its own where the
customer market's list has it, else the customer's: ``markets.sale_currency``);
review the cart with each line's error in its documented code and the price the checkout
would lock (``orders.carts.evaluate``); the customer agreement check (rules.md §5.1, 13605:
the page says so and links to the customer's agreement page before anyone hits the
error); for a provider, the reseller of record (rules.md §6.4: its resellers in
partnership, by name; ``partnerIdOnRecord`` is the reseller's location partner ID); then
checkout, which lands on the order page.

Every decision is the services' (``orders.carts``, ``orders.checkout``): this module reads
the form, calls them and shows what they answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from opencsp.agreements import queries as agreements
from opencsp.catalog import queries as catalog
from opencsp.catalog.models import Availability, Sku
from opencsp.catalog.rules import ProductType, Segment, parse_segment
from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages import commerce
from opencsp.console.pages.catalog import PRODUCT_TYPES, SEGMENTS, grouped
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import InvalidInput
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.markets import queries as markets
from opencsp.orders import carts, checkout
from opencsp.orders.errors import CartNotFound
from opencsp.orders.models import Cart
from opencsp.orders.rules import CartLineRequest
from opencsp.partners import queries as partners
from opencsp.partners.models import PartnerId
from opencsp.pricing import browse
from opencsp.pricing import queries as pricing

router = APIRouter()

Buyer = Annotated[Visit, allowed(Perm.ORDERS_MANAGE)]
Ordering = Annotated[Visit, allowed(Perm.ORDERS_MANAGE, post=True)]

MAX_LINES = 50


def text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


def quantity_of(form: FormData, name: str) -> int | None:
    """A seat count from the form: empty is no line, anything unreadable is a clear error."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(description=N_("Seats must be a whole number.")) from None


def reseller_choices(session: Session, actor: Actor) -> list[dict[str, str]]:
    """A provider's resellers in active partnership, by name, with the location partner
    ID that goes in ``partnerIdOnRecord`` (rules.md §6.4): two queries for all of them."""
    if actor.tier is not Tier.INDIRECT_PROVIDER:
        return []
    ids = [p.reseller_id for p in partners.resellers_of(session, actor.organization_id)]
    if not ids:
        return []
    names = customers.organization_names(session, ids)
    mpn = {
        org: str(number)
        for org, number in session.execute(
            select(PartnerId.organization_id, PartnerId.mpn_id).where(
                PartnerId.organization_id.in_(ids),
                PartnerId.kind == partners.LOCATION,
                PartnerId.status == partners.ACTIVE,
            )
        )
    }
    rows = [{"name": names.get(i, ""), "mpn_id": mpn[i]} for i in ids if i in mpn]
    return sorted(rows, key=lambda r: r["name"].lower())


def _agreement(request: Request, customer: Customer) -> bool:
    return agreements.has_accepted_customer_agreement(db(request), customer.id)


# --- choosing offers ---------------------------------------------------------------------------


def buy_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        return commerce.not_found(request, error, status)
    store = db(request)
    customer = commerce.customer_of(request, visit)
    now = clock.now()
    segment_arg = request.query_params.get("segment")
    segment = parse_segment(segment_arg) if segment_arg else Segment.COMMERCIAL
    market = markets.market_for(store, customer.country)
    buyer = visit.actor.organization_id
    currency = markets.sale_currency(
        store, partners.country_of(store, buyer) if buyer else None, customer.country
    )
    price_list = pricing.applicable_list(store, market.id, now)
    sold = set(store.scalars(catalog.sold_in(customer.country).with_only_columns(Availability.id)))
    lines = [
        line
        for line in browse.catalog_lines(
            store,
            market_id=market.id,
            segment=segment,
            product_types=frozenset(ProductType),
            at=now,
            price_list=price_list,
            currency=currency,
        )
        if line.availability_id in sold
    ]
    form: FormData | None = session.state(request, "console_form")
    context: dict[str, Any] = {
        "customer": customer,
        "accepted": _agreement(request, customer),
        "groups": grouped(lines),
        "currency": currency,
        "price_list": price_list,
        "segment": segment.value,
        "segments": {s.value: label for s, label in SEGMENTS.items()},
        "product_types": PRODUCT_TYPES,
        "resellers": reseller_choices(store, visit.actor),
        "chosen_reseller": text(form, "reseller") if error else "",
        "error": commerce.with_code(request, error),
        **commerce.formatters(request),
    }
    return rendering.render(request, "buy.html", context, status=status)


@router.get("/customers/{customer_id}/buy")
def choose_offers(request: Request, customer_id: str, visit: Buyer) -> Response:
    return buy_view(request)


def chosen_lines(form: FormData, reseller: str | None) -> list[CartLineRequest]:
    """The offers given a seat count: ``item_N`` names ``catalogItemId|term|plan``,
    ``quantity_N`` the seats; the reseller of record applies to every line."""
    lines: list[CartLineRequest] = []
    for key in form:
        if not key.startswith("item_"):
            continue
        quantity = quantity_of(form, "quantity_" + key.removeprefix("item_"))
        if quantity is None:
            continue
        item, _, rest = text(form, key).partition("|")
        term, _, plan = rest.partition("|")
        lines.append(
            CartLineRequest(
                id=len(lines),
                catalog_item_id=item,
                quantity=quantity,
                term_duration=term or None,
                billing_cycle=plan or None,
                partner_id_on_record=reseller,
            )
        )
    if not lines:
        raise InvalidInput(description=N_("Give a number of seats for at least one offer."))
    if len(lines) > MAX_LINES:
        raise InvalidInput(description=N_("A cart holds at most 50 lines."))
    return lines


@router.post(
    "/customers/{customer_id}/carts",
    dependencies=[on_error(buy_view, shown_with=Perm.ORDERS_MANAGE)],
)
def create_cart(request: Request, customer_id: str, visit: Ordering) -> Response:
    form: FormData = request.state.console_form
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        lines = chosen_lines(form, text(form, "reseller") or None)
        cart = carts.create_cart(db(request), visit.actor, customer.id, lines)
    return RedirectResponse(f"/customers/{customer.id}/carts/{cart.id}", status_code=303)


# --- the cart -------------------------------------------------------------------------------------


def offer_titles(session: Session, items: Sequence[str]) -> dict[str, str]:
    """The SKU title of each catalog item ID (one query)."""
    keys: dict[tuple[str, str], list[str]] = {}
    for item in items:
        parts = item.upper().split(":")
        if len(parts) == 3:
            keys.setdefault((parts[0], parts[1]), []).append(item)
    if not keys:
        return {}
    rows = session.execute(
        select(Sku.product_id, Sku.id, Sku.title).where(
            tuple_(Sku.product_id, Sku.id).in_(list(keys))
        )
    )
    return {item: title for p, s, title in rows for item in keys.get((p, s), [])}


def _cart(request: Request, visit: Visit, customer: Customer) -> Cart:
    cart_id = commerce.parse_uuid(request.path_params.get("cart_id", ""), CartNotFound)
    return carts.get_cart(db(request), visit.actor, customer.id, cart_id)


def cart_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if error is not None and status == 404:
        return commerce.not_found(request, error, status)
    store = db(request)
    customer = commerce.customer_of(request, visit)
    cart = _cart(request, visit, customer)
    shown = carts.cart_view(store, cart)
    priced: dict[int, Any] = {}
    failures: dict[int, Any] = {}
    if cart.status == carts.ACTIVE:
        requests, ends = checkout.requests_of(shown.lines)
        judged = carts.evaluate(
            store, visit.actor.organization_id, customer, requests, ends, at=clock.now()
        )
        priced = {p.line.id: p for p in judged.priced}
        failures = {f.line_id: f.error for f in judged.failures}
    resellers = reseller_choices(store, visit.actor)
    on_record = {line.partner_id_on_record for line in shown.lines} - {None}
    context: dict[str, Any] = {
        "customer": customer,
        "cart": cart,
        "lines": shown.lines,
        "errors": failures if cart.status == carts.ACTIVE else shown.errors,
        "priced": priced,
        "titles": offer_titles(store, [line.catalog_item_id for line in shown.lines]),
        "currency": shown.currency,
        "total": sum((p.pricing.charge.amount for p in priced.values()), start=Decimal(0)),
        "accepted": _agreement(request, customer),
        "resellers": resellers,
        "chosen_reseller": next(iter(on_record)) if len(on_record) == 1 else "",
        "is_active": cart.status == carts.ACTIVE,
        "error": commerce.with_code(request, error),
        "notice": commerce.notice(request),
        **commerce.formatters(request),
    }
    return rendering.render(request, "buy_cart.html", context, status=status)


@router.get("/customers/{customer_id}/carts/{cart_id}")
def review_cart(request: Request, customer_id: str, cart_id: str, visit: Buyer) -> Response:
    return cart_view(request)


CART_ERRORS = on_error(cart_view, shown_with=Perm.ORDERS_MANAGE)


@router.post("/customers/{customer_id}/carts/{cart_id}", dependencies=[CART_ERRORS])
def update_cart(request: Request, customer_id: str, cart_id: str, visit: Ordering) -> Response:
    """Save the seats (0 or "remove" drops a line) and the reseller of record: the whole
    cart is sent again (``PUT`` semantics) and judged anew."""
    form: FormData = request.state.console_form
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        cart = _cart(request, visit, customer)
        requests, ends = checkout.requests_of(carts.cart_lines(db(request), cart.id))
        reseller = text(form, "reseller") or None
        kept: list[CartLineRequest] = []
        for line in requests:
            quantity = quantity_of(form, f"quantity_{line.id}")
            if text(form, f"remove_{line.id}") or quantity == 0:
                continue
            kept.append(
                CartLineRequest(
                    id=line.id,
                    catalog_item_id=line.catalog_item_id,
                    quantity=line.quantity if quantity is None else quantity,
                    term_duration=line.term_duration,
                    billing_cycle=line.billing_cycle,
                    partner_id_on_record=reseller,
                    provisioning_context=line.provisioning_context,
                    attestation_accepted=bool(text(form, f"attest_{line.id}"))
                    or line.attestation_accepted,
                    participants=line.participants,
                )
            )
        if not kept:
            raise InvalidInput(description=N_("Give a number of seats for at least one offer."))
        carts.update_cart(
            db(request),
            visit.actor,
            customer.id,
            cart.id,
            kept,
            custom_term_ends={line.id: ends.get(line.id) for line in kept},
        )
    return commerce.done(f"/customers/{customer.id}/carts/{cart.id}", "cart_saved")


@router.post("/customers/{customer_id}/carts/{cart_id}/checkout", dependencies=[CART_ERRORS])
def check_out(request: Request, customer_id: str, cart_id: str, visit: Ordering) -> Response:
    with commerce.keeping_code(request):
        customer = commerce.customer_of(request, visit)
        cart_uuid: uuid.UUID = _cart(request, visit, customer).id
        order = checkout.checkout(db(request), visit.actor, customer.id, cart_uuid)
    return commerce.done(f"/customers/{customer.id}/orders/{order.id}", "order_placed")
