"""The home page: who you are and where — your organization (name, tier, country), its
users, and the markets of the program — read from the database for the signed-in actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from opencsp.auth import queries
from opencsp.console import rendering
from opencsp.console.feedback import notice
from opencsp.console.pages import program_standing
from opencsp.console.pages.markets import summaries
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm
from opencsp.markets import queries as market_queries

router = APIRouter()

USERS_SHOWN = 5


@router.get("/")
def home(request: Request, visit: Annotated[Visit, allowed(Perm.PROFILE_READ)]) -> Response:
    actor = visit.actor
    organization = queries.get_visible_organization(db(request), actor, actor.organization_id)
    users = queries.list_organization_users(db(request), actor, actor.organization_id)
    roles = queries.roles_by_user(db(request), [u.id for u in users[:USERS_SHOWN]])
    markets = summaries(market_queries.list_markets(db(request)), organization.country)
    context = {
        "organization": organization,
        "user_count": len(users),
        "users": [{"user": u, "roles": roles[u.id]} for u in users[:USERS_SHOWN]],
        "markets": markets,
        "my_market": next((m for m in markets if m["mine"]), None),
        "country_count": sum(len(m["market"].countries) for m in markets),
        "notice": notice(request),
        "standing": program_standing.banner(request, actor),  # issue 7, task H
        "day": program_standing.day_of(request),
    }
    return rendering.render(request, "home.html", context)
