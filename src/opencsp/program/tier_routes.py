"""``GET|PUT /v1/program/partners/{orgId}/tier`` (Program admin): preview a change of a
partner's indirect tier (``?tier=indirect_provider|indirect_reseller``; the other one when
omitted) with its effect on partnerships, customers, subscriptions and order requests,
then confirm it with ``{"tier", "fingerprint"}`` — the preview's, so the vendor confirms
exactly what it saw (a changed world answers 409 ``PreviewStale``). ``tier_change``.

Also ``GET /v1/program/cloud``: which cloud this deployment is (rules.md §13), for every
signed-in actor."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from opencsp.core.actor import Actor, Perm
from opencsp.core.config import settings
from opencsp.core.http import Resource
from opencsp.markets import queries as markets
from opencsp.program import tier_change
from opencsp.program.tier_schemas import TierChangeConfirm, TierChangedRead, TierPreviewRead
from opencsp.web.deps import SessionDep, require

router = APIRouter(prefix="/program", tags=["program"])

ProgramAdmin = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
MarketsReader = Annotated[Actor, require(Perm.MARKETS_READ)]


@router.get(
    "/partners/{organization_id}/tier",
    response_model=TierPreviewRead,
    response_model_exclude_none=True,
)
def preview_tier_change(
    organization_id: uuid.UUID,
    session: SessionDep,
    actor: ProgramAdmin,
    tier: Annotated[str | None, Query()] = None,
) -> TierPreviewRead:
    return TierPreviewRead.of(tier_change.preview(session, actor, organization_id, tier))


@router.put(
    "/partners/{organization_id}/tier",
    response_model=TierChangedRead,
    response_model_exclude_none=True,
)
def confirm_tier_change(
    organization_id: uuid.UUID, body: TierChangeConfirm, session: SessionDep, actor: ProgramAdmin
) -> TierChangedRead:
    changed = tier_change.confirm(session, actor, organization_id, body.tier, body.fingerprint)
    return TierChangedRead.of(changed)


class CloudRead(Resource):
    """The deployment's cloud (``OPENCSP_CLOUD_NAME``) and its markets (``OPENCSP_MARKETS``;
    empty: every market of ``markets.csv``)."""

    OBJECT_TYPE = "Cloud"

    name: str
    markets: list[str]


@router.get("/cloud", response_model=CloudRead)
def get_cloud(session: SessionDep, _actor: MarketsReader) -> CloudRead:
    return CloudRead(
        name=settings().cloud_name, markets=[m.id for m in markets.list_markets(session)]
    )
