"""The program's markets: every market with its countries and regions and their
currencies, and one market's countries. A partner's own market — the one its location
decides, where it may sell (PC:regional-authorization-overview.md) — is marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from opencsp.auth import queries as auth_queries
from opencsp.console import rendering
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm
from opencsp.markets import queries
from opencsp.markets.models import Market
from opencsp.markets.rules import market_currencies

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.MARKETS_READ)]


def summaries(markets: Sequence[Market], home_country: str | None) -> list[dict[str, Any]]:
    """Each market with its currencies and whether the organization is located in it."""
    return [
        {
            "market": market,
            "currencies": market_currencies(
                c.currency for country in market.countries for c in country.currencies
            ),
            "mine": any(country.code == home_country for country in market.countries),
        }
        for market in markets
    ]


def home_country(request: Request, visit: Visit) -> str | None:
    actor = visit.actor
    return auth_queries.get_visible_organization(db(request), actor, actor.organization_id).country


@router.get("/markets")
def list_markets(request: Request, visit: Reader) -> Response:
    rows = summaries(queries.list_markets(db(request)), home_country(request, visit))
    return rendering.render(request, "markets.html", {"rows": rows})


@router.get("/markets/{market_id}")
def show_market(request: Request, market_id: str, visit: Reader) -> Response:
    market = queries.get_market(db(request), market_id)
    row = summaries([market], home_country(request, visit))[0]
    return rendering.render(request, "market.html", row)
