"""The NCE invoice reconciliation row of a charge line (file-formats.md §8c,
PC:modern-invoice-reconciliation-file.md): the columns in the documented table order and
the seat-based subtotal formula. Streaming the file is the caller's.

Values: dates ``M/D/YYYY`` (file-formats.md §8, en-US); amounts plain decimals;
``Subtotal = ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, minor) ×
BillableQuantity`` with the billing currency's minor unit (2 in the document, which is
written for cents; KRW and JPY have none), ``Total = Subtotal + TaxTotal``. Prices are tax
exclusive (rules.md §11) and opencsp computes no tax, so ``TaxTotal`` is what the caller
gives, 0 by default."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from opencsp.billing.invoices import Conversion, convert_unit_price, identity
from opencsp.billing.lines import ChargeLine
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.money import Currency

HEADER: tuple[str, ...] = (
    "PartnerId", "CustomerId", "CustomerName", "CustomerDomainName", "CustomerCountry",
    "InvoiceNumber", "MPNID", "ResellerMPNID", "OrderId", "OrderDate", "ProductId", "SkuId",
    "AvailabilityId", "SkuName", "ProductName", "ChargeType", "UnitPrice", "Quantity",
    "Subtotal", "TaxTotal", "Total", "Currency", "PriceAdjustmentDescription",
    "PublisherName", "PublisherId", "SubscriptionDescription", "SubscriptionId",
    "ChargeStartDate", "ChargeEndDate", "TermAndBillingCycle", "EffectiveUnitPrice",
    "UnitType", "AlternateId", "BillableQuantity", "BillingFrequency", "PricingCurrency",
    "PCToBCExchangeRate", "PCToBCExchangeRateDate", "MeterDescription", "ReservationOrderId",
    "CreditReasonCode", "SubscriptionStartDate", "SubscriptionEndDate", "ReferenceId",
    "ProductQualifiers", "PromotionId",
)  # fmt: skip
"""The columns in the table order of file-formats.md §8c."""

_TERM_TEXT = {
    TermDuration.P1M: "One-Month commitment",
    TermDuration.P1Y: "One-Year commitment",
    TermDuration.P3Y: "Three-Years commitment",
}
_PLAN_TEXT = {
    BillingPlan.MONTHLY: "Monthly",
    BillingPlan.ANNUAL: "Annual",
    BillingPlan.TRIENNIAL: "Triennial",
}


@dataclass(frozen=True, slots=True)
class ReconContext:
    """What the row needs besides the charge line: the invoice, the parties and the
    offer, as the bill run joins them."""

    partner_id: str
    customer_id: str
    customer_name: str = ""
    customer_domain_name: str = ""
    customer_country: str = ""
    invoice_number: str = ""
    mpn_id: str = ""
    reseller_mpn_id: str = ""
    order_id: str = ""
    order_date: date | None = None
    product_id: str = ""
    sku_id: str = ""
    availability_id: str = ""
    sku_name: str = ""
    product_name: str = ""
    publisher_name: str = ""
    publisher_id: str = ""
    subscription_description: str = ""
    reference_id: str = ""
    product_qualifiers: tuple[str, ...] = ()
    promotion_id: str = ""
    tax_total: Decimal = Decimal(0)


def us_date(day: date | datetime | None) -> str:
    """``M/D/YYYY``, the file's date format (file-formats.md §8)."""
    if day is None:
        return ""
    return f"{day.month}/{day.day}/{day.year}"


def plain(value: object) -> str:
    return format(value, "f") if not isinstance(value, int) else str(value)


def term_and_billing_cycle(term: str | None, plan: str | None) -> str:
    """``TermAndBillingCycle``, e.g. "One-Year commitment for monthly billing"
    [inferred: the samples show "One-Year commitment for monthly/yearly billing" and
    "One-Month commitment for trial"; one-time purchases are blank]."""
    if not term or TermDuration(term) not in _TERM_TEXT:
        return ""
    base = _TERM_TEXT[TermDuration(term)]
    if plan is None or BillingPlan(plan) is BillingPlan.NONE:
        return f"{base} for trial"
    return f"{base} for {_PLAN_TEXT.get(BillingPlan(plan), plan).lower()} billing"


def billing_frequency(plan: str | None) -> str:
    """``BillingFrequency``: blank for one-time rows (file-formats.md §8c)."""
    if plan is None:
        return ""
    return _PLAN_TEXT.get(BillingPlan(plan), "")


def subtotal(line: ChargeLine, fx: Conversion) -> str:
    """The documented seat-based subtotal (module docstring), in the billing currency."""
    billing = Currency.of(fx.billing)
    unit = convert_unit_price(line.effective_unit_price, fx)
    return plain((unit * line.quantity).quantize(billing.quantum))


def row(line: ChargeLine, ctx: ReconContext, fx: Conversion | None = None) -> tuple[str, ...]:
    """The reconciliation row of ``line`` in ``HEADER`` order. ``fx`` converts a line
    priced in another currency (none: billed in its pricing currency at rate 1)."""
    conv = fx or identity(line.currency, line.period)
    billing = Currency.of(conv.billing)
    sub = subtotal(line, conv)
    tax = ctx.tax_total.quantize(billing.quantum)
    total = plain(Decimal(sub) + tax)
    values = {
        "PartnerId": ctx.partner_id,
        "CustomerId": ctx.customer_id,
        "CustomerName": ctx.customer_name,
        "CustomerDomainName": ctx.customer_domain_name,
        "CustomerCountry": ctx.customer_country,
        "InvoiceNumber": ctx.invoice_number,
        "MPNID": ctx.mpn_id,
        "ResellerMPNID": ctx.reseller_mpn_id,
        "OrderId": ctx.order_id or (line.order_id or ""),
        "OrderDate": us_date(ctx.order_date),
        "ProductId": ctx.product_id,
        "SkuId": ctx.sku_id,
        "AvailabilityId": ctx.availability_id,
        "SkuName": ctx.sku_name,
        "ProductName": ctx.product_name,
        "ChargeType": line.charge_type.value,
        "UnitPrice": plain(line.unit_price),
        "Quantity": str(line.quantity),
        "Subtotal": sub,
        "TaxTotal": plain(tax),
        "Total": total,
        "Currency": billing.code,
        "PriceAdjustmentDescription": "",
        "PublisherName": ctx.publisher_name,
        "PublisherId": ctx.publisher_id,
        "SubscriptionDescription": ctx.subscription_description,
        "SubscriptionId": str(line.subscription_id or ""),
        "ChargeStartDate": us_date(line.charge_start),
        "ChargeEndDate": us_date(line.charge_end),
        "TermAndBillingCycle": term_and_billing_cycle(line.term_duration, line.billing_plan),
        "EffectiveUnitPrice": plain(line.effective_unit_price),
        "UnitType": "",
        "AlternateId": ctx.order_id or (line.order_id or ""),
        "BillableQuantity": str(line.quantity),
        "BillingFrequency": billing_frequency(_periodic_plan(line)),
        "PricingCurrency": conv.pricing,
        "PCToBCExchangeRate": plain(conv.rate),
        "PCToBCExchangeRateDate": us_date(conv.rate_date),
        "MeterDescription": "",
        "ReservationOrderId": "",
        "CreditReasonCode": "",
        "SubscriptionStartDate": us_date(line.term_start),
        "SubscriptionEndDate": us_date(line.term_end),
        "ReferenceId": ctx.reference_id,
        "ProductQualifiers": _array(ctx.product_qualifiers),
        "PromotionId": ctx.promotion_id,
    }
    return tuple(values[name] for name in HEADER)


def _periodic_plan(line: ChargeLine) -> str | None:
    if line.billing_plan is None or BillingPlan(line.billing_plan) is BillingPlan.ONE_TIME:
        return None
    return line.billing_plan


def _array(values: tuple[str, ...]) -> str:
    """A JSON array as the file writes ``ProductQualifiers``, e.g. ``["Add-on"]``."""
    return json.dumps(list(values))


def as_dict(values: tuple[str, ...]) -> dict[str, str]:
    """A row by column name (the API's line item is the same fields in camelCase)."""
    return dict(zip(HEADER, values, strict=True))
