"""Users of the caller's organization and the caller's own API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, status

from opencsp.auth import credentials, queries, service
from opencsp.auth.models import User
from opencsp.auth.rules import parse_role
from opencsp.auth.schemas import ApiTokenCreate, ApiTokenIssued, ApiTokenRead, UserCreate, UserRead
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection
from opencsp.web.deps import ActorDep, SessionDep, require

router = APIRouter(tags=["users"])


def _user(user: User, roles: list[str]) -> UserRead:
    return UserRead.model_validate({**user.__dict__, "roles": roles})


@router.get("/users", response_model=Collection[UserRead])
def list_users(
    session: SessionDep, actor: Annotated[Actor, require(Perm.USERS_READ)]
) -> Collection[UserRead]:
    users = queries.list_users(session, actor)
    roles = queries.roles_by_user(session, [u.id for u in users])
    items = [_user(u, roles[u.id]) for u in users]
    return Collection[UserRead](total_count=len(items), items=items)


@router.get("/users/me", response_model=UserRead)
def get_me(session: SessionDep, actor: ActorDep) -> UserRead:
    assert actor.user_id is not None
    user = queries.get_visible_user(session, actor, actor.user_id)
    return _user(user, sorted(actor.roles))


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(
    user_id: uuid.UUID, session: SessionDep, actor: Annotated[Actor, require(Perm.USERS_READ)]
) -> UserRead:
    user = queries.get_visible_user(session, actor, user_id)
    return _user(user, queries.roles_of(session, user.id))


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate, session: SessionDep, actor: Annotated[Actor, require(Perm.USERS_MANAGE)]
) -> UserRead:
    user = service.create_user(
        session,
        actor,
        organization_id=actor.organization_id,
        email=body.email,
        display_name=body.display_name,
        roles=[parse_role(r) for r in body.roles],
        password=body.password,
        locale=body.locale,
    )
    return _user(user, queries.roles_of(session, user.id))


@router.get("/users/me/apitokens", response_model=Collection[ApiTokenRead])
def list_my_tokens(session: SessionDep, actor: ActorDep) -> Collection[ApiTokenRead]:
    assert actor.user_id is not None
    tokens = queries.tokens_of(session, actor, actor.user_id)
    items = [ApiTokenRead.model_validate(t) for t in tokens]
    return Collection[ApiTokenRead](total_count=len(items), items=items)


@router.post("/users/me/apitokens", response_model=ApiTokenIssued, status_code=201)
def create_my_token(body: ApiTokenCreate, session: SessionDep, actor: ActorDep) -> ApiTokenIssued:
    assert actor.user_id is not None
    issued = credentials.create_token(session, actor, actor.user_id, body.name)
    return ApiTokenIssued.model_validate({**issued.token.__dict__, "token": issued.secret})


@router.delete("/users/me/apitokens/{token_id}", response_model=ApiTokenRead)
def revoke_my_token(token_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> ApiTokenRead:
    token = credentials.revoke_token(session, actor, token_id)
    return ApiTokenRead.model_validate(token)
