"""Reading the catalog as Partner Center shows it: for one country, now. Only offers sold
in the country whose SKU is not past end of sale appear (rules.md §9k: end-of-sale offers
leave the catalog); a segment, the product types of a ``targetView`` and "purchasable
only" narrow further. The customer-scoped catalog is the same read with the customer's
tenant country (rules.md §4), purchasable only, the commercial segment unless asked.

Every function answers views: the rows plus what the wire shapes need, loaded in a few
set-based queries rather than one per item."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from babel.numbers import get_currency_symbol
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.catalog import rules
from opencsp.catalog.errors import AvailabilityNotFound, ProductNotFound, SkuNotFound
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration
from opencsp.core.config import settings
from opencsp.markets import queries as markets


@dataclass(frozen=True, slots=True)
class CatalogScope:
    """What part of the catalog a read sees. ``country`` is an ISO code already known
    to be a CSP country (``scope_for`` checks it)."""

    country: str
    at: datetime
    segment: Segment | None = None
    product_types: frozenset[ProductType] | None = None
    purchasable_only: bool = False


def scope_for(
    session: Session,
    country: str,
    *,
    at: datetime,
    segment: Segment | None = None,
    product_types: frozenset[ProductType] | None = None,
    purchasable_only: bool = False,
) -> CatalogScope:
    """A scope for ``country``; an invalid code is 400 and a country no market covers
    404, as everywhere else (``markets.queries.get_country``)."""
    code = markets.get_country(session, country).code
    return CatalogScope(code, at, segment, product_types, purchasable_only)


@dataclass(frozen=True, slots=True)
class ProductView:
    product: Product
    is_vendor_product: bool

    @property
    def product_type(self) -> ProductType:
        return ProductType(self.product.product_type)


@dataclass(frozen=True, slots=True)
class SkuView:
    sku: Sku
    product: ProductView
    billing_plans: tuple[BillingPlan, ...]
    prerequisites: tuple[tuple[str, str], ...] = ()
    upgrades: tuple[tuple[str, str], ...] = ()

    @property
    def is_addon(self) -> bool:
        """A SKU with prerequisites is an add-on (file-formats.md §2, rules.md §9h)."""
        return bool(self.prerequisites)


@dataclass(frozen=True, slots=True)
class TermView:
    id: str
    duration: TermDuration
    billing_plan: BillingPlan


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    availability: Availability
    sku: SkuView
    country: str
    currency: str
    currency_symbol: str
    policy: rules.CancellationPolicy
    terms: tuple[TermView, ...] = field(default=())

    @property
    def catalog_item_id(self) -> str:
        a = self.availability
        return f"{a.product_id}:{a.sku_id}:{a.id}"


def _in_scope(scope: CatalogScope) -> Select[Availability]:
    """Availabilities in scope. The end-of-sale test is ``catalog.rules.on_sale`` in SQL:
    on sale while ``at <= end_of_sale``."""
    stmt = (
        select(Availability)
        .join(Sku, and_(Sku.product_id == Availability.product_id, Sku.id == Availability.sku_id))
        .join(Product, Product.id == Availability.product_id)
        .where(
            exists().where(
                AvailabilityCountry.availability_id == Availability.id,
                AvailabilityCountry.country == scope.country,
            ),
            or_(Sku.end_of_sale.is_(None), Sku.end_of_sale >= scope.at),
        )
    )
    if scope.segment is not None:
        stmt = stmt.where(Availability.segment == scope.segment.value)
    if scope.product_types is not None:
        stmt = stmt.where(Product.product_type.in_(sorted(t.value for t in scope.product_types)))
    if scope.purchasable_only:
        stmt = stmt.where(Availability.is_purchasable.is_(True))
    return stmt


def is_vendor_publisher(session: Session, publisher: str) -> bool:
    """Partner Center's ``isMicrosoftProduct``: whether the program's vendor publishes the
    product itself (as opposed to a third party). opencsp compares the publisher with the
    vendor organization's name, case-insensitively."""
    vendor = auth_service.vendor_organization(session)
    return vendor is not None and vendor.name.strip().casefold() == publisher.strip().casefold()


def _product_views(session: Session, products: Sequence[Product]) -> list[ProductView]:
    vendor = auth_service.vendor_organization(session)
    name = vendor.name.strip().casefold() if vendor is not None else None
    return [ProductView(p, p.publisher.strip().casefold() == name) for p in products]


def list_products(session: Session, scope: CatalogScope) -> list[ProductView]:
    """Products with at least one SKU on sale in scope, by title then ID."""
    ids = _in_scope(scope).with_only_columns(Availability.product_id).distinct()
    products = session.scalars(
        select(Product).where(Product.id.in_(ids)).order_by(Product.title, Product.id)
    ).all()
    return _product_views(session, products)


def get_product(session: Session, scope: CatalogScope, product_id: str) -> ProductView:
    """A product in scope; outside it (or unknown) 400013 (PC:developer/error-codes.md)."""
    pid = product_id.strip().upper()
    found = session.scalar(
        _in_scope(scope).where(Availability.product_id == pid).with_only_columns(func.count())
    )
    product = session.get(Product, pid) if found else None
    if product is None:
        raise ProductNotFound()
    return _product_views(session, [product])[0]


def list_skus(session: Session, scope: CatalogScope, product_id: str) -> list[SkuView]:
    """The SKUs of a product on sale in scope, by ID; the product must be in scope."""
    product = get_product(session, scope, product_id)
    rows = session.scalars(
        _in_scope(scope).where(Availability.product_id == product.product.id)
    ).all()
    return _sku_views(session, product, rows)


def get_sku(session: Session, scope: CatalogScope, product_id: str, sku_id: str) -> SkuView:
    """A SKU in scope; outside it 400018 (an unknown product 400013 first)."""
    product = get_product(session, scope, product_id)
    rows = session.scalars(
        _in_scope(scope).where(
            Availability.product_id == product.product.id,
            Availability.sku_id == sku_id.strip().upper(),
        )
    ).all()
    views = _sku_views(session, product, rows)
    if not views:
        raise SkuNotFound()
    return views[0]


def list_availabilities(
    session: Session, scope: CatalogScope, product_id: str, sku_id: str
) -> list[AvailabilityView]:
    sku = get_sku(session, scope, product_id, sku_id)
    rows = session.scalars(
        _in_scope(scope)
        .where(Availability.product_id == sku.sku.product_id, Availability.sku_id == sku.sku.id)
        .order_by(Availability.segment, Availability.id)
    ).all()
    return _availability_views(session, scope, sku, rows)


def get_availability(
    session: Session, scope: CatalogScope, product_id: str, sku_id: str, availability_id: str
) -> AvailabilityView:
    """An availability in scope; outside it 400019, which tells a client to re-read the
    catalog (PC:developer/error-codes.md)."""
    sku = get_sku(session, scope, product_id, sku_id)
    rows = session.scalars(
        _in_scope(scope).where(
            Availability.product_id == sku.sku.product_id,
            Availability.sku_id == sku.sku.id,
            Availability.id == availability_id.strip().upper(),
        )
    ).all()
    if not rows:
        raise AvailabilityNotFound()
    return _availability_views(session, scope, sku, rows)[0]


def _sku_views(
    session: Session, product: ProductView, availabilities: Sequence[Availability]
) -> list[SkuView]:
    """One view per SKU among ``availabilities``, with the billing plans of those
    availabilities' terms, its prerequisites and its upgrade targets."""
    pid = product.product.id
    sku_ids = sorted({a.sku_id for a in availabilities})
    if not sku_ids:
        return []
    plans: dict[str, set[str]] = defaultdict(set)
    by_id = {a.id: a.sku_id for a in availabilities}
    for availability_id, plan in session.execute(
        select(AvailabilityTerm.availability_id, AvailabilityTerm.billing_plan).where(
            AvailabilityTerm.availability_id.in_(sorted(by_id))
        )
    ):
        plans[by_id[availability_id]].add(plan)
    prerequisites = _pairs_by_sku(
        session,
        select(
            SkuPrerequisite.sku_id,
            SkuPrerequisite.required_product_id,
            SkuPrerequisite.required_sku_id,
        ).where(SkuPrerequisite.product_id == pid, SkuPrerequisite.sku_id.in_(sku_ids)),
    )
    upgrades = _pairs_by_sku(
        session,
        select(SkuUpgrade.sku_id, SkuUpgrade.target_product_id, SkuUpgrade.target_sku_id).where(
            SkuUpgrade.product_id == pid, SkuUpgrade.sku_id.in_(sku_ids)
        ),
    )
    skus = session.scalars(
        select(Sku).where(Sku.product_id == pid, Sku.id.in_(sku_ids)).order_by(Sku.id)
    ).all()
    return [
        SkuView(
            sku=sku,
            product=product,
            billing_plans=tuple(sorted(BillingPlan(p) for p in plans[sku.id])),
            prerequisites=tuple(prerequisites.get(sku.id, ())),
            upgrades=tuple(upgrades.get(sku.id, ())),
        )
        for sku in skus
    ]


def _pairs_by_sku(
    session: Session, stmt: Select[str, str, str]
) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sku_id, product_id, other_sku in session.execute(stmt):
        out[sku_id].append((product_id, other_sku))
    return {k: sorted(v) for k, v in out.items()}


def _availability_views(
    session: Session, scope: CatalogScope, sku: SkuView, rows: Sequence[Availability]
) -> list[AvailabilityView]:
    currency = markets.new_commerce_currency(session, scope.country)
    cfg = settings()
    policy = rules.cancellation_policy(
        sku.product.product_type,
        window_days=cfg.cancellation_window_days,
        perpetual_days=cfg.perpetual_refund_days,
    )
    terms: dict[str, list[TermView]] = defaultdict(list)
    for term in session.scalars(
        select(AvailabilityTerm).where(AvailabilityTerm.availability_id.in_([a.id for a in rows]))
    ):
        duration, plan = TermDuration(term.duration), BillingPlan(term.billing_plan)
        terms[term.availability_id].append(
            TermView(rules.term_id(term.availability_id, duration, plan), duration, plan)
        )
    order = list(TermDuration)
    return [
        AvailabilityView(
            availability=a,
            sku=sku,
            country=scope.country,
            currency=currency,
            currency_symbol=get_currency_symbol(currency, locale="en_US"),
            policy=policy,
            terms=tuple(
                sorted(terms[a.id], key=lambda t: (order.index(t.duration), t.billing_plan))
            ),
        )
        for a in rows
    ]
