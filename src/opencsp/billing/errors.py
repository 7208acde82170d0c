"""Errors of billing. No Partner Center code is documented for these; each has a stable
opencsp name (``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput
from opencsp.core.errors import NotFound as _NotFound
from opencsp.core.errors import PermissionDenied as _PermissionDenied


class PeriodClosed(Conflict):
    """A bill run for a month that is already closed: its charges went to the next open
    period instead (``charges.period_for``)."""

    code: ClassVar[int | str] = "BillingPeriodClosed"
    description = "The billing period {period} is closed; the first open period is {open}"


class InvalidInvoiceNumber(InvalidInput):
    code: ClassVar[int | str] = "InvalidInvoiceNumber"
    description = "Invalid invoice number {number}: {reason}"


class InvoiceSequenceGap(Conflict):
    """Invoice numbers of a vendor run without gaps; a gap or a repeat is refused."""

    code: ClassVar[int | str] = "InvoiceSequenceGap"
    description = "Invoice sequence numbers must follow {after} with {expected}, not {found}"


class CreditExceedsInvoice(InvalidInput):
    """A credit note can't give back more than the invoice it credits still holds."""

    code: ClassVar[int | str] = "CreditExceedsInvoice"
    description = "A credit of {credit} exceeds the {available} left on invoice {invoice}"


class PeriodNotEnded(Conflict):
    """A month is billed once it has ended (rules.md §9b: the billing period is a full
    calendar month)."""

    code: ClassVar[int | str] = "BillingPeriodNotEnded"
    description = "The billing period {period} has not ended yet"


class PeriodOutOfOrder(InvalidInput):
    """Months are billed in order, each after the one before is closed."""

    code: ClassVar[int | str] = "BillingPeriodOutOfOrder"
    description = "Bill {expected} before {period}"


# --- downstream price rules and statements (task D) --------------------------------------


class InvalidPriceRule(InvalidInput):
    """A price rule outside its bounds or scope (``price_rules.ensure_rule``)."""

    code: ClassVar[int | str] = "InvalidPriceRule"
    description = "Invalid price rule: {reason}"


class PriceRuleNotFound(_NotFound):
    """No rule of the caller's with that scope (or one it may not see)."""

    code: ClassVar[int | str] = "PriceRuleNotFound"
    description = "No price rule for buyer {buyer}, product {product}, SKU {sku}"


class NotADownstreamSeller(_PermissionDenied):
    """Only a provider (to its resellers) or a direct-bill partner or reseller (to its
    customers) bills anyone downstream; the vendor prices through its price lists."""

    code: ClassVar[int | str] = "NotADownstreamSeller"
    description = "Only partners who bill resellers or customers set downstream prices"


class UnknownBuyer(InvalidInput):
    """A rule's buyer must be one of the seller's resellers or customers, or ``*``."""

    code: ClassVar[int | str] = "UnknownBuyer"
    description = "{buyer} is not one of your resellers or customers"


class StatementFontMissing(Conflict):
    """No font with Hangul to draw a statement with (the ``statement_font`` setting, or
    Debian's fonts-noto-cjk)."""

    code: ClassVar[int | str] = "StatementFontMissing"
    description = "No CJK font for invoice statements; install fonts-noto-cjk or set {setting}"


# --- invoices through the API (task A) ---------------------------------------------------


class InvoiceNotFound(_NotFound):
    """An invoice or credit note the caller may not see answers as one that does not exist
    (DESIGN.md §5: 404, never 403)."""

    code: ClassVar[int | str] = "InvoiceNotFound"
    description = "Invoice {invoice_id} was not found"


class UnsupportedLineItems(InvalidInput):
    """opencsp keeps every line in the NCE vocabulary: only ``provider=onetime`` with
    ``invoicelineitemtype=billinglineitems`` exists (api-surface.md, Invoices)."""

    code: ClassVar[int | str] = "UnsupportedInvoiceLineItems"
    description = (
        "Line items of provider {provider} and type {line_type} are not available; "
        "use provider=onetime and invoicelineitemtype=billinglineitems"
    )


class InvalidUnbilledPeriod(InvalidInput):
    code: ClassVar[int | str] = "InvalidBillingPeriod"
    description = "period must be current or previous, not {period}"


class InvalidSeekOperation(InvalidInput):
    code: ClassVar[int | str] = "InvalidSeekOperation"
    description = (
        "seekOperation must be Next, with the MS-ContinuationToken header of the last page"
    )


# --- payments, balances and the credit limit (task B) ------------------------------------


class PaymentCurrencyMismatch(InvalidInput):
    """A payment is recorded in the currency of the invoice it pays."""

    code: ClassVar[int | str] = "PaymentCurrencyMismatch"
    description = "Invoice {invoice} is billed in {expected}; a payment in {currency} can't pay it"


class InvalidPaymentAmount(InvalidInput):
    """A payment is a positive amount in whole minor units of its currency (KRW and JPY
    have none, USD cents, KWD fils)."""

    code: ClassVar[int | str] = "InvalidPaymentAmount"
    description = (
        "A payment must be more than zero with at most {places} decimal places in "
        "{currency}, not {amount}"
    )


class PaymentOnCreditNote(InvalidInput):
    """A credit note reduces what the partner owes; nothing is paid against it."""

    code: ClassVar[int | str] = "PaymentOnCreditNote"
    description = "{invoice} is a credit note; record payments against invoices"


class PaymentNotAllowed(_PermissionDenied):
    """Payments are recorded by the seller of the document: the vendor's Billing
    operator for the vendor's invoices, a partner for its own downstream invoices."""

    description = "Only the seller of invoice {invoice} records payments against it"


class PaymentRequestReused(Conflict):
    """A request id names one payment; reusing it for another payment is refused."""

    code: ClassVar[int | str] = "PaymentRequestReused"
    description = "Request id {request_id} already recorded payment {payment} of another amount"


class InvalidCreditLimit(InvalidInput):
    """A credit limit is zero or more US dollars, in whole cents (rules.md §11)."""

    code: ClassVar[int | str] = "InvalidCreditLimit"
    description = "A credit limit is zero or more US dollars in whole cents, not {amount}"


class CreditLimitNotApplicable(InvalidInput):
    """Only the partners who buy from the vendor — direct-bill partners and indirect
    providers (rules.md §1.3) — have a credit limit."""

    code: ClassVar[int | str] = "CreditLimitNotApplicable"
    description = "{organization} is not a direct-bill partner or an indirect provider"


class CreditLimitNotFound(_NotFound):
    code: ClassVar[int | str] = "CreditLimitNotFound"
    description = "No credit limit is set for partner {organization}"


class InsufficientCreditLimit(_PermissionDenied):
    """A new purchase beyond the partner's available credit (rules.md §11,
    PC:credit-limit-enforcement.md; PC:developer/error-codes.md 900121, whose contact is
    the vendor's ``credit_contact`` setting)."""

    code: ClassVar[int | str] = 900121
    description = (
        "Unable to process order due to insufficient credit limit, please contact "
        "{contact} for further assistance"
    )
