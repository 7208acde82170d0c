"""Portable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: accepts only aware datetimes, stores UTC, always returns aware UTC.

    SQLite keeps no offset, PostgreSQL returns the session's zone; both come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: every instant in opencsp is timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def decimal_text(value: Decimal) -> str:
    """The canonical text of an exact decimal: plain notation, no exponent, no trailing
    zeros after the point (``Decimal("48.00")`` → ``"48"``, ``Decimal("1E+2")`` → ``"100"``),
    so equal amounts store as equal text."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal of any precision stored as its canonical text (``decimal_text``):
    unit prices and FX rates carry more digits than a currency's minor unit, SQLite has no
    exact numeric type, and a float must never come near money (DESIGN.md §4)."""

    impl = String(48)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"DecimalText takes a Decimal, not {type(value).__name__}")
        return decimal_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


ROW_ID = BigInteger().with_variant(Integer(), "sqlite")
"""An auto-incrementing row id: SQLite only auto-increments an INTEGER PRIMARY KEY,
PostgreSQL wants a bigint for tables that grow without bound."""
