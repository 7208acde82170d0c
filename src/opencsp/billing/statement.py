"""The invoice statement: an invoice or credit note as a PDF
(``GET /v1/invoices/{id}/documents/statement``, PC:developer/get-invoice-statement.md),
in the document's language (``Invoice.locale``: en-US or ko-KR) with its amounts
formatted for that locale and currency by Babel (``Money.format``).

It shows the seller, the bill-to, the number, the invoice and due dates, the period and
the currency; the lines grouped by product and SKU (charge type, seats, the span charged
and the amount, summed per charge type and span by one ``GROUP BY``); the subtotal, tax
(0: prices are tax-exclusive and opencsp computes no tax, rules.md §11) and total (the
document's ``total_minor``, the sum of its rounded lines, DESIGN.md §4); and the payment
terms, net 60 from the invoice date (rules.md §11).

Korean needs a font with Hangul, embedded (subset) in the file: the ``statement_font``
setting, else the first of Debian's fonts-noto-cjk, fonts-nanum or fonts-unfonts-core
found. Text comes from the small table ``LABELS`` below (billing sits under the console
and cannot use its catalog)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_skeleton
from fontTools.ttLib import TTCollection
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing import queries
from opencsp.billing.errors import StatementFontMissing
from opencsp.billing.invoices import PAYMENT_TERMS_DAYS, DocumentType
from opencsp.billing.models import VENDOR, Invoice
from opencsp.catalog.models import Product, Sku
from opencsp.core.actor import Actor, Tier
from opencsp.core.config import settings
from opencsp.core.money import Money
from opencsp.customers.models import Customer

FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    Path("/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf"),
)
KOREAN = "ko-KR"

LABELS: dict[str, dict[str, str]] = {
    "invoice": {"en": "Invoice", "ko": "청구서"},
    "credit_note": {"en": "Credit note", "ko": "대변 전표"},
    "number": {"en": "Number", "ko": "번호"},
    "seller": {"en": "From", "ko": "발행자"},
    "bill_to": {"en": "Bill to", "ko": "청구 대상"},
    "invoice_date": {"en": "Invoice date", "ko": "청구일"},
    "due_date": {"en": "Due date", "ko": "지급 기한"},
    "period": {"en": "Billing period", "ko": "청구 기간"},
    "currency": {"en": "Currency", "ko": "통화"},
    "product": {"en": "Product", "ko": "제품"},
    "charge_type": {"en": "Charge type", "ko": "청구 유형"},
    "quantity": {"en": "Quantity", "ko": "수량"},
    "span": {"en": "Charge period", "ko": "청구 대상 기간"},
    "amount": {"en": "Amount", "ko": "금액"},
    "subtotal": {"en": "Subtotal", "ko": "소계"},
    "tax": {"en": "Tax", "ko": "세금"},
    "total": {"en": "Total", "ko": "합계"},
    "terms": {
        "en": "Payment terms: net {days} days from the invoice date. Prices exclude tax.",
        "ko": "지급 조건: 청구일로부터 {days}일 이내. 가격은 세금 별도입니다.",
    },
    "no_lines": {"en": "No lines.", "ko": "항목이 없습니다."},
}
CHARGE_TYPES: dict[str, str] = {
    "new": "신규",
    "renew": "갱신",
    "cycleCharge": "주기 요금",
    "addQuantity": "수량 추가",
    "removeQuantity": "수량 감소",
    "moveQuantity": "수량 이동",
    "cancelImmediate": "즉시 취소",
    "convert": "전환",
    "changeBillingPlan": "청구 계획 변경",
    "customerCredit": "고객 크레딧",
    "extendTerm": "기간 연장",
}


def text(key: str, locale: str) -> str:
    return LABELS[key]["ko" if locale == KOREAN else "en"]


def charge_type_label(charge_type: str, locale: str) -> str:
    """A recon ``ChargeType`` (file-formats.md §8e) as the reader says it."""
    return CHARGE_TYPES.get(charge_type, charge_type) if locale == KOREAN else charge_type


# --- what the statement shows ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    product: str
    charge_type: str
    quantity: int
    start: date
    end: date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Statement:
    invoice: Invoice
    seller: str
    bill_to: str
    rows: list[Row]


def party_name(session: Session, org_id: uuid.UUID | None, customer_id: uuid.UUID | None) -> str:
    if org_id is not None:
        return session.scalar(select(Organization.name).where(Organization.id == org_id)) or ""
    if customer_id is not None:
        return session.scalar(select(Customer.company_name).where(Customer.id == customer_id)) or ""
    return ""


def vendor_name(session: Session) -> str:
    found = session.scalar(
        select(Organization.name).where(Organization.tier == Tier.VENDOR.value).limit(1)
    )
    return found or "opencsp"


def statement_rows(session: Session, invoice: Invoice) -> list[Row]:
    """The document's lines summed per product, SKU, charge type and span, one query."""
    lines = queries.document_lines(invoice).subquery()
    rows = session.execute(
        select(
            lines.c.product_id,
            lines.c.sku_id,
            func.max(Product.title),
            func.max(Sku.title),
            lines.c.charge_type,
            lines.c.charge_start,
            lines.c.charge_end,
            func.sum(lines.c.quantity),
            func.sum(lines.c.billed_amount_minor),
        )
        .select_from(lines)
        .outerjoin(Product, Product.id == lines.c.product_id)
        .outerjoin(Sku, (Sku.product_id == lines.c.product_id) & (Sku.id == lines.c.sku_id))
        .group_by(
            lines.c.product_id,
            lines.c.sku_id,
            lines.c.charge_type,
            lines.c.charge_start,
            lines.c.charge_end,
        )
        .order_by(lines.c.product_id, lines.c.sku_id, lines.c.charge_start, lines.c.charge_type)
    ).all()
    return [
        Row(
            product=f"{product_title or product} — {sku_title or sku}",
            charge_type=charge_type,
            quantity=int(quantity),
            start=start,
            end=end,
            amount_minor=int(amount),
        )
        for (
            product,
            sku,
            product_title,
            sku_title,
            charge_type,
            start,
            end,
            quantity,
            amount,
        ) in rows
    ]


def statement_for(session: Session, actor: Actor, invoice_id: str) -> Statement:
    """The statement of a document the actor may see (``queries.get_invoice``: 404
    otherwise, as the invoice itself)."""
    invoice = queries.get_invoice(session, actor, invoice_id)
    seller = (
        vendor_name(session)
        if invoice.seller_key == VENDOR
        else party_name(session, invoice.seller_organization_id, None)
    )
    bill_to = party_name(session, invoice.bill_to_organization_id, invoice.bill_to_customer_id)
    return Statement(invoice, seller, bill_to, statement_rows(session, invoice))


# --- the PDF -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _collection_index(path: Path) -> int:
    """The Korean face of a font collection (``Noto Sans CJK KR``), else its first."""
    collection = TTCollection(str(path), lazy=True)
    for index, font in enumerate(collection.fonts):
        family = str(font["name"].getDebugName(1) or "")
        if family.endswith(" KR") and "Mono" not in family:
            return index
    return 0


def font() -> tuple[Path, int]:
    """The font statements are drawn with, and its index within a collection."""
    chosen = settings().statement_font
    candidates = (chosen,) if chosen is not None else FONT_CANDIDATES
    for path in candidates:
        if path.is_file():
            index = _collection_index(path) if path.suffix.lower() == ".ttc" else 0
            return path, index
    raise StatementFontMissing(setting="OPENCSP_STATEMENT_FONT")


def _date(value: date, locale: str) -> str:
    return str(format_date(value, format="medium", locale=locale.replace("-", "_")))


def _money(minor: int, currency: str, locale: str) -> str:
    return Money.from_minor(minor, currency).format(locale)


WIDTHS = (52.0, 30.0, 18.0, 50.0, 40.0)  # charge type, qty, span, amount within 190 mm


def render(statement: Statement) -> bytes:
    """The statement as PDF bytes (module docstring); the same document renders the same
    bytes (its creation date is the document's)."""
    inv = statement.invoice
    loc = inv.locale if inv.locale == KOREAN else "en-US"
    path, index = font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.combine(inv.invoice_date, time(), tzinfo=UTC))
    pdf.set_lang(loc)
    pdf.set_title(f"{text(inv.document_type, loc)} {inv.id}")
    pdf.add_font("statement", "", str(path), collection_font_number=index)
    pdf.set_font("statement", size=10)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    kind = "credit_note" if inv.document_type == DocumentType.CREDIT_NOTE.value else "invoice"
    pdf.set_font_size(18)
    pdf.cell(0, 10, f"{text(kind, loc)} {inv.id}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    period = str(
        format_skeleton("yMMMM", datetime.combine(inv.period, time()), locale=loc.replace("-", "_"))
    )
    for key, value in (
        ("seller", statement.seller),
        ("bill_to", statement.bill_to),
        ("number", inv.id),
        ("invoice_date", _date(inv.invoice_date, loc)),
        ("due_date", _date(inv.due_date, loc)),
        ("period", period),
        ("currency", inv.currency),
    ):
        pdf.cell(40, 6, text(key, loc))
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _lines(pdf, statement, loc)
    pdf.ln(2)
    for key, minor in (("subtotal", inv.total_minor), ("tax", 0), ("total", inv.total_minor)):
        pdf.cell(sum(WIDTHS[:4]), 7, text(key, loc), align="R")
        pdf.cell(
            WIDTHS[4], 7, _money(minor, inv.currency, loc), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(6)
    pdf.multi_cell(0, 6, text("terms", loc).format(days=PAYMENT_TERMS_DAYS))
    return bytes(pdf.output())


def _lines(pdf: FPDF, statement: Statement, loc: str) -> None:
    """The lines under a heading per product (module docstring)."""
    inv = statement.invoice
    if not statement.rows:
        pdf.cell(0, 6, text("no_lines", loc), new_x="LMARGIN", new_y="NEXT")
        return
    heads = ("charge_type", "quantity", "span", "amount")
    widths = (WIDTHS[0] + WIDTHS[1], WIDTHS[2], WIDTHS[3], WIDTHS[4])
    for head, width in zip(heads, widths, strict=True):
        pdf.cell(width, 7, text(head, loc), border="B", align="R" if head == "amount" else "L")
    pdf.ln()
    product = None
    for row in statement.rows:
        if row.product != product:
            product = row.product
            pdf.cell(0, 7, product, new_x="LMARGIN", new_y="NEXT")
        span = f"{_date(row.start, loc)} – {_date(row.end, loc)}"
        pdf.cell(widths[0], 6, "  " + charge_type_label(row.charge_type, loc))
        pdf.cell(widths[1], 6, str(row.quantity), align="R")
        pdf.cell(widths[2], 6, "  " + span)
        pdf.cell(widths[3], 6, _money(row.amount_minor, inv.currency, loc), align="R")
        pdf.ln()


def statement_pdf(session: Session, actor: Actor, invoice_id: str) -> tuple[str, bytes]:
    """(number, PDF) of a document the actor may see; 404 otherwise."""
    found = statement_for(session, actor, invoice_id)
    return found.invoice.id, render(found)
