"""Money as a value: an exact ``Decimal`` amount and an ISO 4217 currency.

At rest money is integer minor units plus the currency code (``<name>_minor``, ``currency``).
Minor units come from Babel's currency data (KRW and JPY 0, USD 2, KWD 3). There is one
rounding policy — half-up to the currency's minor unit, applied once per line — and
``allocate`` splits an amount so the parts always add up to the whole. Never a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, is_currency

from opencsp.core.errors import InvalidInput

# ISO 4217 codes that are not money anyone is invoiced in: precious metals, IMF units,
# the testing code and "no currency".
NOT_MONEY = frozenset(
    {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XTS", "XUA", "XXX"}
)


@lru_cache(maxsize=512)
def _minor_units(code: str) -> int:
    return int(get_currency_precision(code))


@dataclass(frozen=True, slots=True, order=True)
class Currency:
    code: str

    def __post_init__(self) -> None:
        if (
            len(self.code) != 3
            or not self.code.isupper()
            or not is_currency(self.code)
            or self.code in NOT_MONEY
        ):
            raise UnknownCurrency(self.code)

    @classmethod
    def of(cls, code: str) -> Currency:
        """Parse a code case-insensitively: ``usd`` → ``USD`` (validated once per code)."""
        return _currency(code.strip().upper())

    @property
    def minor_units(self) -> int:
        return _minor_units(self.code)

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    def __str__(self) -> str:
        return self.code


class UnknownCurrency(InvalidInput):
    code = "UnknownCurrency"
    description = "Unknown ISO 4217 currency code: {currency}"

    def __init__(self, currency: str) -> None:
        super().__init__(currency=currency)


@lru_cache(maxsize=512)
def _currency(code: str) -> Currency:
    return Currency(code)


class CurrencyMismatch(InvalidInput):
    code = "CurrencyMismatch"
    description = "Cannot combine amounts in {left} and {right}"

    def __init__(self, left: Currency, right: Currency) -> None:
        super().__init__(left=left.code, right=right.code)


def round_amount(amount: Decimal, currency: Currency) -> Decimal:
    """The one rounding policy: half-up to the currency's minor unit."""
    try:
        return amount.quantize(currency.quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise InvalidInput(description="Amount is out of range") from exc


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):  # defensive: floats never carry money
        raise TypeError("money amounts are never floats")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:  # e.g. "abc" or "1,50" from a form or a command line
        raise InvalidInput(description="Amount must be a number") from exc
    if not result.is_finite():
        raise InvalidInput(description="Amount must be a finite number")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount; ``rounded()`` applies the policy, arithmetic never rounds."""

    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _decimal(self.amount))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str | Currency) -> Money:
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        return cls(_decimal(amount), cur)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        return cls.of(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str | Currency) -> Money:
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        units = _decimal(minor)
        if units != units.to_integral_value():
            raise InvalidInput(description="Minor units must be a whole number")
        # built from the digits, not scaleb(), which rounds to the context's 28 digits
        return cls(Decimal(f"{int(units)}E-{cur.minor_units}"), cur)

    def to_minor(self) -> int:
        """Integer minor units after rounding: what is stored."""
        return int(round_amount(self.amount, self.currency).scaleb(self.currency.minor_units))

    def rounded(self) -> Money:
        return Money(round_amount(self.amount, self.currency), self.currency)

    def is_rounded(self) -> bool:
        return self.amount == round_amount(self.amount, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * _decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def allocate(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split the rounded amount by weights into rounded parts that add up exactly.

        Largest remainder: each part gets its floor share in minor units; the minor units
        left over go one each to the largest remainders, ties to the earliest part, so the
        same input always gives the same split."""
        if not weights or any(_decimal(w) < 0 for w in weights):
            raise InvalidInput(description="Allocation needs non-negative weights")
        total_weight = sum((_decimal(w) for w in weights), Decimal(0))
        if total_weight == 0:
            raise InvalidInput(description="Allocation weights must not all be zero")
        total_minor = self.to_minor()
        sign = -1 if total_minor < 0 else 1
        magnitude = abs(total_minor)
        exact = [Decimal(magnitude) * _decimal(w) / total_weight for w in weights]
        floors = [int(x) for x in exact]
        leftover = magnitude - sum(floors)
        order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:leftover]:
            floors[i] += 1
        return [Money.from_minor(sign * part, self.currency) for part in floors]

    def split(self, parts: int) -> list[Money]:
        """Equal split that adds up to the whole (e.g. 12 monthly cycle charges)."""
        if parts < 1:
            raise InvalidInput(description="Split needs at least one part")
        return self.allocate([1] * parts)

    def format(self, locale: str = "en_US") -> str:
        """Rounded and formatted for a locale, e.g. ``₩1,200`` or ``US$12.50`` in ko_KR."""
        return str(
            format_currency(
                round_amount(self.amount, self.currency),
                self.currency.code,
                locale=locale.replace("-", "_"),
            )
        )

    def __str__(self) -> str:
        return f"{round_amount(self.amount, self.currency)} {self.currency.code}"


def total(items: Iterable[Money], currency: str | Currency) -> Money:
    """Sum of amounts that must all be in ``currency`` (an empty sum is zero)."""
    result = Money.zero(currency)
    for item in items:
        result = result + item
    return result
