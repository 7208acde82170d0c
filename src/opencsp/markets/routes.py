"""``GET /v1/program/markets``, ``GET /v1/program/markets/{id}`` and Partner Center's
``GET /v1/countryvalidationrules/{country}`` (PC:developer/get-market-specific-validation-data.md).
Every authenticated actor may read them (``Perm.MARKETS_READ``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.markets import queries
from opencsp.markets.schemas import CountryInformationRead, MarketRead
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["markets"])

MarketsReader = Annotated[Actor, require(Perm.MARKETS_READ)]


@router.get("/program/markets", response_model=Collection[MarketRead])
def list_markets(session: SessionDep, _actor: MarketsReader) -> Collection[MarketRead]:
    items = [MarketRead.of(m) for m in queries.list_markets(session)]
    return Collection[MarketRead](total_count=len(items), items=items)


@router.get("/program/markets/{market_id}", response_model=MarketRead)
def get_market(market_id: str, session: SessionDep, _actor: MarketsReader) -> MarketRead:
    return MarketRead.of(queries.get_market(session, market_id))


@router.get("/countryvalidationrules/{country}", response_model=CountryInformationRead)
def get_country_validation_rules(
    country: str, session: SessionDep, _actor: MarketsReader
) -> CountryInformationRead:
    return CountryInformationRead.of(queries.country_information(session, country))
