"""Demo catalog and pricing as values: the territories and markets come from the packaged
markets table (the same rows the migration loads), so no database is needed."""

from __future__ import annotations

from datetime import date

import pytest

from opencsp.demo.catalog import DemoProduct, Territories, demo_catalog
from opencsp.demo.pricing import MarketPrices, market_country
from opencsp.markets.reference import reference_table
from opencsp.markets.rules import CurrencyScope

CURRENT = date(2026, 11, 1)


def reference_territories() -> Territories:
    table = reference_table()
    return Territories(
        everywhere=tuple(sorted(table.countries)),
        china=table.markets["china"].country_codes,
        united_states=table.markets["united-states"].country_codes,
    )


def reference_markets() -> tuple[MarketPrices, ...]:
    table = reference_table()
    return tuple(
        MarketPrices(
            market_id=market.id,
            country=market_country(market.country_codes),
            countries=frozenset(market.country_codes),
            currencies=tuple(
                sorted(
                    {
                        currency.code
                        for code in market.country_codes
                        for currency in table.countries[code].currencies
                        if currency.applies_to is not CurrencyScope.TRADITIONAL
                    }
                )
            ),
        )
        for market in table.markets.values()
    )


@pytest.fixture(scope="session")
def territories() -> Territories:
    return reference_territories()


@pytest.fixture(scope="session")
def products() -> tuple[DemoProduct, ...]:
    return demo_catalog(reference_territories(), CURRENT)


@pytest.fixture(scope="session")
def markets() -> tuple[MarketPrices, ...]:
    return reference_markets()
