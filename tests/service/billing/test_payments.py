"""Payments against invoices, balances and delinquency (``billing.payments``; rules.md
§11): exact amounts at the currency's minor unit, one payment per request id, the
invoice's currency only, the seller records, overpayments and credit notes in the
balance, overdue from the day after the due date, and an atomic ``paid_minor``."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.billing import payments
from opencsp.billing.errors import (
    InvalidPaymentAmount,
    InvoiceNotFound,
    PaymentCurrencyMismatch,
    PaymentNotAllowed,
    PaymentOnCreditNote,
    PaymentRequestReused,
)
from opencsp.billing.models import Invoice, Payment
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.db import build_engine, new_session
from opencsp.core.errors import DomainError, InvalidInput
from opencsp.core.money import Currency, UnknownCurrency
from opencsp.core.uow import unit_of_work
from tests.factories import Member, member, system
from tests.factories import billing as bf
from tests.factories.commerce import Scene, scene, subscription

MAY = date(2026, 5, 1)  # invoiced 2026-06-01, due 2026-07-31 (net 60)
DUE = date(2026, 7, 31)
RECEIVED = date(2026, 6, 15)


@pytest.fixture()
def s(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def operator(session: Session) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))


def invoice_of(session: Session, s: Scene, *, each: str = "10.00", seats: int = 3) -> Invoice:
    """The vendor's May invoice to the direct-bill partner: ``each`` × ``seats``."""
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=seats)
    bf.charge(session, sub, MAY, each=each)
    (doc,) = [d for d in bf.issue(session, MAY) if d.bill_to_organization_id == s.direct.org.id]
    return doc


def pay(session: Session, who: Member, doc: Invoice, amount: str, **kw: object) -> Payment:
    args: dict[str, object] = {"currency": doc.currency, "received_on": RECEIVED, "reference": "r"}
    args.update(kw)
    return payments.record_payment(
        session,
        who.actor,
        doc.id,
        Decimal(amount),
        str(args["currency"]),
        args["received_on"],  # type: ignore[arg-type]
        str(args["reference"]),
        request_id=args.get("request_id"),  # type: ignore[arg-type]
    )


# --- the amount: exact at the currency's minor unit -------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0.01", "USD", 1),
        ("10", "USD", 1000),
        ("10.50", "USD", 1050),
        ("100", "KRW", 100),
        ("100", "JPY", 100),
        ("1.234", "KWD", 1234),
    ],
)
def test_a_payment_in_whole_minor_units_is_taken_exactly(amount, currency, minor):
    assert payments.payment_minor(Decimal(amount), Currency(currency)) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("0", "USD"),
        ("-0.01", "USD"),
        ("0.001", "USD"),
        ("10.005", "USD"),
        ("100.5", "KRW"),
        ("0.5", "JPY"),
        ("1.2345", "KWD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
    ],
)
def test_zero_negative_or_sub_minor_amounts_are_refused(amount, currency):
    with pytest.raises(InvalidPaymentAmount) as exc:
        payments.payment_minor(Decimal(amount), Currency(currency))
    assert exc.value.code == "InvalidPaymentAmount"


def test_a_payment_raises_paid_and_is_audited(session, s, operator):
    doc = invoice_of(session, s)
    p = pay(session, operator, doc, "10.00")
    assert (p.invoice_id, p.amount_minor, p.currency, p.received_on) == (
        doc.id,
        1000,
        "USD",
        RECEIVED,
    )
    pay(session, operator, doc, "5.25", received_on=RECEIVED + timedelta(days=1))
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 1525
    audits = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "record_payment")
    ).all()
    assert len(audits) == 2 and {a.partner_id for a in audits} == {s.direct.org.id}
    assert [p.amount_minor for p in payments.list_payments(session, operator.actor, doc.id)] == [
        1000,
        525,
    ]


def test_the_same_request_id_twice_records_one_payment(session, s, operator):
    doc = invoice_of(session, s)
    first = pay(session, operator, doc, "10.00", request_id="req-1")
    again = pay(session, operator, doc, "10.00", request_id="req-1")
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Payment)) == 1
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 1000
    with pytest.raises(PaymentRequestReused) as exc:
        pay(session, operator, doc, "11.00", request_id="req-1")
    assert exc.value.code == "PaymentRequestReused" and exc.value.status == 409
    other = pay(session, operator, doc, "10.00", request_id="req-2")
    assert other.id != first.id


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"currency": "EUR"}, PaymentCurrencyMismatch, "PaymentCurrencyMismatch"),
        ({"currency": "XYZ"}, UnknownCurrency, "UnknownCurrency"),
        ({"reference": "  "}, InvalidInput, 800002),
        ({"reference": "x" * 129}, InvalidInput, 800002),
        ({"received_on": date(2026, 11, 22)}, InvalidInput, 800002),  # tomorrow (NOW 11-21)
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(session, s, operator, kw, error, code):
    doc = invoice_of(session, s)
    with pytest.raises(error) as exc:
        pay(session, operator, doc, "10.00", **kw)
    assert exc.value.code == code
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 0


def test_received_today_is_accepted(session, s, operator):
    doc = invoice_of(session, s)
    assert pay(session, operator, doc, "1.00", received_on=clock.now().date()).amount_minor == 100


def test_who_may_record(session, s, operator):
    doc = invoice_of(session, s)
    # the partner billed sees its invoice but does not record payments on it (403)
    with pytest.raises(PaymentNotAllowed) as denied:
        pay(session, s.direct, doc, "1.00")
    assert (denied.value.status, denied.value.code) == (403, 900150)
    # another partner does not see it at all (404)
    with pytest.raises(InvoiceNotFound):
        pay(session, s.provider, doc, "1.00")
    with pytest.raises(InvoiceNotFound):
        payments.list_payments(session, s.provider.actor, doc.id)
    # a vendor user without the Billing operator role sees it but may not record
    admin = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    with pytest.raises(PaymentNotAllowed):
        pay(session, admin, doc, "1.00")
    # the operator at the machine (CLI) records
    payments.record_payment(
        session, system(session), doc.id, Decimal("1.00"), "USD", RECEIVED, "cli"
    )


def test_a_partner_records_payments_on_its_own_downstream_invoice(session, s):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=2)
    bf.charge(session, sub, MAY, each="15.00", tier="partner", seller=s.direct.org.id,
              bill_to_customer=True)  # fmt: skip
    (doc,) = bf.issue(session, MAY)
    assert doc.seller_key == str(s.direct.org.id)
    assert pay(session, s.direct, doc, "30.00").amount_minor == 3000
    # the vendor's operator is not its seller and does not see it
    operator = member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    with pytest.raises(InvoiceNotFound):
        pay(session, operator, doc, "1.00")
    # the direct partner's customer delinquency is the partner's to read
    (found,) = payments.balances(session, today=DUE, seller_key=str(s.direct.org.id))
    assert found.bill_to_key == str(s.direct_customer.id) and found.balance_minor == 0


def test_credit_notes_take_no_payment_and_reduce_the_balance(session, s, operator):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=3)
    bf.charge(session, sub, MAY, each="10.00")
    bf.charge(session, sub, MAY, each="-2.00", document_type="credit_note")
    docs = {d.document_type: d for d in bf.issue(session, MAY)}
    with pytest.raises(PaymentOnCreditNote) as exc:
        pay(session, operator, docs["credit_note"], "1.00")
    assert exc.value.code == "PaymentOnCreditNote"
    (b,) = payments.balances(session, today=DUE, bill_to_keys=[str(s.direct.org.id)])
    assert (b.balance_minor, b.unpaid_minor, b.credit_notes_minor) == (3000 - 600, 3000, -600)


def test_an_overpayment_is_recorded_and_shown_in_the_balance(session, s, operator):
    doc = invoice_of(session, s)  # 30.00
    pay(session, operator, doc, "45.00")
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 4500
    (b,) = payments.own_balances(session, s.direct.actor, today=DUE)
    assert (b.balance_minor, b.unpaid_minor, b.overpaid_minor) == (-1500, 0, 1500)
    assert not b.is_delinquent


# --- delinquency: overdue from the day after the due date -------------------------------


@pytest.mark.parametrize(
    ("today", "paid", "credit", "overdue"),
    [
        (DUE - timedelta(days=1), "0", None, 0),
        (DUE, "0", None, 0),  # on the due date it is not late yet
        (DUE + timedelta(days=1), "0", None, 3000),
        (DUE + timedelta(days=1), "29.99", None, 1),
        (DUE + timedelta(days=1), "30.00", None, 0),
        (DUE + timedelta(days=1), "0", "-5.00", 2500),  # a credit note is applied first
        (DUE + timedelta(days=1), "0", "-40.00", 0),  # credits cover it all
    ],
)
def test_overdue_after_the_due_date(session, s, operator, today, paid, credit, overdue):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=3)
    bf.charge(session, sub, MAY, each="10.00")
    if credit:
        bf.charge(session, sub, MAY, each=credit, quantity=1, document_type="credit_note")
    docs = {d.document_type: d for d in bf.issue(session, MAY)}
    assert docs["invoice"].due_date == DUE
    if paid != "0":
        pay(session, operator, docs["invoice"], paid)
    (b,) = payments.balances(session, today=today, seller_key="vendor")
    assert b.overdue_minor == overdue
    assert b.is_delinquent is (overdue > 0)
    with clock.frozen(clock.now().replace(year=today.year, month=today.month, day=today.day)):
        late = payments.delinquencies(session, operator.actor, now=clock.now())
    assert [(d.name, d.organization_id) for d in late] == (
        [(s.direct.org.name, s.direct.org.id)] if overdue else []
    )


@pytest.mark.parametrize(
    ("gross", "balance", "overdue"),
    [(0, 0, 0), (100, 100, 100), (100, 250, 100), (100, 40, 40), (100, 0, 0), (100, -50, 0)],
)
def test_overdue_is_net_of_credits(gross, balance, overdue):
    assert payments.overdue_amount(gross, balance) == overdue


def test_delinquencies_are_the_sellers_own(session, s, operator):
    doc = invoice_of(session, s)
    late = DUE + timedelta(days=1)
    with clock.frozen(clock.now().replace(year=late.year, month=late.month, day=late.day)):
        now = clock.now()
        assert [d.balance.bill_to_key for d in payments.delinquencies(session, operator.actor,
                now=now)] == [str(s.direct.org.id)]  # fmt: skip
        # a partner's own list holds its downstream bill-tos, not its vendor invoice
        assert payments.delinquencies(session, s.direct.actor, now=now) == []
    assert doc.paid_minor == 0


# --- concurrency: paid_minor is added to in the database --------------------------------

WORKERS = 4


def at_once(work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(WORKERS)
    results: list[object] = [None] * WORKERS

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _committed_invoice(live_database: str) -> tuple[str, uuid.UUID]:
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as session:
        world = scene(session)
        doc = invoice_of(session, world, each="100.00", seats=1)
        doc_id = doc.id
        system(session)
    engine.dispose()
    return doc_id, world.direct.org.id


def test_concurrent_payments_all_count(live_database):
    doc_id, _org = _committed_invoice(live_database)
    engine = build_engine(live_database)

    def record(i: int) -> str:
        with unit_of_work(bind=engine) as session:
            p = payments.record_payment(
                session, system(session), doc_id, Decimal("1.25"), "USD",
                clock.now().date(), f"wire {i}", request_id=f"pay-{i}",
            )  # fmt: skip
            return str(p.id)

    results = at_once(record)
    assert all(isinstance(r, str) for r in results), results
    with new_session(engine) as session:
        assert session.get(Invoice, doc_id).paid_minor == 125 * WORKERS
        assert session.scalar(select(func.count()).select_from(Payment)) == WORKERS
    engine.dispose()


def test_concurrent_retries_of_one_request_record_one_payment(live_database):
    doc_id, _org = _committed_invoice(live_database)
    engine = build_engine(live_database)

    def record(_i: int) -> str:
        with unit_of_work(bind=engine) as session:
            p = payments.record_payment(
                session, system(session), doc_id, Decimal("7.00"), "USD",
                clock.now().date(), "wire", request_id="the-same",
            )  # fmt: skip
            return str(p.id)

    results = at_once(record)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 1
    with new_session(engine) as session:
        assert session.get(Invoice, doc_id).paid_minor == 700
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
    engine.dispose()
