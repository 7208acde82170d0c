"""Keeping and losing a tier over the API (``/v1/program/...``): standings (restricted
and deauthorized partners; restrict and lift), annual reassessments (list; reassess one
partner now; run the job) and reseller floor checks (list; run the job). A partner reads
its own; the vendor's Program admin reads all and acts."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query

from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.program import reassessment, standing_queries, standing_service
from opencsp.program.standing_queries import Named
from opencsp.program.standing_schemas import (
    FloorCheckRead,
    JobRun,
    ReasonBody,
    ReassessBody,
    ReassessmentRead,
    StandingRead,
)
from opencsp.web.deps import SessionDep, require

T = TypeVar("T")

router = APIRouter(prefix="/program", tags=["program"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]
Admin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]


def _collection(items: list[T]) -> Collection[T]:
    return Collection[T](total_count=len(items), items=items)


@router.get("/standings", response_model=Collection[StandingRead])
def list_standings(
    session: SessionDep, actor: Reader, status: Annotated[str | None, Query()] = None
) -> Collection[StandingRead]:
    rows = standing_queries.standings(session, actor, status=status)
    return _collection([StandingRead.of_row(r) for r in rows])


@router.get("/standings/{partner_id}", response_model=StandingRead)
def get_standing(partner_id: uuid.UUID, session: SessionDep, actor: Reader) -> StandingRead:
    view = standing_queries.standing_of(session, actor, partner_id, today=clock.now().date())
    return StandingRead.of_view(view)


@router.post("/standings/{partner_id}/restrict", response_model=StandingRead)
def restrict(
    partner_id: uuid.UUID, body: ReasonBody, session: SessionDep, actor: Admin
) -> StandingRead:
    standing_service.restrict_partner(session, actor, partner_id, reason=body.reason)
    view = standing_queries.standing_of(session, actor, partner_id, today=clock.now().date())
    return StandingRead.of_view(view)


@router.post("/standings/{partner_id}/lift", response_model=StandingRead)
def lift(
    partner_id: uuid.UUID, body: ReasonBody, session: SessionDep, actor: Admin
) -> StandingRead:
    standing_service.lift_restriction(session, actor, partner_id, reason=body.reason)
    view = standing_queries.standing_of(session, actor, partner_id, today=clock.now().date())
    return StandingRead.of_view(view)


@router.get("/reassessments", response_model=Collection[ReassessmentRead])
def list_reassessments(
    session: SessionDep,
    actor: Reader,
    partner_id: Annotated[uuid.UUID | None, Query(alias="partnerId")] = None,
    outcome: Annotated[str | None, Query()] = None,
) -> Collection[ReassessmentRead]:
    rows = standing_queries.reassessments(session, actor, partner_id=partner_id, outcome=outcome)
    return _collection([ReassessmentRead.of(r) for r in rows])


@router.post("/reassessments", response_model=ReassessmentRead)
def reassess_one(body: ReassessBody, session: SessionDep, actor: Admin) -> ReassessmentRead:
    row = reassessment.reassess_now(session, actor, body.partner_id)
    found = standing_queries.reassessments(session, actor, partner_id=row.organization_id)
    return ReassessmentRead.of(next(n for n in found if n.row.id == row.id))


@router.post("/reassessments/run", response_model=JobRun)
def run_reassessments(session: SessionDep, actor: Admin) -> JobRun:
    return JobRun(
        job="program.reassess", summary=standing_service.run_reassessments_now(session, actor)
    )


@router.get("/floorchecks", response_model=Collection[FloorCheckRead])
def list_floor_checks(
    session: SessionDep,
    actor: Reader,
    partner_id: Annotated[uuid.UUID | None, Query(alias="partnerId")] = None,
    outcome: Annotated[str | None, Query()] = None,
) -> Collection[FloorCheckRead]:
    rows: list[Named] = standing_queries.floor_checks(
        session, actor, partner_id=partner_id, outcome=outcome
    )
    return _collection([FloorCheckRead.of(r) for r in rows])


@router.post("/floorchecks/run", response_model=JobRun)
def run_floor(session: SessionDep, actor: Admin) -> JobRun:
    return JobRun(job="program.floor", summary=standing_service.run_floor_now(session, actor))
