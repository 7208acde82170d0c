"""The indirect reseller revenue floor (rules.md §3.4, PC:new-indirect-reseller-requirement.md).

**When.** In each active indirect reseller's activation anniversary month (activation:
its reseller enrollment's approval day), from its first anniversary (new enrollees need
not meet it) and not before the floor's effective month (``OPENCSP_RESELLER_FLOOR_EFFECTIVE``,
2024-04-01: resellers onboarded after 2023-04-01 are not checked before then) —
``standing_rules.floor_period``. One ``FloorCheck`` per reseller and period (unique), so a
re-run or a killed run gives the same rows.

**What.** Its ``resellerFloor`` TTM figure (``reporting.ttm``: paid invoices, perpetual
software included, amounts billed to its providers for transactions assigned to it), for
every reseller from one statement (``ttm_all``). Under the floor (``OPENCSP_RESELLER_FLOOR_USD``,
USD 1,000) → ``below``, ``deauthorize_on`` = today + the notice
(``OPENCSP_RESELLER_FLOOR_NOTICE_DAYS``, 30), the reseller and each of its providers
notified in the anniversary month. At or above → ``met``.

**Then.** A run on or after ``deauthorize_on`` deauthorizes the reseller
(``partners.standing.deauthorize``: enrollment ended, partnerships ended, re-enrollment
refused for a year) and notifies it and the providers it had.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth.models import Organization
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.config import settings
from opencsp.core.db import insert_unless_exists
from opencsp.core.ids import new_id
from opencsp.notifications.service import notify
from opencsp.partners import queries as partners
from opencsp.partners import standing
from opencsp.partners.models import Enrollment
from opencsp.partners.rules import RESELLER_PROGRAM
from opencsp.program import standing_rules as rules
from opencsp.program.models import FloorCheck
from opencsp.reporting.errors import RevenueRateMissing
from opencsp.reporting.ttm import Ttm, ttm_all
from opencsp.subscriptions.lifecycle import Units, summary

log = logging.getLogger("opencsp.program.floor")


@dataclass(frozen=True, slots=True)
class Reseller:
    organization_id: uuid.UUID
    activated_on: date


def active_resellers(session: Session, *, after: uuid.UUID | None, limit: int) -> list[Reseller]:
    """Indirect resellers with an active reseller enrollment, in id order after ``after``,
    with the day they were activated."""
    stmt = (
        select(Organization.id, Enrollment.decided_at)
        .join(Enrollment, Enrollment.organization_id == Organization.id)
        .where(
            Organization.tier == Tier.INDIRECT_RESELLER.value,
            Enrollment.program == RESELLER_PROGRAM,
            Enrollment.state == "active",
            Enrollment.decided_at.is_not(None),
        )
        .order_by(Organization.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(Organization.id > after)
    return [
        Reseller(org_id, decided.date())
        for org_id, decided in session.execute(stmt)
        if decided is not None
    ]


def providers_of(session: Session, reseller_id: uuid.UUID) -> list[uuid.UUID]:
    return [p.provider_id for p in partners.providers_of(session, reseller_id)]


def _notify_providers(
    session: Session,
    providers: list[uuid.UUID],
    reseller_id: uuid.UUID,
    *,
    kind: str,
    key: str,
    params: dict[str, object],
    now: datetime,
) -> None:
    name = partners.partner_name(session, reseller_id)
    for provider_id in providers:
        notify(
            session,
            provider_id,
            kind=kind,
            key=f"{key}:{provider_id}",
            params={**params, "reseller": name, "resellerId": str(reseller_id)},
            now=now,
        )


def check(
    session: Session, actor: Actor, reseller: Reseller, period: str, ttm: Ttm, *, now: datetime
) -> str:
    """Write the reseller's floor check of ``period`` and notify a ``below``; "already
    done" when a run wrote it first."""
    floor = Decimal(settings().reseller_floor_usd).quantize(Decimal("0.01"))
    outcome = rules.floor_outcome(ttm.reseller_floor, floor)
    until = (
        rules.deauthorize_on(now.date(), settings().reseller_floor_notice_days)
        if outcome == rules.BELOW
        else None
    )
    row = FloorCheck(
        id=new_id(),
        organization_id=reseller.organization_id,
        period=period,
        evaluated_at=now,
        ttm_minor=rules.usd_minor(ttm.reseller_floor),
        outcome=outcome,
        deauthorize_on=until,
        deauthorized_at=None,
    )
    if not insert_unless_exists(session, row):
        return "already done"
    params: dict[str, object] = {
        "period": period,
        "ttmUsd": f"{ttm.reseller_floor}",
        "floorUsd": f"{floor}",
        "windowStart": ttm.start.isoformat(),
        "windowEnd": ttm.end.isoformat(),
    }
    audit.record(
        session,
        actor,
        "check_reseller_floor",
        "floor_check",
        resource_id=row.id,
        partner_id=reseller.organization_id,
        new={**params, "outcome": outcome, "deauthorizeOn": until.isoformat() if until else None},
    )
    if until is None:
        return outcome
    params["deauthorizeOn"] = until.isoformat()
    key = f"floor:{reseller.organization_id}:{period}:below"
    notify(session, reseller.organization_id, kind="floor_below", key=key, params=params, now=now)
    _notify_providers(
        session,
        providers_of(session, reseller.organization_id),
        reseller.organization_id,
        kind="floor_below_reseller",
        key=key,
        params=params,
        now=now,
    )
    return outcome


def deauthorize_due(session: Session, actor: Actor, row: FloorCheck, *, now: datetime) -> str:
    """Deauthorize the reseller of a ``below`` check whose ``deauthorize_on`` has come."""
    providers = providers_of(session, row.organization_id)
    reenroll = rules.one_year_after(now.date())
    reason = (
        f"TTM revenue USD {rules.usd(row.ttm_minor)} under the reseller floor in the "
        f"anniversary month {row.period}"
    )
    standing.deauthorize(
        session, actor, row.organization_id, reason=reason, now=now, reenroll_after=reenroll
    )
    row.deauthorized_at = now
    _notify_providers(
        session,
        providers,
        row.organization_id,
        kind="reseller_deauthorized",
        key=f"floor:{row.organization_id}:{row.period}:deauthorized",
        params={"period": row.period, "reenrollAfter": reenroll.isoformat()},
        now=now,
    )
    return "deauthorized"


# --- the job ----------------------------------------------------------------------------------


def _check_step(
    ttm: Callable[[Session], dict[uuid.UUID, Ttm]],
) -> Callable[[Session, Actor, uuid.UUID | None], tuple[Counter[str], uuid.UUID | None]]:
    def step(
        session: Session, actor: Actor, after: uuid.UUID | None
    ) -> tuple[Counter[str], uuid.UUID | None]:
        now = clock.now()
        batch = active_resellers(session, after=after, limit=settings().job_batch_size)
        if not batch:
            return Counter(), None
        effective = settings().reseller_floor_effective
        due = [
            (r, p)
            for r in batch
            if (p := rules.floor_period(r.activated_on, now.date(), effective=effective))
        ]
        counts: Counter[str] = Counter()
        if due:
            done = set(
                session.scalars(
                    select(FloorCheck.organization_id).where(
                        FloorCheck.organization_id.in_([r.organization_id for r, _ in due]),
                        FloorCheck.period == f"{now:%Y-%m}",
                    )
                )
            )
            todo = [(r, p) for r, p in due if r.organization_id not in done]
            figures = ttm(session) if todo else {}
            for reseller, period in todo:
                with session.begin_nested():
                    counts[
                        check(
                            session,
                            actor,
                            reseller,
                            period,
                            figures[reseller.organization_id],
                            now=now,
                        )
                    ] += 1
        return counts, batch[-1].organization_id

    return step


def _deauthorize_step(
    session: Session, actor: Actor, after: uuid.UUID | None
) -> tuple[Counter[str], uuid.UUID | None]:
    now = clock.now()
    stmt = (
        select(FloorCheck)
        .where(
            FloorCheck.outcome == rules.BELOW,
            FloorCheck.deauthorized_at.is_(None),
            FloorCheck.deauthorize_on <= now.date(),
        )
        .order_by(FloorCheck.id)
        .limit(settings().job_batch_size)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        stmt = stmt.where(FloorCheck.id > after)
    rows = list(session.scalars(stmt))
    if not rows:
        return Counter(), None
    counts: Counter[str] = Counter()
    for row in rows:
        with session.begin_nested():
            counts[deauthorize_due(session, actor, row, now=now)] += 1
    return counts, rows[-1].id


def _batches(
    units: Units,
    step: Callable[[Session, Actor, uuid.UUID | None], tuple[Counter[str], uuid.UUID | None]],
) -> Counter[str]:
    total: Counter[str] = Counter()
    cursor: uuid.UUID | None = None
    while True:
        with units() as (session, actor):
            counts, cursor = step(session, actor, cursor)
        total.update(counts)
        if cursor is None:
            return total


def run_floor(units: Units) -> str:
    """The ``program.floor`` job: the deauthorizations that came due, then the floor
    checks of the resellers in their anniversary month, batch by batch, each batch in a
    unit of work of its own. Every reseller's TTM comes from one statement, run once."""
    figures: dict[uuid.UUID, Ttm] | None = None

    def ttm(session: Session) -> dict[uuid.UUID, Ttm]:
        nonlocal figures
        if figures is None:
            figures = ttm_all(session, clock.now())
        return figures

    total = _batches(units, _deauthorize_step)
    try:
        total.update(_batches(units, _check_step(ttm)))
    except RevenueRateMissing as exc:
        log.warning("reseller floor not checked: %s", exc)
        total["fx rate missing"] += 1
    return summary(total)
