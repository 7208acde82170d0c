"""Carts: creating and replacing one (``POST``/``PUT .../carts``), and judging its lines —
each line's own content (``rules.validate_line``), every checkout gate over facts
gathered for the whole cart (``facts.gather``, ``gates.ensure_line``), its term and
custom end date (``subscriptions.terms``) and its price at this instant
(``pricing.queries.unit_price``, ``rules.price_line``). A failing line keeps its error
(``lineItems[].error``) and the cart is still created, as Partner Center does
(PC:developer/create-a-cart.md); checkout refuses a cart with any failing line.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.catalog.rules import PERIOD_MONTHS, TERM_MONTHS, BillingPlan, TermDuration
from opencsp.core import clock, refcache
from opencsp.core.actor import Actor
from opencsp.core.errors import DomainError
from opencsp.core.money import Currency, Money
from opencsp.customers import queries as customers
from opencsp.customers.models import Customer
from opencsp.orders import cart_views, gates
from opencsp.orders import facts as cart_facts
from opencsp.orders.cart_views import CartView, cart_lines, cart_view, line_errors
from opencsp.orders.errors import (
    CART_INVALID_INPUT,
    CartAlreadySubmitted,
    CartNotFound,
    CurrencyNotSupported,
)
from opencsp.orders.models import Cart, CartLine
from opencsp.orders.rules import (
    WHOLE,
    CartLineRequest,
    DayFraction,
    LineError,
    LinePricing,
    ValidLine,
    line_error,
    price_line,
    served_fraction,
    validate_line,
)
from opencsp.pricing import queries as pricing
from opencsp.pricing.errors import PriceNotFound
from opencsp.pricing.fx import USD as US_DOLLAR
from opencsp.subscriptions import changes, terms

__all__ = [  # besides what is defined here, the cart views it answers with
    "CartView",
    "cart_lines",
    "cart_view",
    "line_errors",
]

CART_LIFETIME = timedelta(days=7)
"""A cart expires 7 days after it was created (``expirationTimestamp`` in the samples of
PC:developer/create-a-cart.md); an expired cart is not found (800008)."""

ACTIVE, ORDERED = "active", "ordered"


@dataclass(frozen=True, slots=True)
class LineFailure:
    """A line that cannot be bought: its cart error and the Partner Center code of the
    gate that refused it (400019, 800088, …; 10010 for the line's own content)."""

    line_id: int
    error: LineError
    code: int | str
    exc: DomainError | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line that can be bought now: the parsed line, its offer, the reseller of record's
    organization, the first term (``end`` None for a one-time purchase), and the locked
    price from the list (``price_list_id``) with the line's charges."""

    line: ValidLine
    offer: gates.OfferFacts
    reseller_id: uuid.UUID | None
    start: date
    end: date | None
    custom_end: date | None
    price_list_id: uuid.UUID | None
    pricing: LinePricing

    @property
    def is_trial(self) -> bool:
        return self.offer.is_trial


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A judged cart: the facts, and for every line either a price or a failure."""

    facts: cart_facts.CartFacts
    currency: Currency
    priced: list[PricedLine]
    failures: list[LineFailure]
    billing: Currency | None = None
    """The partner's currency when the lines are priced in another (USD, rules.md §11)."""


def _first_term(
    valid: ValidLine,
    offer: gates.OfferFacts,
    start: date,
    custom_end: date | None,
    existing_ends: Sequence[tuple[date, TermDuration]],
) -> tuple[date | None, DayFraction, DayFraction]:
    """The first term's end and the served shares of the first term and first period
    (rules.md §9b, §9f: a custom end shortens the first term, prorated by day; a trial
    lasts 30 days, §9g)."""
    if valid.term not in TERM_MONTHS:
        return None, WHOLE, WHOLE
    if offer.is_trial:
        return changes.trial_end(start), WHOLE, WHOLE
    if custom_end is not None:
        terms.check_custom_end(
            custom_end,
            start,
            valid.term,
            existing_ends,
            product_type=offer.product_type,
            trial=False,
            context=terms.CustomEndContext.PURCHASE,
            line_item=valid.id,
        )
    end = terms.term_end(start, valid.term, custom_end=custom_end)
    natural = terms.natural_end(start, valid.term)
    first_term = served_fraction(start, end, natural) if end != natural else WHOLE
    first_period: DayFraction = WHOLE
    months = PERIOD_MONTHS.get(valid.plan)
    if months is not None and months < TERM_MONTHS[valid.term]:
        period_start, period_end = terms.billing_periods(start, end, valid.plan)[0]
        full = terms.add_months(start, months) - terms.ONE_DAY
        if period_end < full:
            first_period = served_fraction(period_start, period_end, full)
    return end, first_term, first_period


def _price(
    session: Session,
    valid: ValidLine,
    offer: gates.OfferFacts,
    reseller_id: uuid.UUID | None,
    custom_end: date | None,
    evaluation: tuple[cart_facts.CartFacts, Currency],
    at: datetime,
) -> PricedLine:
    facts, currency = evaluation
    start = at.date()
    end, first_term, first_period = _first_term(
        valid, offer, start, custom_end, facts.existing_ends
    )
    if valid.plan is BillingPlan.NONE:
        unit, list_id = Money.zero(currency), None
    else:
        found = _listed_price(session, valid, facts, currency, at)
        unit, list_id = Money(found.unit_price, found.currency), found.price_list_id
    line_pricing = price_line(
        unit,
        valid.quantity,
        valid.term,
        valid.plan,
        first_term=first_term,
        first_period=first_period,
    )
    return PricedLine(valid, offer, reseller_id, start, end, custom_end, list_id, line_pricing)


def _listed_price(
    session: Session,
    valid: ValidLine,
    facts: cart_facts.CartFacts,
    currency: Currency,
    at: datetime,
) -> pricing.Price:
    """The line's price in the partner's currency, or else in USD: an item the market's
    list prices only in USD (Azure, reservations, marketplace, rules.md §11) is priced in
    USD and billed in the partner's currency at each month's rate (``billing.fx``)."""

    def in_(code: str) -> pricing.Price:
        return pricing.unit_price(
            session,
            valid.catalog_item,
            facts.market_id,
            code,
            valid.term,
            valid.plan,
            at=at,
            quantity=valid.quantity,
            generations=facts.generations,
        )

    try:
        return in_(currency.code)
    except PriceNotFound:
        if currency == US_DOLLAR:
            raise
        return in_(US_DOLLAR.code)


def _one_currency(
    priced: list[PricedLine], failures: list[LineFailure], partner: Currency
) -> Currency:
    """The cart's pricing currency: the partner's if any line is priced in it, else the
    one its lines are priced in; a line priced in another fails (900169)."""
    used = {p.pricing.unit_price.currency for p in priced}
    cart = partner if partner in used or not used else min(used, key=lambda c: c.code)
    for p in [p for p in priced if p.pricing.unit_price.currency != cart]:
        priced.remove(p)
        exc = CurrencyNotSupported(
            currency=cart.code,
            catalog_item_id=str(p.line.catalog_item),
            priced_in=p.pricing.unit_price.currency.code,
        )
        failures.append(LineFailure(p.line.id, line_error(exc), exc.code, exc))
    return cart


def evaluate(
    session: Session,
    buyer_id: uuid.UUID,
    customer: Customer,
    requests: Sequence[CartLineRequest],
    custom_ends: Mapping[int, date | None],
    *,
    at: datetime,
    buyer: gates.BuyerFacts | None = None,
    generations: refcache.Generations | None = None,
) -> Evaluation:
    """Judge every line of a cart at ``at`` with the facts of the whole cart (``buyer``,
    ``generations``: the buyer's facts and the reference-cache tokens when the caller has
    read them already)."""
    valid: list[ValidLine] = []
    failures: list[LineFailure] = []
    for request in requests:
        checked = validate_line(request)
        if isinstance(checked, LineError):
            failures.append(LineFailure(request.id, checked, checked.code))
        else:
            valid.append(checked)
    facts = cart_facts.gather(
        session, buyer_id, customer, valid, buyer=buyer, generations=generations
    )
    currency = Currency.of(facts.currency)
    priced: list[PricedLine] = []
    for line in valid:
        ctx = facts.lines[line.id]
        try:
            gates.ensure_line(facts.buyer, facts.customer, line, ctx, at=at)
            assert ctx.offer is not None  # ensure_line refuses a missing offer
            reseller = gates.ensure_partner_of_record(
                facts.buyer,
                line.partner_id_on_record,
                (ctx.resellers or {}).get(line.partner_id_on_record or 0),
            )
            priced.append(
                _price(
                    session,
                    line,
                    ctx.offer,
                    reseller,
                    custom_ends.get(line.id),
                    (facts, currency),
                    at,
                )
            )
        except DomainError as exc:
            failures.append(LineFailure(line.id, line_error(exc), exc.code, exc))
    priced_in = _one_currency(priced, failures, currency)
    failures.sort(key=lambda f: f.line_id)
    billing = currency if priced_in != currency else None
    return Evaluation(facts, priced_in, priced, failures, billing)


# --- the cart rows ---------------------------------------------------------------------


def _duplicate_ids(requests: Sequence[CartLineRequest]) -> set[int]:
    seen: set[int] = set()
    dupes: set[int] = set()
    for r in requests:
        (dupes if r.id in seen else seen).add(r.id)
    return dupes


def _write_lines(
    session: Session,
    cart: Cart,
    requests: Sequence[CartLineRequest],
    custom_ends: Mapping[int, date | None],
    evaluation: Evaluation,
) -> None:
    errors = {f.line_id: f.error for f in evaluation.failures}
    rows: list[CartLine] = []
    for request in requests:
        error = errors.get(request.id)
        end = custom_ends.get(request.id)
        rows.append(
            CartLine(
                cart_id=cart.id,
                id=request.id,
                catalog_item_id=(request.catalog_item_id or "")[:120],
                quantity=request.quantity if isinstance(request.quantity, int) else 0,
                term_duration=(request.term_duration or "")[:8],
                billing_cycle=(request.billing_cycle or "")[:16],
                partner_id_on_record=(request.partner_id_on_record or None),
                provisioning_context=dict(request.provisioning_context),
                participants=[{"key": p.key, "value": p.value} for p in request.participants],
                attestation_accepted=bool(request.attestation_accepted),
                custom_term_end=end.isoformat() if end else None,
                error_code=error.code if error else None,
                error_description=error.description[:512] if error else None,
                error_available_quantity=error.available_quantity if error else None,
            )
        )
    session.add_all(rows)
    cart_views.remember(session, cart, rows, errors, evaluation.currency.code)


def _judge(
    session: Session,
    actor: Actor,
    customer: Customer,
    requests: Sequence[CartLineRequest],
    custom_ends: Mapping[int, date | None] | None,
) -> tuple[Evaluation, Mapping[int, date | None]]:
    generations = refcache.read(session)
    buyer = cart_facts.buyer_facts(
        session, actor.organization_id, tier=actor.tier, generations=generations
    )
    gates.ensure_can_buy(buyer)
    ends = custom_ends or {}
    dupes = _duplicate_ids(requests)
    unique = [r for r in requests if r.id not in dupes]
    evaluation = evaluate(
        session,
        actor.organization_id,
        customer,
        unique,
        ends,
        at=clock.now(),
        buyer=buyer,
        generations=generations,
    )
    for line_id in sorted(dupes):
        error = LineError(CART_INVALID_INPUT, f"Line item id {line_id} is used more than once")
        evaluation.failures.append(LineFailure(line_id, error, CART_INVALID_INPUT))
    return evaluation, ends


def create_cart(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    lines: Sequence[CartLineRequest],
    *,
    custom_term_ends: Mapping[int, date | None] | None = None,
    order_request_id: uuid.UUID | None = None,
) -> Cart:
    """A new active cart of the buyer for a visible customer, every line judged now
    (PC:developer/create-a-cart.md). Only direct-bill partners and indirect providers
    build carts (``gates.ensure_can_buy``)."""
    customer = customers.get_visible(session, actor, customer_id)
    evaluation, ends = _judge(session, actor, customer, lines, custom_term_ends)
    now = clock.now()
    cart = Cart(
        id=uuid.uuid4(),
        customer_id=customer.id,
        organization_id=actor.organization_id,
        status=ACTIVE,
        order_id=None,
        order_request_id=order_request_id,
        created_at=now,
        updated_at=now,
        created_by=actor.user_id,
        version=1,
    )
    session.add(cart)
    _write_lines(session, cart, lines, ends, evaluation)
    session.flush()
    audit.record(
        session,
        actor,
        "create_cart",
        "cart",
        resource_id=cart.id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        data={"CartId": cart.id, "Lines": len(lines), "LinesInError": len(evaluation.failures)},
    )
    return cart


def get_cart(session: Session, actor: Actor, customer_id: uuid.UUID, cart_id: uuid.UUID) -> Cart:
    """The buyer's own unexpired cart of a visible customer; anything else is 800008."""
    customer = customers.get_visible(session, actor, customer_id)
    return owned_cart(session, actor, customer, cart_id)


def owned_cart(session: Session, actor: Actor, customer: Customer, cart_id: uuid.UUID) -> Cart:
    """``get_cart`` for a customer already read through the actor's visibility."""
    cart = session.scalar(
        select(Cart)
        .where(
            Cart.id == cart_id,
            Cart.customer_id == customer.id,
            Cart.organization_id == actor.organization_id,
        )
        .execution_options(populate_existing=True)
    )
    if cart is None or (cart.status == ACTIVE and clock.now() > cart.created_at + CART_LIFETIME):
        raise CartNotFound(cart_id=cart_id)
    return cart


def update_cart(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    cart_id: uuid.UUID,
    lines: Sequence[CartLineRequest],
    *,
    custom_term_ends: Mapping[int, date | None] | None = None,
) -> Cart:
    """Replace an active cart's lines with the full cart sent (PUT semantics,
    PC:developer/update-a-cart.md) and judge them anew; a checked-out cart is 800065."""
    customer = customers.get_visible(session, actor, customer_id)
    cart = owned_cart(session, actor, customer, cart_id)
    if cart.status != ACTIVE:
        raise CartAlreadySubmitted(cart_id=cart.id)
    evaluation, ends = _judge(session, actor, customer, lines, custom_term_ends)
    for old in cart_lines(session, cart.id):
        session.delete(old)
    session.flush()
    cart.updated_at = clock.now()
    cart.version += 1
    _write_lines(session, cart, lines, ends, evaluation)
    session.flush()
    audit.record(
        session,
        actor,
        "update_cart",
        "cart",
        resource_id=cart.id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        data={"CartId": cart.id, "Lines": len(lines), "LinesInError": len(evaluation.failures)},
    )
    return cart
