"""Reads of organizations, users and tokens, always through the actor's visibility."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from opencsp.auth.errors import OrganizationNotFound, TokenNotFound, UserNotFound
from opencsp.auth.models import ApiToken, Organization, User, UserRole
from opencsp.core.actor import Actor
from opencsp.core.visibility import owned_by


def visible(actor: Actor) -> Select[User]:
    """Users the actor may see: its own organization's (every user, for the vendor)."""
    return select(User).where(owned_by(actor, User.organization_id))


def visible_organizations(actor: Actor) -> Select[Organization]:
    return select(Organization).where(owned_by(actor, Organization.id))


def get_visible_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    user = session.scalar(visible(actor).where(User.id == user_id))
    if user is None:
        raise UserNotFound()
    return user


def get_visible_organization(
    session: Session, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    org = session.scalar(visible_organizations(actor).where(Organization.id == organization_id))
    if org is None:
        raise OrganizationNotFound()
    return org


def list_users(session: Session, actor: Actor) -> Sequence[User]:
    return session.scalars(visible(actor).order_by(User.email, User.id)).all()


def list_organization_users(
    session: Session, actor: Actor, organization_id: uuid.UUID
) -> Sequence[User]:
    """The users of one organization, as far as the actor may see them (the console's
    user management works inside one's own organization, even for the vendor)."""
    return session.scalars(
        visible(actor).where(User.organization_id == organization_id).order_by(User.email, User.id)
    ).all()


def roles_of(session: Session, user_id: uuid.UUID) -> list[str]:
    return sorted(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def roles_by_user(session: Session, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    result: dict[uuid.UUID, list[str]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return result
    rows = session.execute(
        select(UserRole.user_id, UserRole.role)
        .where(UserRole.user_id.in_(user_ids))
        .order_by(UserRole.role)
    )
    for user_id, role in rows:
        result[user_id].append(role)
    return result


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def tokens_of(session: Session, actor: Actor, user_id: uuid.UUID) -> Sequence[ApiToken]:
    user = get_visible_user(session, actor, user_id)
    return session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    ).all()


def get_visible_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    token = session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id, owned_by(actor, User.organization_id))
    )
    if token is None:
        raise TokenNotFound()
    return token
