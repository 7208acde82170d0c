"""The vendor's review of a direct-bill application (rules.md §2a; issue 7): ask the
partner for more information, schedule the third-party assessment once revenue and
tenure are confirmed, reject with a reason; ``decide`` closes an application with the
checklist it was judged on (approval: ``program.approval``). Program admin only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import PermissionDenied
from opencsp.program import evidence, facts
from opencsp.program import rules as r
from opencsp.program.applications import (
    KIND,
    get_application,
    is_reviewer,
    move,
    tell,
    write_message,
)
from opencsp.program.eligibility import Checklist, Status
from opencsp.program.errors import AssessmentTooEarly
from opencsp.program.models import DirectBillApplication
from opencsp.program.rules import Action, ApplicationState


def _review(
    session: Session, actor: Actor, application_id: uuid.UUID
) -> tuple[DirectBillApplication, ApplicationState]:
    if not is_reviewer(actor):
        raise PermissionDenied()
    app = get_application(session, actor, application_id, for_update=True)
    return app, ApplicationState(app.state)


def request_information(
    session: Session, actor: Actor, application_id: uuid.UUID, question: str
) -> DirectBillApplication:
    """The vendor asks the partner for more information (rules.md §2a: "more information
    may be requested"); the application waits for the partner's answer."""
    text = r.clean_message(question)
    app, before = _review(session, actor, application_id)
    now = clock.now()
    move(app, Action.REQUEST_INFO, now)
    message = write_message(session, actor, app, "request_info", text, now)
    session.flush()
    audit.record(
        session,
        actor,
        "request_direct_bill_information",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old={"state": before.value},
        new={"state": app.state, "question": text},
    )
    tell(
        session,
        app,
        "application_info_requested",
        f"dbapp:{app.id}:info:{message.id}",
        now,
        question=text,
    )
    return app


def schedule_assessment(
    session: Session, actor: Actor, application_id: uuid.UUID, on: date
) -> DirectBillApplication:
    """The vendor schedules the third-party assessment, only once revenue and tenure are
    confirmed (rules.md §2a "Capabilities"); it is recorded as evidence."""
    app, before = _review(session, actor, application_id)
    r.next_state(before, Action.SCHEDULE_ASSESSMENT)
    now = clock.now()
    checklist = facts.direct_bill_checklist(session, app.organization_id, now=now, application=app)
    early = [k for k in ("revenue", "tenure") if checklist.get(k).status is not Status.MET]
    if early:
        raise AssessmentTooEarly(unmet=", ".join(early))
    evidence.record_evidence(
        session, actor, app.organization_id, kind="assessment", outcome="scheduled", effective_on=on
    )
    move(app, Action.SCHEDULE_ASSESSMENT, now)
    write_message(session, actor, app, "note", f"assessment scheduled: {on.isoformat()}", now)
    audit.record(
        session,
        actor,
        "schedule_direct_bill_assessment",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old={"state": before.value},
        new={"state": app.state, "assessmentOn": on.isoformat()},
    )
    tell(
        session,
        app,
        "application_assessment_scheduled",
        f"dbapp:{app.id}:assessment:{on.isoformat()}",
        now,
        assessmentOn=on.isoformat(),
    )
    return app


def decide(
    session: Session,
    actor: Actor,
    app: DirectBillApplication,
    action: Action,
    *,
    checklist: Checklist,
    reason: str | None,
    now: datetime,
) -> ApplicationState:
    """Close the application with the vendor's decision: state, decider, the checklist
    snapshot it was judged on, a decision message, the audit record and the notice."""
    before = ApplicationState(app.state)
    target = move(app, action, now)
    app.decided_at = now
    app.decided_by = actor.user_id
    app.reason = reason
    app.checklist = checklist.as_json()
    write_message(session, actor, app, "decision", reason or target.value, now)
    session.flush()
    audit.record(
        session,
        actor,
        f"{action.value}_direct_bill_application",
        KIND,
        resource_id=app.id,
        partner_id=app.organization_id,
        old={"state": before.value},
        new={
            "state": target.value,
            "reason": reason,
            "eligible": checklist.eligible,
            "directOrganizationId": str(app.direct_organization_id or "") or None,
        },
    )
    params: dict[str, Any] = {"reason": reason} if reason else {}
    if app.direct_organization_id:
        params["directOrganizationId"] = str(app.direct_organization_id)
    tell(
        session, app, f"application_{target.value}", f"dbapp:{app.id}:{target.value}", now, **params
    )
    return target


def reject(
    session: Session, actor: Actor, application_id: uuid.UUID, reason: str
) -> DirectBillApplication:
    """The vendor rejects the application with the reason the partner reads."""
    text = r.clean_reason(reason)
    app, before = _review(session, actor, application_id)
    r.next_state(before, Action.REJECT)
    now = clock.now()
    checklist = facts.direct_bill_checklist(session, app.organization_id, now=now, application=app)
    decide(session, actor, app, Action.REJECT, checklist=checklist, reason=text, now=now)
    return app
