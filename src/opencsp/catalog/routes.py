"""Partner Center's catalog for a country (PC:developer/get-a-list-of-products.md and
siblings; every actor, ``Perm.CATALOG_READ``) and the vendor's catalog management under
``/v1/program/...`` (``Perm.CATALOG_MANAGE``: the vendor's Catalog manager): publish a
product, set end of sale, export and import the offer matrix (file-formats.md §2)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import StreamingResponse

from opencsp.catalog import browse, matrix, rules, service
from opencsp.catalog.browse import CatalogScope
from opencsp.catalog.errors import MissingQueryParameter
from opencsp.catalog.schemas import (
    AvailabilityRead,
    EndOfSaleRead,
    EndOfSaleWrite,
    MatrixSummaryRead,
    ProductRead,
    ProductWrite,
    SkuRead,
    as_utc,
)
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["catalog"])

Reader = Annotated[Actor, require(Perm.CATALOG_READ)]
Manager = Annotated[Actor, require(Perm.CATALOG_MANAGE)]
Country = Annotated[str | None, Query()]
Segment = Annotated[str | None, Query(alias="targetSegment")]


def _scope(
    session: SessionDep,
    country: str | None,
    segment: str | None = None,
    view: str | None = None,
) -> CatalogScope:
    if not country:
        raise MissingQueryParameter(name="country")
    return browse.scope_for(
        session,
        country,
        at=clock.now(),
        segment=rules.parse_segment(segment) if segment else None,
        product_types=rules.product_types_for_view(view) if view is not None else None,
    )


T = TypeVar("T")


def collection_of(items: list[T], uri: str) -> Collection[T]:
    return Collection[T](total_count=len(items), items=items, links=Links(self=Link(uri=uri)))


@router.get("/products", response_model=Collection[ProductRead])
def list_products(
    session: SessionDep,
    _actor: Reader,
    country: Country = None,
    target_view: Annotated[str | None, Query(alias="targetView")] = None,
    target_segment: Segment = None,
) -> Collection[ProductRead]:
    if not target_view:
        raise MissingQueryParameter(name="targetView")
    scope = _scope(session, country, target_segment, target_view)
    items = [ProductRead.of(p, scope.country) for p in browse.list_products(session, scope)]
    return collection_of(items, f"/products?country={scope.country}&targetView={target_view}")


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(
    product_id: str, session: SessionDep, _actor: Reader, country: Country = None
) -> ProductRead:
    scope = _scope(session, country)
    return ProductRead.of(browse.get_product(session, scope, product_id), scope.country)


@router.get("/products/{product_id}/skus", response_model=Collection[SkuRead])
def list_skus(
    product_id: str,
    session: SessionDep,
    _actor: Reader,
    country: Country = None,
    target_segment: Segment = None,
) -> Collection[SkuRead]:
    scope = _scope(session, country, target_segment)
    skus = browse.list_skus(session, scope, product_id)
    items = [SkuRead.of(s, scope.country, scope.segment) for s in skus]
    return collection_of(items, f"/products/{product_id.upper()}/skus?country={scope.country}")


@router.get("/products/{product_id}/skus/{sku_id}", response_model=SkuRead)
def get_sku(
    product_id: str, sku_id: str, session: SessionDep, _actor: Reader, country: Country = None
) -> SkuRead:
    scope = _scope(session, country)
    return SkuRead.of(browse.get_sku(session, scope, product_id, sku_id), scope.country)


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities",
    response_model=Collection[AvailabilityRead],
)
def list_availabilities(
    product_id: str,
    sku_id: str,
    session: SessionDep,
    _actor: Reader,
    country: Country = None,
    target_segment: Segment = None,
) -> Collection[AvailabilityRead]:
    scope = _scope(session, country, target_segment)
    views = browse.list_availabilities(session, scope, product_id, sku_id)
    uri = f"/products/{product_id.upper()}/skus/{sku_id.upper()}/availabilities"
    return collection_of([AvailabilityRead.of(v) for v in views], f"{uri}?country={scope.country}")


@router.get(
    "/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}",
    response_model=AvailabilityRead,
)
def get_availability(
    product_id: str,
    sku_id: str,
    availability_id: str,
    session: SessionDep,
    _actor: Reader,
    country: Country = None,
) -> AvailabilityRead:
    scope = _scope(session, country)
    view = browse.get_availability(session, scope, product_id, sku_id, availability_id)
    return AvailabilityRead.of(view)


# --- the vendor's catalog management ------------------------------------------------------


@router.put("/program/products/{product_id}", response_model=ProductRead)
def publish_product(
    product_id: str, body: ProductWrite, session: SessionDep, actor: Manager
) -> ProductRead:
    """Insert or replace the whole product; the path names it (a body ``id`` is ignored)."""
    product = service.publish_product(session, actor, body.spec(product_id))
    view = browse.ProductView(product, browse.is_vendor_publisher(session, product.publisher))
    return ProductRead.of(view, "")


@router.put("/program/products/{product_id}/skus/{sku_id}/endofsale", response_model=EndOfSaleRead)
def set_end_of_sale(
    product_id: str, sku_id: str, body: EndOfSaleWrite, session: SessionDep, actor: Manager
) -> EndOfSaleRead:
    sku = service.set_end_of_sale(session, actor, product_id, sku_id, as_utc(body.end_of_sale_date))
    return EndOfSaleRead(product_id=sku.product_id, sku_id=sku.id, end_of_sale_date=sku.end_of_sale)


@router.get("/program/offermatrix")
def export_offer_matrix(
    session: SessionDep, _actor: Manager, month: str | None = None
) -> StreamingResponse:
    """The offer matrix as of now; ``month`` (``YYYYMM``, as Partner Center's
    ``offermatrix(Month='YYYYMM')``) is checked but the catalog has one current state."""
    if month is not None:
        matrix.parse_matrix_month(month)
    lines = list(matrix.export_offer_matrix(session))
    return StreamingResponse(
        iter(lines),
        media_type="text/csv",
        headers={"Content-Disposition": f"attachment; filename={matrix.MATRIX_FILENAME}"},
    )


@router.put("/program/offermatrix", response_model=MatrixSummaryRead)
def import_offer_matrix(file: UploadFile, session: SessionDep, actor: Manager) -> MatrixSummaryRead:
    summary = matrix.import_offer_matrix(session, actor, matrix.text_lines(file.file))
    return MatrixSummaryRead(
        rows=summary.rows,
        products_created=summary.products_created,
        skus_created=summary.skus_created,
        skus_updated=summary.skus_updated,
    )
