"""The customer agreement, accepted by the customer itself — a public page for the
customer's administrator, who signs in with the customer's admin credentials (shown
once when the customer was created), reads the agreement in English or Korean and
accepts it (method ``customer_acceptance``, dated now, with the name and email they
type). Partners send the link ``/customer/agreement?customerId=<customer id>``; the
credentials decide the customer, and credentials of another customer than the link
names fail like wrong ones.

The sign-in is short (``agreements.customer_signin``) and lives in its own cookie,
scoped to ``/customer``; forms carry its CSRF token. Accepting again changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from opencsp.agreements import customer_acceptance, customer_signin, queries, rules
from opencsp.agreements.models import CustomerSignIn
from opencsp.agreements.rules import AgreementType, Method
from opencsp.console import rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.pages.agreement_documents import document_context, labels
from opencsp.console.session import CsrfRefused, db
from opencsp.core.config import settings
from opencsp.core.crypto import same
from opencsp.core.errors import Unauthenticated
from opencsp.core.ids import parse_guid
from opencsp.customers.models import Customer

router = APIRouter()

PAGE = "/customer/agreement"
COOKIE = "opencsp_customer"
COOKIE_PATH = "/customer"
CSRF_FIELD = "customer_csrf"
FIELDS = ("first_name", "last_name", "email", "phone")


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def _page(customer_id: object | None) -> str:
    return f"{PAGE}?customerId={customer_id}" if customer_id else PAGE


def _signed_in(request: Request) -> tuple[Customer, CustomerSignIn] | None:
    try:
        return customer_signin.resume(db(request), request.cookies.get(COOKIE, ""))
    except Unauthenticated:
        return None


def _draft(customer: Customer, form: FormData | None, failed: bool) -> dict[str, str]:
    """What the form shows: what was typed when it failed, else the billing contact."""
    if failed:
        return {name: _text(form, name) for name in FIELDS}
    return {
        "first_name": customer.billing_first_name or "",
        "last_name": customer.billing_last_name or "",
        "email": customer.billing_email or "",
        "phone": "",
    }


def _agreement_context(request: Request, customer: Customer) -> dict[str, Any]:
    store = db(request)
    region = customer_acceptance.region_of_customer(store, customer)
    template = queries.current_template(store, AgreementType.CUSTOMER, region)
    if template is None:
        return {"template": None, "document": None, "accepted": None}
    document = queries.document_in(store, template.id, session.language_of(request))
    accepted = queries.acceptance(store, customer.id, template.id, Method.CUSTOMER_ACCEPTANCE)
    return {"template": template, "accepted": accepted, **document_context(document)}


def acceptance_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    form: FormData | None = session.state(request, "console_form")
    found = _signed_in(request)
    hint = request.query_params.get("customerId") or _text(form, "customer_id")
    context: dict[str, Any] = {
        "error": error,
        "notice": notice(request),
        "customer": None,
        "customer_id": str(parse_guid(hint) or ""),
        "user_name": _text(form, "user_name"),
    }
    if found is not None:
        customer, row = found
        context |= {
            "customer": customer,
            "customer_csrf": row.csrf_token,
            "draft": _draft(customer, form, failed=error is not None),
            **_agreement_context(request, customer),
            **labels(db(request)),
        }
    return rendering.render(request, "customer_acceptance.html", context, status=status)


PublicForm = Annotated[FormData, Depends(session.public_form)]
Submitted = Annotated[FormData, Depends(session.submitted)]
RESHOW = [on_error(acceptance_view)]


def _customer_posted(request: Request, form: FormData) -> tuple[Customer, CustomerSignIn]:
    """The signed-in customer of a form, which must carry its sign-in's CSRF token."""
    customer, row = customer_signin.resume(db(request), request.cookies.get(COOKIE, ""))
    sent = _text(form, CSRF_FIELD)
    if not sent or not same(sent, row.csrf_token):
        raise CsrfRefused()
    return customer, row


@router.get(PAGE)
def show(request: Request) -> Response:
    return acceptance_view(request)


@router.post(PAGE + "/sign-in", dependencies=RESHOW)
def sign_in(request: Request, form: PublicForm) -> Response:
    opened = customer_signin.sign_in(
        db(request),
        _text(form, "user_name"),
        _text(form, "password"),
        customer_id=parse_guid(_text(form, "customer_id")),
    )
    response = RedirectResponse(_page(opened.customer.id), status_code=303)
    response.set_cookie(
        COOKIE,
        opened.secret,
        max_age=customer_signin.SIGN_IN_MINUTES * 60,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings().cookie_secure,
    )
    return response


@router.post(PAGE, dependencies=RESHOW)
def accept(request: Request, form: Submitted) -> Response:
    customer, _row = _customer_posted(request, form)
    customer_acceptance.accept_as_customer(
        db(request),
        customer,
        template_id=parse_guid(_text(form, "template_id")) or customer.id,
        contact=rules.Contact(
            _text(form, "first_name"),
            _text(form, "last_name"),
            _text(form, "email"),
            _text(form, "phone"),
        ),
        consent=_text(form, "consent") == "yes",
    )
    return done(_page(customer.id), "customer_agreement_accepted")


@router.post(PAGE + "/sign-out")
def sign_out(request: Request, form: Submitted) -> Response:
    customer, _row = _customer_posted(request, form)
    customer_signin.sign_out(db(request), request.cookies.get(COOKIE, ""))
    response = RedirectResponse(_page(customer.id), status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax")
    return response
