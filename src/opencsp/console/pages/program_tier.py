"""The vendor changes a partner's indirect tier in the console (``program.tier_change``):
``/partners/{id}/tier`` shows what the change would do — partnerships that end,
customers whose provider relationship ends or who are kept, order requests declined,
active subscriptions that block it — and the confirm button carries the preview's
fingerprint, so the vendor confirms exactly what it saw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm
from opencsp.partners.errors import PartnerNotFound
from opencsp.program import tier_change

router = APIRouter()

Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
Poster = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]

CHANGED = N_("The tier was changed. The partner and the resellers concerned are notified.")


def tier_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    org = path_id(request.path_params.get("organization_id", ""), PartnerNotFound)
    if request.query_params.get("done") == "changed":
        context: dict[str, Any] = {
            "effect": None,
            "organization_id": org,
            "notice": rendering.translate(request, CHANGED),
        }
        return rendering.render(request, "program_tier.html", context, status=status)
    wanted = request.query_params.get("tier") or None
    effect = tier_change.preview(db(request), visit.actor, org, wanted)
    context = {"effect": effect, "organization_id": org, "error": error}
    return rendering.render(request, "program_tier.html", context, status=status)


@router.get("/partners/{organization_id}/tier")
def show_tier(request: Request, organization_id: str, visit: Admin) -> Response:
    return tier_view(request)


@router.post(
    "/partners/{organization_id}/tier",
    dependencies=[on_error(tier_view, shown_with=Perm.PROGRAM_ADMIN)],
)
def confirm_tier(request: Request, organization_id: str, visit: Poster) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    form = request.state.console_form
    tier = form.get("tier")
    fingerprint = form.get("fingerprint")
    tier_change.confirm(
        db(request),
        visit.actor,
        org,
        tier if isinstance(tier, str) else None,
        fingerprint if isinstance(fingerprint, str) else None,
    )
    return RedirectResponse(f"/partners/{org}/tier?done=changed", status_code=303)
