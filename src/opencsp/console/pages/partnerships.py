"""Partnerships between indirect providers and indirect resellers
(PC:indirect-provider-tasks-in-partner-center.md, PC:indirect-reseller-tasks-in-partner-
center.md).

- A provider sees its resellers and the partnership links it sent; its Global admin
  issues a link (shown once: only its digest is kept), and revokes one.
- A reseller sees its providers. Its Global admin opens a provider's link, ticks the box
  and chooses "Authorize indirect provider".
- Either side's Global admin ends a partnership after a confirmation that says the
  customers are kept."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.pages.partner_notices import done, notice
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm, Tier
from opencsp.core.config import settings
from opencsp.markets import queries as markets
from opencsp.partners import partnerships, queries
from opencsp.partners.errors import (
    AuthorizationNotConfirmed,
    PartnershipNotFound,
    PartnershipRequestNotFound,
)
from opencsp.partners.models import PartnershipRequest
from opencsp.partners.partnerships import Relationship
from opencsp.partners.rules import RelationshipType

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.PROFILE_READ)]
Manager = Annotated[Visit, allowed(Perm.PARTNER_RELATIONSHIPS_MANAGE)]
Poster = Annotated[Visit, allowed(Perm.PARTNER_RELATIONSHIPS_MANAGE, post=True)]


def _request_row(request: PartnershipRequest) -> dict[str, Any]:
    return {"request": request, "status": partnerships.request_status(request).value}


def partnerships_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    actor = visit.actor
    store = db(request)
    context: dict[str, Any] = {
        "is_provider": actor.tier is Tier.INDIRECT_PROVIDER,
        "is_reseller": actor.tier is Tier.INDIRECT_RESELLER,
        "can_manage": actor.can(Perm.PARTNER_RELATIONSHIPS_MANAGE),
        "resellers": partnerships.relationships(
            store, actor, RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF
        ),
        "providers": partnerships.relationships(
            store, actor, RelationshipType.IS_INDIRECT_RESELLER_OF
        ),
        "requests": [],
        "link_days": settings().partnership_request_days,
        "error": error,
        "notice": notice(request),
    }
    if context["is_provider"] and context["can_manage"]:
        context["requests"] = [_request_row(r) for r in queries.requests_sent(store, actor)]
    return rendering.render(request, "partnerships.html", context, status=status)


RESHOW = [on_error(partnerships_view, shown_with=Perm.PROFILE_READ)]


@router.get("/partnerships")
def list_partnerships(request: Request, visit: Reader) -> Response:
    return partnerships_view(request)


@router.post("/partnerships/requests", dependencies=RESHOW)
def issue_request(request: Request, visit: Poster) -> Response:
    form = request.state.console_form
    email, message = form.get("invited_email"), form.get("message")
    issued = partnerships.request_partnership(
        db(request),
        visit.actor,
        invited_email=email if isinstance(email, str) else None,
        message=message if isinstance(message, str) else None,
    )
    link = str(request.base_url).rstrip("/") + issued.path
    context = {"issued": issued.request, "link": link}
    return rendering.render(request, "partnership_link.html", context, status=201)


@router.post("/partnerships/requests/{request_id}/revoke", dependencies=RESHOW)
def revoke_request(request: Request, request_id: str, visit: Poster) -> Response:
    revoked = partnerships.revoke_request(
        db(request), visit.actor, path_id(request_id, PartnershipRequestNotFound)
    )
    if session.is_htmx(request):
        context = {"row": _request_row(revoked), "can_manage": True}
        return rendering.render(request, "partials/partnership_request_row.html", context)
    return done("/partnerships", "request_revoked")


def _relationship_with(request: Request, visit: Visit, partner_id: uuid.UUID) -> Relationship:
    for kind in RelationshipType:
        for found in partnerships.relationships(db(request), visit.actor, kind):
            if found.partner.organization_id == partner_id:
                return found
    raise PartnershipNotFound()


@router.get("/partnerships/{partner_id}/end")
def confirm_end(request: Request, partner_id: str, visit: Manager) -> Response:
    found = _relationship_with(request, visit, path_id(partner_id, PartnershipNotFound))
    return rendering.render(request, "partnership_end.html", {"relationship": found})


@router.post("/partnerships/{partner_id}/end", dependencies=RESHOW)
def end_partnership(request: Request, partner_id: str, visit: Poster) -> Response:
    partnerships.end_partnership(db(request), visit.actor, path_id(partner_id, PartnershipNotFound))
    return done("/partnerships", "partnership_ended")


def accept_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    token = request.path_params.get("token", "")
    store = db(request)
    try:
        preview = partnerships.preview_request(store, token)
    except PartnershipRequestNotFound:
        if error is None:
            raise
        preview = None  # the failure used the link up or found it gone: say so, offer no form
    market = (
        markets.get_market(store, preview.provider_region)
        if preview is not None and preview.provider_region
        else None
    )
    context = {
        "preview": preview,
        "market": market,
        "token": token,
        "can_authorize": visit.actor.can(Perm.PARTNER_RELATIONSHIPS_MANAGE),
        "error": error,
    }
    return rendering.render(request, "partnership_accept.html", context, status=status)


@router.get("/partnerships/accept/{token}")
def show_acceptance(request: Request, token: str, visit: Reader) -> Response:
    return accept_view(request)


@router.post(
    "/partnerships/accept/{token}",
    dependencies=[on_error(accept_view, shown_with=Perm.PROFILE_READ)],
)
def accept(request: Request, token: str, visit: Poster) -> Response:
    if request.state.console_form.get("authorize") != "yes":
        raise AuthorizationNotConfirmed()
    partnerships.accept_partnership(db(request), visit.actor, token)
    return done("/partnerships", "partnership_accepted")
