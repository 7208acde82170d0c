"""Approving a direct-bill application (rules.md §2a, §1.7, §2d): only when every
required requirement is met, and only with a tenant of its own for the direct-bill tier
("enrolling as both indirect reseller and direct-bill partner requires two separate
tenants", PC:enrolling-in-the-csp-program.md).

Approval either **creates** the direct-bill organization — through the same enrollment
as every partner (``partners.enrollment.enroll``, verified and approved at once by the
approving Program admin, then given the direct-bill tier): the applicant's company
profile and registration number, the application's tenant domain and tax id, the
signer as its Global admin at ``<signer>@<tenant domain>`` with a password shown once
— or **links** an existing organization the vendor names: a direct-bill-tier
organization other than the applicant with no customers yet, whose tenant domain the
application then captures. An organization that once transitioned from direct bill to
indirect reseller cannot be linked: reapplying needs a new tenant
(PC:transition-direct-to-indirect.md). The checklist the decision was made on is kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_secret
from opencsp.customers.models import CustomerRelationship
from opencsp.partners import enrollment
from opencsp.partners import queries as partner_queries
from opencsp.partners.errors import PartnerNotFound, ProfileNotFound
from opencsp.partners.models import PartnerProfile
from opencsp.partners.schemas import EnrollmentApplication
from opencsp.program import facts
from opencsp.program import rules as r
from opencsp.program.applications import get_application, is_reviewer
from opencsp.program.errors import LinkTargetInvalid, NewTenantRequired, NotEligibleForDirectBill
from opencsp.program.models import DirectBillApplication, TierTransition
from opencsp.program.reviews import decide
from opencsp.program.rules import Action, ApplicationState


@dataclass(frozen=True)
class Approved:
    """The approved application, its direct-bill organization and — when approval created
    it — the signer's Global admin e-mail and password, shown this once."""

    application: DirectBillApplication
    organization: Organization
    admin_email: str | None = None
    admin_password: str | None = None


def approve(
    session: Session,
    actor: Actor,
    application_id: uuid.UUID,
    *,
    link_organization_id: uuid.UUID | None = None,
) -> Approved:
    """Approve when the live checklist is eligible (else an error naming the unmet
    requirements), then create or link the direct-bill organization (module docstring)."""
    if not is_reviewer(actor):
        raise PermissionDenied()
    app = get_application(session, actor, application_id, for_update=True)
    r.next_state(ApplicationState(app.state), Action.APPROVE)
    now = clock.now()
    checklist = facts.direct_bill_checklist(session, app.organization_id, now=now, application=app)
    if not checklist.eligible:
        raise NotEligibleForDirectBill(unmet=", ".join(checklist.unmet))
    if link_organization_id is not None:
        org = _link(session, actor, app, link_organization_id)
        approved = Approved(app, org)
    else:
        approved = _create(session, actor, app)
    app.direct_organization_id = approved.organization.id
    decide(session, actor, app, Action.APPROVE, checklist=checklist, reason=None, now=now)
    return approved


def ensure_linkable(
    session: Session, app: DirectBillApplication, target: uuid.UUID
) -> Organization:
    """The organization the vendor names must be a direct-bill tenant of its own, never
    one that transitioned from direct bill to reseller, with no customers yet."""
    transitioned = session.scalar(
        select(TierTransition.id)
        .where(TierTransition.organization_id == target, TierTransition.completed_at.is_not(None))
        .limit(1)
    )
    if transitioned is not None:
        raise NewTenantRequired(organization_id=target)
    org = session.get(Organization, target)
    if org is None or org.tier == Tier.VENDOR.value:
        raise PartnerNotFound()
    reason = None
    if org.id == app.organization_id:
        reason = "the direct-bill tier needs a tenant separate from the reseller's"
    elif org.tier != Tier.DIRECT_BILL.value:
        reason = "it is not a direct-bill organization"
    elif session.scalar(
        select(CustomerRelationship.id).where(CustomerRelationship.partner_id == org.id).limit(1)
    ):
        reason = "it already has customers"
    elif session.scalar(
        select(DirectBillApplication.id)
        .where(
            DirectBillApplication.direct_organization_id == org.id,
            DirectBillApplication.id != app.id,
        )
        .limit(1)
    ):
        reason = "another application is linked to it"
    if reason is not None:
        raise LinkTargetInvalid(organization_id=target, reason=reason)
    return org


def _link(
    session: Session, actor: Actor, app: DirectBillApplication, target: uuid.UUID
) -> Organization:
    org = ensure_linkable(session, app, target)
    profile = partner_queries.profile_of(session, org.id)
    if profile is None:
        raise ProfileNotFound()
    old = {"tenantDomain": app.tenant_domain}
    app.tenant_domain = profile.tenant_domain
    if app.tax_id and profile.tax_id != app.tax_id:
        profile.tax_id = app.tax_id
        profile.version += 1
        profile.updated_at = clock.now()
    audit.record(
        session,
        actor,
        "link_direct_bill_organization",
        "organization",
        resource_id=org.id,
        partner_id=app.organization_id,
        old=old,
        new={"tenantDomain": app.tenant_domain, "directOrganizationId": str(org.id)},
    )
    return org


def _enrollment_form(
    profile: PartnerProfile, app: DirectBillApplication, password: str
) -> EnrollmentApplication:
    first, _, last = app.signer_name.partition(" ")
    address = profile.address or {}
    return EnrollmentApplication(
        company_name=profile.company_name,
        country=profile.country,
        address_line1=address.get("addressLine1") or "",
        address_line2=address.get("addressLine2"),
        city=address.get("city") or "",
        state=address.get("state"),
        postal_code=address.get("postalCode"),
        phone_number=address.get("phoneNumber"),
        contact_first_name=first[:50],
        contact_last_name=(last or first)[:50],
        contact_email=app.signer_email,
        contact_phone=profile.contact_phone,
        tax_id=app.tax_id,
        registration_number=profile.registration_number,
        tenant_domain=app.tenant_domain,
        admin_email=r.direct_admin_email(app.signer_email, app.tenant_domain),
        admin_display_name=app.signer_name,
        admin_password=password,
    )


def _create(session: Session, actor: Actor, app: DirectBillApplication) -> Approved:
    """A new tenant through the partners' own enrollment (module docstring)."""
    profile = partner_queries.profile_of(session, app.organization_id)
    if profile is None:
        raise ProfileNotFound()
    password = new_secret(12)
    enrolled = enrollment.enroll(session, _enrollment_form(profile, app, password))
    org = enrolled.organization
    enrollment.start_verification(session, actor, org.id)
    enrollment.approve(session, actor, org.id)
    org.tier = Tier.DIRECT_BILL.value
    audit.record(
        session,
        actor,
        "grant_direct_bill_tier",
        "organization",
        resource_id=org.id,
        partner_id=org.id,
        old={"tier": Tier.INDIRECT_RESELLER.value},
        new={
            "tier": Tier.DIRECT_BILL.value,
            "applicationId": str(app.id),
            "resellerOrganizationId": str(app.organization_id),
            "tenantDomain": app.tenant_domain,
            "billingAnniversary": app.billing_anniversary.isoformat(),
        },
    )
    return Approved(app, org, enrolled.user.email, password)
