"""``/v1/program/transitions``: a direct-bill partner's transition to indirect reseller
(rules.md §2d, PC:transition-direct-to-indirect.md).

Partner (its Global admin takes the steps; any of its users may read):

- ``POST /program/transitions`` requests it (201); ``GET /program/transitions`` lists its
  own, ``GET /program/transitions/{id}`` shows one with its customers and consents;
- ``POST .../{id}/agreement`` accepts the indirect reseller agreement;
- ``GET .../{id}/providers`` lists the providers it may choose, ``POST .../{id}/provider``
  chooses one; ``POST .../{id}/consents`` records a customer's consent;
- ``POST .../{id}/withdraw`` gives up before the switch.

Vendor (Program admin): ``GET /program/transitions`` (all, overdue requests first,
``?state=``), ``POST .../{id}/approve``, ``.../reject`` (with a reason) and
``.../complete`` (switch and move now, when the bill run allows it).

A transition the caller may not see is 404. ``MS-RequestId`` makes every POST
idempotent (the web middleware)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.core.pagination import collection
from opencsp.program import transition_jobs as completion
from opencsp.program import transition_steps as steps
from opencsp.program import transitions
from opencsp.program.transition_rules import TransitionState
from opencsp.program.transition_schemas import (
    ConsentIn,
    ProviderIn,
    ProviderRead,
    RejectIn,
    TransitionRead,
    provider_read,
    transition_read,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(prefix="/program/transitions", tags=["program"])

Reader = Annotated[Actor, require(Perm.PROFILE_READ)]
Vendor = Annotated[Actor, require(Perm.PROGRAM_ADMIN)]
PATH = "/program/transitions"


@router.post("", response_model=TransitionRead, status_code=status.HTTP_201_CREATED)
def request_transition(session: SessionDep, actor: Reader) -> TransitionRead:
    found = transitions.request_transition(session, actor)
    return transition_read(transitions.view_of(session, found))


@router.get("", response_model=Collection[TransitionRead])
def list_transitions(
    session: SessionDep,
    actor: Reader,
    state: Annotated[TransitionState | None, Query()] = None,
) -> Collection[TransitionRead]:
    items = [transition_read(v) for v in transitions.list_views(session, actor, state=state)]
    return collection(
        items,
        total_count=len(items),
        path=PATH,
        query={"state": state.value if state else None},
        next_token=None,
    )


@router.get("/{transition_id}", response_model=TransitionRead)
def get_transition(transition_id: uuid.UUID, session: SessionDep, actor: Reader) -> TransitionRead:
    return transition_read(transitions.get_view(session, actor, transition_id))


@router.get("/{transition_id}/providers", response_model=Collection[ProviderRead])
def list_providers(
    transition_id: uuid.UUID, session: SessionDep, actor: Reader
) -> Collection[ProviderRead]:
    items = [provider_read(p) for p in transitions.providers_for(session, actor, transition_id)]
    return collection(
        items,
        total_count=len(items),
        path=f"{PATH}/{transition_id}/providers",
        query={},
        next_token=None,
    )


@router.post("/{transition_id}/approve", response_model=TransitionRead)
def approve(transition_id: uuid.UUID, session: SessionDep, actor: Vendor) -> TransitionRead:
    found = transitions.approve(session, actor, transition_id)
    return transition_read(transitions.view_of(session, found))


@router.post("/{transition_id}/reject", response_model=TransitionRead)
def reject(
    transition_id: uuid.UUID, body: RejectIn, session: SessionDep, actor: Vendor
) -> TransitionRead:
    found = transitions.reject(session, actor, transition_id, body.reason)
    return transition_read(transitions.view_of(session, found))


@router.post("/{transition_id}/complete", response_model=TransitionRead)
def complete(transition_id: uuid.UUID, session: SessionDep, actor: Vendor) -> TransitionRead:
    done = completion.complete_now(session, actor, transition_id)
    return transition_read(transitions.view_of(session, done.transition))


@router.post("/{transition_id}/withdraw", response_model=TransitionRead)
def withdraw(transition_id: uuid.UUID, session: SessionDep, actor: Reader) -> TransitionRead:
    found = transitions.withdraw(session, actor, transition_id)
    return transition_read(transitions.view_of(session, found))


@router.post("/{transition_id}/agreement", response_model=TransitionRead)
def accept_agreement(
    transition_id: uuid.UUID, session: SessionDep, actor: Reader
) -> TransitionRead:
    found = steps.accept_agreement(session, actor, transition_id)
    return transition_read(transitions.view_of(session, found))


@router.post("/{transition_id}/provider", response_model=TransitionRead)
def choose_provider(
    transition_id: uuid.UUID, body: ProviderIn, session: SessionDep, actor: Reader
) -> TransitionRead:
    found = steps.choose_provider(session, actor, transition_id, body.provider_id)
    return transition_read(transitions.view_of(session, found))


@router.post("/{transition_id}/consents", response_model=TransitionRead)
def record_consent(
    transition_id: uuid.UUID, body: ConsentIn, session: SessionDep, actor: Reader
) -> TransitionRead:
    steps.record_consent(
        session,
        actor,
        transition_id,
        body.customer_id,
        consent_by=body.consent_by,
        consented_at=body.consented_at,
    )
    return transition_read(transitions.get_view(session, actor, transition_id))
