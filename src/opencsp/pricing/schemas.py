"""Wire shapes of pricing under ``/v1/program/...``: price lists with their statuses, the
activation summary, the month-to-month change report and FX imports. Months are written
``YYYY-MM``; prices are exact decimals written as strings, never floats."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import field_serializer

from opencsp.core.http import Resource, WireModel
from opencsp.core.types import decimal_text
from opencsp.pricing import rules
from opencsp.pricing.changes import ChangeReport, ChangeRow
from opencsp.pricing.fx import FxSummary
from opencsp.pricing.lifecycle import ActivationSummary
from opencsp.pricing.models import PriceList


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


class PriceListRead(Resource):
    """One market's list for one month and where it stands (preview, current, history)."""

    OBJECT_TYPE: ClassVar[str] = "PriceList"

    id: uuid.UUID
    market: str
    month: str
    status: rules.ListStatus
    row_count: int
    imported_at: datetime
    activated_at: datetime | None
    source_name: str

    @classmethod
    def of(cls, price_list: PriceList) -> PriceListRead:
        return cls(
            id=price_list.id,
            market=price_list.market_id,
            month=rules.format_month(price_list.month),
            status=rules.ListStatus(price_list.status),
            row_count=price_list.row_count,
            imported_at=price_list.imported_at,
            activated_at=price_list.activated_at,
            source_name=price_list.source_name,
        )


class StatusChangeRead(WireModel):
    market: str
    month: str
    old_status: rules.ListStatus
    new_status: rules.ListStatus


class ActivationRead(Resource):
    """What one run of the activation job changed."""

    OBJECT_TYPE: ClassVar[str] = "PriceListActivation"

    ran_at: datetime
    activated: int
    retired: int
    changes: list[StatusChangeRead]

    @classmethod
    def of(cls, summary: ActivationSummary) -> ActivationRead:
        return cls(
            ran_at=summary.at,
            activated=summary.activated,
            retired=summary.retired,
            changes=[
                StatusChangeRead(
                    market=c.market_id,
                    month=rules.format_month(c.month),
                    old_status=c.old_status,
                    new_status=c.new_status,
                )
                for c in summary.changes
            ],
        )


class PriceChangeRead(WireModel):
    """A row of the change report; ``old*`` from the earlier list, ``new*`` from the later."""

    product_id: str
    sku_id: str
    product_title: str
    sku_title: str
    term_duration: str
    billing_plan: str
    currency: str
    pricing_tier_range_min: int | None
    old_unit_price: Decimal | None
    new_unit_price: Decimal | None
    old_erp_price: Decimal | None
    new_erp_price: Decimal | None
    old_effective_start_date: datetime | None
    new_effective_start_date: datetime | None
    effective_end_date: datetime | None
    end_of_sale_date: datetime | None

    @field_serializer("old_unit_price", "new_unit_price", "old_erp_price", "new_erp_price")
    def _exact(self, value: Decimal | None) -> str | None:
        return _text(value)

    @classmethod
    def of(cls, row: ChangeRow) -> PriceChangeRead:
        return cls(
            product_id=row.product_id,
            sku_id=row.sku_id,
            product_title=row.product_title,
            sku_title=row.sku_title,
            term_duration=row.term_duration,
            billing_plan=row.billing_plan,
            currency=row.currency,
            pricing_tier_range_min=row.tier_min,
            old_unit_price=row.old_unit_price,
            new_unit_price=row.new_unit_price,
            old_erp_price=row.old_erp_price,
            new_erp_price=row.new_erp_price,
            old_effective_start_date=row.old_effective_start,
            new_effective_start_date=row.new_effective_start,
            effective_end_date=row.effective_end,
            end_of_sale_date=row.end_of_sale,
        )


class ChangeReportRead(Resource):
    """The rows that are new, changed, removed or end of sale from one month's list to a
    later one (file-formats.md §1, "Change detection")."""

    OBJECT_TYPE: ClassVar[str] = "PriceListChangeReport"

    market: str
    from_month: str
    to_month: str
    new: list[PriceChangeRead]
    changed: list[PriceChangeRead]
    removed: list[PriceChangeRead]
    end_of_sale: list[PriceChangeRead]

    @classmethod
    def of(cls, report: ChangeReport) -> ChangeReportRead:
        return cls(
            market=report.market_id,
            from_month=rules.format_month(report.from_month),
            to_month=rules.format_month(report.to_month),
            new=[PriceChangeRead.of(r) for r in report.new],
            changed=[PriceChangeRead.of(r) for r in report.changed],
            removed=[PriceChangeRead.of(r) for r in report.removed],
            end_of_sale=[PriceChangeRead.of(r) for r in report.end_of_sale],
        )


class FxImportRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "FxRatesImport"

    month: str
    count: int
    replaced: int

    @classmethod
    def of(cls, summary: FxSummary) -> FxImportRead:
        return cls(
            month=rules.format_month(summary.month), count=summary.count, replaced=summary.replaced
        )
