"""The pieces of the set-based downstream accrual (``billing.downstream``): its temporary
tables, the exact-fraction checks and ERP cells computed in Python, and the SQL of a
seat's rounding and of the insert. Issue 6, "Downstream billing"; the rules are
``billing.downstream_lines``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    MetaData,
    String,
    Table,
    Uuid,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from opencsp.billing.bulk import insert_ignoring, inserted
from opencsp.billing.downstream_lines import erp_share
from opencsp.billing.models import Charge
from opencsp.core.types import DecimalText, UTCDateTime
from opencsp.pricing.models import PriceRow
from opencsp.pricing.rules import pick_row

INT64 = 2**63 - 1
TWO = literal_column("2", BigInteger)

_meta = MetaData()
RULED = Table(
    "downstream_ruled",
    _meta,
    Column("seller", Uuid),
    Column("buyer", Uuid),  # NULL: the seller has some rule
    prefixes=["TEMPORARY"],
)
FACTORS = Table(
    "downstream_factors",
    _meta,
    Column("tier", String(16)),
    Column("seller", Uuid),
    Column("buyer", Uuid),  # NULL: every buyer no rule names
    Column("product_id", String(36)),
    Column("sku_id", String(8)),
    Column("unit_price", DecimalText()),
    Column("num", BigInteger),
    Column("den", BigInteger),
    Column("unit_price_out", DecimalText()),
    Index("ix_downstream_factors", "tier", "seller", "product_id", "sku_id", "unit_price"),
    prefixes=["TEMPORARY"],
)
ERP = Table(
    "downstream_erp",
    _meta,
    Column("market_id", String(64)),
    Column("product_id", String(36)),
    Column("sku_id", String(8)),
    Column("term_duration", String(8)),
    Column("billing_plan", String(16)),
    Column("currency", String(3)),
    Column("unit_price", DecimalText()),
    Column("at_from", UTCDateTime()),
    Column("at_to", UTCDateTime()),  # exclusive; NULL: open
    Column("seats_from", BigInteger),
    Column("seats_to", BigInteger),  # inclusive; NULL: open
    Column("num", BigInteger),
    Column("den", BigInteger),
    Column("erp_price", DecimalText()),
    Index("ix_downstream_erp", "market_id", "product_id", "sku_id", "term_duration"),
    prefixes=["TEMPORARY"],
)
TEMPORARY = (RULED, FACTORS, ERP)

Cell = tuple[datetime, datetime | None, int, int | None, Fraction, Decimal]
"""An ERP cell: accrual instants [from, to), seats [from, to], the share and the ERP."""


# --- pure --------------------------------------------------------------------------------


def fits(largest_each: int, seats: int, ratios: Iterable[Fraction]) -> bool:
    """Whether every seat price ``each × ratio`` (for |each| ≤ ``largest_each``), its
    rounding numerator and its amount for ``seats`` stay within a signed 64-bit integer
    (beyond it SQLite silently computes in floating point)."""
    for ratio in ratios:
        n, d = abs(ratio.numerator), ratio.denominator
        priced = largest_each * n // d + 1
        if largest_each * n * 2 + d > INT64 or priced * seats > INT64:
            return False
    return True


def after(instant: datetime) -> datetime | None:
    """The first instant after an inclusive end (None past the calendar)."""
    try:
        return instant + timedelta(microseconds=1)
    except OverflowError:
        return None


def erp_cells(rows: list[PriceRow], unit_price: Decimal) -> list[Cell]:
    """The ERP share of a vendor line at ``unit_price`` over the disjoint cells of accrual
    instants and seats in which ``pick_row`` (file-formats.md §1: the row whose effective
    range contains the date, within its tier range) picks the same row — its effective
    starts, ends and tier limits bound them — leaving out the cells billed at cost (no
    row, a row without ERP, a free unit price)."""
    if not rows or erp_share(Decimal(1), unit_price) is None:
        return []
    ends = {after(r.effective_end) for r in rows}
    times = sorted({r.effective_start for r in rows} | {e for e in ends if e is not None})
    seats = sorted(
        {1}
        | {r.tier_min for r in rows if r.tier_min is not None and r.tier_min > 1}
        | {r.tier_max + 1 for r in rows if r.tier_max is not None and r.tier_max >= 1}
    )
    cells = []
    for i, at in enumerate(times):
        until = times[i + 1] if i + 1 < len(times) else None
        for j, low in enumerate(seats):
            found = pick_row(rows, at, low)
            erp = found.erp_price if found is not None else None
            ratio = erp_share(erp, unit_price) if erp is not None else None
            if erp is not None and ratio is not None:
                high = seats[j + 1] - 1 if j + 1 < len(seats) else None
                cells.append((at, until, low, high, ratio, erp))
    return cells


def factor_row(
    tier: str, key: tuple[Any, ...], named: bool, ratio: Fraction, unit_out: Decimal
) -> dict[str, Any]:
    """A ``downstream_factors`` row from a distinct key ``(seller, [buyer,] product, sku,
    unit price)``."""
    seller, buyer, product, sku, unit = key if named else (key[0], None, *key[1:])
    return {
        "tier": tier,
        "seller": seller,
        "buyer": buyer,
        "product_id": product,
        "sku_id": sku,
        "unit_price": unit,
        "num": ratio.numerator,
        "den": ratio.denominator,
        "unit_price_out": unit_out,
    }


def cell_row(key: tuple[Any, ...], cell: Cell) -> dict[str, Any]:
    """A ``downstream_erp`` row from a distinct (market, product, SKU, term, plan,
    currency, unit price) and one of its cells."""
    at, until, low, high, ratio, erp = cell
    names = ("market_id", "product_id", "sku_id", "term_duration", "billing_plan", "currency")
    return dict(zip(names, key[:6], strict=True)) | {
        "unit_price": key[6],
        "at_from": at,
        "at_to": until,
        "seats_from": low,
        "seats_to": high,
        "num": ratio.numerator,
        "den": ratio.denominator,
        "erp_price": erp,
    }


# --- SQL ---------------------------------------------------------------------------------


def half_up(each: Any, num: Any, den: Any) -> ColumnElement[Any]:
    """``each × num / den`` rounded half-up away from zero in integer arithmetic:
    ``sign × ((|each × num| × 2 + den) div (den × 2))`` (``downstream_lines.scaled``;
    both databases truncate an integer division, here of positive operands)."""
    product = each * num
    whole = (func.abs(product, type_=BigInteger) * TWO + den) // (den * TWO)
    return case((product < 0, -whole), else_=whole)


def ratio_text(num: Any, den: Any) -> ColumnElement[str]:
    """A factor as stored on its line, ``num/den`` (``downstream_lines.ratio_text``)."""
    return cast(num, String) + literal("/") + cast(den, String)


def create(session: Session) -> None:
    conn = session.connection()
    for table in TEMPORARY:
        table.drop(conn, checkfirst=True)
        table.create(conn)


def drop(session: Session) -> None:
    conn = session.connection()
    for table in TEMPORARY:
        table.drop(conn, checkfirst=True)


def fill(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write a temporary table's rows (and give PostgreSQL's planner their statistics)."""
    if not rows:
        return
    session.connection().execute(table.insert(), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {table.name}"))


def rule_on(f: Any, tier: str, seller: Any, buyer: Any, unit: Any, v: Any) -> Any:
    """The join of a vendor line to its factor row for one buyer (None: every buyer)."""
    return and_(
        f.c.tier == tier,
        f.c.seller == seller,
        f.c.product_id == v.product_id,
        f.c.sku_id == v.sku_id,
        f.c.unit_price == unit,
        f.c.buyer.is_(None) if buyer is None else f.c.buyer == buyer,
    )


def copied(v: Any) -> dict[str, Any]:
    """Every column of the vendor line but its id (a downstream line's facts)."""
    return {c.name: getattr(v, c.name) for c in Charge.__table__.columns if c.name != "id"}


def insert_from(session: Session, cols: dict[str, Any], rows: Any, order: Any) -> int:
    """``INSERT … SELECT`` of ``rows`` with ``cols``, in ``order`` (a stable line order),
    skipping a (tier, key) already written; the rows written (``bulk.inserted``)."""
    select_rows = rows.with_only_columns(
        *[expr.label(name) for name, expr in cols.items()]
    ).order_by(order)
    stmt = (
        insert_ignoring(session)(Charge.__table__)
        .from_select(list(cols), select_rows)
        .on_conflict_do_nothing(index_elements=["tier", "key"])
    )
    return inserted(session, stmt)
