"""Errors of revenue reporting and analytics. A partner asking for another's figures gets
the same 404 as for one that does not exist (DESIGN.md §5)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput, NotFound


class PartnerRevenueNotFound(NotFound):
    code: ClassVar[int | str] = "PartnerRevenueNotFound"
    description = "No revenue for partner {partner_id}"


class InvalidMeasure(InvalidInput):
    code: ClassVar[int | str] = "InvalidMeasure"
    description = "Unknown revenue measure {measure!r}; use directBill, resellerFloor or billed"


class InvalidBreakdown(InvalidInput):
    code: ClassVar[int | str] = "InvalidBreakdown"
    description = "Unknown breakdown {by!r}; use month, product, market or reseller"


class InvalidMonthRange(InvalidInput):
    code: ClassVar[int | str] = "InvalidMonthRange"
    description = "The month range {start} to {end} is empty or longer than {limit} months"


class UnsupportedAnalyticsQuery(InvalidInput):
    """A filter, group-by or paging parameter outside the subset opencsp answers
    correctly: refused with what is supported rather than answered approximately."""

    code: ClassVar[int | str] = "UnsupportedAnalyticsQuery"
    description = "{problem}"


class RevenueRateMissing(Conflict):
    """Revenue in a currency with no FX rate for its month cannot be put in USD; the
    figure is refused rather than understated (rules.md §11: one rate per month)."""

    code: ClassVar[int | str] = "RevenueRateMissing"
    description = "No FX rate for {currency} in {month}: revenue in it cannot be converted to USD"


class InvalidAsOf(InvalidInput):
    code: ClassVar[int | str] = "InvalidAsOf"
    description = "asOf {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 instant"
