"""Errors of markets and countries."""

from __future__ import annotations

from opencsp.core.errors import InvalidInput, NotFound


class InvalidCountryCode(InvalidInput):
    code = "InvalidCountryCode"
    description = "Not an ISO 3166-1 alpha-2 country code: {value!r}"


class UnknownCountry(NotFound):
    """Well-formed, but no country or region has this code (404, code 1000)."""

    description = "Unknown country or region: {country}"


class CountryNotInMarket(NotFound):
    """A real country or region that no CSP market covers (e.g. RU since 2023; 404, code
    1000)."""

    description = "The country or region {country} is not in any CSP market"


class MarketNotFound(NotFound):
    description = "Market not found: {market_id}"


class MarketsDataError(ValueError):
    """The packaged markets table is inconsistent (a packaging mistake, not bad input)."""


class CountryNotInCloud(NotFound):
    """A country of a market this deployment does not serve (``OPENCSP_MARKETS``): a
    national cloud has its own markets (rules.md §13; 404, code 1000)."""

    description = "The country or region {country} is not served by this cloud ({cloud})"


class UnknownCloudMarket(ValueError):
    """``OPENCSP_MARKETS`` names a market ``markets.csv`` does not have: a configuration
    mistake, not bad input."""

    def __init__(self, *, markets: str) -> None:
        super().__init__(f"OPENCSP_MARKETS names unknown market id(s): {markets}")
