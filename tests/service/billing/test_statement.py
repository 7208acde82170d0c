"""The invoice statement PDF (``billing.statement``): a real PDF in the document's
language — English or Korean with Hangul glyphs embedded — with the number, the dates,
the lines by product and the total formatted by Babel for the locale and currency, and
404 for a document the caller may not see."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.billing import statement
from opencsp.billing.errors import InvoiceNotFound, StatementFontMissing
from opencsp.billing.models import Invoice
from opencsp.core.actor import Tier
from opencsp.core.money import Money
from tests.factories import billing, member
from tests.factories.commerce import Scene, subscription
from tests.factories.parties import partner

MAY = date(2026, 5, 1)


def text_of(pdf: bytes) -> str:
    """The PDF's text with whitespace removed. fpdf2 embeds a CFF font with its CMap as
    a stream, which pypdf reads one byte per code (the high byte comes out as NUL); the
    ToUnicode map itself is right, so the NULs are dropped here."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    found = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return re.sub(r"\s+", "", found)


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def invoice_of(session: Session, sc: Scene, *, locale: str, each: str = "1234.56") -> Invoice:
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=3)
    billing.charge(session, sub, MAY, each=each)
    billing.charge(session, sub, MAY, each="-100.00", quantity=1, charge_type="removeQuantity")
    (doc,) = billing.issue(session, MAY)
    doc.locale = locale
    session.flush()
    return doc


@pytest.mark.parametrize(
    ("locale", "words", "total"),
    [
        ("en-US", ["Invoice", "Total", "Subtotal", "net60days", "cycleCharge"], "$3,603.68"),
        ("ko-KR", ["청구서", "합계", "소계", "지급조건", "주기요금", "60일"], "US$3,603.68"),
    ],
)
def test_the_statement_is_a_pdf_in_the_invoice_language(
    session: Session, sc: Scene, locale: str, words: list[str], total: str
) -> None:
    doc = invoice_of(session, sc, locale=locale)
    assert Money.from_minor(doc.total_minor, "USD").format(locale) == total
    number, pdf = statement.statement_pdf(session, sc.direct.actor, doc.id)
    assert number == doc.id
    found = text_of(pdf)
    assert doc.id in found
    assert squeeze(total) in found
    assert sc.offer.sku.title.replace(" ", "") in found
    for word in words:
        assert word in found, word


def test_korean_glyphs_come_from_an_embedded_font(session: Session, sc: Scene) -> None:
    doc = invoice_of(session, sc, locale="ko-KR")
    _, pdf = statement.statement_pdf(session, sc.direct.actor, doc.id)
    assert b"FontFile" in pdf  # embedded, not a reference to a font the reader may lack
    assert "청구서" in text_of(pdf)


def test_the_same_document_renders_the_same_bytes(session: Session, sc: Scene) -> None:
    doc = invoice_of(session, sc, locale="en-US")
    first = statement.statement_pdf(session, sc.direct.actor, doc.id)[1]
    assert statement.statement_pdf(session, sc.direct.actor, doc.id)[1] == first


def test_a_stranger_gets_not_found(session: Session, sc: Scene) -> None:
    doc = invoice_of(session, sc, locale="en-US")
    stranger = partner(session, Tier.DIRECT_BILL)
    with pytest.raises(InvoiceNotFound) as caught:
        statement.statement_pdf(session, stranger.actor, doc.id)
    assert caught.value.status == 404
    operator = member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    assert statement.statement_pdf(session, operator.actor, doc.id)[0] == doc.id


@pytest.mark.parametrize(
    ("currency", "locale", "minor", "shown"),
    [
        ("KRW", "ko-KR", 1234567, "₩1,234,567"),
        ("KRW", "en-US", 1234567, "₩1,234,567"),
        ("USD", "en-US", -123, "-$1.23"),
        ("JPY", "ko-KR", 1000, "JP¥1,000"),
        ("EUR", "en-US", 100050, "€1,000.50"),
    ],
)
def test_amounts_are_formatted_for_the_locale(
    currency: str, locale: str, minor: int, shown: str
) -> None:
    assert statement._money(minor, currency, locale) == shown


def test_a_missing_font_is_a_clear_error(configure, tmp_path) -> None:  # type: ignore[no-untyped-def]
    configure(statement_font=tmp_path / "none.ttf")
    with pytest.raises(StatementFontMissing) as caught:
        statement.font()
    assert "fonts-noto-cjk" in caught.value.message
