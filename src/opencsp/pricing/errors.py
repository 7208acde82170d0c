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


# --- price-list lifecycle, change report, FX rates (engineer C) -------------------------


class InvalidMonthRange(InvalidInput):
    """A change report compares an earlier month with a later one (file-formats.md §1)."""

    code: ClassVar[int | str] = "InvalidMonthRange"
    description = (
        "The change report compares an earlier month {from_month} with a later month {to_month}"
    )


class FxRatesRejected(InvalidInput):
    """An FX rates file with any problem is rejected whole and nothing is written; the
    problems are listed by line in ``problems`` (``Problem``: line, column, message; up to
    ``settings().pricelist_problem_limit``, ``total`` counts them all) and in ``data`` on
    the wire as ``{line, column, message}`` objects, like a rejected price list."""

    code: ClassVar[int | str] = "FxRatesRejected"
    description = "The FX rates file was rejected with {total} problem(s); nothing was imported"

    def __init__(self, problems: list[Problem], *, total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(problems) if total is None else total
        super().__init__(
            total=self.total,
            data=[
                {"line": line, "column": column, "message": text} for line, column, text in problems
            ],
        )


class FxRatesLocked(Conflict):
    """A month's FX rates are used for the whole month (rules.md §11): once the month has
    begun, its rates are never replaced."""

    code: ClassVar[int | str] = "FxRatesLocked"
    description = "The FX rates of {month} are in use since the month began and cannot be replaced"


class FxRatesNotFound(NotFound):
    code: ClassVar[int | str] = "FxRatesNotFound"
    description = "No FX rates for {month}"


# --- price-sheet import and export (engineer B) ------------------------------------------


class UnsupportedPriceSheetView(InvalidInput):
    """Only the new-commerce license-based view is sold here; Partner Center's other
    views (``azure_consumption``, ``azure_reservations``, ``marketplace``, ``software``)
    are not (file-formats.md §1)."""

    code: ClassVar[int | str] = "UnsupportedPriceSheetView"
    description = "Price sheet view {view} is not available; use updatedlicensebased"


class HistoryMonthRequired(InvalidInput):
    """``timeline=history`` names the past month it wants (PC:developer/get-a-price-sheet.md)."""

    code: ClassVar[int | str] = "HistoryMonthRequired"
    description = "timeline=history needs month=YYYYMM, a month before the current one"


Problem = tuple[int, str, str]
"""One problem of a rejected price list: (line number in the file, column, message)."""


class PriceListRejected(InvalidInput):
    """A price-list file with any problem is rejected whole and nothing of it is written
    (issue 4; DESIGN.md §7). ``problems`` lists the first problems by line, up to
    ``settings().pricelist_problem_limit``; ``total`` counts them all. The API carries the
    same list in ``data`` as ``{line, column, message}`` objects."""

    code: ClassVar[int | str] = "PriceListRejected"
    description = (
        "The price list {source} was rejected with {total} problem(s); nothing was imported"
    )

    def __init__(self, *, source: str, problems: list[Problem], total: int) -> None:
        self.problems = list(problems)
        self.total = total
        super().__init__(
            source=source,
            total=total,
            data=[
                {"line": line, "column": column, "message": text} for line, column, text in problems
            ],
        )
