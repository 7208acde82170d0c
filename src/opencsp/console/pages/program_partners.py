"""The vendor's partners: the enrollment verification queue by state, and one partner's
page with its profile, partner IDs and enrollment, where a Program admin starts the
verification, approves or rejects it with a reason, and grants the indirect-provider
tier. The services decide which step is allowed (``partners.rules.TRANSITIONS``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.pages.partner_notices import done, notice
from opencsp.console.pages.partner_profile import text
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm, Tier
from opencsp.partners import enrollment, queries, rules
from opencsp.partners.errors import PartnerNotFound
from opencsp.partners.rules import EnrollmentState

router = APIRouter()

Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
Poster = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]


@router.get("/partners")
def list_partners(request: Request, visit: Admin) -> Response:
    chosen = request.query_params.get("state") or None
    state = next((s for s in EnrollmentState if s.value == chosen), None)
    everyone = queries.list_partners(db(request), visit.actor)
    counts = {
        s.value: sum(1 for r in everyone if r.enrollment.state == s.value) for s in EnrollmentState
    }
    rows = [r for r in everyone if state is None or r.enrollment.state == state.value]
    context = {
        "rows": rows,
        "state": state.value if state else None,
        "states": [s.value for s in EnrollmentState],
        "counts": counts,
        "total": len(everyone),
        "notice": notice(request),
    }
    return rendering.render(request, "program_partners.html", context)


def partner_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    organization_id = path_id(request.path_params.get("organization_id", ""), PartnerNotFound)
    row = queries.get_partner(store, visit.actor, organization_id)
    state = EnrollmentState(row.enrollment.state)
    context: dict[str, Any] = {
        "row": row,
        "partner_ids": queries.partner_ids_of(store, organization_id),
        "providers": len(queries.providers_of(store, organization_id)),
        "resellers": len(queries.resellers_of(store, organization_id)),
        "can_verify": rules.can_transition(state, EnrollmentState.VERIFYING),
        "can_approve": rules.can_transition(state, EnrollmentState.ACTIVE),
        "can_reject": rules.can_transition(state, EnrollmentState.REJECTED),
        "can_grant": row.organization.tier == Tier.INDIRECT_RESELLER.value
        and state is EnrollmentState.ACTIVE,
        "error": error,
        "notice": notice(request),
        "draft_reason": text(session.state(request, "console_form"), "reason") if error else "",
    }
    return rendering.render(request, "program_partner.html", context, status=status)


RESHOW = [on_error(partner_view, shown_with=Perm.PROGRAM_ADMIN)]


@router.get("/partners/{organization_id}")
def show_partner(request: Request, organization_id: str, visit: Admin) -> Response:
    return partner_view(request)


def _back(organization_id: str, key: str) -> Response:
    return done(f"/partners/{organization_id}", key)


@router.post("/partners/{organization_id}/verify", dependencies=RESHOW)
def start_verification(request: Request, organization_id: str, visit: Poster) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    enrollment.start_verification(db(request), visit.actor, org)
    return _back(str(org), "verification_started")


@router.post("/partners/{organization_id}/approve", dependencies=RESHOW)
def approve(request: Request, organization_id: str, visit: Poster) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    enrollment.approve(db(request), visit.actor, org)
    return _back(str(org), "enrollment_approved")


@router.post("/partners/{organization_id}/reject", dependencies=RESHOW)
def reject(request: Request, organization_id: str, visit: Poster) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    reason = text(request.state.console_form, "reason")
    enrollment.reject(db(request), visit.actor, org, reason)
    return _back(str(org), "enrollment_rejected")


@router.post("/partners/{organization_id}/provider-tier", dependencies=RESHOW)
def grant_provider_tier(request: Request, organization_id: str, visit: Poster) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    enrollment.grant_provider_tier(db(request), visit.actor, org)
    return _back(str(org), "provider_granted")
