"""Segment qualifications in the console (rules.md §9a):

- a partner's customer page ``/customers/{id}/qualifications``: the customer's
  qualifications and the form asking the vendor for one (``customers.qualifications``);
- a partner's ``/qualifications``: its own government qualification and the button
  asking for it (``partners.qualifications``);
- the vendor's queue ``/program/qualifications``: customers' and partners' requests in
  review, approved or denied with a reason (Program admin).

The services decide; a success redirects with a fixed notice key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm
from opencsp.customers import qualifications as customer_qualifications
from opencsp.customers import queries as customer_queries
from opencsp.customers.errors import CustomerNotFound
from opencsp.customers.qualification_rules import EducationSegment, Qualification
from opencsp.partners import qualifications as partner_qualifications
from opencsp.partners.errors import PartnerNotFound

router = APIRouter()

Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
AdminPoster = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]
CustomerReader = Annotated[Visit, allowed(Perm.CUSTOMERS_READ)]
CustomerManager = Annotated[Visit, allowed(Perm.CUSTOMERS_MANAGE, post=True)]
ProfileReader = Annotated[Visit, allowed(Perm.PROFILE_READ)]
ProfileManager = Annotated[Visit, allowed(Perm.PROFILES_MANAGE, post=True)]

NOTICES: dict[str, str] = {
    "requested": N_("The request was sent. The vendor reviews it and you are notified."),
    "approved": N_("The qualification was approved. The partners are notified."),
    "denied": N_("The qualification was denied. The partners can read the reason."),
}


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


def _done(path: str, key: str) -> RedirectResponse:
    assert key in NOTICES
    return RedirectResponse(f"{path}?done={key}", status_code=303)


def _form(request: Request, name: str) -> str:
    value = request.state.console_form.get(name)
    return value.strip() if isinstance(value, str) else ""


# --- a customer's qualifications (partner) ---------------------------------------------------


def customer_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    customer_id = path_id(request.path_params.get("customer_id", ""), CustomerNotFound)
    customer = customer_queries.get_visible(store, visit.actor, customer_id)
    context: dict[str, Any] = {
        "customer": customer,
        "rows": customer_qualifications.qualifications_of(store, visit.actor, customer_id),
        "choices": [q.value for q in Qualification],
        "segments": [s.value for s in EducationSegment],
        "can_request": visit.actor.can(Perm.CUSTOMERS_MANAGE) and not visit.actor.is_vendor,
        "error": error,
        "notice": _notice(request),
    }
    return rendering.render(request, "customer_qualifications.html", context, status=status)


@router.get("/customers/{customer_id}/qualifications")
def show_customer(request: Request, customer_id: str, visit: CustomerReader) -> Response:
    return customer_view(request)


@router.post(
    "/customers/{customer_id}/qualifications",
    dependencies=[on_error(customer_view, shown_with=Perm.CUSTOMERS_READ)],
)
def request_customer(request: Request, customer_id: str, visit: CustomerManager) -> Response:
    cid = path_id(customer_id, CustomerNotFound)
    customer_qualifications.request_qualification(
        db(request),
        visit.actor,
        cid,
        qualification=_form(request, "qualification"),
        education_segment=_form(request, "educationSegment") or None,
        website=_form(request, "website") or None,
    )
    return _done(f"/customers/{cid}/qualifications", "requested")


# --- the partner's own -----------------------------------------------------------------------


def own_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    rows = partner_qualifications.qualifications_of(db(request), visit.actor)
    context: dict[str, Any] = {
        "government": next(
            (q for q, _ in rows if q.segment == partner_qualifications.GOVERNMENT), None
        ),
        "can_request": visit.actor.can(Perm.PROFILES_MANAGE) and not visit.actor.is_vendor,
        "error": error,
        "notice": _notice(request),
    }
    return rendering.render(request, "qualifications.html", context, status=status)


@router.get("/qualifications")
def show_own(request: Request, visit: ProfileReader) -> Response:
    return own_view(request)


@router.post(
    "/qualifications/government", dependencies=[on_error(own_view, shown_with=Perm.PROFILE_READ)]
)
def request_government(request: Request, visit: ProfileManager) -> Response:
    partner_qualifications.request_qualification(
        db(request), visit.actor, partner_qualifications.GOVERNMENT
    )
    return _done("/qualifications", "requested")


# --- the vendor's queue ----------------------------------------------------------------------


def queue_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    context: dict[str, Any] = {
        "customers": customer_qualifications.review_queue(store, visit.actor),
        "partners": partner_qualifications.qualifications_of(
            store, visit.actor, status=partner_qualifications.Status.IN_REVIEW
        ),
        "error": error,
        "notice": _notice(request),
    }
    return rendering.render(request, "program_qualifications.html", context, status=status)


QUEUE = "/program/qualifications"
RESHOW = [on_error(queue_view, shown_with=Perm.PROGRAM_ADMIN)]


@router.get(QUEUE)
def show_queue(request: Request, visit: Admin) -> Response:
    return queue_view(request)


@router.post(QUEUE + "/customers/{customer_id}/{qualification}/approve", dependencies=RESHOW)
def approve_customer(
    request: Request, customer_id: str, qualification: str, visit: AdminPoster
) -> Response:
    cid = path_id(customer_id, CustomerNotFound)
    customer_qualifications.approve(db(request), visit.actor, cid, qualification)
    return _done(QUEUE, "approved")


@router.post(QUEUE + "/customers/{customer_id}/{qualification}/deny", dependencies=RESHOW)
def deny_customer(
    request: Request, customer_id: str, qualification: str, visit: AdminPoster
) -> Response:
    cid = path_id(customer_id, CustomerNotFound)
    reason = _form(request, "reason")
    customer_qualifications.deny(db(request), visit.actor, cid, qualification, reason)
    return _done(QUEUE, "denied")


@router.post(QUEUE + "/partners/{organization_id}/{segment}/approve", dependencies=RESHOW)
def approve_partner(
    request: Request, organization_id: str, segment: str, visit: AdminPoster
) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    partner_qualifications.approve(db(request), visit.actor, org, segment)
    return _done(QUEUE, "approved")


@router.post(QUEUE + "/partners/{organization_id}/{segment}/deny", dependencies=RESHOW)
def deny_partner(
    request: Request, organization_id: str, segment: str, visit: AdminPoster
) -> Response:
    org = path_id(organization_id, PartnerNotFound)
    partner_qualifications.deny(db(request), visit.actor, org, segment, _form(request, "reason"))
    return _done(QUEUE, "denied")
