"""Errors of the pricing domain."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound


class PriceListNotFound(NotFound):
    """No list for that market and timeline: ``timeline=future`` with no preview answers
    404 as Partner Center documents (PC:developer/get-a-price-sheet.md)."""

    code: ClassVar[int | str] = "PriceListNotFound"
    description = "No {timeline} price list for market {market}"


class PriceNotFound(NotFound):
    """No row of the applicable list covers the item, term, plan, currency and date."""

    code: ClassVar[int | str] = "PriceNotFound"
    description = (
        "No price for {catalog_item} ({term}, {billing_plan}) in {currency} "
        "in market {market} on {at}"
    )


class InvalidMonth(InvalidInput):
    code: ClassVar[int | str] = "InvalidMonth"
    description = "Month {value} is not a calendar month; use YYYY-MM or YYYYMM"


class InvalidTimeline(InvalidInput):
    code: ClassVar[int | str] = "InvalidTimeline"
    description = "Unknown timeline {value}; use current, history or future"


class PriceListLocked(Conflict):
    """A list that is current or past is what purchases were priced on: it is never
    replaced (DESIGN.md §4); only a preview can be."""

    code: ClassVar[int | str] = "PriceListLocked"
    description = "The {month} price list of market {market} is {status} and cannot be replaced"


class FxRateNotFound(NotFound):
    code: ClassVar[int | str] = "FxRateNotFound"
    description = "No FX rate for {currency} in {month}"
