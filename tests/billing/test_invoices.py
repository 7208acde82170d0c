"""Invoice rules (rules.md §9b, §11; DESIGN.md §4; issue 6): one invoice per bill-to,
period and currency; lines rounded once; total = sum of rounded lines; dates; gapless
numbers; credit notes; FX at the month's rate."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.billing import invoices
from opencsp.billing.errors import CreditExceedsInvoice, InvalidInvoiceNumber, InvoiceSequenceGap
from opencsp.billing.history import history_lines
from opencsp.billing.invoices import DocumentType, InvoiceKey
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, round_amount
from tests.billing.histories import at, event, then

A, B = uuid.UUID(int=1), uuid.UUID(int=2)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_one_invoice_per_bill_to_period_and_currency() -> None:
    items = [
        (InvoiceKey(A, JAN, "usd"), 1), (InvoiceKey(A, JAN, "USD"), 2),
        (InvoiceKey(A, JAN, "EUR"), 3), (InvoiceKey(B, JAN, "USD"), 4),
        (InvoiceKey(A, FEB, "USD"), 5),
    ]  # fmt: skip
    groups = invoices.group_by_invoice(items)
    assert list(groups.values()) == [[3], [1, 2], [5], [4]]
    with pytest.raises(InvalidInput):
        InvoiceKey(A, date(2026, 1, 2), "USD")


@pytest.mark.parametrize(
    ("code", "amounts", "lines", "total"),
    [
        ("USD", ["1.005", "1.004", "-0.005"], ["1.01", "1.00", "-0.01"], "2.00"),
        ("KRW", ["1000.5", "999.4"], ["1001", "999"], "2000"),
        ("JPY", ["0.5", "0.5", "0.5"], ["1", "1", "1"], "3"),  # not round(1.5) = 2
        ("KWD", ["1.0005"], ["1.001"], "1.001"),
        ("USD", [], [], "0.00"),
    ],
)
def test_lines_are_rounded_once_each_and_the_total_is_their_sum(
    code: str, amounts: list[str], lines: list[str], total: str
) -> None:
    found = invoices.totals([Decimal(a) for a in amounts], code)
    assert [str(line) for line in found.lines] == lines
    assert str(found.total) == total


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-(10**6), max_value=10**6, places=6, allow_nan=False), max_size=30
    ),
    st.sampled_from(["USD", "KRW", "JPY", "KWD", "EUR"]),
)
def test_any_invoice_total_is_the_sum_of_its_rounded_lines(
    amounts: list[Decimal], code: str
) -> None:
    currency = Currency(code)
    found = invoices.totals(amounts, currency)
    assert found.lines == tuple(round_amount(a, currency) for a in amounts)
    assert found.total == sum(found.lines, Decimal(0))
    assert found.total == round_amount(found.total, currency)  # no minor units beyond KRW's 0
    assert all(line == round_amount(line, currency) for line in found.lines)


@pytest.mark.parametrize(
    ("period", "issued", "due"),
    [
        (date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 2)),
        (date(2026, 12, 1), date(2027, 1, 1), date(2027, 3, 2)),
        (date(2027, 12, 1), date(2028, 1, 1), date(2028, 3, 1)),  # 2028 is a leap year
        (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 30)),
    ],
)
def test_invoice_date_is_the_close_day_and_payment_is_due_net_60(
    period: date, issued: date, due: date
) -> None:
    assert invoices.invoice_date(period) == issued
    assert invoices.due_date(issued) == due


@pytest.mark.parametrize(
    ("today", "balance", "overdue"),
    [(date(2026, 4, 1), Decimal(1), False), (date(2026, 4, 2), Decimal(1), False),
     (date(2026, 4, 3), Decimal(1), True), (date(2026, 4, 3), Decimal(0), False)],
)  # fmt: skip
def test_an_invoice_is_overdue_only_after_its_due_date_with_a_balance(
    today: date, balance: Decimal, overdue: bool
) -> None:
    assert invoices.is_overdue(date(2026, 4, 2), today, balance=balance) is overdue


@pytest.mark.parametrize(
    ("prefix", "sequence", "number"),
    [("G", 24135, "G000024135"), ("OCSP", 1, "OCSP000000001"), ("G", 999_999_999, "G999999999")],
)
def test_invoice_numbers_are_a_prefix_and_nine_digits(
    prefix: str, sequence: int, number: str
) -> None:
    assert invoices.format_number(prefix, sequence) == number
    assert invoices.parse_number(number.lower()) == (prefix, sequence)


@pytest.mark.parametrize(
    ("prefix", "sequence"), [("g", 1), ("", 1), ("ABCDE", 1), ("G1", 1), ("G", 0), ("G", 10**9)]
)
def test_a_bad_prefix_or_sequence_is_refused(prefix: str, sequence: int) -> None:
    with pytest.raises(InvalidInvoiceNumber) as raised:
        invoices.format_number(prefix, sequence)
    assert raised.value.code == "InvalidInvoiceNumber"


@pytest.mark.parametrize("number", ["G12345", "G0000000000", "G000000000", "1000000001", ""])
def test_a_bad_number_does_not_parse(number: str) -> None:
    with pytest.raises(InvalidInvoiceNumber):
        invoices.parse_number(number)


@pytest.mark.parametrize(
    ("sequences", "ok"),
    [([], True), ([1], True), ([1, 2, 3], True), ([2], False), ([1, 3], False),
     ([1, 2, 2], False), ([1, 2, 1], False)],
)  # fmt: skip
def test_the_sequence_runs_without_gaps_or_repeats(sequences: list[int], ok: bool) -> None:
    if ok:
        invoices.ensure_gapless(sequences)
        return
    with pytest.raises(InvoiceSequenceGap) as raised:
        invoices.ensure_gapless(sequences)
    assert raised.value.code == "InvoiceSequenceGap"


def test_the_next_sequence_follows_the_last() -> None:
    assert invoices.next_sequence(None) == 1
    assert invoices.next_sequence(41) == 42


# --- credit notes -----------------------------------------------------------------------------

NEW = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
            plan="annual", after=2)  # fmt: skip


@pytest.mark.parametrize(
    ("cancelled", "document"),
    [(at(2026, 1, 20), DocumentType.INVOICE), (at(2026, 2, 1), DocumentType.CREDIT_NOTE)],
)
def test_a_refund_of_an_issued_invoice_goes_on_a_credit_note(
    cancelled: datetime, document: DocumentType
) -> None:
    cancel = then(NEW, 2, "cancelImmediate", cancelled, status_after="deleted",
                  refund=Decimal("200.00"))  # fmt: skip
    lines = history_lines([NEW, cancel], until=at(2026, 3, 1))
    credit = lines[-1]
    split = invoices.split_documents(lines, credit.period)
    assert credit in split[document]
    assert lines[0] in split[DocumentType.INVOICE]
    assert invoices.document_for(replace(credit, offsets_period=None), credit.period) is (
        DocumentType.INVOICE
    )


@pytest.mark.parametrize(
    ("credit", "available", "ok"),
    [("-10.00", "10.00", True), ("-10.01", "10.00", False), ("0", "0", True)],
)
def test_a_credit_note_gives_back_at_most_what_the_invoice_holds(
    credit: str, available: str, ok: bool
) -> None:
    if ok:
        invoices.ensure_credit_within(Decimal(credit), Decimal(available), invoice="G000000001")
        return
    with pytest.raises(CreditExceedsInvoice) as raised:
        invoices.ensure_credit_within(Decimal(credit), Decimal(available), invoice="G000000001")
    assert raised.value.code == "CreditExceedsInvoice"


# --- FX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("billing", "usd_per_billing", "rate", "unit", "converted"),
    [
        ("KRW", "0.00075", "1333.333333333333", "10.00", "13333"),  # rounded down, no minor
        ("EUR", "1.08", "0.925925925926", "10.00", "9.25"),
        ("JPY", "0.0067", "149.253731343284", "0.99", "147"),
        ("USD", "1", "1", "10.00", "10.00"),  # no conversion
    ],
)
def test_usd_prices_convert_at_the_months_rate_rounded_down_per_unit(
    billing: str, usd_per_billing: str, rate: str, unit: str, converted: str
) -> None:
    fx = invoices.conversion("USD", billing, date(2026, 3, 1), usd_per_pricing=Decimal(1),
                             usd_per_billing=Decimal(usd_per_billing))  # fmt: skip
    assert fx.rate == Decimal(rate)
    assert fx.rate_date == date(2026, 3, 1)
    assert invoices.convert_unit_price(Decimal(unit), fx) == Decimal(converted)


def test_a_lines_billed_amount_is_the_converted_unit_price_times_its_seats() -> None:
    line = history_lines([NEW], until=at(2026, 2, 1))[0]  # 2 seats × 120.00 USD
    fx = invoices.conversion("USD", "KRW", JAN, usd_per_pricing=Decimal(1),
                             usd_per_billing=Decimal("0.00075"))  # fmt: skip
    # 120 × 1333.333333333333 = 159999.99999999996, rounded down per unit (§8c)
    assert invoices.billed_amount(line, fx) == Decimal(159999 * 2)
    assert invoices.billed_amount(line, invoices.identity("USD", JAN)) == Decimal("240.00")
    with pytest.raises(InvalidInput):
        invoices.billed_amount(line, invoices.identity("EUR", JAN))
    with pytest.raises(InvalidInput):
        invoices.conversion(
            "USD", "EUR", JAN, usd_per_pricing=Decimal(0), usd_per_billing=Decimal(1)
        )
