"""Creating a customer: the form (countries of the partner's own market only — it sells
nowhere else; a provider may pick one of its indirect resellers), the company-name
warnings to confirm before creating (PC:validate-names-addresses.md), and the result page
showing the administrator's credentials once: only a hash of the password is kept, so
nobody can show it again (PC:developer/create-a-customer.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.i18n import N_
from opencsp.console.pages.customers import ADDRESS_FIELDS, parse, text
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm, Tier
from opencsp.customers import creation, queries, rules
from opencsp.customers.rules import NameWarning
from opencsp.customers.schemas import CustomerCreate
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners

router = APIRouter()

Creator = Annotated[Visit, allowed(Perm.CUSTOMERS_CREATE)]
Poster = Annotated[Visit, allowed(Perm.CUSTOMERS_CREATE, post=True)]

WARNINGS: dict[NameWarning, str] = {
    NameWarning.TOP_LEVEL_DOMAIN: N_("The name contains a top-level domain such as .com."),
    NameWarning.REPEATED_CHARACTER: N_("The name repeats one character three or more times."),
    NameWarning.SPACED_CHARACTERS: N_("The name has single characters separated by spaces."),
}
FIELDS = (
    "company_name",
    "domain",
    "country",
    "registration_number",
    "first_name",
    "last_name",
    "email",
    "culture",
    "language",
    "reseller",
    *ADDRESS_FIELDS,
)


def _choices(request: Request, visit: Visit) -> dict[str, Any]:
    """The countries of the partner's market and, for a provider, its resellers."""
    store = db(request)
    region = partners.region_of(store, visit.actor.organization_id)
    countries = markets.get_market(store, region).countries if region else []
    resellers: list[tuple[str, str]] = []
    if visit.actor.tier is Tier.INDIRECT_PROVIDER:
        ids = [p.reseller_id for p in partners.resellers_of(store, visit.actor.organization_id)]
        names = queries.organization_names(store, ids)
        resellers = sorted(((str(i), names.get(i, "")) for i in ids), key=lambda r: r[1])
    return {"countries": countries, "resellers": resellers}


def new_customer_view(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    warnings: list[NameWarning] | None = None,
) -> Response:
    visit = session.signed_in(request)
    form: FormData | None = session.state(request, "console_form")
    draft = {name: text(form, name) for name in FIELDS}
    if form is None:
        draft["culture"], draft["language"] = "en-US", "en"
    context = {
        **_choices(request, visit),
        "draft": draft,
        "warnings": [WARNINGS[w] for w in warnings or []],
        "error": error,
    }
    return rendering.render(request, "customer_new.html", context, status=status)


@router.get("/customers/new")
def new_customer(request: Request, visit: Creator) -> Response:
    return new_customer_view(request)


def _body(form: FormData) -> CustomerCreate:
    address = {name: text(form, name) or None for name in ADDRESS_FIELDS}
    address |= {
        "country": text(form, "country"),
        "firstName": address.get("firstName") or text(form, "first_name") or None,
        "lastName": address.get("lastName") or text(form, "last_name") or None,
    }
    return parse(
        CustomerCreate,
        {
            "companyProfile": {
                "domain": text(form, "domain"),
                "companyName": text(form, "company_name"),
                "organizationRegistrationNumber": text(form, "registration_number") or None,
            },
            "billingProfile": {
                "firstName": text(form, "first_name") or None,
                "lastName": text(form, "last_name") or None,
                "email": text(form, "email"),
                "culture": text(form, "culture"),
                "language": text(form, "language"),
                "companyName": text(form, "company_name"),
                "defaultAddress": address,
            },
            "associatedPartnerId": text(form, "reseller") or None,
        },
    )


@router.post("/customers/new", dependencies=[on_error(new_customer_view)])
def create_customer(request: Request, visit: Poster) -> Response:
    form: FormData = request.state.console_form
    _, warnings = rules.check_company_name(text(form, "company_name"))
    if warnings and text(form, "confirm") != "1":
        return new_customer_view(request, warnings=warnings)
    created = creation.create_customer(db(request), visit.actor, _body(form))
    context = {
        "customer": created.customer,
        "user_name": created.user_name,
        "password": created.password,
        "warnings": [WARNINGS[w] for w in created.warnings],
    }
    return rendering.render(request, "customer_created.html", context, status=201)
