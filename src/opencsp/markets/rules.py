"""Markets, countries and currencies as values — pure rules, no I/O.

The company's location determines its market, and a customer's country is the country
set on its tenant (PC:regional-authorization-overview.md, rules.md §4). The table comes
from ``markets.csv``: 15 markets, 245 rows, 242 ISO codes (Bonaire, Saba and Sint
Eustatius share ``BQ``; Brazil has two rows, one per currency)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from opencsp.core.errors import NotFound
from opencsp.core.http import WireEnum
from opencsp.markets.errors import (
    CountryNotInMarket,
    InvalidCountryCode,
    MarketsDataError,
    UnknownCountry,
)


class OperationsCenter(WireEnum):
    """The reseller-agreement operations center of a market, Partner Center's
    ``resellerAgreementRegion`` (sample: US → ``AOC``). [inferred]: Americas, Europe /
    Middle East / Africa, Asia Pacific, by the market's geography."""

    AOC = "AOC"
    EOC = "EOC"
    APOC = "APOC"


class CurrencyScope(WireEnum):
    """Which offers a country's currency applies to. Brazil: USD for traditional
    license-based offers, BRL for new-commerce license-based, software, perpetual, Azure
    and third-party (PC:regional-authorization-overview.md); everywhere else ``all``."""

    ALL = "all"
    TRADITIONAL = "traditional"
    NEW_COMMERCE = "newCommerce"


OPERATIONS_CENTER_BY_MARKET: Mapping[str, OperationsCenter] = {
    "Africa": OperationsCenter.EOC,
    "Asia and Pacific": OperationsCenter.APOC,
    "Australia": OperationsCenter.APOC,
    "Brazil": OperationsCenter.AOC,
    "Canada": OperationsCenter.AOC,
    "China": OperationsCenter.APOC,
    "Europe": OperationsCenter.EOC,
    "India": OperationsCenter.APOC,
    "Japan": OperationsCenter.APOC,
    "Korea, Republic of": OperationsCenter.APOC,
    "Latin America and the Caribbean": OperationsCenter.AOC,
    "Middle East, Central Europe, and Eastern Europe": OperationsCenter.EOC,
    "New Zealand": OperationsCenter.APOC,
    "Taiwan": OperationsCenter.APOC,
    "United States": OperationsCenter.AOC,
}

GEOGRAPHIC_REGION: Mapping[OperationsCenter, str] = {
    # "NorthAndLatinAmerica" is the sample's (country-validation-rules-get.response.json);
    # the other two names are [inferred] in the same style.
    OperationsCenter.AOC: "NorthAndLatinAmerica",
    OperationsCenter.EOC: "EuropeMiddleEastAndAfrica",
    OperationsCenter.APOC: "AsiaPacific",
}

_ISO2 = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_SLUG_SEPARATORS = re.compile(r"[^a-z0-9]+")
NAME_SEPARATOR = " / "


@dataclass(frozen=True, slots=True)
class CurrencyEntry:
    code: str
    applies_to: CurrencyScope
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CountryEntry:
    code: str
    name: str
    market_id: str
    currencies: tuple[CurrencyEntry, ...]


@dataclass(frozen=True, slots=True)
class MarketEntry:
    id: str
    name: str
    operations_center: OperationsCenter
    country_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MarketTable:
    markets: Mapping[str, MarketEntry]
    countries: Mapping[str, CountryEntry]
    row_count: int

    def currencies_of_market(self, market_id: str) -> tuple[str, ...]:
        market = self.markets[market_id]
        return market_currencies(
            c.code for code in market.country_codes for c in self.countries[code].currencies
        )


def normalize_country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, read case-insensitively and without surrounding blanks
    (``" kr "`` → ``"KR"``); anything else is invalid input."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if not _ISO2.fullmatch(code):
        raise InvalidCountryCode(value=value)
    return code


def market_slug(name: str) -> str:
    """The stable id of a market: its name in lower case, words joined by ``-``
    (``Korea, Republic of`` → ``korea-republic-of``)."""
    return _SLUG_SEPARATORS.sub("-", name.lower()).strip("-")


def currency_scope(note: str | None) -> CurrencyScope:
    """Read the scope from the CSV's note, which names it in its first words."""
    text = (note or "").strip().lower()
    if not text:
        return CurrencyScope.ALL
    if text.startswith("traditional"):
        return CurrencyScope.TRADITIONAL
    if text.startswith("new-commerce"):
        return CurrencyScope.NEW_COMMERCE
    raise MarketsDataError(f"unrecognized currency note: {note!r}")


def market_currencies(codes: Iterable[str]) -> tuple[str, ...]:
    """A market's currencies are the distinct currencies of its countries, in code order
    (Europe: CHF, DKK, EUR, GBP, NOK, SEK — the six currencies of European new-commerce
    price lists, PC:pricing-and-offers.md). A country without one adds nothing."""
    return tuple(sorted(set(codes)))


def sale_currency(own: str | None, customer: str, listed: Iterable[str]) -> str:
    """The currency a partner buys in for a customer: its own (that of its location)
    when the customer market's new-commerce price list is in it, else the customer
    country's. The European lists carry all six European currencies, so a partner is
    billed in its own currency from the customer market's price sheet and may buy for a
    customer in another European country (rules.md §4 "EU/EFTA multi-currency",
    PC:pricing-and-offers.md); elsewhere a market has one currency, the same for both."""
    return own if own is not None and own in set(listed) else customer


def not_covered(country_code: str, *, is_country: bool) -> NotFound:
    """The error for a code no market covers: a real country or region outside every CSP
    market, or no country at all."""
    if is_country:
        return CountryNotInMarket(country=country_code)
    return UnknownCountry(country=country_code)


def market_for(
    country_code: str, table: MarketTable, *, is_country: Callable[[str], bool]
) -> MarketEntry:
    """The market of a country: the one whose list holds it
    (PC:regional-authorization-overview.md). ``is_country`` tells a real country that no
    market covers from a code that names nothing."""
    code = normalize_country_code(country_code)
    country = table.countries.get(code)
    if country is None:
        raise not_covered(code, is_country=is_country(code))
    return table.markets[country.market_id]


def parse_markets_csv(text: str) -> MarketTable:
    """Read ``markets.csv`` (``csp_region_market,country_code,country_or_region,currency,
    note``). Rows sharing a code are one country: their names are joined, their
    currencies collected; an empty currency (Vatican City) adds none."""
    markets: dict[str, tuple[str, list[str]]] = {}
    countries: dict[str, tuple[str, list[str], list[CurrencyEntry]]] = {}
    rows = 0
    for row in csv.DictReader(io.StringIO(text)):
        rows += 1
        market_name = row["csp_region_market"].strip()
        code = normalize_country_code(row["country_code"])
        name = row["country_or_region"].strip()
        currency = row["currency"].strip().upper()
        note = (row.get("note") or "").strip() or None
        slug = market_slug(market_name)
        if market_name not in OPERATIONS_CENTER_BY_MARKET:
            raise MarketsDataError(f"no operations center for market {market_name!r}")
        _, codes = markets.setdefault(slug, (market_name, []))
        market_id, names, currencies = countries.setdefault(code, (slug, [], []))
        if market_id != slug:
            raise MarketsDataError(f"{code} is in two markets: {market_id}, {slug}")
        if code not in codes:
            codes.append(code)
        if name not in names:
            names.append(name)
        if currency:
            if not _CURRENCY.fullmatch(currency):
                raise MarketsDataError(f"{code}: not a currency code: {currency!r}")
            if any(c.code == currency for c in currencies):
                continue
            currencies.append(CurrencyEntry(currency, currency_scope(note), note))
    return MarketTable(
        markets={
            slug: MarketEntry(slug, name, OPERATIONS_CENTER_BY_MARKET[name], tuple(sorted(codes)))
            for slug, (name, codes) in markets.items()
        },
        countries={
            code: CountryEntry(
                code,
                NAME_SEPARATOR.join(names),
                market_id,
                tuple(sorted(currencies, key=lambda c: c.code)),
            )
            for code, (market_id, names, currencies) in countries.items()
        },
        row_count=rows,
    )
