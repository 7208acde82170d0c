"""Tables of pricing: monthly price lists per market, their rows, FX rates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import ROW_ID, DecimalText, UTCDateTime


class PriceList(Base):
    """One market's price list for one calendar month (``month`` = its first day).
    ``status`` (``pricing.rules.ListStatus``) is ``preview`` until the 1st of its month,
    then ``current`` until the next month's list takes over, then ``history``
    (PC:pricing-and-offers.md: lists update on the 1st with a 30-day preview). Rows are
    written once, by one import, and never edited: a preview can be replaced whole, a
    current or past list cannot."""

    __tablename__ = "price_lists"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    market_id: Mapped[str] = mapped_column(ForeignKey("markets.id", ondelete="RESTRICT"))
    month: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    source_name: Mapped[str] = mapped_column(String(256), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("market_id", "month"),)


class PriceRow(Base):
    """A row of a price list in the new-commerce layout (file-formats.md §1): one SKU ×
    term × billing plan × currency (× tier range), ``unit_price`` the partner price for
    the whole term and ``erp_price`` the estimated retail price, both exact, tax-exclusive
    decimals in ``currency``; effective from ``effective_start`` to ``effective_end``
    inclusive. ``line`` is the row's line number in the imported file, for reports.
    ``market_code`` is the file's ``Market`` value, a country of the list's market.
    Titles and descriptions are the catalog's, joined on export."""

    __tablename__ = "price_rows"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    price_list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("price_lists.id", ondelete="CASCADE")
    )
    line: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_plan: Mapped[str] = mapped_column(String(16))
    market_code: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    tier_min: Mapped[int | None] = mapped_column(BigInteger)
    tier_max: Mapped[int | None] = mapped_column(BigInteger)
    effective_start: Mapped[datetime] = mapped_column(UTCDateTime())
    effective_end: Mapped[datetime] = mapped_column(UTCDateTime())
    end_of_sale: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tags: Mapped[str] = mapped_column(String(256), default="")
    unit_of_measure: Mapped[str] = mapped_column(String(64), default="")
    erp_price: Mapped[Decimal | None] = mapped_column(DecimalText())

    __table_args__ = (
        Index(
            "ix_price_rows_lookup",
            "price_list_id",
            "product_id",
            "sku_id",
            "term_duration",
            "billing_plan",
            "currency",
        ),
    )


class FxRate(Base):
    """The USD value of one unit of a currency for a calendar month (file-formats.md §6):
    the mid-rate set two business days before the end of the previous month and used for
    the whole month (rules.md §11). Exact decimal."""

    __tablename__ = "fx_rates"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    usd_per_unit: Mapped[Decimal] = mapped_column(DecimalText())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
