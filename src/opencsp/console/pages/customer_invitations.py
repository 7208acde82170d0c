"""Relationship invitations (PC:request-a-relationship-with-a-customer.md; rules.md §5.5,
§6.5): the partner's page with the link to send to an existing customer — an indirect
reseller first picks the provider the link also authorizes — and the public page at
that link, where the customer's administrator signs in with the tenant's admin
credentials (no partner session), sees who is inviting and accepts.

The public form carries the pre-session CSRF token (double-submit cookie), or the
session's token when someone signed in to the console opens it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import FormData

from opencsp.console import rendering, session
from opencsp.console.feedback import TITLES, on_error
from opencsp.console.pages.customers import text
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm, Tier
from opencsp.customers import credentials, invitations, queries
from opencsp.customers.invitations import Invitation
from opencsp.partners import queries as partners

router = APIRouter()

Inviter = Annotated[Visit, allowed(Perm.CUSTOMER_RELATIONSHIP_REQUEST)]
LINK_FIELDS = ("partnerId", "msppId", "indirectCSP")


@router.get("/customers/invite")
def invite(request: Request, visit: Inviter) -> Response:
    """The link; a reseller chooses among its providers (``?provider=``) first."""
    store = db(request)
    providers: list[tuple[str, str]] = []
    chosen = request.query_params.get("provider") or None
    if visit.actor.tier is Tier.INDIRECT_RESELLER:
        ids = [p.provider_id for p in partners.providers_of(store, visit.actor.organization_id)]
        names = queries.organization_names(store, ids)
        providers = sorted(((str(i), names.get(i, "")) for i in ids), key=lambda p: p[1])
        if chosen is None and len(providers) == 1:
            chosen = providers[0][0]
    link = None
    if visit.actor.tier is not Tier.INDIRECT_RESELLER or chosen:
        path = invitations.request_link(store, visit.actor, indirect_csp=chosen)
        link = str(request.base_url).rstrip("/") + path
    context = {
        "link": link,
        "providers": providers,
        "chosen": chosen or "",
        "is_reseller": visit.actor.tier is Tier.INDIRECT_RESELLER,
    }
    return rendering.render(request, "customer_invite.html", context)


def _link(source: Any) -> dict[str, str | None]:
    values = {}
    for name in LINK_FIELDS:
        value = source.get(name)
        values[name] = value.strip() if isinstance(value, str) and value.strip() else None
    return values


def _invitation(request: Request, link: dict[str, str | None]) -> Invitation:
    return invitations.read_invitation(
        db(request),
        partner_id=link["partnerId"],
        mspp_id=link["msppId"],
        indirect_csp=link["indirectCSP"],
    )


def relationship_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    if error is not None and status == 404:  # the link itself is not valid
        title = rendering.translate(request, TITLES[404])
        context = {"status": status, "title": title, "message": error}
        return rendering.render(request, "error.html", context, status=status)
    form: FormData | None = session.state(request, "console_form")
    link = _link(form if form is not None else request.query_params)
    invitation = _invitation(request, link)
    context = {
        "invitation": invitation,
        "link": link,
        "user_name": text(form, "user_name"),
        "error": error,
    }
    return rendering.render(request, "customer_relationship.html", context, status=status)


@router.get("/customer/relationship")
def relationship_page(request: Request) -> Response:
    return relationship_view(request)


@router.post("/customer/relationship", dependencies=[on_error(relationship_view)])
def accept_relationship(
    request: Request, form: Annotated[FormData, Depends(session.public_form)]
) -> Response:
    store = db(request)
    invitation = _invitation(request, _link(form))
    customer = credentials.verify_admin(store, text(form, "user_name"), text(form, "password"))
    invitations.accept(store, customer, invitation, consent=text(form, "accept") == "yes")
    context = {"invitation": invitation, "customer": customer}
    return rendering.render(request, "customer_relationship_done.html", context)
