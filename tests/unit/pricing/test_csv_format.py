"""How the price-list CSV spells dates, prices and tiers (file-formats.md §1), and its
header byte for byte against the documentation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsp.pricing.csvformat import (
    CsvValueError,
    format_date,
    format_decimal,
    parse_date,
    parse_optional_price,
    parse_price,
    parse_tier,
)
from opencsp.pricing.rules import PRICE_LIST_COLUMNS, PRICE_LIST_HEADER
from tests.support import reference


def test_the_header_is_the_documented_one_byte_for_byte():
    section = (
        reference.path("file-formats.md")
        .read_text(encoding="utf-8")
        .split("## 1.", 1)[1]
        .split("## 2.", 1)[0]
    )
    line = next(ln for ln in section.splitlines() if ln.startswith('"ProductTitle"'))
    # The doc notes that its source closes the last cell with a typographic quote, a
    # typo (file-formats.md §1): read as the straight quote it stands for.
    documented = line[:-1] + '"' if line.endswith("\u201c") else line
    assert documented.endswith('"ERP Price"')
    assert PRICE_LIST_HEADER.encode() == documented.encode() + b"\r\n"
    assert len(PRICE_LIST_COLUMNS) == 18


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2/1/2019 12:00:00 AM", _utc(2019, 2, 1)),
        ("2/4/2021 8:35:31 PM", _utc(2021, 2, 4, 20, 35, 31)),
        ("12/31/2022 12:00:00 PM", _utc(2022, 12, 31, 12)),
        ("1/1/2023 12:30:00 am", _utc(2023, 1, 1, 0, 30)),
        ("2/1/2023 0:00", _utc(2023, 2, 1)),
        ("11/30/9999 23:59", _utc(9999, 11, 30, 23, 59)),
        ("12/31/2022 23:59", _utc(2022, 12, 31, 23, 59)),
        ("1/1/1753 0:00", _utc(1753, 1, 1)),
        ("3/15/2024", _utc(2024, 3, 15)),
        ("2021-10-01T00:00:00.0000000Z", _utc(2021, 10, 1)),
        ("2021-10-01T08:09:10.1234567Z", _utc(2021, 10, 1, 8, 9, 10, 123456)),
        ("2021-10-01T00:00:00Z", _utc(2021, 10, 1)),
        ("2021-10-01 00:00:00", _utc(2021, 10, 1)),
        ("2021-10-01T00:00:00+00:00", _utc(2021, 10, 1)),
        ("2021-10-01", _utc(2021, 10, 1)),
        (" 2/1/2019 12:00:00 AM ", _utc(2019, 2, 1)),
    ],
)
def test_dates_in_the_documented_forms(text, instant):
    assert parse_date(text) == instant


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2019-02-30",
        "2/30/2019 0:00",
        "13/1/2019 0:00",
        "2/1/2019 13:00:00 PM",
        "2/1/2019 0:00:00 AM",
        "2/1/2019 24:00",
        "2021-10-01T00:00:00+09:00",
        "01.02.2019",
        "2/1/19",
        "yesterday",
    ],
)
def test_anything_else_is_not_a_date(text):
    with pytest.raises(CsvValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (_utc(2019, 2, 1), "2/1/2019 12:00:00 AM"),
        (_utc(2021, 2, 4, 20, 35, 31), "2/4/2021 8:35:31 PM"),
        (_utc(2022, 12, 31, 12, 0, 5), "12/31/2022 12:00:05 PM"),
        (_utc(9999, 11, 30, 23, 59, 59), "11/30/9999 11:59:59 PM"),
    ],
)
def test_dates_are_written_as_the_download_sample(instant, text):
    assert format_date(instant) == text
    assert parse_date(text) == instant


@given(st.datetimes(min_value=datetime(1753, 1, 1), max_value=datetime(9999, 12, 31)))  # noqa: DTZ001
def test_written_dates_read_back_to_the_second(moment):
    instant = moment.replace(microsecond=0, tzinfo=UTC)
    assert parse_date(format_date(instant)) == instant


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("48", "48"),
        ("115.2", "115.2"),
        ("115.20", "115.2"),
        ("0.0425", "0.0425"),
        ("170000", "170000"),
        ("0", "0"),
        ("0.00", "0"),
        (".5", "0.5"),
        ("7.", "7"),
        (" 12.5 ", "12.5"),
        ("12345678901234567890.123456789", "12345678901234567890.123456789"),
    ],
)
def test_prices_are_exact_canonical_decimals(text, stored):
    assert parse_price(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-1",
        "+1",
        "1e3",
        "1E+2",
        "NaN",
        "nan",
        "inf",
        "Infinity",
        "1,000",
        "12,50",
        "$12",
        "1.2.3",
        "12 50",
        "0x10",
    ],
)
def test_anything_else_is_not_a_price(text):
    with pytest.raises(CsvValueError):
        parse_price(text)


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_price_text_round_trips_exactly(value):
    text = format_decimal(value)
    assert Decimal(parse_price(text)) == value
    assert parse_price(text) == text


def test_an_erp_price_may_be_blank():
    assert parse_optional_price("") is None and parse_optional_price("60") == "60"
    assert format_decimal(None) == ""


@pytest.mark.parametrize(
    ("text", "upper", "bound"),
    [
        ("", False, None),
        ("1", False, 1),
        ("100000", True, 100000),
        ("9223372036854780000", True, None),
        ("9223372036854775807", True, None),
        ("9223372036854775806", True, 9223372036854775806),
    ],
)
def test_tier_bounds(text, upper, bound):
    assert parse_tier(text, upper=upper) == bound


@pytest.mark.parametrize(
    ("text", "upper"),
    [("-1", False), ("1.5", True), ("ten", False), ("9223372036854780000", False)],
)
def test_bad_tier_bounds(text, upper):
    with pytest.raises(CsvValueError):
        parse_tier(text, upper=upper)
