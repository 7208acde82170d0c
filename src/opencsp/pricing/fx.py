"""Monthly FX rates (file-formats.md §6; rules.md §11): the USD value of one unit of each
currency, one rate per currency per month, set from the mid-rate two business days before
the month and used for the whole month. Used to convert USD-priced items into a partner's
currency and revenue into USD.

The file is Partner Center's ``fxrates`` download: the verbatim header
``"CurrencyCode","USDPerUnit","Month"``, every field quoted. ``Month`` is ``YYYYMM`` (also
read as ``YYYY-MM``). The doc's sample shows a four-digit ``"2019"``, a truncation
(file-formats.md §6, [uncertain]): a bare year is accepted only when the importer names
the month and the year is that month's, never guessed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, CurrencyMismatch, Money, round_amount
from opencsp.pricing import queries, rules
from opencsp.pricing.errors import (
    FxRatesLocked,
    FxRatesNotFound,
    FxRatesRejected,
    InvalidMonth,
    Problem,
)
from opencsp.pricing.models import FxRate

FX_HEADER = ",".join(f'"{name}"' for name in rules.FX_COLUMNS)
"""The header line, verbatim (file-formats.md §6)."""

USD = Currency("USD")


@dataclass(frozen=True, slots=True)
class FxSummary:
    month: date
    count: int
    replaced: int

    def __str__(self) -> str:
        verb = f"replaced {self.replaced}" if self.replaced else "set"
        return f"{rules.format_month(self.month)}: {self.count} rates ({verb})"


def rates_for(session: Session, month: date) -> Sequence[FxRate]:
    """A month's rates by currency code."""
    return session.scalars(
        select(FxRate).where(FxRate.month == rules.month_of(month)).order_by(FxRate.currency)
    ).all()


def import_fx_rates(
    session: Session, actor: Actor, stream: BinaryIO, *, month: date | None = None
) -> FxSummary:
    """Set a month's rates from a file, replacing the month's rates whole. The whole file
    is checked first and rejected with every problem by line number, nothing written
    (``FxRatesRejected``). A month's rates are locked once it has begun: they priced
    the month (rules.md §11), so replacing them is a conflict (``FxRatesLocked``); a
    month that has begun with no rates yet may still be given them."""
    wanted = rules.month_of(month) if month is not None else None
    file_month, rates = _parse(stream, wanted)
    existing = rates_for(session, file_month)
    if existing and rules.month_start(file_month) <= clock.now():
        raise FxRatesLocked(month=rules.format_month(file_month))
    session.execute(delete(FxRate).where(FxRate.month == file_month))
    now = clock.now()
    session.add_all(
        FxRate(month=file_month, currency=code, usd_per_unit=rate, imported_at=now)
        for code, rate in rates.items()
    )
    session.flush()
    audit.record(
        session,
        actor,
        "fxrates.imported",
        "FxRates",
        resource_id=rules.format_month(file_month),
        old={r.currency: str(r.usd_per_unit) for r in existing} or None,
        new={code: str(rate) for code, rate in rates.items()},
        data={"month": rules.format_month(file_month), "count": len(rates)},
    )
    return FxSummary(month=file_month, count=len(rates), replaced=len(existing))


def _parse(stream: BinaryIO, wanted: date | None) -> tuple[date, dict[str, Decimal]]:
    problems: list[Problem] = []
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rates: dict[str, Decimal] = {}
    first_line: dict[str, int] = {}
    try:
        header = text.readline().rstrip("\r\n")
        if header != FX_HEADER:
            raise FxRatesRejected([(1, "", f"the header must be exactly {FX_HEADER}")])
        reader = csv.reader(text)
        for fields in reader:
            line = reader.line_num + 1  # the header line was read before the reader
            if not fields or fields == [""]:
                continue
            found = _row(line, fields, wanted, problems)
            if found is None:
                continue
            code, rate, row_month = found
            wanted = wanted or row_month  # one file holds one month: its first row's
            if code in first_line:
                problems.append(
                    (
                        line,
                        "CurrencyCode",
                        f"{code} appears again (first on line {first_line[code]})",
                    )
                )
                continue
            first_line[code] = line
            rates[code] = rate
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append((0, "", f"the file is not UTF-8 CSV: {exc}"))
    finally:
        text.detach()
    if not rates and not problems:
        problems.append((2, "", "the file has no rates"))
    if problems:
        limit = settings().pricelist_problem_limit
        raise FxRatesRejected(sorted(problems)[:limit], total=len(problems))
    assert wanted is not None  # set by the first row, and there is one
    return wanted, rates


def _row(
    line: int, fields: list[str], wanted: date | None, problems: list[Problem]
) -> tuple[str, Decimal, date] | None:
    if len(fields) != len(rules.FX_COLUMNS):
        problems.append((line, "", f"expected {len(rules.FX_COLUMNS)} fields, found {len(fields)}"))
        return None
    raw_code, raw_rate, raw_month = (f.strip() for f in fields)
    before = len(problems)
    code = raw_code.upper()
    try:
        Currency(code)
    except InvalidInput:
        problems.append(
            (line, "CurrencyCode", f"CurrencyCode {raw_code!r} is not an ISO 4217 currency")
        )
    rate = _rate(raw_rate)
    if rate is None:
        problems.append(
            (line, "USDPerUnit", f"USDPerUnit {raw_rate!r} is not a positive decimal number")
        )
    elif code == USD.code and rate != 1:
        problems.append((line, "USDPerUnit", "USDPerUnit of USD can only be 1"))
    row_month = _month(raw_month, wanted)
    if row_month is None:
        problems.append((line, "Month", _month_problem(raw_month, wanted)))
    if len(problems) > before or rate is None or row_month is None:
        return None
    return code, rate, row_month


def _rate(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _month(raw: str, wanted: date | None) -> date | None:
    if len(raw) == 4 and raw.isdigit():
        return wanted if wanted is not None and wanted.year == int(raw) else None
    try:
        found = rules.parse_month(raw)
    except InvalidMonth:
        return None
    return found if wanted is None or found == wanted else None


def _month_problem(raw: str, wanted: date | None) -> str:
    if len(raw) == 4 and raw.isdigit():
        if wanted is None:
            return f"Month {raw!r} is only a year; name the month to import (YYYYMM)"
        return f"Month {raw!r} is not the year of {rules.format_month(wanted)}"
    if wanted is not None and _month(raw, None) is not None:
        return f"Month {raw!r} is not the month being imported, {rules.format_month(wanted)}"
    return f"Month {raw!r} is not a month; use YYYYMM"


def export_fx_rates(session: Session, month: date) -> Iterator[str]:
    """The month's rates in the import layout, every field quoted, Month as ``YYYYMM``,
    lines ending CRLF. 404 (``FxRatesNotFound``) when the month has none; checked before
    the first line is produced, so a download never starts and then fails."""
    first = rules.month_of(month)
    rates = rates_for(session, first)
    if not rates:
        raise FxRatesNotFound(month=rules.format_month(first))
    return _lines(rates, f"{first.year:04d}{first.month:02d}")


def _lines(rates: Sequence[FxRate], month_text: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield FX_HEADER + "\r\n"
    for rate in rates:
        writer.writerow((rate.currency, format(rate.usd_per_unit, "f"), month_text))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def to_usd(session: Session, amount: Money, month: date) -> Money:
    """``amount`` in USD at the month's rate, rounded once (half-up, core.money). Reads
    the rate; records nothing."""
    rate = queries.usd_per_unit(session, amount.currency.code, month)
    return Money(round_amount(amount.amount * rate, USD), USD)


def from_usd(session: Session, amount: Money, currency: str | Currency, month: date) -> Money:
    """A USD ``amount`` in ``currency`` at the month's rate, rounded once to that
    currency's minor unit (KRW and JPY: whole units). Records nothing."""
    if amount.currency != USD:
        raise CurrencyMismatch(amount.currency, USD)
    target = currency if isinstance(currency, Currency) else Currency.of(currency)
    rate = queries.usd_per_unit(session, target.code, month)
    return Money(round_amount(amount.amount / rate, target), target)
