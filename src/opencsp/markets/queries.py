"""Reads of markets, countries and currencies — the look-ups later domains call.

Markets are program-wide public reference data: every authenticated actor may read them
(``Perm.MARKETS_READ``, declared on the routes), so there is no per-actor visibility and
these functions take no actor. Country codes are read case-insensitively; a malformed
code is invalid input (400), a code no market covers is not found (404).

A national cloud is its own deployment with its own markets (rules.md §13):
``OPENCSP_MARKETS`` names the markets this deployment serves (default: all). Every read
here sees only those — the others and their countries do not exist for it (a country of
another market: ``CountryNotInCloud``, 404) — while the reference rows stay loaded by
migration ``0002_markets``, so changing the setting needs no data change."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from opencsp.core.config import settings
from opencsp.markets import rules, validation
from opencsp.markets.errors import CountryNotInCloud, MarketNotFound, UnknownCloudMarket
from opencsp.markets.models import Country, CountryCurrency, Market
from opencsp.markets.reference import reference_table
from opencsp.markets.rules import CurrencyScope, OperationsCenter
from opencsp.markets.validation import CountryInformation


def served_market_ids() -> tuple[str, ...]:
    """The markets this deployment serves (``OPENCSP_MARKETS``); empty: every market. An
    id ``markets.csv`` does not know is a configuration mistake, refused loudly."""
    ids = settings().market_ids
    unknown = [m for m in ids if m not in reference_table().markets]
    if unknown:
        raise UnknownCloudMarket(markets=", ".join(unknown))
    return ids


def served(market_id: QueryableAttribute[str]) -> ColumnElement[bool]:
    """True for rows of a market this deployment serves."""
    ids = served_market_ids()
    if not ids:
        return true()
    return market_id.in_(ids)


def _not_covered(session: Session, code: str) -> Exception:
    """The 404 for a code no served market covers: another cloud's country, or one no
    market covers at all."""
    if served_market_ids() and session.scalar(select(Country.code).where(Country.code == code)):
        return CountryNotInCloud(country=code, cloud=settings().cloud_name)
    return rules.not_covered(code, is_country=validation.is_country(code))


def _markets() -> Select[Market]:
    return (
        select(Market)
        .where(served(Market.id))
        .options(selectinload(Market.countries).selectinload(Country.currencies))
    )


def list_markets(session: Session) -> Sequence[Market]:
    """Every market with its countries and their currencies, by name."""
    return session.scalars(_markets().order_by(Market.name, Market.id)).all()


def get_market(session: Session, market_id: str) -> Market:
    """A market by its slug id, read case-insensitively (``Europe`` = ``europe``)."""
    key = market_id.strip().lower()
    market = session.scalar(_markets().where(Market.id == key))
    if market is None:
        raise MarketNotFound(market_id=market_id)
    return market


def get_country(session: Session, country_code: str) -> Country:
    """A CSP country or region with its market and currencies loaded."""
    code = rules.normalize_country_code(country_code)
    country = session.scalar(
        select(Country)
        .where(Country.code == code, served(Country.market_id))
        .options(selectinload(Country.market), selectinload(Country.currencies))
    )
    if country is None:
        raise _not_covered(session, code)
    return country


def market_for(session: Session, country_code: str) -> Market:
    """The market of a country: a partner's market is decided by its location, a
    customer's by the country on its tenant (PC:regional-authorization-overview.md).
    Loaded with its countries and their currencies."""
    code = rules.normalize_country_code(country_code)
    market = session.scalar(
        _markets().join(Country, Country.market_id == Market.id).where(Country.code == code)
    )
    if market is None:
        raise _not_covered(session, code)
    return market


def market_countries(session: Session, country_code: str) -> tuple[str, frozenset[str]]:
    """The id of a country's market and the codes of every country in it, in one
    statement (what ``market_for`` loads, without the market's rows); a code no market
    covers raises as ``market_for`` does."""
    code = rules.normalize_country_code(country_code)
    market_id = (
        select(Country.market_id)
        .where(Country.code == code, served(Country.market_id))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Country.market_id, Country.code).where(Country.market_id == market_id)
    ).all()
    if not rows:
        raise _not_covered(session, code)
    return rows[0][0], frozenset(c for _, c in rows)


def currencies_for_country(session: Session, country_code: str) -> tuple[str, ...]:
    """The currencies a country is sold in, by code; empty for a country the source gives
    none (Vatican City). Brazil has two — which offers each applies to is on
    ``country_currencies.applies_to`` (PC:regional-authorization-overview.md)."""
    return tuple(c.currency for c in get_country(session, country_code).currencies)


def currencies_for_market(session: Session, market_id: str) -> tuple[str, ...]:
    """The distinct currencies of a market's countries (Europe: the six currencies of
    European new-commerce price lists, PC:pricing-and-offers.md)."""
    market = get_market(session, market_id)
    return rules.market_currencies(
        currency.currency for country in market.countries for currency in country.currencies
    )


# Currencies new-commerce offers are priced and sold in: every currency of a country
# except those for traditional offers only (Brazil: BRL, not USD; rules.md §4).
_NEW_COMMERCE = CountryCurrency.applies_to != CurrencyScope.TRADITIONAL.value


def new_commerce_currencies(session: Session, market_id: str) -> tuple[str, ...]:
    """The currencies of a market's new-commerce price list (Europe: EUR, GBP, DKK, NOK,
    SEK, CHF; Brazil: BRL) (rules.md §4, PC:pricing-and-offers.md)."""
    rows = session.scalars(
        select(CountryCurrency.currency)
        .join(Country, Country.code == CountryCurrency.country_code)
        .where(Country.market_id == market_id, _NEW_COMMERCE)
        .distinct()
    )
    return tuple(sorted(rows))


def new_commerce_currency(session: Session, country: str) -> str:
    """The currency new-commerce offers are sold in to ``country`` (an availability's
    ``defaultCurrency``): the country's own, or for a country the source gives none
    (Vatican City) its market's most common one."""
    own = session.scalar(
        select(CountryCurrency.currency)
        .where(CountryCurrency.country_code == country, _NEW_COMMERCE)
        .order_by(CountryCurrency.currency)
        .limit(1)
    )
    if own is not None:
        return own
    market_id = select(Country.market_id).where(Country.code == country).scalar_subquery()
    common = session.scalar(
        select(CountryCurrency.currency)
        .join(Country, Country.code == CountryCurrency.country_code)
        .where(Country.market_id == market_id)
        .group_by(CountryCurrency.currency)
        .order_by(func.count().desc(), CountryCurrency.currency)
        .limit(1)
    )
    return common or "USD"


def sale_currency(session: Session, buyer_country: str | None, customer_country: str) -> str:
    """The currency a partner located in ``buyer_country`` buys in for a customer in
    ``customer_country`` (``rules.sale_currency``); the customer country's when the
    partner's location is not known or no market covers the customer's country."""
    customer = new_commerce_currency(session, customer_country)
    if buyer_country is None:
        return customer
    market_id = session.scalar(
        select(Country.market_id).where(
            Country.code == customer_country.strip().upper(), served(Country.market_id)
        )
    )
    listed = new_commerce_currencies(session, market_id) if market_id is not None else ()
    return rules.sale_currency(new_commerce_currency(session, buyer_country), customer, listed)


def new_commerce_market(session: Session, country_code: str) -> tuple[str, str]:
    """A customer's market id and new-commerce currency (``new_commerce_currency``) in
    one statement when the country has a currency of its own; a code no market covers
    raises as ``market_for`` does."""
    code = rules.normalize_country_code(country_code)
    own = (
        select(CountryCurrency.currency)
        .where(CountryCurrency.country_code == Country.code, _NEW_COMMERCE)
        .order_by(CountryCurrency.currency)
        .limit(1)
        .correlate(Country)
        .scalar_subquery()
    )
    row = session.execute(
        select(Country.market_id, own).where(Country.code == code, served(Country.market_id))
    ).first()
    if row is None:
        raise _not_covered(session, code)
    market_id, currency = row
    return market_id, currency or new_commerce_currency(session, code)


def same_market(session: Session, a_country: str, b_country: str) -> bool:
    """Whether two countries are in the same market (a partner sells only in the market of
    its location, PC:regional-authorization-overview.md). Either code being invalid or in
    no market raises rather than answering False."""
    codes = [rules.normalize_country_code(a_country), rules.normalize_country_code(b_country)]
    rows: dict[str, str] = {
        code: market_id
        for code, market_id in session.execute(
            select(Country.code, Country.market_id).where(
                Country.code.in_(codes), served(Country.market_id)
            )
        )
    }
    for code in codes:
        if code not in rows:
            raise _not_covered(session, code)
    return rows[codes[0]] == rows[codes[1]]


def country_information(session: Session, country_code: str) -> CountryInformation:
    """Partner Center's validation rules for a CSP country (``validation``); a country
    outside every market has none (404)."""
    country = get_country(session, country_code)
    return validation.country_information(
        country.code,
        operations_center=OperationsCenter(country.market.operations_center),
        registration_countries=settings().registration_number_countries,
    )
