"""The reconciliation file of an invoice or of the open period, streamed (issue 6;
file-formats.md §8c, PC:modern-invoice-reconciliation-file.md).

A stored ``charges`` row becomes the rules' ``ChargeLine`` with its ``Conversion`` (the
rate and date it was billed at) and a ``ReconContext`` of the parties and the offer, and
``recon.row`` writes it: the columns in ``recon.HEADER`` order and the seat-based
``Subtotal = ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, minor) ×
BillableQuantity``. The same ``ReconLine`` feeds the API's ``OneTimeInvoiceLineItem``
(``schemas.line_item``), so the file and the API never disagree.

The file is a generator of CSV text: the header, then one chunk per keyset page of 2,000
lines, each page's names and parties read in one query per table
(``queries.line_facts``). Memory holds one page, whatever the invoice's size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from opencsp.billing import queries, recon
from opencsp.billing.invoices import Conversion
from opencsp.billing.lines import ChargeLine, ChargeType
from opencsp.billing.models import Charge, Invoice
from opencsp.core.money import Money

ADD_ON, TRIAL = "Add-on", "Trial"
"""``ProductQualifiers`` as the file spells them (file-formats.md §8c: ``["Add-on"]``,
``["Trial"]``); the API writes ``AddOn`` (sample ``invoices-lineitems-onetime-billing-
next``)."""


@dataclass(frozen=True, slots=True)
class ReconLine:
    """One charge as the file and the API show it."""

    charge: Charge
    line: ChargeLine
    fx: Conversion
    context: recon.ReconContext
    ordered_at: datetime

    @property
    def row(self) -> tuple[str, ...]:
        return recon.row(self.line, self.context, self.fx)


def charge_line(c: Charge) -> ChargeLine:
    """The rules' line of a stored charge: prices back from minor units in the pricing
    currency, exactly (``Money.from_minor``)."""
    return ChargeLine(
        key=c.key,
        charge_type=ChargeType(c.charge_type),
        accrued_at=c.accrued_at,
        period=c.period,
        charge_start=c.charge_start,
        charge_end=c.charge_end,
        quantity=c.quantity,
        unit_price=c.unit_price,
        effective_unit_price=Money.from_minor(c.each_minor, c.pricing_currency).amount,
        amount=Money.from_minor(c.amount_minor, c.pricing_currency).amount,
        currency=c.pricing_currency,
        subscription_id=c.subscription_id,
        order_id=c.order_id,
        order_line_number=c.order_line_number,
        event_sequence=c.event_sequence,
        term_number=c.term_number,
        cycle_number=c.cycle_number,
        term_start=c.term_start,
        term_end=c.term_end,
        term_duration=c.term_duration or None,
        billing_plan=c.billing_plan or None,
        offsets_period=c.offsets_period,
        offsets_key=c.offsets_key,
    )


def conversion(c: Charge) -> Conversion:
    """The rate and date the line was billed at, as recorded on it (rules.md §11)."""
    return Conversion(c.pricing_currency, c.currency, c.fx_rate, c.fx_date)


def recon_lines(
    session: Session, charges: Sequence[Charge], *, numbered: bool = True
) -> list[ReconLine]:
    """The page's lines with their parties and names (one query per table for the page).
    ``numbered``: look up the document number of each line (none for unbilled lines)."""
    if not charges:
        return []
    facts = queries.line_facts(session, charges)
    numbers = queries.document_numbers(session, charges) if numbered else {}
    return [_recon_line(c, facts, numbers.get(queries.doc_key(c), "")) for c in charges]


def _recon_line(c: Charge, facts: queries.LineFacts, number: str) -> ReconLine:
    partner = c.bill_to_organization_id or c.seller_organization_id
    customer = facts.customers.get(c.customer_id) if c.customer_id else None
    sub = facts.subscriptions.get(c.subscription_id) if c.subscription_id else None
    product_title, publisher = facts.products.get(c.product_id, ("", ""))
    qualifiers = []
    if (c.product_id, c.sku_id) in facts.addons:
        qualifiers.append(ADD_ON)
    if sub is not None and sub.is_trial:
        qualifiers.append(TRIAL)
    ordered_at = sub.created_at if sub is not None else c.accrued_at
    mpn = facts.mpn_ids.get(partner) if partner else None
    context = recon.ReconContext(
        partner_id=str(partner or ""),
        customer_id=str(c.customer_id or ""),
        customer_name=customer.company_name if customer else "",
        customer_domain_name=customer.domain if customer else "",
        customer_country=customer.country if customer else "",
        invoice_number=number,
        mpn_id=str(mpn) if mpn is not None else "",
        reseller_mpn_id=c.partner_id_on_record or "",
        order_id=c.order_id or "",
        order_date=ordered_at.date(),
        product_id=c.product_id,
        sku_id=c.sku_id,
        availability_id=c.availability_id,
        sku_name=facts.skus.get((c.product_id, c.sku_id), ""),
        product_name=product_title,
        publisher_name=publisher,
        subscription_description=sub.friendly_name if sub is not None else "",
        reference_id=c.key,
        product_qualifiers=tuple(qualifiers),
    )
    return ReconLine(c, charge_line(c), conversion(c), context, ordered_at)


def midnight_utc(day: date | None) -> datetime | None:
    """A date as the API's ``...T00:00:00Z`` instant."""
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


# --- the file ----------------------------------------------------------------------------


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text: comma separated, quoted where needed, CRLF line ends (RFC 4180,
    as Partner Center's downloads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def invoice_file(session: Session, invoice: Invoice) -> Iterator[str]:
    """The reconciliation file of one document: the header, then a chunk per keyset page
    of ``queries.LINE_PAGE_MAX`` lines, in charge order."""
    yield csv_text([recon.HEADER])
    for page in queries.iter_line_pages(session, invoice):
        yield csv_text(line.row for line in recon_lines(session, page))


def unbilled_file(session: Session, charges: Sequence[Charge]) -> Iterator[str]:
    """The open period's reconciliation file ("Reconciliation-recent activity",
    file-formats.md §8) of lines not on an invoice yet: ``InvoiceNumber`` and
    ``BillingFrequency`` blank."""
    yield csv_text([recon.HEADER])
    size = queries.LINE_PAGE_MAX
    for start in range(0, len(charges), size):
        page = charges[start : start + size]
        yield csv_text(
            unbilled_row(line.row) for line in recon_lines(session, page, numbered=False)
        )


_FREQUENCY = recon.HEADER.index("BillingFrequency")


def unbilled_row(row: tuple[str, ...]) -> tuple[str, ...]:
    """An unbilled row: ``BillingFrequency`` is blank for unbilled rows (file-formats.md
    §8c)."""
    return (*row[:_FREQUENCY], "", *row[_FREQUENCY + 1 :])


def file_name(kind: str, name: str) -> str:
    """``Content-Disposition`` file name, e.g. ``G000000001-reconciliation.csv``."""
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "-_")
    return f"{safe}-{kind}.csv"


# --- API pages -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinesPage:
    """One page of line items and where the next one starts (none: this was the last)."""

    lines: list[ReconLine]
    next_position: int | None


def invoice_lines(session: Session, invoice: Invoice, *, size: int, after: int | None) -> LinesPage:
    """A page of a document's line items after charge id ``after`` (keyset)."""
    page = queries.line_page(session, invoice, size=size, after=after)
    return LinesPage(recon_lines(session, page.charges), page.last_id)


def unbilled_lines(
    session: Session, charges: Sequence[Charge], *, size: int, offset: int
) -> LinesPage:
    """A page of the open period's lines (``queries.unbilled_lines``) from ``offset``."""
    page = charges[offset : offset + size]
    following = offset + len(page)
    return LinesPage(
        recon_lines(session, page, numbered=False),
        following if following < len(charges) else None,
    )
