"""Markets rules as pure functions: the packaged CSV parsed into a table, ``market_for``,
code normalization, currencies (rules.md §4)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from opencsp.markets.errors import (
    CountryNotInMarket,
    InvalidCountryCode,
    MarketsDataError,
    UnknownCountry,
)
from opencsp.markets.reference import reference_csv, reference_table
from opencsp.markets.rules import (
    GEOGRAPHIC_REGION,
    CurrencyScope,
    OperationsCenter,
    currency_scope,
    market_currencies,
    market_for,
    market_slug,
    normalize_country_code,
    parse_markets_csv,
)

HEADER = "csp_region_market,country_code,country_or_region,currency,note\n"
REAL = {"RU", "BY", "IR", "KP", "CU", "SY"}  # real countries outside every 2023 market


def is_real(code: str) -> bool:
    return code in REAL


@pytest.fixture(scope="module")
def table():
    return reference_table()


# --- the table --------------------------------------------------------------------------


def test_all_245_rows_load_into_15_markets_and_242_codes(table):
    assert table.row_count == 245
    assert len(table.markets) == 15
    assert len(table.countries) == 242


def test_every_csv_row_is_represented(table):
    rows = list(csv.DictReader(io.StringIO(reference_csv())))
    assert len(rows) == 245
    for row in rows:
        country = table.countries[row["country_code"]]
        assert country.market_id == market_slug(row["csp_region_market"])
        assert row["country_or_region"] in country.name
        if row["currency"]:
            assert row["currency"] in {c.code for c in country.currencies}


@pytest.mark.parametrize(
    ("market_id", "places"),
    [
        # rules.md §4's table counts countries/regions by name
        ("africa", 47),
        ("asia-and-pacific", 18),
        ("australia", 21),
        ("brazil", 1),
        ("canada", 2),
        ("china", 1),
        ("europe", 45),
        ("india", 1),
        ("japan", 1),
        ("korea-republic-of", 1),
        ("latin-america-and-the-caribbean", 53),
        ("middle-east-central-europe-and-eastern-europe", 44),
        ("new-zealand", 3),
        ("taiwan", 1),
        ("united-states", 5),
    ],
)
def test_market_sizes_match_the_documented_table(table, market_id, places):
    market = table.markets[market_id]
    names = [n for code in market.country_codes for n in table.countries[code].name.split(" / ")]
    assert len(names) == places


def test_codes_shared_by_several_rows_are_one_country(table):
    assert table.countries["BQ"].name == "Bonaire / Saba / Sint Eustatius"
    assert [c.code for c in table.countries["BQ"].currencies] == ["USD"]


def test_europe_has_exactly_the_six_european_currencies(table):
    assert table.currencies_of_market("europe") == ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK")


@pytest.mark.parametrize(
    ("market_id", "currencies"),
    [
        ("united-states", ("USD",)),
        ("brazil", ("BRL", "USD")),
        ("korea-republic-of", ("KRW",)),
        ("australia", ("AUD",)),
        ("canada", ("CAD",)),
        ("china", ("CNY",)),
        ("india", ("INR",)),
        ("japan", ("JPY",)),
        ("new-zealand", ("NZD",)),
        ("taiwan", ("TWD",)),
        ("africa", ("USD",)),
        ("latin-america-and-the-caribbean", ("USD",)),
        ("middle-east-central-europe-and-eastern-europe", ("USD",)),
        ("asia-and-pacific", ("USD",)),
    ],
)
def test_market_currencies(table, market_id, currencies):
    assert table.currencies_of_market(market_id) == currencies


def test_brazil_has_usd_for_traditional_and_brl_for_new_commerce(table):
    currencies = {c.code: c for c in table.countries["BR"].currencies}
    assert set(currencies) == {"BRL", "USD"}
    assert currencies["USD"].applies_to is CurrencyScope.TRADITIONAL
    assert currencies["BRL"].applies_to is CurrencyScope.NEW_COMMERCE
    assert currencies["BRL"].note is not None
    assert "new-commerce" in currencies["BRL"].note


def test_vatican_city_has_no_currency_and_is_still_in_europe(table):
    vatican = table.countries["VA"]
    assert vatican.currencies == ()
    assert vatican.market_id == "europe"


def test_only_brazil_has_more_than_one_currency(table):
    multi = {code for code, c in table.countries.items() if len(c.currencies) > 1}
    assert multi == {"BR"}


@pytest.mark.parametrize(
    ("market_id", "center"),
    [
        ("united-states", OperationsCenter.AOC),
        ("canada", OperationsCenter.AOC),
        ("brazil", OperationsCenter.AOC),
        ("latin-america-and-the-caribbean", OperationsCenter.AOC),
        ("europe", OperationsCenter.EOC),
        ("africa", OperationsCenter.EOC),
        ("middle-east-central-europe-and-eastern-europe", OperationsCenter.EOC),
        ("korea-republic-of", OperationsCenter.APOC),
        ("japan", OperationsCenter.APOC),
        ("australia", OperationsCenter.APOC),
    ],
)
def test_operations_center_of_markets(table, market_id, center):
    assert table.markets[market_id].operations_center is center


def test_geographic_region_of_the_americas_is_the_samples():
    assert GEOGRAPHIC_REGION[OperationsCenter.AOC] == "NorthAndLatinAmerica"
    assert set(GEOGRAPHIC_REGION) == set(OperationsCenter)


# --- market_for -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "market_id", "name"),
    [
        ("US", "united-states", "United States"),
        ("KR", "korea-republic-of", "Korea, Republic of"),
        ("DK", "europe", "Europe"),
        ("BR", "brazil", "Brazil"),
        ("GU", "united-states", "United States"),
        ("FO", "europe", "Europe"),
        ("VA", "europe", "Europe"),
        ("BQ", "latin-america-and-the-caribbean", "Latin America and the Caribbean"),
        ("AE", "middle-east-central-europe-and-eastern-europe", None),
        ("us", "united-states", "United States"),
        (" kr ", "korea-republic-of", "Korea, Republic of"),
        ("Dk", "europe", "Europe"),
    ],
)
def test_market_for(table, code, market_id, name):
    market = market_for(code, table, is_country=is_real)
    assert market.id == market_id
    if name is not None:
        assert market.name == name


def test_denmark_is_sold_in_dkk(table):
    assert [c.code for c in table.countries["DK"].currencies] == ["DKK"]


@pytest.mark.parametrize("code", ["RU", "ru", "BY", "IR"])
def test_a_real_country_outside_every_market(table, code):
    with pytest.raises(CountryNotInMarket) as err:
        market_for(code, table, is_country=is_real)
    assert err.value.status == 404
    assert code.upper() in err.value.message


@pytest.mark.parametrize("code", ["XX", "ZZ", "QQ"])
def test_a_code_naming_no_country(table, code):
    with pytest.raises(UnknownCountry) as err:
        market_for(code, table, is_country=is_real)
    assert err.value.status == 404


@pytest.mark.parametrize("code", ["", " ", "U", "USA", "1A", "U1", "U-", "ÜS", "U S", "us\n1"])
def test_invalid_codes_are_invalid_input(table, code):
    with pytest.raises(InvalidCountryCode) as err:
        market_for(code, table, is_country=is_real)
    assert err.value.status == 400


@pytest.mark.parametrize(
    ("value", "code"), [("US", "US"), ("us", "US"), (" kr ", "KR"), ("gB", "GB"), ("\tva\n", "VA")]
)
def test_normalize_country_code(value, code):
    assert normalize_country_code(value) == code


# --- smaller rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("United States", "united-states"),
        ("Europe", "europe"),
        ("Korea, Republic of", "korea-republic-of"),
        (
            "Middle East, Central Europe, and Eastern Europe",
            "middle-east-central-europe-and-eastern-europe",
        ),
        ("Latin America and the Caribbean", "latin-america-and-the-caribbean"),
    ],
)
def test_market_slug(name, slug):
    assert market_slug(name) == slug


@pytest.mark.parametrize(
    ("note", "scope"),
    [
        (None, CurrencyScope.ALL),
        ("", CurrencyScope.ALL),
        ("traditional license-based offers", CurrencyScope.TRADITIONAL),
        (
            "new-commerce/software/perpetual/Azure/3rd-party billed in BRL",
            CurrencyScope.NEW_COMMERCE,
        ),
    ],
)
def test_currency_scope_from_the_note(note, scope):
    assert currency_scope(note) is scope


def test_an_unknown_note_is_a_data_error():
    with pytest.raises(MarketsDataError):
        currency_scope("only on Tuesdays")


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], ()),
        (["USD", "USD"], ("USD",)),
        (["EUR", "DKK", "EUR", "GBP"], ("DKK", "EUR", "GBP")),
    ],
)
def test_market_currencies_are_distinct_and_ordered(codes, expected):
    assert market_currencies(codes) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Europe,DK,Denmark,DKK,\nCanada,DK,Denmark,CAD,\n", "two markets"),
        ("Atlantis,AT,Atlantis,EUR,\n", "operations center"),
        ("Europe,DK,Denmark,DK,\n", "currency"),
    ],
)
def test_inconsistent_csv_is_rejected(body, message):
    with pytest.raises(MarketsDataError, match=message):
        parse_markets_csv(HEADER + body)


def test_a_malformed_code_in_the_csv_is_rejected():
    with pytest.raises(InvalidCountryCode):
        parse_markets_csv(HEADER + "Europe,DNK,Denmark,DKK,\n")


def test_parse_collects_duplicate_currency_rows_once():
    table = parse_markets_csv(HEADER + "Europe,DK,Denmark,DKK,\nEurope,DK,Denmark,DKK,\n")
    assert table.row_count == 2
    assert Counter(c.code for c in table.countries["DK"].currencies) == {"DKK": 1}
