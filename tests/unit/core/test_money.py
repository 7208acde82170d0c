"""Money as a value: currencies, the one rounding policy, exact arithmetic, formatting.

Tables of cases; the properties over arbitrary amounts are in ``test_money_properties.py``
and the splits in ``test_money_allocation.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from opencsp.core.errors import InvalidInput
from opencsp.core.money import (
    Currency,
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    round_amount,
    total,
)

USD = Currency("USD")
KRW = Currency("KRW")


def usd(amount: str) -> Money:
    return Money.of(amount, USD)


# ISO 4217 minor units as CLDR (through Babel) states them.
@pytest.mark.parametrize(
    ("code", "minor_units", "quantum"),
    [
        ("USD", 2, "0.01"),
        ("EUR", 2, "0.01"),
        ("GBP", 2, "0.01"),
        ("KRW", 0, "1"),
        ("JPY", 0, "1"),
        ("CLP", 0, "1"),
        ("VND", 0, "1"),
        ("ISK", 0, "1"),
        ("KWD", 3, "0.001"),
        ("BHD", 3, "0.001"),
        ("OMR", 3, "0.001"),
        ("JOD", 3, "0.001"),
        ("TND", 3, "0.001"),
    ],
)
def test_minor_units_come_from_the_currency_data(code: str, minor_units: int, quantum: str) -> None:
    currency = Currency(code)

    assert currency.minor_units == minor_units
    assert currency.quantum == Decimal(quantum)
    assert currency.quantum.as_tuple().exponent == -minor_units


@pytest.mark.parametrize("text", ["usd", "USD", "Usd", " usd ", "uSd\n"])
def test_currency_codes_are_read_case_insensitively(text: str) -> None:
    assert Currency.of(text) == USD
    assert str(Currency.of(text)) == "USD"


@pytest.mark.parametrize("text", ["ZZZ", "US", "USDX", "", "12$", "dollar"])
def test_unknown_currency_codes_are_refused(text: str) -> None:
    with pytest.raises(UnknownCurrency) as raised:
        Currency.of(text)

    assert raised.value.status == 400
    assert raised.value.code == "UnknownCurrency"


def test_the_constructor_itself_wants_the_canonical_upper_case_code() -> None:
    with pytest.raises(UnknownCurrency):
        Currency("usd")


# Half-up (away from zero on a tie) to the currency's minor unit. Banker's rounding would
# give 2 for 2.5 JPY and 1.12 for 1.125 EUR; a binary float would give 2.67 for 2.675.
@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("0.004", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),
        ("-0.004", "USD", "0.00"),
        ("2.675", "USD", "2.68"),
        ("1.125", "EUR", "1.13"),
        ("12", "USD", "12.00"),
        ("1.5", "KRW", "2"),
        ("-2.5", "KRW", "-3"),
        ("2.5", "JPY", "3"),
        ("0.49", "JPY", "0"),
        ("0.0005", "KWD", "0.001"),
        ("0.0004", "KWD", "0.000"),
        ("1.2345", "BHD", "1.235"),
        ("999.995", "USD", "1000.00"),
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(amount: str, code: str, expected: str) -> None:
    currency = Currency(code)

    rounded = Money.of(amount, currency).rounded()

    assert rounded.amount == Decimal(expected)
    assert rounded.amount.as_tuple().exponent == -currency.minor_units
    assert round_amount(Decimal(amount), currency) == Decimal(expected)


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("12.34", "USD", 1234),
        ("12.345", "USD", 1235),
        ("-0.005", "USD", -1),
        ("1200", "KRW", 1200),
        ("1199.5", "KRW", 1200),
        ("1.2345", "KWD", 1235),
        ("0", "JPY", 0),
    ],
)
def test_to_minor_rounds_then_counts_minor_units(amount: str, code: str, minor: int) -> None:
    assert Money.of(amount, code).to_minor() == minor


@pytest.mark.parametrize(
    ("minor", "code", "amount"),
    [(1234, "USD", "12.34"), (-1, "USD", "-0.01"), (1200, "KRW", "1200"), (1235, "KWD", "1.235")],
)
def test_from_minor_reads_stored_minor_units(minor: int, code: str, amount: str) -> None:
    money = Money.from_minor(minor, code)

    assert money == Money.of(amount, code)
    assert money.is_rounded()


def test_from_minor_keeps_every_digit_of_a_very_large_integer() -> None:
    # given more digits than the default decimal context holds (28)
    minor = 10**30 + 1

    # when
    money = Money.from_minor(minor, "USD")

    # then nothing was silently rounded away
    assert money.amount == Decimal("10000000000000000000000000000.01")


def test_an_amount_too_large_to_round_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        Money.of("1e40", "USD").to_minor()


def test_arithmetic_keeps_the_exact_amount() -> None:
    a, b = usd("0.001"), usd("0.0004")

    assert (a + b).amount == Decimal("0.0014")
    assert (a - b).amount == Decimal("0.0006")
    assert (-a).amount == Decimal("-0.001")
    assert (a * 3).amount == Decimal("0.003")
    assert (Decimal("2.5") * a).amount == Decimal("0.0025")
    assert not (a + b).is_rounded()


def test_comparisons_within_one_currency() -> None:
    assert usd("1.00") < usd("1.01")
    assert usd("1.01") > usd("1.00")
    assert usd("1.00") <= usd("1.0")
    assert usd("1.00") == usd("1")


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: total([a, b], a.currency),
    ],
)
def test_two_currencies_are_never_combined(combine: Any) -> None:
    with pytest.raises(CurrencyMismatch) as raised:
        combine(usd("1"), Money.of("1", KRW))

    assert "USD" in raised.value.message
    assert "KRW" in raised.value.message


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money.of(0.1, "USD"),
        lambda: Money(0.1, USD),
        lambda: Money.of("1", "USD") * 0.5,
        lambda: Money.of("1", "USD").allocate([0.5, 0.5]),
        lambda: Money.from_minor(0.1, "USD"),
    ],
)
def test_floats_are_refused_wherever_money_is_made(make: Any) -> None:
    with pytest.raises(TypeError):
        make()


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "abc", "1,50", ""])
def test_amounts_that_are_not_finite_numbers_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        Money.of(text, "USD")


def test_minor_units_that_are_not_whole_are_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        Money.from_minor(Decimal("12.5"), "USD")


def test_total_sums_lines_in_one_currency() -> None:
    assert total([usd("1.10"), usd("2.205"), usd("-0.30")], "USD") == usd("3.005")
    assert total([], "KRW") == Money.zero("KRW")
    assert total([], "KRW").currency == KRW


def test_an_invoice_total_is_the_sum_of_its_rounded_lines() -> None:
    # given three lines whose exact amounts each end on half a cent
    lines = [usd("0.005"), usd("0.005"), usd("0.005")]

    # when the invoice is totalled as the policy says (round each line, then add)
    invoice_total = total((line.rounded() for line in lines), "USD")
    # and, for contrast, when the exact lines are added and rounded once
    rounded_exact_sum = total(lines, "USD").rounded()

    # then the total is the sum of the printed lines, 0.01 + 0.01 + 0.01
    assert invoice_total == usd("0.03")
    assert invoice_total.to_minor() == sum(line.to_minor() for line in lines)
    # and it differs from rounding the exact sum (0.015 → 0.02): the two are not the same rule
    assert rounded_exact_sum == usd("0.02")


@pytest.mark.parametrize(
    ("amount", "code", "locale", "expected"),
    [
        ("1234.5", "USD", "en_US", "$1,234.50"),
        ("-1234.5", "USD", "en_US", "-$1,234.50"),
        ("0.005", "USD", "en_US", "$0.01"),
        ("1200", "KRW", "ko_KR", "₩1,200"),
        ("1234567.4", "KRW", "ko-KR", "₩1,234,567"),
        ("12.5", "USD", "ko_KR", "US$12.50"),
    ],
)
def test_format_rounds_by_the_policy_then_follows_the_locale(
    amount: str, code: str, locale: str, expected: str
) -> None:
    assert Money.of(amount, code).format(locale) == expected


def test_won_are_formatted_with_the_won_sign_and_no_decimals() -> None:
    text = Money.of("1500.5", "KRW").format("ko_KR")

    assert text.startswith("₩")
    assert "." not in text
    assert text == "₩1,501"


def test_str_shows_the_rounded_amount_and_code() -> None:
    assert str(usd("12.5")) == "12.50 USD"
    assert str(Money.of("2.5", "JPY")) == "3 JPY"


@pytest.mark.parametrize("code", ["XAU", "XAG", "XXX", "XTS", "XDR"])
def test_codes_that_are_not_money_are_refused(code):
    with pytest.raises(UnknownCurrency):
        Currency.of(code)


@pytest.mark.parametrize("code", ["XOF", "XAF", "XCD", "XPF"])
def test_real_x_currencies_are_accepted(code):
    assert Currency.of(code).code == code
