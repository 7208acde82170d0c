"""Credentials: API tokens (bearer) and console sessions (cookie + CSRF token).

Secrets are random, shown once and stored only as SHA-256 digests, so a leaked database
does not leak working credentials. Revoked tokens, expired sessions and inactive users
authenticate as nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import queries
from opencsp.auth.errors import TokenNotFound
from opencsp.auth.models import ApiToken, ConsoleSession, Organization, User, UserRole
from opencsp.auth.service import actor_for, build_actor
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.crypto import digest, hash_password, password_needs_rehash, verify_password
from opencsp.core.errors import InvalidCredentials, InvalidInput, PermissionDenied
from opencsp.core.ids import new_id, new_secret

TOKEN_PREFIX = "ocsp_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@dataclass(frozen=True)
class OpenedSession:
    row: ConsoleSession
    secret: str
    actor: Actor


def create_token(session: Session, actor: Actor, user_id: uuid.UUID, name: str) -> IssuedToken:
    """Issue a token for oneself, or for a user of one's organization with Users manage."""
    user = queries.get_visible_user(session, actor, user_id)
    if actor.user_id != user.id and not (
        actor.is_system
        or (actor.can(Perm.USERS_MANAGE) and actor.organization_id == user.organization_id)
    ):
        raise PermissionDenied()
    clean = name.strip()
    if not clean or len(clean) > 128:
        raise InvalidInput(description="Token name must have 1 to 128 characters")
    secret = TOKEN_PREFIX + new_secret(32)
    token = ApiToken(
        id=new_id(),
        user_id=user.id,
        name=clean,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=digest(secret),
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "create_application_credential",
        "application_credential",
        resource_id=token.id,
        partner_id=user.organization_id,
        new={"id": str(token.id), "name": clean, "userId": str(user.id)},
    )
    return IssuedToken(token=token, secret=secret)


def revoke_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    token = queries.get_visible_token(session, actor, token_id)
    owner = session.get(User, token.user_id)
    own = owner is not None and owner.id == actor.user_id
    if not (own or actor.is_system or actor.can(Perm.USERS_MANAGE)):
        raise TokenNotFound()
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record(
            session,
            actor,
            "delete_application_credential",
            "application_credential",
            resource_id=token.id,
            partner_id=owner.organization_id if owner else None,
        )
    return token


_BY_DIGEST = (
    select(ApiToken, User, Organization, UserRole.role)
    .join(User, User.id == ApiToken.user_id)
    .join(Organization, Organization.id == User.organization_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
"""Built once: every API request runs it."""


def authenticate_token(session: Session, secret: str) -> Actor:
    """The actor behind a bearer token, read in one statement (the token, its user, the
    user's organization and roles joined); a revoked token or an inactive user is
    nobody. The organization stays in the session, so later reads of it cost nothing."""
    rows = session.execute(_BY_DIGEST, {"token_hash": digest(secret)}).all()
    if not rows:
        raise InvalidCredentials()
    token, user, org, _ = rows[0]
    if token.revoked_at is not None or not user.is_active:
        raise InvalidCredentials()
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # coarse, so reads do not write on every call
    roles = [role for *_, role in rows if role is not None]
    return build_actor(user, org, roles, token_id=token.id)


def login(session: Session, email: str, password: str, *, hours: int) -> OpenedSession:
    """Open a console session. A wrong email and a wrong password fail alike."""
    user = queries.user_by_email(session, email.strip().lower())
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        if user is None:
            verify_password(None, password)
        raise InvalidCredentials()
    assert user.password_hash is not None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    secret = new_secret(32)
    now = clock.now()
    row = ConsoleSession(
        id_hash=digest(secret),
        user_id=user.id,
        csrf_token=new_secret(24),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    actor = actor_for(session, user)
    audit.record(session, actor, "user_login", "partner_user", resource_id=user.id)
    return OpenedSession(row=row, secret=secret, actor=actor)


def resume(session: Session, secret: str) -> tuple[Actor, ConsoleSession]:
    row = session.get(ConsoleSession, digest(secret))
    if row is None or row.expires_at <= clock.now():
        raise InvalidCredentials()
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    return actor_for(session, user), row


def logout(session: Session, secret: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == digest(secret)))


def purge_expired_sessions(session: Session) -> int:
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= clock.now()))
    return int(getattr(result, "rowcount", 0) or 0)
