"""The drill-down of a TTM figure as CSV, so the vendor can verify a figure line by line
(issue 6 "Every figure drills down to the invoice lines behind it"). One row per charge
line, the ``USD`` column adding up to the figure exactly; amounts are exact decimals,
dates ISO, lines ending CRLF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from opencsp.reporting.ttm import TtmDrill, TtmLine

COLUMNS = (
    "InvoiceNumber",
    "DocumentType",
    "Period",
    "ChargeId",
    "ChargeType",
    "ProductId",
    "SkuId",
    "ProductType",
    "SubscriptionId",
    "CustomerId",
    "BillToPartnerId",
    "ResellerPartnerId",
    "Quantity",
    "Amount",
    "Currency",
    "USDPerUnit",
    "USDExact",
    "USD",
)


def _row(line: TtmLine) -> tuple[str, ...]:
    def text(value: object) -> str:
        return "" if value is None else str(value)

    return (
        line.invoice_id,
        line.document_type,
        f"{line.period:%Y-%m}",
        str(line.charge_id),
        line.charge_type,
        line.product_id,
        line.sku_id,
        line.product_type,
        text(line.subscription_id),
        text(line.customer_id),
        text(line.bill_to_organization_id),
        text(line.reseller_organization_id),
        str(line.quantity),
        format(line.amount, "f"),
        line.currency,
        format(line.usd_per_unit, "f"),
        format(line.usd_exact, "f"),
        format(line.usd, "f"),
    )


def drill_csv(drill: TtmDrill) -> Iterator[str]:
    """The header, then one line per charge line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for line in drill.lines:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_row(line))
        yield buffer.getvalue()
