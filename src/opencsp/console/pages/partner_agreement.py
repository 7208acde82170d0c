"""The partner agreement, for a partner's Global admin — the only role that may view or
sign it (PC:microsoft-partner-agreement.md; rules.md §1.6): the regions signed, with
signer and date, and signing for a region after reading the agreement in the page's
language. The partner's own region is offered first; it may sign for any other region
where it does business. The version shown is the version signed: if a newer one is
published in between, the service refuses and the page shows the new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.agreements import partner_agreement, queries
from opencsp.agreements.errors import UnknownRegion
from opencsp.agreements.rules import AgreementType
from opencsp.agreements.templates import known_region
from opencsp.console import rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.pages.agreement_documents import document_context, labels
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm
from opencsp.core.ids import parse_guid
from opencsp.partners import queries as partners

router = APIRouter()

Signer = Annotated[Visit, allowed(Perm.PARTNER_AGREEMENT_SIGN)]
SignerPost = Annotated[Visit, allowed(Perm.PARTNER_AGREEMENT_SIGN, post=True)]


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def _shown_region(request: Request, asked: str | None, own: str | None) -> str | None:
    """The region whose agreement the page shows: the one asked for if it is a market,
    else the partner's own."""
    for candidate in (asked, own):
        if candidate:
            try:
                return known_region(db(request), candidate.strip().lower())
            except UnknownRegion:
                continue
    return None


def partner_agreement_view(
    request: Request, *, error: str | None = None, status: int = 200
) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    actor = visit.actor
    form: FormData | None = session.state(request, "console_form")
    own = partner_agreement.own_region(store, actor)
    region = _shown_region(
        request, _text(form, "region") or request.query_params.get("region"), own
    )
    template = queries.current_template(store, AgreementType.PARTNER, region) if region else None
    document = (
        queries.document_in(store, template.id, session.language_of(request)) if template else None
    )
    signatures = partner_agreement.signatures(store, actor)
    context = {
        "signatures": signatures,
        "signed_regions": {row.region for row, _t in signatures},
        "own_region": own,
        "region": region,
        "template": template,
        "has_location_id": partners.location_partner_id(store, actor.organization_id) is not None,
        "error": error,
        "notice": notice(request),
        **(document_context(document) if document else {"document": None}),
        **labels(store),
    }
    return rendering.render(request, "partner_agreement.html", context, status=status)


@router.get("/partner-agreement")
def show(request: Request, visit: Signer) -> Response:
    return partner_agreement_view(request)


@router.post(
    "/partner-agreement",
    dependencies=[on_error(partner_agreement_view, shown_with=Perm.PARTNER_AGREEMENT_SIGN)],
)
def sign(request: Request, visit: SignerPost) -> Response:
    form: FormData = request.state.console_form
    partner_agreement.sign_partner_agreement(
        db(request),
        visit.actor,
        _text(form, "region"),
        template_id=parse_guid(_text(form, "template_id")),
    )
    return done("/partner-agreement", "partner_agreement_signed")
