"""The facts the checkout gates judge, gathered for a whole cart in a few set-based
queries — one per kind of fact, never one per line (DESIGN.md §6): the buyer (tier,
enrollment, restriction, partner agreement, the countries of its market), the customer
(country, customer agreement, SKUs on its tenant), the offers of the cart, the seats and
subscriptions the customer already holds per SKU through every partner (small-business
pooling, rules.md §9i), and the organizations behind the cart's partner IDs
(rules.md §1.6, §6.4). ``orders.gates`` decides with them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from opencsp.agreements import queries as agreements
from opencsp.agreements.models import PartnerAgreementSignature
from opencsp.auth.models import Organization
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
)
from opencsp.catalog.rules import BillingPlan, CatalogItemId, ProductType, Segment, TermDuration
from opencsp.core import refcache
from opencsp.core.actor import Tier
from opencsp.customers import qualifications as customer_qualifications
from opencsp.customers.models import Customer
from opencsp.markets import queries as markets
from opencsp.markets import rules as market_rules
from opencsp.orders.gates import (
    BuyerFacts,
    CustomerFacts,
    LineContext,
    OfferFacts,
    ResellerFacts,
    SkuKey,
)
from opencsp.orders.rules import ValidLine
from opencsp.partners import qualifications as partner_qualifications
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.partners.models import Enrollment, PartnerId, Partnership
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import SEATED

ACTIVE = "active"


HELD = ("active", "suspended", "pending", "expired", "disabled")
"""Statuses a ``ConcurrentCount`` asset limit counts: current subscriptions, cancelled or
expired but not yet deprovisioned included (rules.md §9i)."""

OWNING = ("active", "pending")
"""Statuses that make a SKU a usable add-on prerequisite on the tenant (rules.md §9h)."""


@dataclass(frozen=True, slots=True)
class CartFacts:
    """Everything the gates need for one cart, the customer's market and new-commerce
    currency, plus the NCE subscription ends of this buyer for the customer (custom term
    end dates, rules.md §9f)."""

    buyer: BuyerFacts
    customer: CustomerFacts
    market_id: str
    region: str
    currency: str
    lines: dict[int, LineContext]
    offers: dict[str, OfferFacts]
    titles: dict[str, str] = field(default_factory=dict)
    existing_ends: list[tuple[date, TermDuration]] = field(default_factory=list)
    generations: refcache.Generations | None = field(default=None, repr=False, compare=False)
    """The reference-cache tokens the facts were read under, for the price look-ups."""


def buyer_facts(
    session: Session,
    organization_id: uuid.UUID,
    *,
    tier: Tier | None = None,
    generations: refcache.Generations | None = None,
) -> BuyerFacts:
    """``_buyer_facts``, kept in the reference cache (``generations``: the tokens the
    caller read; ``core.refcache``) until a partner or market table changes."""
    return refcache.cached(
        generations,
        ("partners", "markets"),
        "orders.buyer",
        (organization_id, tier, markets.served_market_ids()),
        lambda: _buyer_facts(session, organization_id, tier),
    )


def _buyer_facts(session: Session, organization_id: uuid.UUID, tier: Tier | None) -> BuyerFacts:
    """The buying organization. ``restricted``: it is restricted (rules.md §2c) or
    deauthorized (§3.4) — ``partners.standing``; renewals never pass checkout, so they
    continue. Its region is the market of its location (``partners.country_of``), read with the
    market's countries in one statement. ``tier``: the organization's, when the caller
    knows it (the actor's), so the organization row is not read."""
    if tier is None:
        org = session.get(Organization, organization_id)
        tier = Tier(org.tier) if org is not None else Tier.VENDOR
    enrollment = partners.enrollment_of(session, organization_id)
    country = partners.country_of(session, organization_id)
    countries: frozenset[str] = frozenset()
    signed = False
    currency = None
    if country is not None:
        region, countries = markets.market_countries(session, country)
        signed = agreements.has_signed_partner_agreement(session, organization_id, region)
        currency = markets.new_commerce_currency(session, country)
    return BuyerFacts(
        organization_id=organization_id,
        tier=tier,
        enrollment_active=enrollment is not None and enrollment.state == ACTIVE,
        restricted=standing.is_restricted(session, organization_id),
        partner_agreement_signed=signed,
        countries=countries,
        qualifications=partner_qualifications.approved_segments(session, organization_id),
        currency=currency,
    )


LIFETIME = "lifetime"


@dataclass(frozen=True, slots=True)
class _Offer:
    """A purchasable catalog item for one country: the gates' facts, whether the SKU's
    asset limit counts every subscription ever bought (``Lifetime``), and the SKU's title
    (an order line's ``friendlyName``)."""

    facts: OfferFacts
    lifetime: bool
    title: str


def _offers(
    session: Session,
    items: Iterable[CatalogItemId],
    country: str,
    generations: refcache.Generations | None,
) -> dict[str, _Offer | None]:
    """``_load_offers`` by catalog item ID, each kept in the reference cache until a
    catalog table changes; an item that is not purchasable maps to None."""
    by_key = {(str(item), country): item for item in items}
    found = refcache.cached_many(
        generations,
        ("catalog",),
        "orders.offer",
        list(by_key),
        lambda keys: {
            (k, country): v
            for k, v in _load_offers(session, [by_key[key] for key in keys], country).items()
        },
    )
    return {item: offer for (item, _), offer in found.items()}


def _load_offers(
    session: Session, items: Iterable[CatalogItemId], country: str
) -> dict[str, _Offer | None]:
    """The purchasable availabilities among ``items`` with the customer's country only
    (whether it is sold there is all the gates ask), keyed by catalog item ID; None for
    the others."""
    items = list(items)
    wanted = {i.availability_id: i for i in items}
    result: dict[str, _Offer | None] = dict.fromkeys((str(i) for i in items), None)
    if not wanted:
        return result
    sold_here = (
        exists()
        .where(
            AvailabilityCountry.availability_id == Availability.id,
            AvailabilityCountry.country == country,
        )
        .label("sold_here")
    )
    found_rows = session.execute(
        select(Availability, Sku, Product.product_type, sold_here)
        .join(Sku, (Sku.product_id == Availability.product_id) & (Sku.id == Availability.sku_id))
        .join(Product, Product.id == Availability.product_id)
        .where(Availability.id.in_(wanted), Availability.is_purchasable.is_(True))
    ).all()
    rows = [(a, sku, product_type) for a, sku, product_type, _ in found_rows]
    sold = {a.id for a, _, _, here in found_rows if here}
    ids = [a.id for a, _, _ in rows]
    terms: dict[str, set[tuple[TermDuration, BillingPlan]]] = defaultdict(set)
    for availability_id, duration, plan in session.execute(
        select(
            AvailabilityTerm.availability_id,
            AvailabilityTerm.duration,
            AvailabilityTerm.billing_plan,
        ).where(AvailabilityTerm.availability_id.in_(ids))
    ):
        terms[availability_id].add((TermDuration(duration), BillingPlan(plan)))
    skus = {(a.product_id, a.sku_id) for a, _, _ in rows}
    prerequisites: dict[SkuKey, set[SkuKey]] = defaultdict(set)
    if skus:
        for p, s, rp, rs in session.execute(
            select(
                SkuPrerequisite.product_id,
                SkuPrerequisite.sku_id,
                SkuPrerequisite.required_product_id,
                SkuPrerequisite.required_sku_id,
            ).where(SkuPrerequisite.product_id.in_({p for p, _ in skus}))
        ):
            prerequisites[(p, s)].add((rp, rs))
    for availability, sku, product_type in rows:
        item = wanted[availability.id]
        if (item.product_id, item.sku_id) != (availability.product_id, availability.sku_id):
            continue
        key = (sku.product_id, sku.id)
        facts = OfferFacts(
            catalog_item=item,
            product_type=ProductType(product_type),
            countries=frozenset({country}) if availability.id in sold else frozenset(),
            terms=frozenset(terms[availability.id]),
            min_quantity=sku.min_quantity,
            max_quantity=sku.max_quantity,
            end_of_sale=sku.end_of_sale,
            is_trial=sku.is_trial,
            is_addon=bool(prerequisites[key]),
            prerequisite_skus=frozenset(prerequisites[key]),
            requires_attestation=sku.attestation_required,
            asset_ownership_limit=sku.asset_ownership_limit,
            segment=Segment(availability.segment),
        )
        lifetime = (sku.asset_ownership_limit_type or "").lower() == LIFETIME
        result[str(item)] = _Offer(facts, lifetime, sku.title)
    return result


@dataclass(frozen=True, slots=True)
class _Holdings:
    seats: dict[SkuKey, int]
    held: dict[SkuKey, int]
    ever: dict[SkuKey, int]
    owned: frozenset[SkuKey]
    ends: list[tuple[date, TermDuration]]
    """The buyer's active, non-trial NCE subscriptions of the customer as (end, term):
    the ends a new term may align to (``terms.valid_custom_end_dates``)."""


def _holdings(
    session: Session, buyer_id: uuid.UUID, customer_id: uuid.UUID, skus: set[SkuKey]
) -> _Holdings:
    """Per SKU of the cart, what the customer's tenant holds through every partner: seats
    (pooled limits), subscriptions held now and ever (asset limits), and which SKUs are
    owned (add-on prerequisites); and the ends the buyer's own subscriptions could align a
    new term to — in one grouped query."""
    aligns = (
        (Subscription.organization_id == buyer_id)
        & (Subscription.status == ACTIVE)
        & Subscription.is_trial.is_(False)
        & (Subscription.product_type == ProductType.ONLINE_SERVICES.value)
    )
    end = case((aligns, Subscription.term_end))
    term = case((aligns, Subscription.term_duration))
    seats: dict[SkuKey, int] = defaultdict(int)
    held: dict[SkuKey, int] = defaultdict(int)
    ever: dict[SkuKey, int] = defaultdict(int)
    owned: set[SkuKey] = set()
    ends: set[tuple[date, TermDuration]] = set()
    rows = session.execute(
        select(
            Subscription.product_id,
            Subscription.sku_id,
            Subscription.status,
            end,
            term,
            func.count(),
            func.coalesce(func.sum(Subscription.quantity), 0),
        )
        .where(Subscription.customer_id == customer_id)
        .group_by(Subscription.product_id, Subscription.sku_id, Subscription.status, end, term)
    )
    for product_id, sku_id, status, term_end, term_duration, count, quantity in rows:
        key = (product_id, sku_id)
        if term_end is not None:
            ends.add((term_end, TermDuration(term_duration)))
        if status in OWNING:
            owned.add(key)
        if key not in skus:
            continue
        ever[key] += int(count)
        if status in HELD:
            held[key] += int(count)
        if status in SEATED:
            seats[key] += int(quantity)
    return _Holdings(dict(seats), dict(held), dict(ever), frozenset(owned), sorted(ends))


def _resellers(
    session: Session, buyer_id: uuid.UUID, partner_ids: set[int], region: str
) -> dict[int, ResellerFacts | None]:
    """The organization behind each partner ID, with its tier, enrollment, partnership
    with the buyer and partner agreement for ``region`` (the customer's), in five
    queries. An unknown ID maps to None (800015); a deauthorized reseller is not active
    (800016, rules.md §3.4)."""
    result: dict[int, ResellerFacts | None] = dict.fromkeys(partner_ids)
    if not partner_ids:
        return result
    ids = session.execute(
        select(PartnerId.mpn_id, PartnerId.status, Organization.id, Organization.tier)
        .join(Organization, Organization.id == PartnerId.organization_id)
        .where(PartnerId.mpn_id.in_(partner_ids))
    ).all()
    orgs = {org_id for _, _, org_id, _ in ids}
    enrolled = set(
        session.scalars(
            select(Enrollment.organization_id).where(
                Enrollment.organization_id.in_(orgs),
                Enrollment.program == partners.RESELLER_PROGRAM,
                Enrollment.state == ACTIVE,
            )
        )
    )
    partnered = set(
        session.scalars(
            select(Partnership.reseller_id).where(
                Partnership.provider_id == buyer_id,
                Partnership.reseller_id.in_(orgs),
                Partnership.state == ACTIVE,
            )
        )
    )
    signed = set(
        session.scalars(
            select(PartnerAgreementSignature.organization_id).where(
                PartnerAgreementSignature.organization_id.in_(orgs),
                PartnerAgreementSignature.region == region,
            )
        )
    )
    deauthorized = standing.deauthorized_among(session, orgs)
    for mpn_id, status, org_id, tier in ids:
        result[mpn_id] = ResellerFacts(
            organization_id=org_id,
            tier=Tier(tier),
            enrollment_active=org_id in enrolled - deauthorized and status == ACTIVE,
            in_partnership_with_buyer=org_id in partnered,
            partner_agreement_signed=org_id in signed,
        )
    return result


def gather(
    session: Session,
    buyer_id: uuid.UUID,
    customer: Customer,
    lines: Sequence[ValidLine],
    *,
    buyer: BuyerFacts | None = None,
    generations: refcache.Generations | None = None,
) -> CartFacts:
    """The facts of a whole cart of valid lines for the gates (``gates.check_line``);
    ``buyer``: the buyer's facts when the caller has them already; ``generations``: the
    reference-cache tokens when the caller has read them (else they are read here)."""
    if generations is None:
        generations = refcache.read(session)
    country = customer.country.strip().upper()
    market_id, customer_currency = refcache.cached(
        generations,
        ("markets",),
        "orders.market",
        (country, markets.served_market_ids()),
        lambda: markets.new_commerce_market(session, country),
    )
    if buyer is None:
        buyer = buyer_facts(session, buyer_id, generations=generations)
    listed = refcache.cached(
        generations,
        ("markets",),
        "orders.market_currencies",
        (market_id,),
        lambda: markets.new_commerce_currencies(session, market_id),
    )
    currency = market_rules.sale_currency(buyer.currency, customer_currency, listed)
    found = _offers(session, [line.catalog_item for line in lines], country, generations)
    offers = {item: offer.facts for item, offer in found.items() if offer is not None}
    lifetime = {offer.facts.sku for offer in found.values() if offer is not None and offer.lifetime}
    cart_skus = frozenset(o.sku for o in (offers.get(str(v.catalog_item)) for v in lines) if o)
    holdings = _holdings(session, buyer_id, customer.id, set(cart_skus))
    wanted_ids = {
        pid
        for line in lines
        for pid in (line.partner_id_on_record, *line.additional_resellers)
        if pid is not None
    }
    resellers = _resellers(session, buyer_id, wanted_ids, market_id)
    seats_in_cart: dict[SkuKey, int] = defaultdict(int)
    lines_in_cart: dict[SkuKey, int] = defaultdict(int)
    for line in lines:
        key = (line.catalog_item.product_id, line.catalog_item.sku_id)
        seats_in_cart[key] += line.quantity
        lines_in_cart[key] += 1
    contexts: dict[int, LineContext] = {}
    for line in lines:
        offer = offers.get(str(line.catalog_item))
        key = (line.catalog_item.product_id, line.catalog_item.sku_id)
        contexts[line.id] = LineContext(
            offer=offer,
            seats_owned=holdings.seats.get(key, 0),
            assets_owned=(holdings.ever if key in lifetime else holdings.held).get(key, 0),
            cart_seats=seats_in_cart[key],
            cart_lines=lines_in_cart[key],
            cart_skus=cart_skus,
            resellers=resellers,
        )
    return CartFacts(
        buyer=buyer,
        customer=CustomerFacts(
            country=country,
            agreement_accepted=agreements.has_accepted_customer_agreement(session, customer.id),
            owned_skus=holdings.owned,
            qualifications=customer_qualifications.approved_for(session, [customer.id])[
                customer.id
            ],
        ),
        market_id=market_id,
        region=market_id,
        currency=currency,
        lines=contexts,
        offers=offers,
        titles={item: offer.title for item, offer in found.items() if offer is not None},
        existing_ends=holdings.ends,
        generations=generations,
    )
