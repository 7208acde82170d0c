"""The direct-bill application (rules.md §2a; issue 7): a reseller's Global admin applies,
the vendor's Program admin reviews it — asks for more information (the partner answers),
schedules the third-party assessment or rejects with a reason (``program.reviews``),
approves (``program.approval``) — and the partner may withdraw it while open. One open
application per organization (``open_key``). Every step is audited, kept as a message of
the application and notified to the applicant (and the vendor's Program admins of what
partners do).

A partner sees its own applications; the vendor's Program admin sees all; anything else
is not found (404)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.auth.service import vendor_organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.notifications.service import notify
from opencsp.partners import queries as partner_queries
from opencsp.partners.rules import EnrollmentState, normalize_tenant_domain
from opencsp.program import facts
from opencsp.program import rules as r
from opencsp.program.eligibility import Checklist
from opencsp.program.errors import (
    ApplicantNotEligibleToApply,
    ApplicationAlreadyOpen,
    ApplicationNotFound,
)
from opencsp.program.models import ApplicationMessage, DirectBillApplication
from opencsp.program.rules import Action, ApplicationFields, ApplicationState

KIND = "direct_bill_application"


@dataclass(frozen=True)
class Reviewed:
    """An application with its live checklist (the review queue)."""

    application: DirectBillApplication
    checklist: Checklist


# --- reads --------------------------------------------------------------------------------


def is_reviewer(actor: Actor) -> bool:
    return actor.can(Perm.PROGRAM_ADMIN)


def get_application(
    session: Session, actor: Actor, application_id: uuid.UUID, *, for_update: bool = False
) -> DirectBillApplication:
    """One application the actor may see (module docstring)."""
    stmt = select(DirectBillApplication).where(DirectBillApplication.id == application_id)
    if not is_reviewer(actor):
        stmt = stmt.where(DirectBillApplication.organization_id == actor.organization_id)
    if for_update:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).one_or_none()
    if found is None:
        raise ApplicationNotFound()
    return found


def list_applications(
    session: Session, actor: Actor, *, states: Sequence[ApplicationState] = ()
) -> list[DirectBillApplication]:
    """The actor's visible applications, oldest first (optionally of ``states``)."""
    stmt = select(DirectBillApplication)
    if not is_reviewer(actor):
        stmt = stmt.where(DirectBillApplication.organization_id == actor.organization_id)
    if states:
        stmt = stmt.where(DirectBillApplication.state.in_([s.value for s in states]))
    stmt = stmt.order_by(DirectBillApplication.submitted_at, DirectBillApplication.id)
    return list(session.scalars(stmt))


def review_queue(session: Session, actor: Actor, *, now: datetime) -> list[Reviewed]:
    """The vendor's queue: open applications oldest first, each with its live checklist
    (set-based, ``facts.checklists``)."""
    if not is_reviewer(actor):
        raise PermissionDenied()
    apps = list_applications(session, actor, states=sorted(r.OPEN))
    found = facts.checklists(session, apps, now=now)
    return [Reviewed(a, found[a.id]) for a in apps]


def messages_of(session: Session, application_id: uuid.UUID) -> list[ApplicationMessage]:
    return list(
        session.scalars(
            select(ApplicationMessage)
            .where(ApplicationMessage.application_id == application_id)
            .order_by(ApplicationMessage.created_at, ApplicationMessage.id)
        )
    )


def checklist_of(session: Session, app: DirectBillApplication, *, now: datetime) -> Checklist:
    """The live checklist while open; the snapshot taken at the decision once decided."""
    if app.checklist is not None and not r.is_open(ApplicationState(app.state)):
        return Checklist.from_json(app.checklist)
    return facts.direct_bill_checklist(session, app.organization_id, now=now, application=app)


def own_checklist(session: Session, actor: Actor, *, now: datetime) -> Checklist:
    """The caller's own live checklist (its open application's attestation included)."""
    return facts.direct_bill_checklist(session, actor.organization_id, now=now)


def organization_names(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
    )
    return {org: name for org, name in rows}


def with_checklists(
    session: Session, apps: Sequence[DirectBillApplication], *, now: datetime
) -> list[Reviewed]:
    """Each application with its checklist: live (set-based) while open, the decision's
    snapshot once decided."""
    live = facts.checklists(
        session, [a for a in apps if r.is_open(ApplicationState(a.state))], now=now
    )
    return [
        Reviewed(a, live[a.id] if a.id in live else checklist_of(session, a, now=now)) for a in apps
    ]


# --- the partner's steps ----------------------------------------------------------------


def _ensure_applicant(session: Session, actor: Actor) -> None:
    """A Global admin of an active indirect reseller (rules.md §1.5: partners enroll as
    resellers first; §2a: revenue and tenure are earned as one)."""
    enrollment = partner_queries.enrollment_of(session, actor.organization_id)
    if (
        actor.tier is not Tier.INDIRECT_RESELLER
        or Role.GLOBAL_ADMIN.value not in actor.roles
        or enrollment is None
        or enrollment.state != EnrollmentState.ACTIVE.value
    ):
        raise ApplicantNotEligibleToApply()


def write_message(
    session: Session, actor: Actor, app: DirectBillApplication, kind: str, body: str, now: datetime
) -> ApplicationMessage:
    """One message of the conversation, strictly after the previous one (several steps
    in one instant keep their order)."""
    last = session.scalar(
        select(func.max(ApplicationMessage.created_at)).where(
            ApplicationMessage.application_id == app.id
        )
    )
    if last is not None and last >= now:
        now = last + timedelta(microseconds=1)
    message = ApplicationMessage(
        id=new_id(),
        application_id=app.id,
        author_organization_id=actor.organization_id,
        author_user_id=actor.user_id,
        kind=kind,
        body=body,
        created_at=now,
    )
    session.add(message)
    return message


def tell(
    session: Session,
    app: DirectBillApplication,
    kind: str,
    key: str,
    now: datetime,
    *,
    vendor: bool = False,
    **params: Any,
) -> None:
    """Notify the applicant (or the vendor's Program admins) of a step, once per key."""
    data = {"applicationId": str(app.id), "state": app.state, **params}
    if vendor:
        org = vendor_organization(session)
        if org is not None:
            notify(
                session,
                org.id,
                kind=kind,
                key=f"vendor:{key}",
                params=data,
                now=now,
                roles=(Role.PROGRAM_ADMIN,),
            )
        return
    notify(session, app.organization_id, kind=kind, key=key, params=data, now=now)


def apply(
    session: Session, actor: Actor, fields: ApplicationFields, *, attested: bool = True
) -> DirectBillApplication:
    """A reseller's Global admin applies for the direct-bill tier with the signer's
    attestation of authority (``rules.clean_application``); one open application per
    organization, held by the unique ``open_key`` even against a concurrent request."""
    _ensure_applicant(session, actor)
    existing = facts.open_application(session, actor.organization_id)
    if existing is not None:
        raise ApplicationAlreadyOpen(application_id=existing.id)
    now = clock.now()
    app = DirectBillApplication(
        id=new_id(),
        organization_id=actor.organization_id,
        open_key=str(actor.organization_id),
        state=ApplicationState.SUBMITTED.value,
        location_mpn_id=fields.location_mpn_id,
        signer_name=fields.signer_name,
        signer_email=fields.signer_email,
        signer_title=fields.signer_title,
        authority_attested_at=now,
        managed_service=fields.managed_service,
        billing_anniversary=fields.billing_anniversary,
        tenant_domain=fields.tenant_domain,
        tax_id=fields.tax_id,
        submitted_by=actor.user_id,
        submitted_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(app)
    except IntegrityError:
        raise ApplicationAlreadyOpen(application_id="") from None
    audit.record(
        session,
        actor,
        "submit_direct_bill_application",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        new=snapshot(app),
    )
    tell(session, app, "application_submitted", f"dbapp:{app.id}:submitted", now)
    tell(session, app, "application_submitted", f"dbapp:{app.id}:submitted", now, vendor=True)
    return app


def snapshot(app: DirectBillApplication) -> dict[str, Any]:
    return {
        "state": app.state,
        "signerName": app.signer_name,
        "signerEmail": app.signer_email,
        "signerTitle": app.signer_title,
        "managedService": app.managed_service,
        "billingAnniversary": app.billing_anniversary.isoformat(),
        "tenantDomain": app.tenant_domain,
        "taxId": app.tax_id,
        "locationMpnId": app.location_mpn_id,
    }


def update_application(
    session: Session,
    actor: Actor,
    application_id: uuid.UUID,
    *,
    billing_anniversary: date | None = None,
    tenant_domain: str | None = None,
    tax_id: str | None = None,
    managed_service: str | None = None,
) -> DirectBillApplication:
    """The partner corrects its application while submitted or waiting for its answer;
    after approval only the tax id changes (and the direct-bill profile's with it) — the
    billing anniversary and the tenant domain never do (``rules.ensure_changeable``)."""
    app = get_application(session, actor, application_id, for_update=True)
    if app.organization_id != actor.organization_id or Role.GLOBAL_ADMIN.value not in actor.roles:
        raise PermissionDenied()
    wanted: dict[str, Any] = {}
    if billing_anniversary is not None and billing_anniversary != app.billing_anniversary:
        wanted["billingAnniversary"] = billing_anniversary
    if tenant_domain is not None:
        domain = normalize_tenant_domain(tenant_domain)
        if domain != app.tenant_domain:
            wanted["tenantDomain"] = domain
    if tax_id is not None and (r.optional_text(tax_id, field="taxId", maximum=64)) != app.tax_id:
        wanted["taxId"] = r.optional_text(tax_id, field="taxId", maximum=64)
    if managed_service is not None:
        text = r.optional_text(managed_service, field="managedService", maximum=4000)
        if text != app.managed_service:
            wanted["managedService"] = text
    r.ensure_changeable(ApplicationState(app.state), set(wanted))
    if not wanted:
        return app
    old = snapshot(app)
    app.billing_anniversary = wanted.get("billingAnniversary", app.billing_anniversary)
    app.tenant_domain = wanted.get("tenantDomain", app.tenant_domain)
    app.tax_id = wanted.get("taxId", app.tax_id) if "taxId" in wanted else app.tax_id
    if "managedService" in wanted:
        app.managed_service = wanted["managedService"]
    app.updated_at = clock.now()
    if "taxId" in wanted and app.direct_organization_id is not None:
        _update_direct_tax_id(session, app)
    audit.record(
        session,
        actor,
        "update_direct_bill_application",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old=old,
        new=snapshot(app),
    )
    return app


def _update_direct_tax_id(session: Session, app: DirectBillApplication) -> None:
    if app.direct_organization_id is None:
        return
    from_profile = partner_queries.profile_of(session, app.direct_organization_id)
    if from_profile is not None:
        from_profile.tax_id = app.tax_id
        from_profile.version += 1
        from_profile.updated_at = app.updated_at


def add_message(
    session: Session, actor: Actor, application_id: uuid.UUID, body: str
) -> ApplicationMessage:
    """A message on an open application: the partner's answer (which returns an
    application waiting for information to ``submitted``) or the vendor's note."""
    text = r.clean_message(body)
    app = get_application(session, actor, application_id, for_update=True)
    state = ApplicationState(app.state)
    now = clock.now()
    if is_reviewer(actor):
        if not r.is_open(state):
            r.next_state(state, Action.REQUEST_INFO)  # raises: closed
        message = write_message(session, actor, app, "note", text, now)
        operation = "note_direct_bill_application"
    else:
        if state is ApplicationState.INFO_REQUESTED:
            move(app, Action.ANSWER, now)
        elif not r.is_open(state):
            r.next_state(state, Action.ANSWER)  # raises: closed
        message = write_message(session, actor, app, "answer", text, now)
        operation = "answer_direct_bill_application"
    session.flush()
    audit.record(
        session,
        actor,
        operation,
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old={"state": state.value},
        new={"state": app.state, "messageId": str(message.id)},
    )
    key = f"dbapp:{app.id}:message:{message.id}"
    if is_reviewer(actor):
        tell(session, app, "application_note", key, now)
    else:
        tell(session, app, "application_answered", key, now, vendor=True)
    return message


def move(app: DirectBillApplication, action: Action, now: datetime) -> ApplicationState:
    target = r.next_state(ApplicationState(app.state), action)
    app.state = target.value
    app.open_key = r.open_key(str(app.organization_id), target)
    app.updated_at = now
    return target


def withdraw(session: Session, actor: Actor, application_id: uuid.UUID) -> DirectBillApplication:
    """The partner's Global admin withdraws its open application."""
    app = get_application(session, actor, application_id, for_update=True)
    if app.organization_id != actor.organization_id or Role.GLOBAL_ADMIN.value not in actor.roles:
        raise PermissionDenied()
    before = ApplicationState(app.state)
    now = clock.now()
    move(app, Action.WITHDRAW, now)
    write_message(session, actor, app, "decision", ApplicationState.WITHDRAWN.value, now)
    audit.record(
        session,
        actor,
        "withdraw_direct_bill_application",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old={"state": before.value},
        new={"state": app.state},
    )
    tell(session, app, "application_withdrawn", f"dbapp:{app.id}:withdrawn", now)
    tell(session, app, "application_withdrawn", f"dbapp:{app.id}:withdrawn", now, vendor=True)
    return app
