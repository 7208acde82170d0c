"""The annual reassessment of direct-bill partners (rules.md §2a "Annual reassessment
required", §2b annual performance monitoring, §2c restriction;
PC:direct-partner-new-requirements.md, PC:restricted-direct-bill-capabilities.md).

**Who and when.** Every direct-bill organization, each year on the anniversary of its
enrollment: the billing anniversary captured when its direct-bill application was
approved (the approved ``DirectBillApplication`` naming it ``direct_organization_id``),
else its enrollment's approval day, else the day the organization was created. The
``program.reassess`` job creates the reassessment of the latest anniversary come
(``standing_rules.due_cycle``; cycle N is the N-th anniversary), once: ``(organization,
cycle)`` is unique, so a re-run or a killed run gives the same rows.

**What.** The live checklist of ``program.facts.direct_bill_checklist`` re-judged for a
direct-bill partner (``standing_rules.reassessment_checklist``): partner ID, support plan,
a third-party assessment passed within the last 12 months and the managed service as the
setting says are required; revenue, tenure and the attestation of an applicant are
reported. Growth: the ``billed`` TTM figure (``reporting.ttm``) now against the previous
reassessment's, stored with the checklist (``checklist["growth"]``).

**Then.** Met → notified. Not met → ``notice_until`` = evaluation day + the notice
(``OPENCSP_REASSESSMENT_NOTICE_DAYS``, 90 by default), notified with the date. Each later
run re-evaluates a reassessment under notice: met again → the notice is cleared
(outcome ``met``, ``notice_until`` kept as history), notified; still not met after
``notice_until`` → the partner is restricted (``partners.standing.restrict``, notified) and
``restricted_at`` set. A partner already restricted is still reassessed (reported), but
gets no new notice. Lifting a restriction is the vendor's (``partners.standing.lift``).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.config import settings
from opencsp.core.db import insert_unless_exists
from opencsp.core.errors import PermissionDenied
from opencsp.core.ids import new_id
from opencsp.notifications.service import notify
from opencsp.partners import standing
from opencsp.partners.errors import PartnerNotFound
from opencsp.partners.models import Enrollment
from opencsp.partners.rules import RESELLER_PROGRAM
from opencsp.program import facts
from opencsp.program import standing_rules as rules
from opencsp.program.eligibility import Checklist
from opencsp.program.models import DirectBillApplication, Reassessment
from opencsp.reporting.errors import RevenueRateMissing
from opencsp.reporting.ttm import ttm_for
from opencsp.subscriptions.lifecycle import Units, summary

log = logging.getLogger("opencsp.program.reassessment")

APPROVED = "approved"  # DirectBillApplication.state once the vendor approved it


@dataclass(frozen=True, slots=True)
class Partner:
    organization_id: uuid.UUID
    anchor: date


# --- reads ------------------------------------------------------------------------------------


def direct_bill_partners(
    session: Session,
    *,
    after: uuid.UUID | None = None,
    limit: int | None = None,
    only: uuid.UUID | None = None,
) -> list[Partner]:
    """Direct-bill organizations in id order (keyset after ``after``) with the anchor of
    their anniversaries (module docstring), in two statements."""
    stmt = (
        select(Organization.id, Organization.created_at, Enrollment.decided_at)
        .outerjoin(
            Enrollment,
            (Enrollment.organization_id == Organization.id)
            & (Enrollment.program == RESELLER_PROGRAM)
            & (Enrollment.state == "active"),
        )
        .where(Organization.tier == Tier.DIRECT_BILL.value)
        .order_by(Organization.id)
    )
    if after is not None:
        stmt = stmt.where(Organization.id > after)
    if only is not None:
        stmt = stmt.where(Organization.id == only)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    ids = [org_id for org_id, _, _ in rows]
    billing: dict[uuid.UUID, date] = {}
    if ids:
        for org_id, day in session.execute(
            select(
                DirectBillApplication.direct_organization_id,
                DirectBillApplication.billing_anniversary,
            ).where(
                DirectBillApplication.direct_organization_id.in_(ids),
                DirectBillApplication.state == APPROVED,
            )
        ):
            if org_id is not None:
                billing[org_id] = day
    return [
        Partner(org_id, billing.get(org_id) or (approved or created).date())
        for org_id, created, approved in rows
    ]


def reassessments_of(
    session: Session, organization_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Reassessment]]:
    """Each organization's reassessments, latest cycle first, in one statement."""
    found: dict[uuid.UUID, list[Reassessment]] = {org_id: [] for org_id in organization_ids}
    if not organization_ids:
        return found
    for row in session.scalars(
        select(Reassessment)
        .where(Reassessment.organization_id.in_(list(organization_ids)))
        .order_by(Reassessment.organization_id, Reassessment.cycle.desc())
    ):
        found[row.organization_id].append(row)
    return found


def linked_application(
    session: Session, organization_id: uuid.UUID
) -> DirectBillApplication | None:
    """The approved application that created or linked this direct-bill organization: its
    attestation and managed service are the partner's."""
    return session.scalars(
        select(DirectBillApplication)
        .where(
            DirectBillApplication.direct_organization_id == organization_id,
            DirectBillApplication.state == APPROVED,
        )
        .order_by(DirectBillApplication.decided_at.desc())
        .limit(1)
    ).one_or_none()


# --- evaluating one partner ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluation:
    checklist: Checklist
    outcome: str
    billed_minor: int


def evaluate(session: Session, organization_id: uuid.UUID, *, now: datetime) -> Evaluation:
    """The reassessment checklist of one partner now and its ``billed`` TTM in cents;
    ``RevenueRateMissing`` when a month's FX rate is missing (the partner stays due)."""
    application = linked_application(session, organization_id)
    live = facts.direct_bill_checklist(session, organization_id, now=now, application=application)
    evidence = facts.evidence_facts(session, organization_id)
    checklist = rules.reassessment_checklist(live, evidence, as_of=now.date())
    billed = ttm_for(session, organization_id, now).billed
    return Evaluation(checklist, rules.outcome(checklist), rules.usd_minor(billed))


def _snapshot(evaluation: Evaluation, previous_minor: int | None) -> dict[str, Any]:
    data = evaluation.checklist.as_json()
    data["growth"] = rules.growth(evaluation.billed_minor, previous_minor)
    return data


def _create(
    session: Session,
    actor: Actor,
    partner: Partner,
    cycle: rules.Cycle,
    history: list[Reassessment],
    *,
    now: datetime,
) -> Reassessment | None:
    """Write the reassessment of ``cycle`` and notify it; None when another run wrote it."""
    evaluation = evaluate(session, partner.organization_id, now=now)
    earlier = [r for r in history if r.cycle < cycle.number]
    previous = earlier[0].ttm_minor if earlier else None
    restricted = standing.is_restricted(session, partner.organization_id)
    notice = None
    if evaluation.outcome == rules.NOT_MET and not restricted:
        notice = rules.notice_until(now.date(), settings().reassessment_notice_days)
    row = Reassessment(
        id=new_id(),
        organization_id=partner.organization_id,
        cycle=cycle.number,
        due_on=cycle.due_on,
        evaluated_at=now,
        outcome=evaluation.outcome,
        checklist=_snapshot(evaluation, previous),
        ttm_minor=evaluation.billed_minor,
        previous_ttm_minor=previous,
        notice_until=notice,
        restricted_at=None,
    )
    if not insert_unless_exists(session, row):
        return None
    audit.record(
        session,
        actor,
        "reassess_partner",
        "reassessment",
        resource_id=row.id,
        partner_id=partner.organization_id,
        new={
            "cycle": row.cycle,
            "outcome": row.outcome,
            "unmet": list(evaluation.checklist.unmet),
            "noticeUntil": notice.isoformat() if notice else None,
            "growth": row.checklist["growth"],
        },
    )
    growth = row.checklist["growth"]
    params: dict[str, Any] = {
        "cycle": row.cycle,
        "dueOn": row.due_on.isoformat(),
        "billedUsd": growth["billedUsd"],
        "percent": growth["percent"],
        "unmet": ", ".join(evaluation.checklist.unmet),
    }
    if notice is not None:
        params["noticeUntil"] = notice.isoformat()
    kind = "reassessment_met" if row.outcome == rules.MET else "reassessment_not_met"
    notify(
        session,
        partner.organization_id,
        kind=kind,
        key=f"reassessment:{partner.organization_id}:{row.cycle}:{row.outcome}",
        params=params,
        now=now,
    )
    return row


def _follow_up(session: Session, actor: Actor, row: Reassessment, *, now: datetime) -> str:
    """A reassessment under notice, re-evaluated: cleared, restricted, or left waiting."""
    assert row.notice_until is not None
    fresh = evaluate(session, row.organization_id, now=now)
    action = rules.follow_up(fresh=fresh.outcome, notice_end=row.notice_until, today=now.date())
    if action is rules.FollowUp.WAIT:
        return "under notice"
    org_id = row.organization_id
    if action is rules.FollowUp.CLEAR:
        row.outcome, row.evaluated_at = rules.MET, now
        row.checklist = _snapshot(fresh, row.previous_ttm_minor) | {"cleared": now.isoformat()}
        audit.record(
            session,
            actor,
            "clear_reassessment_notice",
            "reassessment",
            resource_id=row.id,
            partner_id=org_id,
            old={"outcome": rules.NOT_MET},
            new={"outcome": rules.MET, "noticeUntil": row.notice_until.isoformat()},
        )
        notify(
            session,
            org_id,
            kind="reassessment_cleared",
            key=f"reassessment:{org_id}:{row.cycle}:cleared",
            params={"cycle": row.cycle, "noticeUntil": row.notice_until.isoformat()},
            now=now,
        )
        return "notice cleared"
    row.restricted_at, row.evaluated_at = now, now
    row.checklist = _snapshot(fresh, row.previous_ttm_minor)
    reason = (
        f"Annual reassessment {row.cycle} not met by {row.notice_until.isoformat()}: "
        + ", ".join(fresh.checklist.unmet)
    )
    standing.restrict(session, actor, org_id, reason=reason, now=now)
    return "restricted"


def _under_notice(history: list[Reassessment]) -> Reassessment | None:
    return next(
        (
            r
            for r in history
            if r.outcome == rules.NOT_MET and r.notice_until is not None and r.restricted_at is None
        ),
        None,
    )


def reassess(
    session: Session,
    actor: Actor,
    partner: Partner,
    history: list[Reassessment],
    *,
    now: datetime,
    first_year: bool = False,
) -> list[str]:
    """One partner's work in a run: its open notice followed up, then its due cycle
    created (``first_year``: the vendor's run may reassess cycle 0). Answers what was
    done."""
    done: list[str] = []
    open_row = _under_notice(history)
    if open_row is not None:
        done.append(_follow_up(session, actor, open_row, now=now))
    cycle = rules.due_cycle(partner.anchor, now.date())
    if (cycle.number >= 1 or first_year) and all(r.cycle != cycle.number for r in history):
        created = _create(session, actor, partner, cycle, history, now=now)
        done.append(created.outcome if created is not None else "already done")
    return done


# --- the job and the vendor's run ---------------------------------------------------------------


def _step(
    session: Session, actor: Actor, after: uuid.UUID | None
) -> tuple[Counter[str], uuid.UUID | None]:
    now = clock.now()
    batch = direct_bill_partners(session, after=after, limit=settings().job_batch_size)
    if not batch:
        return Counter(), None
    counts: Counter[str] = Counter()
    histories = reassessments_of(session, [p.organization_id for p in batch])
    for partner in batch:
        try:
            with session.begin_nested():
                done = reassess(
                    session, actor, partner, histories[partner.organization_id], now=now
                )
        except RevenueRateMissing as exc:
            log.warning("reassessment of %s left due: %s", partner.organization_id, exc)
            counts["fx rate missing"] += 1
            continue
        counts.update(done)
    return counts, batch[-1].organization_id


def run_reassessments(units: Units) -> str:
    """The ``program.reassess`` job: every direct-bill partner batch by batch, each batch
    in a unit of work of its own (a killed run loses one batch; the next redoes it)."""
    total: Counter[str] = Counter()
    cursor: uuid.UUID | None = None
    while True:
        with units() as (session, actor):
            counts, cursor = _step(session, actor, cursor)
        total.update(counts)
        if cursor is None:
            return summary(total)


def reassess_now(session: Session, actor: Actor, organization_id: uuid.UUID) -> Reassessment:
    """The vendor reassesses one direct-bill partner now (Program admin): its notice
    followed up and its current cycle created if missing — cycle 0 in its first year.
    Answers its latest reassessment. Not a direct-bill partner: 404."""
    if not actor.can(Perm.PROGRAM_ADMIN):
        raise PermissionDenied()
    found = direct_bill_partners(session, only=organization_id)
    if not found:
        raise PartnerNotFound()
    partner = found[0]
    history = reassessments_of(session, [organization_id])[organization_id]
    reassess(session, actor, partner, history, now=clock.now(), first_year=True)
    session.flush()
    return reassessments_of(session, [organization_id])[organization_id][0]
