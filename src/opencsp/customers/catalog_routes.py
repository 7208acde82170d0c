"""The catalog for one customer (PC:developer/get-a-list-of-products-by-customer.md and
siblings): what that customer may buy now — offers sold in the country on its tenant
(rules.md §4), on sale (rules.md §9k), purchasable, for the commercial segment unless
``targetSegment`` asks for another. A restricted segment (education, nonprofit,
government; rules.md §9a) shows only to a qualified customer — and for government only
when the caller's organization is qualified too (``customers.qualifications.qualifies``);
otherwise that segment's catalog is empty for it (lists empty, a product or SKU asked by
id not found, as for one outside the segment), since Partner Center's customer-scoped
catalog "returns only what that customer can buy" (api-surface.md). The vendor reading
skips the partner part. Checkout refuses such a line anyway (800020, ``orders.gates``).

The samples use GET, the docs' tables POST (api-surface.md marks it uncertain): both are
served. A customer the caller may not see is 404; indirect resellers read their
customers' catalog like their other records."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from opencsp.catalog import browse, rules
from opencsp.catalog.browse import CatalogScope
from opencsp.catalog.errors import MissingQueryParameter
from opencsp.catalog.schemas import AvailabilityRead, ProductRead, SkuRead
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.customers import qualifications, queries
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["catalog"])

Reader = Annotated[Actor, require(Perm.CATALOG_READ, Perm.CUSTOMERS_READ)]
Segment = Annotated[str | None, Query(alias="targetSegment")]
BASE = "/customers/{customer_id}/products"


def _scope(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    segment: str | None,
    view: str | None = None,
) -> CatalogScope:
    """The scope of the customer's catalog; one that matches nothing when the customer
    (or, for government, the caller) is not qualified for the segment asked."""
    customer = queries.get_visible(session, actor, customer_id)
    chosen = rules.parse_segment(segment) if segment else rules.Segment.COMMERCIAL
    scope = browse.scope_for(
        session,
        customer.country,
        at=clock.now(),
        segment=chosen,
        product_types=rules.product_types_for_view(view) if view is not None else None,
        purchasable_only=True,
    )
    partner = None if actor.is_vendor else actor.organization_id
    if not qualifications.qualifies(session, customer.id, partner, chosen):
        return replace(scope, product_types=frozenset())
    return scope


def _links(uri: str) -> Links:
    return Links(self=Link(uri=uri))


@router.get(BASE, response_model=Collection[ProductRead])
@router.post(BASE, response_model=Collection[ProductRead])
def list_products(
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    target_view: Annotated[str | None, Query(alias="targetView")] = None,
    target_segment: Segment = None,
) -> Collection[ProductRead]:
    if not target_view:
        raise MissingQueryParameter(name="targetView")
    scope = _scope(session, actor, customer_id, target_segment, target_view)
    items = [ProductRead.of(p, scope.country) for p in browse.list_products(session, scope)]
    return Collection[ProductRead](
        total_count=len(items),
        items=items,
        links=_links(f"/customers/{customer_id}/products?targetView={target_view}"),
    )


@router.get(BASE + "/{product_id}/skus", response_model=Collection[SkuRead])
@router.post(BASE + "/{product_id}/skus", response_model=Collection[SkuRead])
def list_skus(
    customer_id: uuid.UUID,
    product_id: str,
    session: SessionDep,
    actor: Reader,
    target_segment: Segment = None,
) -> Collection[SkuRead]:
    scope = _scope(session, actor, customer_id, target_segment)
    items = [
        SkuRead.of(s, scope.country, scope.segment)
        for s in browse.list_skus(session, scope, product_id)
    ]
    return Collection[SkuRead](
        total_count=len(items),
        items=items,
        links=_links(f"/customers/{customer_id}/products/{product_id.upper()}/skus"),
    )


@router.get(
    BASE + "/{product_id}/skus/{sku_id}/availabilities",
    response_model=Collection[AvailabilityRead],
)
@router.post(
    BASE + "/{product_id}/skus/{sku_id}/availabilities",
    response_model=Collection[AvailabilityRead],
)
def list_availabilities(
    customer_id: uuid.UUID,
    product_id: str,
    sku_id: str,
    session: SessionDep,
    actor: Reader,
    target_segment: Segment = None,
) -> Collection[AvailabilityRead]:
    scope = _scope(session, actor, customer_id, target_segment)
    views = browse.list_availabilities(session, scope, product_id, sku_id)
    uri = f"/customers/{customer_id}/products/{product_id.upper()}/skus/{sku_id.upper()}"
    return Collection[AvailabilityRead](
        total_count=len(views),
        items=[AvailabilityRead.of(v) for v in views],
        links=_links(f"{uri}/availabilities"),
    )
