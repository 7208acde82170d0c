"""Tables for markets, their countries and regions, and the currencies of each country.

Reference data, loaded from ``data/markets.csv`` by the migration ``0002_markets``
(PC:regional-authorization-overview.md, rules.md §4)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencsp.core.db import Base


class Market(Base):
    """A CSP market: the set of countries and regions a partner located in one of them may
    sell to. ``id`` is a stable slug of the name (``united-states``, ``europe``,
    ``korea-republic-of``). ``operations_center`` (``AOC``/``EOC``/``APOC``,
    ``markets.rules.OperationsCenter``) is the reseller-agreement region, [inferred] from
    the market's geography — the source lists no such column."""

    __tablename__ = "markets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    operations_center: Mapped[str] = mapped_column(String(8))

    countries: Mapped[list[Country]] = relationship(
        back_populates="market", lazy="raise", order_by="Country.code"
    )


class Country(Base):
    """A country or region by ISO 3166-1 alpha-2 code, in exactly one market. Names are the
    source's; codes with several source rows join their names (``BQ``: Bonaire / Saba /
    Sint Eustatius)."""

    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    market_id: Mapped[str] = mapped_column(
        ForeignKey("markets.id", ondelete="RESTRICT"), index=True
    )

    market: Mapped[Market] = relationship(back_populates="countries", lazy="raise")
    currencies: Mapped[list[CountryCurrency]] = relationship(
        lazy="raise", order_by="CountryCurrency.currency"
    )


class CountryCurrency(Base):
    """A currency a country is sold in. Most have one; Brazil has two — USD for
    traditional license-based offers, BRL for new-commerce license-based, software,
    perpetual, Azure and third-party products (``applies_to``, with the source's ``note``;
    PC:regional-authorization-overview.md). Vatican City has none in the source and so no
    row here: code must not assume a country has a currency."""

    __tablename__ = "country_currencies"

    country_code: Mapped[str] = mapped_column(
        ForeignKey("countries.code", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    applies_to: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(256))
