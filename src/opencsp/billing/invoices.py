"""Invoice rules of the bill run (rules.md §9b, §11; DESIGN.md §4; issue 6): one
invoice per (bill-to partner, period, currency), lines rounded once each, total = sum of
the rounded lines, invoice and due dates, the gapless number, credit notes for refunds of
issued invoices, and the FX conversion of items priced in another currency. Pure: the
sequence and the rates are read by the caller."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import TypeVar

from opencsp.billing.errors import CreditExceedsInvoice, InvalidInvoiceNumber, InvoiceSequenceGap
from opencsp.billing.lines import ChargeLine, next_month
from opencsp.core.errors import InvalidInput
from opencsp.core.http import WireEnum
from opencsp.core.money import Currency, round_amount

T = TypeVar("T")

PAYMENT_TERMS_DAYS = 60
"""Net 60 from the invoice date (rules.md §11, PC:billing-basics.md)."""

SEQUENCE_DIGITS = 9
"""Invoice numbers are a letter prefix and nine digits, as ``G000024135`` in the
samples (``invoices-get-by-id.response.json``)."""

FX_RATE_PLACES = 12
"""A conversion rate is fixed to 12 decimal places before use, so the rate printed in a
reconciliation file is the rate that priced the line."""


@dataclass(frozen=True, slots=True, order=True)
class InvoiceKey:
    """What one invoice is for: one bill-to partner, one period, one currency (issue 6).
    A partner billed in two currencies (an EU partner buying in two of the six European
    currencies, rules.md §4) gets two invoices."""

    bill_to: uuid.UUID
    period: date
    currency: str

    def __post_init__(self) -> None:
        if self.period.day != 1:
            raise InvalidInput(description="A billing period is named by its first day")
        object.__setattr__(self, "currency", Currency.of(self.currency).code)


def group_by_invoice(items: Iterable[tuple[InvoiceKey, T]]) -> dict[InvoiceKey, list[T]]:
    """Items grouped into their invoices, keys in order, items in arrival order."""
    groups: dict[InvoiceKey, list[T]] = defaultdict(list)
    for key, item in items:
        groups[key].append(item)
    return dict(sorted(groups.items()))


@dataclass(frozen=True, slots=True)
class Totals:
    """An invoice's (or credit note's) rounded lines and their sum."""

    lines: tuple[Decimal, ...]
    total: Decimal
    currency: str


def round_line(amount: Decimal, currency: Currency) -> Decimal:
    """A line's amount rounded once, with the one policy of ``core.money`` (half-up to the
    currency's minor unit: KRW and JPY whole units, USD cents, KWD fils)."""
    return round_amount(amount, currency)


def totals(amounts: Iterable[Decimal], currency: str | Currency) -> Totals:
    """Each line rounded once, the total the sum of the rounded lines (DESIGN.md §4):
    never the rounded sum of exact lines."""
    cur = currency if isinstance(currency, Currency) else Currency.of(currency)
    lines = tuple(round_line(amount, cur) for amount in amounts)
    return Totals(lines, sum(lines, Decimal(0).quantize(cur.quantum)), cur.code)


def invoice_date(period: date) -> date:
    """The invoice date of a period: its close day, the first day after the month, when
    the bill run can first close it (the month's charges are complete at 00:00 UTC of the
    1st; Partner Center has the invoice ready by the 8th, rules.md §9b) [inferred]."""
    if period.day != 1:
        raise InvalidInput(description="A billing period is named by its first day")
    return next_month(period)


def due_date(issued_on: date, *, days: int = PAYMENT_TERMS_DAYS) -> date:
    """Net 60 days from the invoice date (rules.md §11); unpaid after it is delinquent."""
    return issued_on + timedelta(days=days)


def is_overdue(due: date, today: date, *, balance: Decimal) -> bool:
    """Delinquent: something still owed after the due date (rules.md §11)."""
    return balance > 0 and today > due


# --- numbers -----------------------------------------------------------------------------

_PREFIX = re.compile(r"[A-Z]{1,4}")
_NUMBER = re.compile(r"([A-Z]{1,4})(\d{9})")


def format_number(prefix: str, sequence: int) -> str:
    """A vendor's document number: its prefix (1–4 capital letters, the vendor's setting)
    and the sequence in nine digits, ``G000024135``. The sequence counts from 1 per prefix
    and never skips or repeats (``ensure_next``): invoices and credit notes share it, so
    every number issued is accounted for [inferred: gapless numbering is a legal
    requirement in many markets]."""
    if not _PREFIX.fullmatch(prefix):
        raise InvalidInvoiceNumber(number=prefix, reason="the prefix is 1 to 4 capital letters")
    if not 1 <= sequence < 10**SEQUENCE_DIGITS:
        raise InvalidInvoiceNumber(number=str(sequence), reason="the sequence is 1 to 999999999")
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def parse_number(number: str) -> tuple[str, int]:
    """(prefix, sequence) of a number made by ``format_number``."""
    found = _NUMBER.fullmatch(number.strip().upper())
    if not found or int(found.group(2)) == 0:
        raise InvalidInvoiceNumber(number=number, reason="expected a prefix and nine digits")
    return found.group(1), int(found.group(2))


def next_sequence(last: int | None) -> int:
    """The sequence after ``last`` (none issued yet: 1)."""
    return 1 if last is None else last + 1


def ensure_next(last: int | None, found: int) -> None:
    """Refuse a sequence that is not exactly the next one: a gap or a repeat."""
    expected = next_sequence(last)
    if found != expected:
        raise InvoiceSequenceGap(after=last or 0, expected=expected, found=found)


def ensure_gapless(sequences: Sequence[int]) -> None:
    """A vendor's issued sequences, in issue order, run 1, 2, 3, … without gaps."""
    last: int | None = None
    for found in sequences:
        ensure_next(last, found)
        last = found


# --- credit notes ------------------------------------------------------------------------


class DocumentType(WireEnum):
    """``documentType`` of an invoice resource (sample ``invoices-get-by-id``)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


def document_for(line: ChargeLine, period: date) -> DocumentType:
    """Where a line of ``period`` goes. An issued invoice never changes; a credit that
    gives back a charge of an earlier period — whose invoice was issued when that period
    closed — goes on a credit note of ``period`` (issue 6: "credit notes for refunds after
    an invoice is issued"); every other line, credits of this period's own charges
    included, is netted on the period's invoice (file-formats.md §8c: "sum Total and
    deduct credit notes")."""
    if line.is_credit and line.offsets_period is not None and line.offsets_period < period:
        return DocumentType.CREDIT_NOTE
    return DocumentType.INVOICE


def split_documents(
    lines: Iterable[ChargeLine], period: date
) -> dict[DocumentType, list[ChargeLine]]:
    """The period's lines of one bill-to partner and currency, by document."""
    split: dict[DocumentType, list[ChargeLine]] = {kind: [] for kind in DocumentType}
    for line in lines:
        split[document_for(line, period)].append(line)
    return split


def ensure_credit_within(credit: Decimal, available: Decimal, *, invoice: str) -> None:
    """A credit note gives back at most what the credited invoice still holds (its total
    less earlier credit notes against it), so refunds never exceed what was charged."""
    if abs(credit) > available:
        raise CreditExceedsInvoice(credit=abs(credit), available=available, invoice=invoice)


# --- FX ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conversion:
    """Pricing currency to billing currency at one month's rate (``PCToBCExchangeRate``,
    billing units per pricing unit) and the rate's date (``PCToBCExchangeRateDate``)."""

    pricing: str
    billing: str
    rate: Decimal
    rate_date: date

    @property
    def is_identity(self) -> bool:
        return self.pricing == self.billing


def identity(currency: str, month: date) -> Conversion:
    """No conversion: the rate 1, dated the month (samples show rate 1 for local
    prices)."""
    return Conversion(currency, currency, Decimal(1), month)


def conversion(
    pricing: str, billing: str, month: date, *, usd_per_pricing: Decimal, usd_per_billing: Decimal
) -> Conversion:
    """The month's rate from two ``fxrates`` rows (USD value of one unit, file-formats.md
    §6; ``pricing.fx``): billing units per pricing unit = ``usd_per_pricing /
    usd_per_billing``, fixed to 12 places. One rate per month, set before the month and
    used for all of it (rules.md §11); its date is the month's first day, as the samples'
    ``pcToBCExchangeRateDate`` (``invoices-lineitems-onetime-billing-next``)."""
    if usd_per_pricing <= 0 or usd_per_billing <= 0:
        raise InvalidInput(description="An FX rate must be positive")
    if pricing == billing:
        return identity(pricing, month)
    with localcontext() as ctx:
        ctx.prec = 60
        rate = (usd_per_pricing / usd_per_billing).quantize(Decimal(1).scaleb(-FX_RATE_PLACES))
    return Conversion(pricing, billing, rate, month.replace(day=1))


def convert_unit_price(effective_unit_price: Decimal, fx: Conversion) -> Decimal:
    """A per-seat price in the billing currency by the reconciliation file's seat-based
    formula, ``ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, minor)`` (file-formats.md
    §8c): toward zero, the one place billing does not round half-up, because a partner
    checks our file with Partner Center's formula. With no conversion it is the price."""
    billing = Currency.of(fx.billing)
    if fx.is_identity:
        return effective_unit_price
    return (effective_unit_price * fx.rate).quantize(billing.quantum, rounding=ROUND_DOWN)


def billed_amount(line: ChargeLine, fx: Conversion) -> Decimal:
    """A line's amount in the billing currency: the converted per-seat price times the
    seats (file-formats.md §8c ``Subtotal``, seat-based)."""
    if line.currency != fx.pricing:
        raise InvalidInput(description=f"The line is priced in {line.currency}, not {fx.pricing}")
    return convert_unit_price(line.effective_unit_price, fx) * line.quantity
