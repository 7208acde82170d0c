"""The vendor's keeping-and-losing pages (Program admin): annual reassessment results
per partner (the checklist it was judged on, growth, the notice date) and the restricted
and deauthorized partners, where a restriction is lifted with a reason. The partner's
home page shows a banner when it is restricted or under notice (``banner``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages.direct_bill import REQUIREMENTS, STATUSES
from opencsp.console.pages.partner_profile import text
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.notifications.messages import show
from opencsp.partners.errors import PartnerNotFound
from opencsp.program import standing_queries, standing_service
from opencsp.program.standing_queries import StandingView
from opencsp.program.standing_rules import usd

router = APIRouter()

Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
AdminPost = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]

NOTICES = {
    "lifted": N_("The restriction was lifted. The partner was notified."),
    "restricted": N_("The partner is restricted. It was notified."),
}


def day_of(request: Request) -> Callable[[date | str | None], str]:
    """A date in the page's language (long form), "—" for none."""
    language = session.language_of(request)

    def day(value: date | str | None) -> str:
        return show("day", value.isoformat() if isinstance(value, date) else value, language)

    return day


def _formatters(request: Request) -> dict[str, Any]:
    language = session.language_of(request)
    day = day_of(request)

    def dollars(minor: int | None) -> str:
        return show("amountUsd", usd(minor) if minor is not None else None, language)

    return {
        "day": day,
        "dollars": dollars,
        "requirement_labels": REQUIREMENTS,
        "status_labels": STATUSES,
        "notice": _notice(request),
    }


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


@router.get("/program/reassessments")
def reassessments(request: Request, visit: Admin) -> Response:
    outcome = request.query_params.get("outcome") or None
    rows = standing_queries.reassessments(db(request), visit.actor, outcome=outcome)
    context = {"rows": rows, "outcome": outcome} | _formatters(request)
    return rendering.render(request, "program_reassessments.html", context)


def standings_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    rows = standing_queries.standings(db(request), visit.actor)
    context = {
        "rows": rows,
        "error": error,
        "draft_reason": text(session.state(request, "console_form"), "reason") if error else "",
    } | _formatters(request)
    return rendering.render(request, "program_standings.html", context, status=status)


@router.get("/program/standings")
def standings(request: Request, visit: Admin) -> Response:
    return standings_view(request)


RESHOW = [on_error(standings_view, shown_with=Perm.PROGRAM_ADMIN)]


@router.post("/program/standings/{organization_id}/lift", dependencies=RESHOW)
def lift(request: Request, organization_id: str, visit: AdminPost) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    reason = text(request.state.console_form, "reason")
    standing_service.lift_restriction(db(request), visit.actor, org, reason=reason)
    return RedirectResponse("/program/standings?done=lifted", status_code=303)


def banner(request: Request, actor: Actor) -> StandingView | None:
    """A partner's standing when the home page should warn it: restricted, deauthorized,
    or under a reassessment or floor notice; None otherwise (and for the vendor)."""
    if actor.is_vendor:
        return None
    view = standing_queries.standing_of(
        db(request), actor, actor.organization_id, today=clock.now().date()
    )
    shown = view.row is not None or view.reassessment_notice or view.floor_notice
    return view if shown else None
