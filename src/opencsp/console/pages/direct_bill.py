"""Direct bill in the console (rules.md §2a; issue 7, task G).

- ``/directbill``: an indirect reseller's checklist — each requirement with its status
  badge and evidence, progress bars of its TTM toward the USD 300,000 threshold and of its
  months transacting toward 12 — its application form, and its latest application with
  the messages and an answer box.
- ``/directbill/applications``: the vendor's review queue (Program admin), open
  applications oldest first with whether each is eligible now;
  ``/directbill/applications/{id}``: one application with the checklist, messages,
  evidence forms and approve / reject (reason) / request-information actions. A created
  tenant's admin password is shown on the page answering the approval, once.

The services decide what is allowed (``program.rules``); a refused form is shown again
with the error."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages.partner_profile import text
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.program import applications, approval, evidence, facts, reviews
from opencsp.program.approval import Approved
from opencsp.program.eligibility import Checklist
from opencsp.program.errors import ApplicationNotFound, DateUnreadable
from opencsp.program.rules import OPEN, ApplicationState, clean_application

router = APIRouter()

Partner = Annotated[Visit, allowed(Perm.PROFILE_READ)]
PartnerPost = Annotated[Visit, allowed(Perm.PROFILE_READ, post=True)]
Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
AdminPost = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]

REQUIREMENTS = {
    "partnerId": N_("Active partner ID for your location"),
    "authority": N_("Authority to sign legal agreements"),
    "supportPlan": N_(
        "Advanced or Premier Support for Partners, bought after a passed credit check"
    ),
    "revenue": N_(
        "USD 300,000 cloud revenue as an indirect reseller in the trailing twelve months"
    ),
    "tenure": N_("12 months transacting as an indirect reseller"),
    "infrastructure": N_("Billing and provisioning infrastructure, by third-party assessment"),
    "managedService": N_("A managed service, IP service or customer solution"),
}
STATUSES = {"met": N_("Met"), "notMet": N_("Not met"), "pendingReview": N_("Pending review")}
REASONS = {
    "noPartnerId": N_("No partner ID of type location."),
    "notLocation": N_("The partner ID is not of type location."),
    "inactive": N_("The partner ID is not active."),
    "wrongCountry": N_("The partner ID is for another country."),
    "notFound": N_("The partner ID was not found."),
    "attestOnApplication": N_("The signer attests it on the application."),
    "notAttested": N_("Not attested."),
    "nothingRecorded": N_("The vendor has recorded no credit check or support plan yet."),
    "noCreditCheck": N_("A support plan was bought without a credit check."),
    "creditCheckRunning": N_("The credit check is running: do not buy the plan before it passes."),
    "boughtDuringCheck": N_("The plan was bought while the credit check was running."),
    "boughtBeforeCheck": N_("The plan was bought before the credit check passed."),
    "creditCheckFailed": N_("The credit check failed."),
    "noSupportPlan": N_("The credit check passed: buy ASfP or PSfP now."),
    "revenueUnavailable": N_("Revenue cannot be computed: an FX rate is missing."),
    "neverTransacted": N_("No transactions as an indirect reseller yet."),
    "describeOnApplication": N_("Describe it on the application."),
    "notDescribed": N_("Not described."),
    "awaitingRevenueAndTenure": N_("Scheduled once revenue and tenure are met."),
    "toSchedule": N_("The vendor schedules the assessment next."),
    "scheduled": N_("The assessment is scheduled."),
}
STATES = {
    "submitted": N_("Submitted"),
    "info_requested": N_("Information requested"),
    "assessment": N_("Assessment"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
KINDS = {
    "request_info": N_("Information requested"),
    "answer": N_("Answer"),
    "decision": N_("Decision"),
    "note": N_("Note"),
}
NOTICES = {
    "applied": N_("Your application was submitted. The vendor reviews it."),
    "answered": N_("Your answer was sent."),
    "withdrawn": N_("The application was withdrawn."),
    "asked": N_("The partner was asked for more information."),
    "noted": N_("The note was added."),
    "scheduled": N_("The assessment was scheduled."),
    "rejected": N_("The application was rejected. The partner can see the reason."),
    "approved": N_("The application was approved."),
    "recorded": N_("The evidence was recorded."),
}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DateUnreadable() from None


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


def _done(path: str, key: str) -> Response:
    assert key in NOTICES
    return RedirectResponse(f"{path}?done={key}", status_code=303)


def progress(checklist: Checklist) -> dict[str, Any]:
    """The TTM toward its threshold and the months toward the tenure, as percentages."""
    revenue, tenure = checklist.get("revenue").evidence, checklist.get("tenure").evidence
    try:
        ttm = Decimal(revenue.get("ttmUsd", "0"))
        threshold = Decimal(revenue.get("thresholdUsd", "0"))
    except InvalidOperation:  # pragma: no cover - the rules write decimals
        ttm, threshold = Decimal(0), Decimal(0)
    months, required = int(tenure.get("months", 0)), int(tenure.get("requiredMonths", 0))

    def percent(part: Decimal, whole: Decimal) -> int:
        return 100 if whole <= 0 else int(min(Decimal(100), part * 100 / whole))

    return {
        "ttm": ttm,
        "threshold": threshold,
        "ttm_percent": percent(ttm, threshold),
        "months": months,
        "required_months": required,
        "months_percent": percent(Decimal(months), Decimal(required)),
    }


def _common() -> dict[str, Any]:
    return {
        "requirement_labels": REQUIREMENTS,
        "status_labels": STATUSES,
        "reason_labels": REASONS,
        "state_labels": STATES,
        "kind_labels": KINDS,
    }


# --- the partner's page -------------------------------------------------------------------


def partner_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    now = clock.now()
    mine = applications.list_applications(store, visit.actor)
    latest = mine[-1] if mine else None
    checklist = applications.own_checklist(store, visit.actor, now=now)
    context: dict[str, Any] = {
        **_common(),
        "checklist": checklist,
        "progress": progress(checklist),
        "application": latest,
        "messages": applications.messages_of(store, latest.id) if latest else [],
        "is_open": latest is not None and ApplicationState(latest.state) in OPEN,
        "can_apply": (latest is None or latest.state in ("rejected", "withdrawn"))
        and "global_admin" in visit.actor.roles,
        "draft": session.state(request, "console_form") if error else None,
        "error": error,
        "notice": _notice(request),
    }
    return rendering.render(request, "direct_bill.html", context, status=status)


PARTNER_RESHOW = [on_error(partner_view, shown_with=Perm.PROFILE_READ)]


@router.get("/directbill")
def show_partner(request: Request, visit: Partner) -> Response:
    return partner_view(request)


@router.post("/directbill/apply", dependencies=PARTNER_RESHOW)
def apply(request: Request, visit: PartnerPost) -> Response:
    form = request.state.console_form
    fields = clean_application(
        signer_name=text(form, "signer_name"),
        signer_email=text(form, "signer_email"),
        signer_title=text(form, "signer_title"),
        authority_attested=text(form, "authority_attested") == "on",
        managed_service=text(form, "managed_service"),
        billing_anniversary=_date(text(form, "billing_anniversary")),
        tenant_domain=text(form, "tenant_domain"),
        tax_id=text(form, "tax_id"),
    )
    applications.apply(db(request), visit.actor, fields)
    return _done("/directbill", "applied")


@router.post("/directbill/{application_id}/answer", dependencies=PARTNER_RESHOW)
def answer(request: Request, application_id: str, visit: PartnerPost) -> Response:
    app_id = path_id(application_id, ApplicationNotFound)
    applications.add_message(
        db(request), visit.actor, app_id, text(request.state.console_form, "body")
    )
    return _done("/directbill", "answered")


@router.post("/directbill/{application_id}/withdraw", dependencies=PARTNER_RESHOW)
def withdraw(request: Request, application_id: str, visit: PartnerPost) -> Response:
    applications.withdraw(db(request), visit.actor, path_id(application_id, ApplicationNotFound))
    return _done("/directbill", "withdrawn")


# --- the vendor's queue -------------------------------------------------------------------


@router.get("/directbill/applications")
def queue(request: Request, visit: Admin) -> Response:
    store = db(request)
    every = request.query_params.get("state") == "all"
    found = applications.list_applications(store, visit.actor, states=[] if every else sorted(OPEN))
    rows = applications.with_checklists(store, found, now=clock.now())
    context = {
        **_common(),
        "rows": rows,
        "names": applications.organization_names(store, [a.organization_id for a in found]),
        "every": every,
        "notice": _notice(request),
    }
    return rendering.render(request, "direct_bill_queue.html", context)


def detail_view(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    approved: Approved | None = None,
) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    app_id = path_id(request.path_params.get("application_id", ""), ApplicationNotFound)
    app = applications.get_application(store, visit.actor, app_id)
    checklist = applications.checklist_of(store, app, now=clock.now())
    context: dict[str, Any] = {
        **_common(),
        "application": app,
        "partner_name": applications.organization_names(store, [app.organization_id]).get(
            app.organization_id, ""
        ),
        "checklist": checklist,
        "progress": progress(checklist),
        "messages": applications.messages_of(store, app.id),
        "evidence": evidence.list_evidence(store, visit.actor, app.organization_id),
        "is_open": ApplicationState(app.state) in OPEN,
        "approved": approved,
        "policy": facts.policy(),
        "error": error,
        "notice": _notice(request),
        "draft_reason": text(session.state(request, "console_form"), "reason") if error else "",
    }
    return rendering.render(request, "direct_bill_application.html", context, status=status)


DETAIL_RESHOW = [on_error(detail_view, shown_with=Perm.PROGRAM_ADMIN)]


def _app_id(application_id: str) -> uuid.UUID:
    return path_id(application_id, ApplicationNotFound)


def _here(app_id: uuid.UUID, key: str) -> Response:
    return _done(f"/directbill/applications/{app_id}", key)


@router.get("/directbill/applications/{application_id}")
def show_application(request: Request, application_id: str, visit: Admin) -> Response:
    return detail_view(request)


@router.post(
    "/directbill/applications/{application_id}/requestinformation", dependencies=DETAIL_RESHOW
)
def request_information(request: Request, application_id: str, visit: AdminPost) -> Response:
    app_id = _app_id(application_id)
    reviews.request_information(
        db(request), visit.actor, app_id, text(request.state.console_form, "body")
    )
    return _here(app_id, "asked")


@router.post("/directbill/applications/{application_id}/note", dependencies=DETAIL_RESHOW)
def note(request: Request, application_id: str, visit: AdminPost) -> Response:
    app_id = _app_id(application_id)
    applications.add_message(
        db(request), visit.actor, app_id, text(request.state.console_form, "body")
    )
    return _here(app_id, "noted")


@router.post(
    "/directbill/applications/{application_id}/scheduleassessment", dependencies=DETAIL_RESHOW
)
def schedule_assessment(request: Request, application_id: str, visit: AdminPost) -> Response:
    app_id = _app_id(application_id)
    on = _date(text(request.state.console_form, "assessment_date"))
    reviews.schedule_assessment(db(request), visit.actor, app_id, on)
    return _here(app_id, "scheduled")


@router.post("/directbill/applications/{application_id}/reject", dependencies=DETAIL_RESHOW)
def reject(request: Request, application_id: str, visit: AdminPost) -> Response:
    app_id = _app_id(application_id)
    reviews.reject(db(request), visit.actor, app_id, text(request.state.console_form, "reason"))
    return _here(app_id, "rejected")


@router.post("/directbill/applications/{application_id}/approve", dependencies=DETAIL_RESHOW)
def approve(request: Request, application_id: str, visit: AdminPost) -> Response:
    """Answered with the page itself, not a redirect: a created tenant's admin password
    is shown this once and never stored in a URL."""
    app_id = _app_id(application_id)
    done = approval.approve(db(request), visit.actor, app_id)
    return detail_view(request, approved=done)


@router.post("/directbill/applications/{application_id}/evidence", dependencies=DETAIL_RESHOW)
def record_evidence(request: Request, application_id: str, visit: AdminPost) -> Response:
    store = db(request)
    app_id = _app_id(application_id)
    app = applications.get_application(store, visit.actor, app_id)
    form = request.state.console_form
    evidence.record_evidence(
        store,
        visit.actor,
        app.organization_id,
        kind=text(form, "kind"),
        outcome=text(form, "outcome"),
        effective_on=_date(text(form, "effective_on")),
        plan=text(form, "plan") or None,
    )
    return _here(app_id, "recorded")
