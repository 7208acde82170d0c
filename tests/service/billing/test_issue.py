"""Issuing a period's documents from its charges (``billing.issue``)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import issue
from opencsp.billing.models import Invoice, InvoiceSequence
from tests.factories import billing
from tests.factories.commerce import scene, subscription

MAY = date(2026, 5, 1)


def test_one_invoice_per_bill_to_and_currency_numbered_without_gaps(session: Session) -> None:
    s = scene(session)
    a = subscription(session, s.direct_customer, s.direct, s.offer, quantity=3)
    b = subscription(session, s.indirect_customer, s.provider, s.offer, quantity=2)
    billing.charge(session, a, MAY, each="10.01")
    billing.charge(session, a, MAY, each="-2.50", quantity=1, charge_type="removeQuantity")
    billing.charge(session, b, MAY, each="10.00")
    billing.charge(session, b, MAY, each="-1.00", document_type="credit_note")
    docs = billing.issue(session, MAY)
    by_key = {(d.bill_to_organization_id, d.document_type): d for d in docs}
    direct = by_key[(s.direct.org.id, "invoice")]
    assert (direct.total_minor, direct.line_count) == (3003 - 250, 2)
    assert by_key[(s.provider.org.id, "invoice")].total_minor == 2000
    assert by_key[(s.provider.org.id, "credit_note")].total_minor == -200
    assert sorted(d.sequence for d in docs) == [1, 2, 3]
    assert all(d.id == f"G{d.sequence:09d}" for d in docs)
    assert all((d.invoice_date, d.due_date) == (date(2026, 6, 1), date(2026, 7, 31)) for d in docs)
    assert billing.issue(session, MAY) == []  # a re-run issues nothing more
    assert session.scalar(select(InvoiceSequence.last)) == 3
    billing.charge(session, a, date(2026, 6, 1), each="10.01")
    (june,) = billing.issue(session, date(2026, 6, 1))
    assert june.sequence == 4
    assert len(session.scalars(select(Invoice)).all()) == 4


@pytest.mark.parametrize("in_list_max", [1000, 0], ids=["in-list", "table-pass"])
def test_each_document_reads_in_its_bill_to_language(
    session: Session, monkeypatch: pytest.MonkeyPatch, in_list_max: int
) -> None:
    """A partner's documents are Korean in Korea, English elsewhere; a customer's follow
    its billing language. Few bill-tos are looked up by ``IN``; many by one pass."""
    monkeypatch.setattr(issue, "IN_LIST_MAX", in_list_max)
    s = scene(session)
    s.direct.org.country = "KR"
    s.direct_customer.billing_language = "ko-KR"
    s.indirect_customer.billing_language = "en-GB"
    a = subscription(session, s.direct_customer, s.direct, s.offer, quantity=1)
    b = subscription(session, s.indirect_customer, s.provider, s.offer, quantity=1)
    billing.charge(session, a, MAY, each="10.00")
    billing.charge(session, b, MAY, each="10.00")
    for sub, seller in ((a, s.direct.org.id), (b, s.provider.org.id)):
        billing.charge(
            session, sub, MAY, each="12.00", tier="partner", seller=seller, bill_to_customer=True
        )
    session.flush()
    docs = billing.issue(session, MAY)
    by_bill_to = {d.bill_to_customer_id or d.bill_to_organization_id: d.locale for d in docs}
    assert by_bill_to == {
        s.direct.org.id: "ko-KR",
        s.provider.org.id: "en-US",
        s.direct_customer.id: "ko-KR",
        s.indirect_customer.id: "en-GB",
    }
