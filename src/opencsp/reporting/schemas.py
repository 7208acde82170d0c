"""Wire shapes of revenue reporting (opencsp extensions under ``/v1/reporting``) and of
the analytics API (``/partner/v1/analytics``, Partner Center's ``{value, @nextLink,
totalCount}`` collection, PC:developer/get-subscription-analytics-grouped-by-dates-or-
terms.md). Amounts are exact decimals in USD."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from opencsp.core.http import Resource, WireModel
from opencsp.reporting import rules
from opencsp.reporting.revenue import MonthPoint, RevenueRow
from opencsp.reporting.ttm import Ttm, TtmDrill, TtmLine


def _month(value: date) -> str:
    return f"{value:%Y-%m}"


class TtmRead(Resource):
    """A partner's TTM figures (``reporting.rules``): the window's first and last month,
    the three figures and whether each threshold is met."""

    OBJECT_TYPE: ClassVar[str] = "PartnerRevenueTtm"

    partner_id: uuid.UUID
    partner_name: str
    first_month: str
    last_month: str
    currency_code: str = "USD"
    direct_bill_revenue: Decimal
    reseller_floor_revenue: Decimal
    billed_revenue: Decimal
    direct_bill_threshold: Decimal = rules.DIRECT_BILL_THRESHOLD
    reseller_floor_threshold: Decimal = rules.RESELLER_FLOOR
    meets_direct_bill_revenue: bool
    meets_reseller_floor: bool


def ttm_read(figures: Ttm, name: str) -> TtmRead:
    return TtmRead(
        partner_id=figures.organization_id,
        partner_name=name,
        first_month=_month(figures.start),
        last_month=_month(rules.add_months(figures.end, -1)),
        direct_bill_revenue=figures.direct_bill,
        reseller_floor_revenue=figures.reseller_floor,
        billed_revenue=figures.billed,
        meets_direct_bill_revenue=figures.meets_direct_bill,
        meets_reseller_floor=figures.meets_reseller_floor,
    )


class TtmLineRead(WireModel):
    charge_id: int
    invoice_number: str
    document_type: str
    period: str
    charge_type: str
    product_id: str
    sku_id: str
    product_type: str
    subscription_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    bill_to_partner_id: uuid.UUID | None
    reseller_partner_id: uuid.UUID | None
    quantity: int
    amount: Decimal
    currency_code: str
    usd_per_unit: Decimal
    usd_exact: Decimal
    usd: Decimal


def _line_read(line: TtmLine) -> TtmLineRead:
    return TtmLineRead(
        charge_id=line.charge_id,
        invoice_number=line.invoice_id,
        document_type=line.document_type,
        period=_month(line.period),
        charge_type=line.charge_type,
        product_id=line.product_id,
        sku_id=line.sku_id,
        product_type=line.product_type,
        subscription_id=line.subscription_id,
        customer_id=line.customer_id,
        bill_to_partner_id=line.bill_to_organization_id,
        reseller_partner_id=line.reseller_organization_id,
        quantity=line.quantity,
        amount=line.amount,
        currency_code=line.currency,
        usd_per_unit=line.usd_per_unit,
        usd_exact=line.usd_exact,
        usd=line.usd,
    )


class TtmDrillRead(Resource):
    """The lines behind one figure; their ``usd`` add up to ``figure``."""

    OBJECT_TYPE: ClassVar[str] = "PartnerRevenueTtmLines"

    partner_id: uuid.UUID
    measure: str
    first_month: str
    last_month: str
    figure: Decimal
    total_count: int
    items: list[TtmLineRead]


def drill_read(drill: TtmDrill) -> TtmDrillRead:
    return TtmDrillRead(
        partner_id=drill.organization_id,
        measure=drill.measure.value,
        first_month=_month(drill.start),
        last_month=_month(rules.add_months(drill.end, -1)),
        figure=drill.figure,
        total_count=len(drill.lines),
        items=[_line_read(line) for line in drill.lines],
    )


class RevenueRowRead(WireModel):
    key: str
    label: str
    usd: Decimal
    line_count: int


class RevenueRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PartnerRevenue"

    partner_id: uuid.UUID | None
    by: str
    first_month: str
    last_month: str
    paid_only: bool
    currency_code: str = "USD"
    total_count: int
    items: list[RevenueRowRead]


def revenue_read(
    partner_id: uuid.UUID | None,
    by: str,
    start: date,
    end: date,
    paid_only: bool,
    rows: list[RevenueRow],
) -> RevenueRead:
    return RevenueRead(
        partner_id=partner_id,
        by=by,
        first_month=_month(start),
        last_month=_month(rules.add_months(end, -1)),
        paid_only=paid_only,
        total_count=len(rows),
        items=[
            RevenueRowRead(key=r.key, label=r.label, usd=r.usd, line_count=r.lines) for r in rows
        ],
    )


class MonthPointRead(WireModel):
    month: str
    usd: Decimal
    ttm: Decimal


def points_read(points: list[MonthPoint]) -> list[MonthPointRead]:
    return [MonthPointRead(month=_month(p.month), usd=p.usd, ttm=p.ttm) for p in points]


class AnalyticsCollection(WireModel):
    """Partner Center's analytics collection."""

    model_config = ConfigDict(populate_by_name=True)

    value: list[dict[str, Any]]
    next_link: str | None = Field(default=None, alias="@nextLink")
    total_count: int
