"""Wire shapes of invoices, the account balance and invoice line items, as Partner Center
has them (samples ``invoices-list``, ``invoices-get-by-id``,
``invoices-lineitems-onetime-billing-next``, ``invoices-unbilled-billinglineitems*``;
api-surface.md, Invoices). Amounts are exact decimals from minor units (written as JSON
strings, never floats). opencsp adds a few fields a partner needs and Partner Center
shows elsewhere: ``dueDate``, ``balanceAmount`` and ``status`` on an invoice, the overdue
figures on a summary, and — to the seller of a downstream document only — ``cost`` and
``margin`` on a line (issue 6: "the margin per line is visible to its owner only")."""

from __future__ import annotations

import calendar
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import ClassVar

from babel.numbers import get_currency_symbol
from pydantic import Field

from opencsp.billing import queries, recon
from opencsp.billing.models import Invoice
from opencsp.billing.recon_stream import ReconLine, midnight_utc
from opencsp.core.http import Link, Resource, WireModel

ONE_TIME = "one_time"
BILLING_LINE_ITEMS = "billing_line_items"


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def symbol(currency: str) -> str:
    return str(get_currency_symbol(currency, locale="en_US"))


def line_items_path(invoice_id: str) -> str:
    return f"/invoices/{invoice_id}/lineitems/OneTime/BillingLineItems"


def statement_path(invoice_id: str) -> str:
    return f"/invoices/{invoice_id}/documents/statement"


def reconciliation_path(invoice_id: str) -> str:
    return f"/invoices/{invoice_id}/reconciliation.csv"


# --- invoices ------------------------------------------------------------------------------


class DetailLinks(WireModel):
    self: Link


class InvoiceDetailRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "InvoiceDetail"

    invoice_line_item_type: str = BILLING_LINE_ITEMS
    billing_provider: str = ONE_TIME
    links: DetailLinks


class InvoiceLinks(WireModel):
    self: Link
    reconciliation: Link  # opencsp: the NCE reconciliation file of the document


class InvoiceRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "Invoice"

    id: str
    invoice_date: datetime
    billing_period_start_date: datetime
    billing_period_end_date: datetime
    total_charges: Decimal
    paid_amount: Decimal
    currency_code: str
    currency_symbol: str
    pdf_download_link: str
    invoice_details: list[InvoiceDetailRead]
    document_type: str
    invoice_type: str = "OneTime"
    due_date: datetime
    balance_amount: Decimal
    status: str  # paid | open | overdue
    links: InvoiceLinks


def invoice_status(invoice: Invoice, today: date) -> str:
    """``paid`` when nothing is owed, ``overdue`` when owed after the due date (rules.md
    §11), else ``open``."""
    if queries.balance_minor(invoice) <= 0:
        return "paid"
    return "overdue" if queries.is_overdue(invoice, today) else "open"


def invoice_read(invoice: Invoice, *, today: date) -> InvoiceRead:
    """An invoice resource. Its billing period is the calendar month, its end the last
    whole UTC day (rules.md §9b)."""
    last = calendar.monthrange(invoice.period.year, invoice.period.month)[1]
    cur = invoice.currency
    return InvoiceRead(
        id=invoice.id,
        invoice_date=_instant(invoice.invoice_date),
        billing_period_start_date=_instant(invoice.period),
        billing_period_end_date=_instant(invoice.period.replace(day=last)),
        total_charges=queries.amount(invoice.total_minor, cur),
        paid_amount=queries.amount(invoice.paid_minor, cur),
        currency_code=cur,
        currency_symbol=symbol(cur),
        pdf_download_link=statement_path(invoice.id),
        invoice_details=[
            InvoiceDetailRead(links=DetailLinks(self=Link(uri=line_items_path(invoice.id))))
        ],
        document_type=invoice.document_type,
        due_date=_instant(invoice.due_date),
        balance_amount=queries.amount(queries.balance_minor(invoice), cur),
        status=invoice_status(invoice, today),
        links=InvoiceLinks(
            self=Link(uri=f"/invoices/{invoice.id}"),
            reconciliation=Link(uri=reconciliation_path(invoice.id)),
        ),
    )


# --- the account balance -------------------------------------------------------------------


class InvoiceSummaryRead(Resource):
    """InvoiceSummary (api-surface.md, Invoices) plus the overdue figures (rules.md §11)."""

    OBJECT_TYPE: ClassVar[str] = "InvoiceSummary"

    balance_amount: Decimal
    currency_code: str
    currency_symbol: str
    accounting_date: datetime
    first_invoice_creation_date: datetime | None = None
    last_payment_date: datetime | None = None
    last_payment_amount: Decimal | None = None
    latest_invoice_date: datetime | None = None
    overdue_amount: Decimal
    first_due_date: datetime | None = None
    is_overdue: bool


def summary_read(balance: queries.Balance, *, today: date) -> InvoiceSummaryRead:
    cur = balance.currency
    return InvoiceSummaryRead(
        balance_amount=queries.amount(balance.balance_minor, cur),
        currency_code=cur,
        currency_symbol=symbol(cur),
        accounting_date=_instant(today),
        first_invoice_creation_date=midnight_utc(balance.first_invoice_date),
        last_payment_date=midnight_utc(balance.last_payment_date),
        last_payment_amount=None
        if balance.last_payment_minor is None
        else queries.amount(balance.last_payment_minor, cur),
        latest_invoice_date=midnight_utc(balance.latest_invoice_date),
        overdue_amount=queries.amount(balance.overdue_minor, cur),
        first_due_date=midnight_utc(balance.first_due_date),
        is_overdue=balance.overdue_minor > 0,
    )


def empty_balance(currency: str) -> queries.Balance:
    return queries.Balance(currency, 0, 0, None, None, None, None, None, 0)


# --- line items ----------------------------------------------------------------------------


class LineItemRead(Resource):
    """``OneTimeInvoiceLineItem``: the NCE reconciliation row in camelCase
    (file-formats.md §8c), billed or unbilled."""

    OBJECT_TYPE: ClassVar[str] = "OneTimeInvoiceLineItem"

    partner_id: str
    customer_id: str
    customer_name: str
    customer_domain_name: str
    customer_country: str
    invoice_number: str
    mpn_id: str
    reseller_mpn_id: str
    order_id: str
    order_date: datetime
    product_id: str
    sku_id: str
    availability_id: str
    product_name: str
    sku_name: str
    product_qualifiers: list[str]
    charge_type: str
    unit_price: Decimal
    effective_unit_price: Decimal
    unit_type: str = ""
    quantity: int
    subtotal: Decimal
    tax_total: Decimal
    total_for_customer: Decimal
    currency: str
    publisher_name: str
    publisher_id: str = ""
    subscription_description: str
    subscription_id: uuid.UUID | None = None
    subscription_start_date: datetime | None = None
    subscription_end_date: datetime | None = None
    charge_start_date: datetime
    charge_end_date: datetime
    term_and_billing_cycle: str
    alternate_id: str
    reference_id: str
    price_adjustment_description: str = ""
    discount_details: str = ""
    pricing_currency: str
    pc_to_bc_exchange_rate: Decimal = Field(alias="pcToBCExchangeRate")
    pc_to_bc_exchange_rate_date: datetime = Field(alias="pcToBCExchangeRateDate")
    billable_quantity: int
    meter_description: str = ""
    billing_frequency: str
    reservation_order_id: str = ""
    invoice_line_item_type: str = BILLING_LINE_ITEMS
    billing_provider: str = ONE_TIME
    promotion_id: str = ""
    credit_reason_code: str = ""
    cost: Decimal | None = None  # opencsp: the seller's own cost, to the seller only
    margin: Decimal | None = None  # opencsp: billed − cost, to the seller only


_API_QUALIFIER = {"Add-on": "AddOn"}


def line_item(line: ReconLine, *, margins: bool) -> LineItemRead:
    """The API's line from the reconciliation row (the same values: ``recon.row``).
    ``margins``: the reader is the seller of the document, who alone sees its cost."""
    values = recon.as_dict(line.row)
    c, ctx = line.charge, line.context
    cost = margin = None
    if margins and c.cost_minor is not None:
        cost = queries.amount(c.cost_minor, c.currency)
        margin = queries.amount(c.billed_amount_minor - c.cost_minor, c.currency)
    return LineItemRead(
        partner_id=ctx.partner_id,
        customer_id=ctx.customer_id,
        customer_name=ctx.customer_name,
        customer_domain_name=ctx.customer_domain_name,
        customer_country=ctx.customer_country,
        invoice_number=ctx.invoice_number,
        mpn_id=ctx.mpn_id,
        reseller_mpn_id=ctx.reseller_mpn_id,
        order_id=values["OrderId"],
        order_date=line.ordered_at,
        product_id=ctx.product_id,
        sku_id=ctx.sku_id,
        availability_id=ctx.availability_id,
        product_name=ctx.product_name,
        sku_name=ctx.sku_name,
        product_qualifiers=[_API_QUALIFIER.get(q, q) for q in ctx.product_qualifiers],
        charge_type=values["ChargeType"],
        unit_price=Decimal(values["UnitPrice"]),
        effective_unit_price=Decimal(values["EffectiveUnitPrice"]),
        quantity=c.quantity,
        subtotal=Decimal(values["Subtotal"]),
        tax_total=Decimal(values["TaxTotal"]),
        total_for_customer=Decimal(values["Total"]),
        currency=values["Currency"],
        publisher_name=ctx.publisher_name,
        subscription_description=ctx.subscription_description,
        subscription_id=c.subscription_id,
        subscription_start_date=midnight_utc(c.term_start),
        subscription_end_date=midnight_utc(c.term_end),
        charge_start_date=_instant(c.charge_start),
        charge_end_date=_instant(c.charge_end),
        term_and_billing_cycle=values["TermAndBillingCycle"],
        alternate_id=values["AlternateId"],
        reference_id=ctx.reference_id,
        pricing_currency=values["PricingCurrency"],
        pc_to_bc_exchange_rate=Decimal(values["PCToBCExchangeRate"]),
        pc_to_bc_exchange_rate_date=_instant(line.fx.rate_date),
        billable_quantity=c.quantity,
        billing_frequency=values["BillingFrequency"],
        cost=cost,
        margin=margin,
    )
