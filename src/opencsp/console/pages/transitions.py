"""Changing tier from direct bill to indirect reseller (rules.md §2d) in the console.

- ``/transition``: the partner's wizard (its Global admin): request → waiting for
  approval → accept the agreement → choose a provider → customers' consent → scheduled
  for a month → done, with a withdraw button until the switch.
- ``/transitions``: the vendor's queue (Program admin), requests waiting for approval
  first and overdue ones on top; ``/transitions/{id}``: one transition with its customers,
  and approve, reject (with a reason) and complete.

The services decide what is allowed (``program.transition_rules``); a refused form is
shown again with the error."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages.partner_profile import text
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm, Tier
from opencsp.customers.errors import CustomerNotFound
from opencsp.partners.errors import PartnerNotFound
from opencsp.program import transition_jobs as completion
from opencsp.program import transition_steps as steps
from opencsp.program import transitions
from opencsp.program.errors import ConsentDateUnreadable, TransitionNotFound
from opencsp.program.transition_rules import TransitionState

router = APIRouter()

Partner = Annotated[Visit, allowed(Perm.PARTNER_AGREEMENT_SIGN)]
PartnerPost = Annotated[Visit, allowed(Perm.PARTNER_AGREEMENT_SIGN, post=True)]
Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
AdminPost = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]

WIZARD = (
    ("request", N_("Request")),
    ("awaitingApproval", N_("Waiting for approval")),
    ("acceptAgreement", N_("Accept the agreement")),
    ("chooseProvider", N_("Choose a provider")),
    ("customerConsent", N_("Customers' consent")),
    ("scheduled", N_("Scheduled")),
    ("done", N_("Done")),
)
STEP_OF = {"switching": "scheduled", "rejected": "request", "withdrawn": "request"}

STATES = {
    "requested": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "scheduled": N_("Scheduled"),
    "switching": N_("Switching"),
    "completed": N_("Completed"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}

NOTICES = {
    "requested": N_("Your request was sent. The vendor decides within five business days."),
    "agreement": N_("You accepted the indirect reseller agreement."),
    "provider": N_("The provider was chosen. Record each customer's consent next."),
    "consent": N_("The customer's consent was recorded."),
    "withdrawn": N_("The transition was withdrawn. Nothing changed."),
    "approved": N_("The transition was approved."),
    "rejected": N_("The transition was rejected. The partner can see the reason."),
    "completed": N_("The transition is complete: the customers moved to the provider."),
}


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


def _done(path: str, key: str) -> Response:
    assert key in NOTICES
    return RedirectResponse(f"{path}?done={key}", status_code=303)


# --- the partner's wizard -----------------------------------------------------------------


def wizard_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    found = transitions.own_open(store, visit.actor)
    view = transitions.view_of(store, found) if found is not None else None
    closed = view is None or view.state in (TransitionState.REJECTED, TransitionState.WITHDRAWN)
    current = "request" if closed or view is None else STEP_OF.get(view.state.value, view.next_step)
    keys = [k for k, _ in WIZARD]
    context: dict[str, Any] = {
        "view": view,
        "steps": WIZARD,
        "current": current,
        "current_index": keys.index(current),
        "states": STATES,
        "can_request": closed and visit.actor.tier is Tier.DIRECT_BILL,
        "providers": (
            transitions.providers_for(store, visit.actor, view.transition.id)
            if view is not None and view.next_step == "chooseProvider"
            else []
        ),
        "error": error,
        "notice": _notice(request),
    }
    return rendering.render(request, "transition_wizard.html", context, status=status)


WIZARD_RESHOW = [on_error(wizard_view, shown_with=Perm.PARTNER_AGREEMENT_SIGN)]


@router.get("/transition")
def show_wizard(request: Request, visit: Partner) -> Response:
    return wizard_view(request)


@router.post("/transition", dependencies=WIZARD_RESHOW)
def request_transition(request: Request, visit: PartnerPost) -> Response:
    transitions.request_transition(db(request), visit.actor)
    return _done("/transition", "requested")


@router.post("/transition/{transition_id}/agreement", dependencies=WIZARD_RESHOW)
def accept_agreement(request: Request, transition_id: str, visit: PartnerPost) -> Response:
    steps.accept_agreement(db(request), visit.actor, path_id(transition_id, TransitionNotFound))
    return _done("/transition", "agreement")


@router.post("/transition/{transition_id}/provider", dependencies=WIZARD_RESHOW)
def choose_provider(request: Request, transition_id: str, visit: PartnerPost) -> Response:
    form = request.state.console_form
    provider = path_id(text(form, "provider_id"), PartnerNotFound)
    steps.choose_provider(
        db(request), visit.actor, path_id(transition_id, TransitionNotFound), provider
    )
    return _done("/transition", "provider")


def _consent_date(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip() + "T00:00:00+00:00")
    except ValueError:
        raise ConsentDateUnreadable() from None


@router.post("/transition/{transition_id}/consent", dependencies=WIZARD_RESHOW)
def record_consent(request: Request, transition_id: str, visit: PartnerPost) -> Response:
    form = request.state.console_form
    steps.record_consent(
        db(request),
        visit.actor,
        path_id(transition_id, TransitionNotFound),
        path_id(text(form, "customer_id"), CustomerNotFound),
        consent_by=text(form, "consent_by"),
        consented_at=_consent_date(text(form, "consented_on")),
    )
    return _done("/transition", "consent")


@router.post("/transition/{transition_id}/withdraw", dependencies=WIZARD_RESHOW)
def withdraw(request: Request, transition_id: str, visit: PartnerPost) -> Response:
    transitions.withdraw(db(request), visit.actor, path_id(transition_id, TransitionNotFound))
    return _done("/transition", "withdrawn")


# --- the vendor's queue -------------------------------------------------------------------


@router.get("/transitions")
def list_transitions(request: Request, visit: Admin) -> Response:
    chosen = request.query_params.get("state") or None
    state = next((s for s in TransitionState if s.value == chosen), None)
    views = transitions.list_views(db(request), visit.actor, state=state)
    context = {
        "views": views,
        "state": state.value if state else None,
        "states": STATES,
        "notice": _notice(request),
    }
    return rendering.render(request, "transitions.html", context)


def detail_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    tid = path_id(request.path_params.get("transition_id", ""), TransitionNotFound)
    view = transitions.get_view(db(request), visit.actor, tid)
    context = {
        "view": view,
        "states": STATES,
        "error": error,
        "notice": _notice(request),
        "draft_reason": text(session.state(request, "console_form"), "reason") if error else "",
    }
    return rendering.render(request, "transition.html", context, status=status)


DETAIL_RESHOW = [on_error(detail_view, shown_with=Perm.PROGRAM_ADMIN)]


@router.get("/transitions/{transition_id}")
def show_transition(request: Request, transition_id: str, visit: Admin) -> Response:
    return detail_view(request)


@router.post("/transitions/{transition_id}/approve", dependencies=DETAIL_RESHOW)
def approve(request: Request, transition_id: str, visit: AdminPost) -> Response:
    tid = path_id(transition_id, TransitionNotFound)
    transitions.approve(db(request), visit.actor, tid)
    return _done(f"/transitions/{tid}", "approved")


@router.post("/transitions/{transition_id}/reject", dependencies=DETAIL_RESHOW)
def reject(request: Request, transition_id: str, visit: AdminPost) -> Response:
    tid = path_id(transition_id, TransitionNotFound)
    transitions.reject(db(request), visit.actor, tid, text(request.state.console_form, "reason"))
    return _done(f"/transitions/{tid}", "rejected")


@router.post("/transitions/{transition_id}/complete", dependencies=DETAIL_RESHOW)
def complete(request: Request, transition_id: str, visit: AdminPost) -> Response:
    tid = path_id(transition_id, TransitionNotFound)
    completion.complete_now(db(request), visit.actor, tid)
    return _done(f"/transitions/{tid}", "completed")
