"""Markets against the migrated database: the migration loaded the packaged CSV, and the
look-ups later domains call."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opencsp.markets import queries
from opencsp.markets.errors import (
    CountryNotInMarket,
    InvalidCountryCode,
    MarketNotFound,
    UnknownCountry,
)
from opencsp.markets.models import Country, CountryCurrency, Market
from opencsp.markets.reference import reference_table


def test_the_migration_loaded_exactly_the_reference_table(session):
    table = reference_table()
    markets = {m.id: (m.name, m.operations_center) for m in session.scalars(select(Market))}
    assert markets == {m.id: (m.name, m.operations_center.value) for m in table.markets.values()}
    countries = {c.code: (c.name, c.market_id) for c in session.scalars(select(Country))}
    assert countries == {c.code: (c.name, c.market_id) for c in table.countries.values()}
    currencies = {
        (r.country_code, r.currency): (r.applies_to, r.note)
        for r in session.scalars(select(CountryCurrency))
    }
    assert currencies == {
        (c.code, cur.code): (cur.applies_to.value, cur.note)
        for c in table.countries.values()
        for cur in c.currencies
    }


def test_counts(session):
    assert session.scalar(select(func.count()).select_from(Market)) == 15
    assert session.scalar(select(func.count()).select_from(Country)) == 242
    # 245 rows: Brazil's second currency, BQ's three names, Vatican City without currency
    assert session.scalar(select(func.count()).select_from(CountryCurrency)) == 238


def test_list_markets_loads_countries_and_currencies(session):
    markets = queries.list_markets(session)
    assert len(markets) == 15
    assert [m.name for m in markets] == sorted(m.name for m in markets)
    assert sum(len(m.countries) for m in markets) == 242
    europe = next(m for m in markets if m.id == "europe")
    assert {cur.currency for c in europe.countries for cur in c.currencies} == {
        "EUR",
        "GBP",
        "DKK",
        "NOK",
        "SEK",
        "CHF",
    }


@pytest.mark.parametrize("market_id", ["europe", "Europe", " EUROPE "])
def test_get_market_reads_the_id_case_insensitively(session, market_id):
    assert queries.get_market(session, market_id).id == "europe"


def test_get_market_unknown(session):
    with pytest.raises(MarketNotFound) as err:
        queries.get_market(session, "atlantis")
    assert err.value.code == 1000
    assert err.value.status == 404


@pytest.mark.parametrize(
    ("country", "market_id"),
    [
        ("US", "united-states"),
        ("us", "united-states"),
        ("KR", "korea-republic-of"),
        ("DK", "europe"),
        ("VA", "europe"),
        ("BR", "brazil"),
        ("PM", "canada"),
        ("WS", "new-zealand"),
    ],
)
def test_market_for(session, country, market_id):
    market = queries.market_for(session, country)
    assert market.id == market_id
    assert any(c.code == country.upper() for c in market.countries)


@pytest.mark.parametrize(
    ("country", "error"),
    [
        ("RU", CountryNotInMarket),
        ("IR", CountryNotInMarket),
        ("XX", UnknownCountry),
        ("USA", InvalidCountryCode),
        ("", InvalidCountryCode),
    ],
)
def test_market_for_errors(session, country, error):
    with pytest.raises(error):
        queries.market_for(session, country)


@pytest.mark.parametrize(
    ("country", "currencies"),
    [
        ("US", ("USD",)),
        ("BR", ("BRL", "USD")),
        ("DK", ("DKK",)),
        ("FO", ("DKK",)),
        ("GB", ("GBP",)),
        ("CH", ("CHF",)),
        ("KR", ("KRW",)),
        ("va", ()),
    ],
)
def test_currencies_for_country(session, country, currencies):
    assert queries.currencies_for_country(session, country) == currencies


def test_currencies_for_country_outside_every_market(session):
    with pytest.raises(CountryNotInMarket):
        queries.currencies_for_country(session, "RU")


@pytest.mark.parametrize(
    ("market_id", "currencies"),
    [
        ("europe", ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK")),
        ("brazil", ("BRL", "USD")),
        ("united-states", ("USD",)),
        ("japan", ("JPY",)),
    ],
)
def test_currencies_for_market(session, market_id, currencies):
    assert queries.currencies_for_market(session, market_id) == currencies


def test_currencies_for_unknown_market(session):
    with pytest.raises(MarketNotFound):
        queries.currencies_for_market(session, "atlantis")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("FR", "DE", True),
        ("fr", "VA", True),
        ("US", "GU", True),
        ("US", "US", True),
        ("US", "CA", False),
        ("BR", "AR", False),
        ("KR", "JP", False),
    ],
)
def test_same_market(session, a, b, same):
    assert queries.same_market(session, a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "error"),
    [
        ("US", "RU", CountryNotInMarket),
        ("XX", "US", UnknownCountry),
        ("US", "U", InvalidCountryCode),
    ],
)
def test_same_market_raises_for_a_country_outside_every_market(session, a, b, error):
    with pytest.raises(error):
        queries.same_market(session, a, b)


def test_country_information_uses_the_market_and_the_registration_setting(session, configure):
    us = queries.country_information(session, "us")
    assert us.iso2_code == "US"
    assert us.reseller_agreement_region == "AOC"
    assert us.is_registration_number_supported is False
    assert queries.country_information(session, "BR").is_registration_number_supported is True
    assert queries.country_information(session, "KR").reseller_agreement_region == "APOC"
    assert queries.country_information(session, "DE").reseller_agreement_region == "EOC"

    configure(registration_number_countries='["us"]')
    assert queries.country_information(session, "US").is_registration_number_supported is True
    assert queries.country_information(session, "BR").is_registration_number_supported is False


def test_country_information_for_a_country_outside_every_market(session):
    with pytest.raises(CountryNotInMarket):
        queries.country_information(session, "RU")
