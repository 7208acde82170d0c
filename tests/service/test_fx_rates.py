"""FX rates (file-formats.md §6; rules.md §11): import of the verbatim layout, rejection
of the whole file with every problem by line, locking once the month has begun, export
byte for byte, and conversion rounded once (KRW and JPY to whole units)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from opencsp.audit.models import AuditRecord
from opencsp.core.money import CurrencyMismatch, Money
from opencsp.pricing import fx
from opencsp.pricing.errors import (
    FxRateNotFound,
    FxRatesLocked,
    FxRatesNotFound,
    FxRatesRejected,
)
from tests.factories import catalog, system

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
HEADER = '"CurrencyCode","USDPerUnit","Month"\r\n'


def csv_file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(f"{r}\r\n" for r in rows)).encode("utf-8"))


def rates(session, month: date) -> dict[str, Decimal]:
    return {r.currency: r.usd_per_unit for r in fx.rates_for(session, month)}


def test_import_sets_a_months_rates_exactly(session) -> None:
    summary = fx.import_fx_rates(
        session,
        system(session),
        csv_file(
            '"EUR","1.0823","202612"',
            '"KRW","0.00074","202612"',
            '"AED","0.27224589249009701","202612"',
        ),
    )
    assert (summary.month, summary.count, summary.replaced) == (DEC, 3, 0)
    assert rates(session, DEC) == {
        "AED": Decimal("0.27224589249009701"),
        "EUR": Decimal("1.0823"),
        "KRW": Decimal("0.00074"),
    }
    (record,) = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "fxrates.imported")
    ).all()
    assert record.resource_id == "2026-12"


@pytest.mark.parametrize(
    ("month_text", "given"),
    [("202612", None), ("2026-12", None), ("2026", DEC), ("202612", DEC)],
)
def test_month_forms(session, month_text: str, given: date | None) -> None:
    """``YYYYMM`` and ``YYYY-MM``; the doc's bare year only when the month is named."""
    summary = fx.import_fx_rates(
        session, system(session), csv_file(f'"EUR","1.08","{month_text}"'), month=given
    )
    assert summary.month == DEC
    assert rates(session, DEC) == {"EUR": Decimal("1.08")}


def test_a_byte_order_mark_and_unquoted_rows_are_read(session) -> None:
    data = io.BytesIO(b"\xef\xbb\xbf" + HEADER.encode() + b"eur,1.08,202612\n")
    assert fx.import_fx_rates(session, system(session), data).count == 1


REJECTIONS = {
    "unquoted header": (
        csv_file('"EUR","1.08","202612"', header="CurrencyCode,USDPerUnit,Month\r\n"),
        None,
        [1],
    ),
    "header in another order": (
        csv_file('"EUR","1.08","202612"', header='"Month","CurrencyCode","USDPerUnit"\r\n'),
        None,
        [1],
    ),
    "empty file": (io.BytesIO(b""), None, [1]),
    "no rates": (csv_file(), None, [2]),
    "unknown currency": (csv_file('"EUR","1.08","202612"', '"ABC","1","202612"'), None, [3]),
    "not money": (csv_file('"XAU","2000","202612"'), None, [2]),
    "zero rate": (csv_file('"EUR","0","202612"'), None, [2]),
    "negative rate": (csv_file('"EUR","-1.08","202612"'), None, [2]),
    "not a number": (csv_file('"EUR","1,08","202612"'), None, [2]),
    "infinite": (csv_file('"EUR","Infinity","202612"'), None, [2]),
    "USD not 1": (csv_file('"USD","1.01","202612"'), None, [2]),
    "duplicate currency": (csv_file('"EUR","1.08","202612"', '"eur","1.09","202612"'), None, [3]),
    "two months": (csv_file('"EUR","1.08","202612"', '"GBP","1.27","202701"'), None, [3]),
    "a bare year without the month": (csv_file('"EUR","1.08","2026"'), None, [2]),
    "a bare year of another year": (csv_file('"EUR","1.08","2025"'), DEC, [2]),
    "a month other than the one named": (csv_file('"EUR","1.08","202701"'), DEC, [2]),
    "not a month": (csv_file('"EUR","1.08","202613"'), None, [2]),
    "too few fields": (csv_file('"EUR","1.08"'), None, [2]),
    "not UTF-8": (
        io.BytesIO(HEADER.encode() + b'"EUR","1.08","202612"\r\n"\xff\xfe","1","202612"\r\n'),
        None,
        [0],
    ),
    "every problem listed": (
        csv_file('"EUR","x","202612"', '"GBP","1.27","202612"', '"ZZZ","-1","2026-13"'),
        None,
        [2, 4, 4, 4],
    ),
}


@pytest.mark.parametrize(("data", "month", "lines"), REJECTIONS.values(), ids=REJECTIONS.keys())
def test_a_bad_file_is_rejected_whole_and_nothing_is_written(session, data, month, lines) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.05")
    with pytest.raises(FxRatesRejected) as rejected:
        fx.import_fx_rates(session, system(session), data, month=month)
    assert [line for line, _column, _message in rejected.value.problems] == lines
    assert rejected.value.data == [
        {"line": line, "column": column, "message": message}
        for line, column, message in rejected.value.problems
    ]
    assert rates(session, DEC) == {"EUR": Decimal("1.05")}


def test_problems_name_their_columns(session) -> None:
    with pytest.raises(FxRatesRejected) as rejected:
        fx.import_fx_rates(
            session, system(session), csv_file('"ZZZ","-1","2026-13"', '"EUR","1","202612"')
        )
    assert [(line, column) for line, column, _ in rejected.value.problems] == [
        (2, "CurrencyCode"),
        (2, "Month"),
        (2, "USDPerUnit"),
    ]
    assert rejected.value.total == 3


def test_the_problem_list_is_capped_but_counted(session, configure) -> None:
    configure(pricelist_problem_limit=2)
    bad = csv_file(*(f'"EUR","x{i}","202612"' for i in range(5)))
    with pytest.raises(FxRatesRejected) as rejected:
        fx.import_fx_rates(session, system(session), bad)
    assert len(rejected.value.problems) == 2
    assert rejected.value.total == 5  # one per bad rate; rejected rows count no duplicates
    assert "5 problem" in rejected.value.message


def test_a_future_month_is_replaced_whole(session) -> None:
    fx.import_fx_rates(
        session, system(session), csv_file('"EUR","1.08","202612"', '"GBP","1.27","202612"')
    )
    summary = fx.import_fx_rates(session, system(session), csv_file('"EUR","1.09","202612"'))
    assert summary.replaced == 2
    assert rates(session, DEC) == {"EUR": Decimal("1.09")}


def test_a_started_months_rates_are_locked(session) -> None:
    catalog.fx_rate(session, "EUR", NOV, "1.07")
    with pytest.raises(FxRatesLocked) as locked:
        fx.import_fx_rates(session, system(session), csv_file('"EUR","1.08","202611"'))
    assert locked.value.status == 409
    assert rates(session, NOV) == {"EUR": Decimal("1.07")}


def test_a_started_month_without_rates_may_still_get_them(session) -> None:
    summary = fx.import_fx_rates(session, system(session), csv_file('"EUR","1.07","202611"'))
    assert summary.month == NOV
    assert rates(session, NOV) == {"EUR": Decimal("1.07")}


def test_export_byte_for_byte(session) -> None:
    catalog.fx_rate(session, "KRW", DEC, "0.00074")
    catalog.fx_rate(session, "AED", DEC, "0.27224589249009701")
    catalog.fx_rate(session, "EUR", NOV, "1.07")  # another month
    text = "".join(fx.export_fx_rates(session, DEC))
    assert text == (
        '"CurrencyCode","USDPerUnit","Month"\r\n'
        '"AED","0.27224589249009701","202612"\r\n'
        '"KRW","0.00074","202612"\r\n'
    )


def test_export_round_trips_through_import(session) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.0823")
    catalog.fx_rate(session, "JPY", DEC, "0.0066")
    exported = "".join(fx.export_fx_rates(session, DEC)).encode()
    summary = fx.import_fx_rates(session, system(session), io.BytesIO(exported))
    assert summary.replaced == 2
    assert rates(session, DEC) == {"EUR": Decimal("1.0823"), "JPY": Decimal("0.0066")}


def test_export_of_a_month_without_rates_is_not_found(session) -> None:
    with pytest.raises(FxRatesNotFound):
        fx.export_fx_rates(session, DEC)


CONVERSIONS = [
    # (amount, currency, rate, USD)
    ("100", "EUR", "1.0823", "108.23"),
    ("0.01", "EUR", "1.0823", "0.01"),
    ("1000000", "KRW", "0.00074", "740.00"),
    ("1", "KRW", "0.00074", "0.00"),
    ("7", "KRW", "0.00074", "0.01"),  # 0.00518 rounds half-up once
    ("12345", "JPY", "0.0066", "81.48"),  # 81.477
    ("0.005", "EUR", "1", "0.01"),  # exactly half: up
]


@pytest.mark.parametrize(("amount", "currency", "rate", "usd"), CONVERSIONS)
def test_to_usd_rounds_once(session, amount, currency, rate, usd) -> None:
    catalog.fx_rate(session, currency, DEC, rate)
    converted = fx.to_usd(session, Money.of(amount, currency), date(2026, 12, 15))
    assert converted == Money.of(usd, "USD")
    assert str(converted.amount) == usd


@pytest.mark.parametrize(
    ("usd", "currency", "rate", "expected"),
    [
        ("10", "KRW", "0.00074", "13514"),  # 13513.51…: whole won
        ("10", "JPY", "0.0066", "1515"),  # 1515.15…: whole yen
        ("0.0004", "KRW", "0.0008", "1"),  # exactly 0.5 won: half-up
        ("0.0002", "KRW", "0.0008", "0"),
        ("108.23", "EUR", "1.0823", "100.00"),
        ("1", "EUR", "1.0823", "0.92"),  # 0.92396…
    ],
)
def test_from_usd_rounds_once_to_the_currencys_minor_unit(
    session, usd, currency, rate, expected
) -> None:
    catalog.fx_rate(session, currency, DEC, rate)
    converted = fx.from_usd(session, Money.of(usd, "USD"), currency.lower(), DEC)
    assert converted == Money.of(expected, currency)
    assert str(converted.amount) == expected


def test_usd_converts_to_itself(session) -> None:
    assert fx.to_usd(session, Money.of("12.345", "USD"), DEC) == Money.of("12.35", "USD")
    assert fx.from_usd(session, Money.of("12.345", "USD"), "USD", DEC) == Money.of("12.35", "USD")


def test_conversion_needs_the_months_rate(session) -> None:
    catalog.fx_rate(session, "EUR", NOV, "1.07")
    with pytest.raises(FxRateNotFound):
        fx.to_usd(session, Money.of("1", "EUR"), DEC)
    with pytest.raises(FxRateNotFound):
        fx.from_usd(session, Money.of("1", "USD"), "EUR", DEC)


def test_from_usd_takes_usd_only(session) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.07")
    with pytest.raises(CurrencyMismatch):
        fx.from_usd(session, Money.of("1", "EUR"), "KRW", DEC)
