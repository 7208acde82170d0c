"""The new-commerce offer matrix (file-formats.md §2; PC:developer/get-an-offer-matrix.md):
one row per license-based SKU, market-agnostic, end-of-sale SKUs included (the price list
says what is on sale). Export streams it; import validates a whole file first and either
rejects it with every problem by line and column, writing nothing, or applies it.

Import updates the SKUs it names (titles, description, seat range, asset limit,
provisioning identifiers, prerequisites, conversions, and the countries of every one of
the SKU's availabilities) and creates the products and SKUs it does not know as
``OnlineServicesNCE``, published by the vendor, each SKU with one commercial availability
on the standard NCE terms (``rules.STANDARD_NCE_TERMS``) whose ID is derived from
product and SKU (``rules.matrix_availability_id``), so importing the same file twice
creates nothing new. Products of other types are not in the matrix and cannot be edited
through it."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.auth import service as auth_service
from opencsp.catalog import rules
from opencsp.catalog.errors import InvalidMatrixMonth, OfferMatrixRejected
from opencsp.catalog.matrix_format import (
    MATRIX_FILENAME,
    MatrixRow,
    Problem,
    format_row,
    is_header,
    parse_row,
)
from opencsp.catalog.models import (
    Availability,
    AvailabilityCountry,
    AvailabilityTerm,
    Product,
    Sku,
    SkuPrerequisite,
    SkuUpgrade,
)
from opencsp.catalog.rules import ProductType, Segment
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.markets.models import Country

__all__ = [
    "MATRIX_FILENAME",
    "MatrixSummary",
    "export_offer_matrix",
    "import_offer_matrix",
    "parse_matrix_month",
    "text_lines",
]

_LICENSE_BASED = ProductType.ONLINE_SERVICES.value


def parse_matrix_month(value: str) -> date:
    """Partner Center's ``offermatrix(Month='YYYYMM')``."""
    text = value.strip()
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
        raise InvalidMatrixMonth(month=value)
    return date(int(text[:4]), int(text[4:]), 1)


def text_lines(binary: IO[bytes]) -> Iterator[str]:
    """An uploaded file as text lines, kept whole (``newline=""``) so quoted fields may
    span lines; a UTF-8 byte-order mark is dropped."""
    yield from io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def export_offer_matrix(session: Session) -> Iterator[str]:
    """The header, then one line per license-based SKU by product and SKU ID."""
    yield rules.OFFER_MATRIX_HEADER
    pairs = _pairs_by_sku(session)
    countries: dict[tuple[str, str], set[str]] = defaultdict(set)
    for product_id, sku_id, country in session.execute(
        select(Availability.product_id, Availability.sku_id, AvailabilityCountry.country)
        .join(AvailabilityCountry, AvailabilityCountry.availability_id == Availability.id)
        .join(Product, Product.id == Availability.product_id)
        .where(Product.product_type == _LICENSE_BASED)
    ):
        countries[(product_id, sku_id)].add(country)
    rows = session.execute(
        select(Product.title, Sku)
        .join(Sku, Sku.product_id == Product.id)
        .where(Product.product_type == _LICENSE_BASED)
        .order_by(Product.id, Sku.id)
    )
    for title, sku in rows:
        key = (sku.product_id, sku.id)
        yield format_row(
            MatrixRow(
                product_title=title,
                product_id=sku.product_id,
                sku_id=sku.id,
                sku_title=sku.title,
                provisioning_id=sku.provisioning_id,
                provisioning_string=sku.provisioning_string,
                min_quantity=sku.min_quantity,
                max_quantity=sku.max_quantity,
                asset_ownership_limit=sku.asset_ownership_limit,
                asset_ownership_limit_type=sku.asset_ownership_limit_type,
                prerequisites=tuple(pairs[SkuPrerequisite].get(key, ())),
                conversions=tuple(pairs[SkuUpgrade].get(key, ())),
                description=sku.description,
                countries=tuple(sorted(countries.get(key, ()))),
            )
        )


def _pairs_by_sku(session: Session) -> dict[type[Any], dict[tuple[str, str], list[Any]]]:
    out: dict[type[Any], dict[tuple[str, str], list[Any]]] = {}
    for table, p, s in (
        (SkuPrerequisite, SkuPrerequisite.required_product_id, SkuPrerequisite.required_sku_id),
        (SkuUpgrade, SkuUpgrade.target_product_id, SkuUpgrade.target_sku_id),
    ):
        found: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for owner_p, owner_s, other_p, other_s in session.execute(
            select(table.product_id, table.sku_id, p, s).order_by(p, s)
        ):
            found[(owner_p, owner_s)].append((other_p, other_s))
        out[table] = found
    return out


@dataclass(frozen=True, slots=True)
class MatrixSummary:
    rows: int
    products_created: int
    skus_created: int
    skus_updated: int


def import_offer_matrix(session: Session, actor: Actor, lines: Iterable[str]) -> MatrixSummary:
    """Validate the whole file, then apply it (module docstring). Rejected whole with
    every problem (up to the problem limit setting, then counted) and nothing written."""
    rows = _read(session, lines)
    products = {
        pid: kind
        for pid, kind in session.execute(
            select(Product.id, Product.product_type).where(
                Product.id.in_(sorted({r.product_id for r in rows.values()}))
            )
        )
    }
    existing = {
        (p, s)
        for p, s in session.execute(
            select(Sku.product_id, Sku.id).where(Sku.product_id.in_(sorted(products)))
        )
    }
    problems = [
        Problem(line, "ProductId", f"{row.product_id} is not a license-based product")
        for line, row in rows.items()
        if products.get(row.product_id, _LICENSE_BASED) != _LICENSE_BASED
    ]
    _reject_if(problems, len(problems))
    _apply(session, list(rows.values()), products, existing)
    summary = MatrixSummary(
        rows=len(rows),
        products_created=len({r.product_id for r in rows.values()} - set(products)),
        skus_created=sum(1 for r in rows.values() if (r.product_id, r.sku_id) not in existing),
        skus_updated=sum(1 for r in rows.values() if (r.product_id, r.sku_id) in existing),
    )
    audit.record(
        session,
        actor,
        "catalog.offer_matrix_imported",
        "OfferMatrix",
        data={
            "rows": summary.rows,
            "productsCreated": summary.products_created,
            "skusCreated": summary.skus_created,
            "skusUpdated": summary.skus_updated,
        },
    )
    return summary


def _reject_if(problems: list[Problem], count: int) -> None:
    if count:
        limit = settings().pricelist_problem_limit
        raise OfferMatrixRejected([p.as_data() for p in problems[:limit]], count=count)


def _read(session: Session, lines: Iterable[str]) -> dict[int, MatrixRow]:
    """Every row by line number, or the rejection listing every problem in the file."""
    it = iter(lines)
    first = next(it, "")
    if not is_header(first):
        _reject_if([Problem(1, "", "the header is not the offer matrix header, verbatim")], 1)
    known = set(session.scalars(select(Country.code)))
    problems: list[Problem] = []
    count = 0
    rows: dict[int, MatrixRow] = {}
    seen: dict[tuple[str, str], int] = {}
    titles: dict[str, str] = {}
    reader = csv.reader(it)
    line = 1
    for values in reader:
        start, line = line + 1, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        row, found = parse_row(values, start, known_countries=known)
        if row is not None:
            key = (row.product_id, row.sku_id)
            if key in seen:
                found.append(Problem(start, "SkuId", f"also on line {seen[key]}"))
            elif titles.setdefault(row.product_id, row.product_title) != row.product_title:
                found.append(Problem(start, "ProductTitle", "differs from the product's title"))
            else:
                seen[key] = start
                rows[start] = row
        count += len(found)
        if len(problems) < settings().pricelist_problem_limit:
            problems.extend(found)
    _reject_if(problems, count)
    return rows


def _apply(
    session: Session,
    rows: list[MatrixRow],
    products: dict[str, str],
    existing: set[tuple[str, str]],
) -> None:
    now = clock.now()
    _forget_catalog(session)
    publisher = _vendor_name(session)
    new_products = {r.product_id: r for r in rows if r.product_id not in products}
    if new_products:
        session.execute(
            insert(Product),
            [
                {
                    "id": pid,
                    "title": r.product_title,
                    "description": "",
                    "publisher": publisher,
                    "product_type": _LICENSE_BASED,
                    "created_at": now,
                    "updated_at": now,
                }
                for pid, r in new_products.items()
            ],
        )
    titles = {r.product_id: r.product_title for r in rows if r.product_id in products}
    if titles:
        session.execute(
            update(Product),
            [{"id": pid, "title": t, "updated_at": now} for pid, t in titles.items()],
        )
    updates = [r for r in rows if (r.product_id, r.sku_id) in existing]
    creates = [r for r in rows if (r.product_id, r.sku_id) not in existing]
    if updates:
        session.execute(update(Sku), [_sku_values(r) for r in updates])
    if creates:
        _create_skus(session, creates)
    _replace_links_and_countries(session, updates, creates)


def _sku_values(r: MatrixRow) -> dict[str, Any]:
    return {
        "product_id": r.product_id,
        "id": r.sku_id,
        "title": r.sku_title,
        "description": r.description,
        "min_quantity": r.min_quantity,
        "max_quantity": r.max_quantity,
        "asset_ownership_limit": r.asset_ownership_limit,
        "asset_ownership_limit_type": r.asset_ownership_limit_type,
        "provisioning_id": r.provisioning_id,
        "provisioning_string": r.provisioning_string,
    }


def _create_skus(session: Session, rows: list[MatrixRow]) -> None:
    session.execute(
        insert(Sku),
        [{**_sku_values(r), "is_trial": False, "attestation_required": False} for r in rows],
    )
    ids = {
        (r.product_id, r.sku_id): rules.matrix_availability_id(r.product_id, r.sku_id) for r in rows
    }
    session.execute(
        insert(Availability),
        [
            {
                "id": ids[(r.product_id, r.sku_id)],
                "product_id": r.product_id,
                "sku_id": r.sku_id,
                "segment": Segment.COMMERCIAL.value,
                "is_purchasable": True,
                "is_renewable": True,
            }
            for r in rows
        ],
    )
    session.execute(
        insert(AvailabilityTerm),
        [
            {"availability_id": a, "duration": d.value, "billing_plan": p.value}
            for a in ids.values()
            for d, p in rules.STANDARD_NCE_TERMS
        ],
    )


def _replace_links_and_countries(
    session: Session, updates: list[MatrixRow], creates: list[MatrixRow]
) -> None:
    every = updates + creates
    keys = [(r.product_id, r.sku_id) for r in every]
    for table, attr in ((SkuPrerequisite, "prerequisites"), (SkuUpgrade, "conversions")):
        if updates:
            session.execute(
                delete(table).where(
                    tuple_(table.product_id, table.sku_id).in_(
                        [(r.product_id, r.sku_id) for r in updates]
                    )
                ),
                execution_options={"synchronize_session": False},
            )
        values = [
            {"product_id": r.product_id, "sku_id": r.sku_id, **_other(table, p, s)}
            for r in every
            for p, s in getattr(r, attr)
        ]
        if values:
            session.execute(insert(table), values)
    availabilities: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a_id, p, s in session.execute(
        select(Availability.id, Availability.product_id, Availability.sku_id).where(
            tuple_(Availability.product_id, Availability.sku_id).in_(keys)
        )
    ):
        availabilities[(p, s)].append(a_id)
    all_ids = [a for ids in availabilities.values() for a in ids]
    if all_ids:
        session.execute(
            delete(AvailabilityCountry).where(AvailabilityCountry.availability_id.in_(all_ids)),
            execution_options={"synchronize_session": False},
        )
    values = [
        {"availability_id": a, "country": c}
        for r in every
        for a in availabilities[(r.product_id, r.sku_id)]
        for c in r.countries
    ]
    if values:
        session.execute(insert(AvailabilityCountry), values)


def _other(table: type[Any], product_id: str, sku_id: str) -> dict[str, str]:
    if table is SkuPrerequisite:
        return {"required_product_id": product_id, "required_sku_id": sku_id}
    return {"target_product_id": product_id, "target_sku_id": sku_id}


def _vendor_name(session: Session) -> str:
    vendor = auth_service.vendor_organization(session)
    return vendor.name if vendor is not None else auth_service.VENDOR_NAME_DEFAULT


def _forget_catalog(session: Session) -> None:
    """Bulk statements bypass the session: drop what it holds of the catalog."""
    kinds = (Product, Sku, Availability, AvailabilityCountry, SkuPrerequisite, SkuUpgrade)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, kinds):
            session.expunge(obj)
