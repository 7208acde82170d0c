"""A customer's agreement, for its partners: whether and how the customer agreement was
accepted (by a partner's confirmation or by the customer itself, with the signer and the
date), the link to send to the customer's administrator to accept it on opencsp, and the
form with which an Admin agent or Sales agent of a direct-bill partner or an indirect
provider confirms the customer's acceptance (PC:confirm-customer-agreement.md; rules.md
§5.2). The customers pages link here from a customer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.agreements import customer_acceptance, queries, rules
from opencsp.agreements.rules import AgreementType, Method
from opencsp.console import rendering, session
from opencsp.console.feedback import TITLES, done, notice, on_error
from opencsp.console.pages.agreement_documents import labels
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.ids import parse_guid
from opencsp.customers import queries as customers
from opencsp.customers.errors import CustomerNotFound

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.CUSTOMERS_READ)]
Attester = Annotated[Visit, allowed(Perm.CUSTOMER_AGREEMENT_ATTEST, post=True)]

FIELDS = ("first_name", "last_name", "email", "phone", "date_agreed")


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def acceptance_link(request: Request, customer_id: object) -> str:
    """The public page the customer's administrator accepts the agreement on."""
    return f"{str(request.base_url).rstrip('/')}/customer/agreement?customerId={customer_id}"


def customer_agreement_view(
    request: Request, *, error: str | None = None, status: int = 200
) -> Response:
    visit = session.signed_in(request)
    store = db(request)
    if error is not None and status == 404:  # the customer itself is not visible
        title = rendering.translate(request, TITLES[404])
        context = {"status": status, "title": title, "message": error}
        return rendering.render(request, "error.html", context, status=status)
    customer_id = path_id(request.path_params.get("customer_id", ""), CustomerNotFound)
    customer = customers.get_visible(store, visit.actor, customer_id)
    rows = customer_acceptance.list_agreements(
        store, visit.actor, customer.id, frozenset(AgreementType)
    )
    region = customer_acceptance.region_of_customer(store, customer)
    current = queries.current_template(store, AgreementType.CUSTOMER, region)
    form: FormData | None = session.state(request, "console_form")
    today = clock.now().date().isoformat()
    draft: dict[str, Any] = {name: _text(form, name) if error else "" for name in FIELDS}
    draft["date_agreed"] = draft["date_agreed"] or today
    context = {
        "customer": customer,
        "rows": rows,
        "current": current,
        "accepted": queries.has_accepted_customer_agreement(store, customer.id),
        "confirmed_current": current is not None
        and any(
            row.template_id == current.id and row.method == Method.PARTNER_ATTESTATION
            for row, _t in rows
        ),
        "can_attest": visit.actor.can(Perm.CUSTOMER_AGREEMENT_ATTEST)
        and visit.actor.tier in rules.ATTESTING_TIERS,
        "link": acceptance_link(request, customer.id),
        "today": today,
        "draft": draft,
        "error": error,
        "notice": notice(request),
        **labels(store),
    }
    return rendering.render(request, "customer_agreement.html", context, status=status)


@router.get("/customers/{customer_id}/agreement")
def show(request: Request, customer_id: str, visit: Reader) -> Response:
    return customer_agreement_view(request)


@router.post(
    "/customers/{customer_id}/agreement",
    dependencies=[on_error(customer_agreement_view, shown_with=Perm.CUSTOMERS_READ)],
)
def confirm(request: Request, customer_id: str, visit: Attester) -> Response:
    form: FormData = request.state.console_form
    parsed = path_id(customer_id, CustomerNotFound)
    customer_acceptance.attest(
        db(request),
        visit.actor,
        parsed,
        template_id=parse_guid(_text(form, "template_id")) or uuid.UUID(int=0),
        agreement_type=AgreementType.CUSTOMER.value,
        date_agreed=_text(form, "date_agreed"),
        contact=rules.Contact(
            _text(form, "first_name"),
            _text(form, "last_name"),
            _text(form, "email"),
            _text(form, "phone"),
        ),
    )
    return done(f"/customers/{parsed}/agreement", "agreement_confirmed")
