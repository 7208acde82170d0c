"""The public enrollment form: a company applies to the program as an indirect reseller
(new partners enroll as indirect resellers, rules.md §1.5) with its legal profile, its
primary contact, its tenant domain and its first user, who becomes its Global admin. No
sign-in is needed; the result says the vendor will verify the enrollment.

The service decides everything (web-mail contacts, registration numbers, the country's
market, a taken domain or email); a refused form is shown again with what was typed,
except the password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import FormData

from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.pages.partner_profile import text
from opencsp.console.session import db
from opencsp.core.config import settings
from opencsp.markets import queries as markets
from opencsp.partners import enrollment
from opencsp.partners.schemas import EnrollmentApplication

router = APIRouter()

FIELDS = (
    "company_name",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone_number",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "tax_id",
    "registration_number",
    "tenant_domain",
    "admin_display_name",
    "admin_email",
)


def countries(request: Request) -> list[tuple[str, str]]:
    """The countries and regions of every CSP market, named and sorted in the reader's
    language."""
    locale = i18n.babel_locale(session.language_of(request))
    found = [
        (country.code, str(locale.territories.get(country.code) or country.name))
        for market in markets.list_markets(db(request))
        for country in market.countries
    ]
    return sorted(found, key=lambda item: item[1])


def enroll_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    form: FormData | None = session.state(request, "console_form")
    values = {name: text(form, name) for name in FIELDS}
    options = countries(request)
    required = settings().registration_number_countries
    context: dict[str, Any] = {
        "values": values,
        "countries": options,
        "registration_countries": [name for code, name in options if code in required],
        "error": error,
    }
    return rendering.render(request, "enroll.html", context, status=status)


@router.get("/enroll")
def show_form(request: Request) -> Response:
    return enroll_view(request)


@router.post("/enroll", dependencies=[on_error(enroll_view)])
def submit(request: Request, form: Annotated[FormData, Depends(session.public_form)]) -> Response:
    application = EnrollmentApplication(
        **{name: text(form, name) for name in FIELDS},
        admin_password=text(form, "admin_password"),
    )
    enrolled = enrollment.enroll(db(request), application)
    context = {
        "company_name": enrolled.profile.company_name,
        "email": enrolled.user.email,
        "submitted_at": enrolled.enrollment.submitted_at,
    }
    return rendering.render(request, "enroll_done.html", context)
