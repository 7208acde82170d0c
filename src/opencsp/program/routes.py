"""``GET|PUT /v1/program/test/clock``: mounted only when ``OPENCSP_TEST_CLOCK=true``;
otherwise the path does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import AwareDatetime

from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import WireModel
from opencsp.program import service
from opencsp.web.deps import SessionDep, require

test_clock_router = APIRouter(prefix="/program/test", tags=["program"])


class ClockBody(WireModel):
    now: AwareDatetime


@test_clock_router.get("/clock", response_model=ClockBody)
def get_clock(_actor: Annotated[Actor, require(Perm.PROGRAM_ADMIN)]) -> ClockBody:
    return ClockBody(now=clock.now())


@test_clock_router.put("/clock", response_model=ClockBody)
def put_clock(
    body: ClockBody, session: SessionDep, actor: Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
) -> ClockBody:
    return ClockBody(now=service.move_test_clock(session, actor, body.now))
