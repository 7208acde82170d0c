"""Errors of billing. No Partner Center code is documented for these; each has a stable
opencsp name (``core.errors``)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.errors import Conflict, InvalidInput


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
