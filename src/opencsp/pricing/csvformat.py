"""How values are spelt in the new-commerce price-list CSV (file-formats.md §1): the date
forms Partner Center's files and docs show, exact decimal prices, tier bounds. Pure
functions; a value that cannot be read raises ``CsvValueError`` with a message fit for a
validation report. Parsers are cached: a price list has few distinct dates and prices."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from opencsp.core.types import decimal_text
from opencsp.pricing.rules import TIER_UNBOUNDED


class CsvValueError(ValueError):
    """A field that cannot be read; the message names what was expected."""


_US_DATE = re.compile(
    r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    r"(?: (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?: ?(?P<half>[AaPp][Mm]))?)?$"
)
_ISO_DATE = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?)?"
    r"(?P<zone>Z|[+-]00:?00)?$"
)
_DECIMAL = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^\d+$")

DATE_FORMS = "M/D/YYYY h:mm:ss AM/PM, M/D/YYYY H:mm or YYYY-MM-DDTHH:MM:SS.fffffffZ"


@lru_cache(maxsize=4096)
def parse_date(text: str) -> datetime:
    """A UTC instant in one of the forms of file-formats.md §1: ``2/1/2019 12:00:00 AM``
    (the API sample), ``2/1/2023 0:00`` and ``11/30/9999 23:59`` (the UI download), or
    ``2021-10-01T00:00:00.0000000Z`` (the API's ISO form; the seventh fractional digit,
    100 ns, is below what is stored and dropped). A date alone means its midnight. Every
    price-list date is UTC; an ISO offset other than zero is refused."""
    value = text.strip()
    match = _US_DATE.match(value) or _ISO_DATE.match(value)
    if match is None:
        raise CsvValueError(f"{text!r} is not a date; use {DATE_FORMS}")
    parts = match.groupdict()
    hour = int(parts["hour"] or 0)
    half = parts.get("half")
    if half is not None:
        if not 1 <= hour <= 12:
            raise CsvValueError(f"{text!r}: the hour of a 12-hour time is 1 to 12")
        hour = hour % 12 + (12 if half.upper() == "PM" else 0)
    fraction = (parts.get("fraction") or "").ljust(6, "0")[:6]
    try:
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            hour,
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise CsvValueError(f"{text!r} is not a real date and time ({exc})") from None


def format_date(value: datetime) -> str:
    """The form of Partner Center's price-sheet download: ``2/1/2019 12:00:00 AM`` (UTC)."""
    at = value.astimezone(UTC)
    hour = at.hour % 12 or 12
    half = "AM" if at.hour < 12 else "PM"
    return f"{at.month}/{at.day}/{at.year} {hour}:{at.minute:02d}:{at.second:02d} {half}"


@lru_cache(maxsize=65536)
def parse_price(text: str) -> str:
    """An exact, non-negative decimal in plain notation (``48``, ``115.2``, ``0.0425``)
    → its canonical text (``core.types.decimal_text``), as stored. Signs, exponents,
    thousands separators, NaN and infinity are refused: a price is never guessed."""
    value = text.strip()
    if not _DECIMAL.match(value):
        raise CsvValueError(f"{text!r} is not a price; use a plain decimal such as 115.2")
    try:
        return decimal_text(Decimal(value))
    except (InvalidOperation, ValueError):  # pragma: no cover - the pattern admits none
        raise CsvValueError(f"{text!r} is not a price") from None


def parse_optional_price(text: str) -> str | None:
    """A price, or None for a blank cell (``ERP Price`` may be empty)."""
    return None if not text.strip() else parse_price(text)


def parse_tier(text: str, *, upper: bool = False) -> int | None:
    """A tier bound: blank is None (no tiers); a non-negative integer otherwise. An upper
    bound of ``TIER_UNBOUNDED`` or more (the doc prints 9223372036854780000) means no
    upper bound, None."""
    value = text.strip()
    if not value:
        return None
    if not _INTEGER.match(value):
        raise CsvValueError(f"{text!r} is not a whole number of units")
    number = int(value)
    if number >= TIER_UNBOUNDED:
        if upper:
            return None
        raise CsvValueError(f"{text!r} is too large for a tier minimum")
    return number


def format_decimal(value: Decimal | None) -> str:
    """A price as written: canonical decimal text, blank when there is none."""
    return "" if value is None else decimal_text(value)


def format_tier(value: int | None) -> str:
    return "" if value is None else str(value)
