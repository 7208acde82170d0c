"""The partner's own profile: the enrollment's state (with the vendor's reason when it was
rejected, and the way to apply again), the legal business profile and the support
profile — each edited with an ETag-protected form — and the partner IDs.

Everyone in the organization may read it; Profiles manage edits it. A form sent after
someone else saved the profile is refused (2055) and shown again with the message."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.auth import queries as auth_queries
from opencsp.console import rendering, session
from opencsp.console.feedback import on_error
from opencsp.console.pages.partner_notices import done, notice
from opencsp.console.session import Visit, allowed, db
from opencsp.core.actor import Perm
from opencsp.core.config import settings
from opencsp.partners import enrollment, profiles, queries, rules
from opencsp.partners.errors import ProfileNotFound
from opencsp.partners.schemas import (
    Address,
    Contact,
    LegalBusinessProfileUpdate,
    SupportProfileUpdate,
)

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.PROFILE_READ)]
Manager = Annotated[Visit, allowed(Perm.PROFILES_MANAGE, post=True)]

LEGAL_FIELDS = (
    "company_name",
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
)
SUPPORT_FIELDS = ("support_email", "support_phone", "support_website")


def text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def _saved_values(view: profiles.ProfileView) -> dict[str, str]:
    p = view.profile
    address = p.address or {}
    values = {
        "company_name": p.company_name,
        "address_line1": address.get("addressLine1"),
        "address_line2": address.get("addressLine2"),
        "city": address.get("city"),
        "state": address.get("state"),
        "postal_code": address.get("postalCode"),
        "phone_number": address.get("phoneNumber"),
        "contact_first_name": p.contact_first_name,
        "contact_last_name": p.contact_last_name,
        "contact_email": p.contact_email,
        "contact_phone": p.contact_phone,
        "tax_id": p.tax_id,
        "registration_number": p.registration_number,
        "tenant_domain": p.tenant_domain,
        "support_email": p.support_email,
        "support_phone": p.support_phone,
        "support_website": p.support_website,
    }
    return {k: v or "" for k, v in values.items()}


def profile_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    actor = visit.actor
    store = db(request)
    organization = auth_queries.get_visible_organization(store, actor, actor.organization_id)
    context: dict[str, Any] = {
        "organization": organization,
        "error": error,
        "notice": notice(request),
        "can_manage": actor.can(Perm.PROFILES_MANAGE),
        "view": None,
    }
    try:
        view = profiles.own_profile(store, actor)
    except ProfileNotFound:
        return rendering.render(request, "partner_profile.html", context, status=status)
    values = _saved_values(view)
    form: FormData | None = session.state(request, "console_form")
    if error is not None and form is not None:  # a refused form keeps what was typed
        fields = LEGAL_FIELDS if request.url.path.endswith("/legal") else SUPPORT_FIELDS
        values |= {name: text(form, name) for name in fields if name in form}
    context |= {
        "view": view,
        "values": values,
        "vetting": rules.vetting_of(view.state)[0],
        "enrollment": queries.enrollment_of(store, actor.organization_id),
        "partner_ids": queries.partner_ids_of(store, actor.organization_id),
        "domain_locked": view.state is rules.EnrollmentState.ACTIVE,
        "registration_required": rules.registration_number_required(
            view.profile.country, settings().registration_number_countries
        ),
    }
    return rendering.render(request, "partner_profile.html", context, status=status)


RESHOW = [on_error(profile_view, shown_with=Perm.PROFILE_READ)]


@router.get("/profile")
def show_profile(request: Request, visit: Reader) -> Response:
    return profile_view(request)


@router.post("/profile/legal", dependencies=RESHOW)
def save_legal_profile(request: Request, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    body = LegalBusinessProfileUpdate(
        company_name=text(form, "company_name"),
        address=Address(
            address_line1=text(form, "address_line1"),
            address_line2=text(form, "address_line2"),
            city=text(form, "city"),
            state=text(form, "state"),
            postal_code=text(form, "postal_code"),
            phone_number=text(form, "phone_number"),
        ),
        primary_contact=Contact(
            first_name=text(form, "contact_first_name"),
            last_name=text(form, "contact_last_name"),
            email=text(form, "contact_email"),
            phone_number=text(form, "contact_phone"),
        ),
        tenant_domain=text(form, "tenant_domain") if "tenant_domain" in form else None,
        tax_id=text(form, "tax_id"),
        organization_registration_number=text(form, "registration_number"),
    )
    profiles.update_legal_profile(db(request), visit.actor, body, etag=text(form, "etag"))
    return done("/profile", "legal_saved")


@router.post("/profile/support", dependencies=RESHOW)
def save_support_profile(request: Request, visit: Manager) -> Response:
    form: FormData = request.state.console_form
    body = SupportProfileUpdate(
        email=text(form, "support_email"),
        telephone=text(form, "support_phone"),
        website=text(form, "support_website"),
    )
    profiles.update_support_profile(db(request), visit.actor, body, etag=text(form, "etag"))
    return done("/profile", "support_saved")


@router.post("/profile/resubmit", dependencies=RESHOW)
def resubmit(request: Request, visit: Manager) -> Response:
    enrollment.resubmit(db(request), visit.actor)
    return done("/profile", "resubmitted")
