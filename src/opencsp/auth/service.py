"""Use cases for organizations and users. Services take the session first, never commit,
and record an audit row for every change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opencsp import audit
from opencsp.auth import queries, rules
from opencsp.auth.errors import CannotDeactivateSelf, EmailTaken
from opencsp.auth.models import Organization, User, UserRole
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.crypto import hash_password
from opencsp.core.errors import InvalidInput, PermissionDenied
from opencsp.core.ids import new_id

VENDOR_NAME_DEFAULT = "opencsp Vendor"


def actor_for(session: Session, user: User, *, token_id: uuid.UUID | None = None) -> Actor:
    org = session.get(Organization, user.organization_id)
    if org is None:  # foreign key makes this impossible; guard against a broken database
        raise InvalidInput(description="User without organization")
    return build_actor(user, org, queries.roles_of(session, user.id), token_id=token_id)


def build_actor(
    user: User, org: Organization, roles: Iterable[str], *, token_id: uuid.UUID | None = None
) -> Actor:
    """The actor of ``user`` in ``org`` holding ``roles``, from rows already read."""
    tier = Tier(org.tier)
    held = sorted(set(roles))
    return Actor(
        user_id=user.id,
        organization_id=org.id,
        organization_name=org.name,
        tier=tier,
        email=user.email,
        roles=frozenset(held),
        permissions=rules.permissions_for(tier, held),
        token_id=token_id,
    )


def vendor_organization(session: Session) -> Organization | None:
    return session.scalar(
        select(Organization).where(Organization.tier == Tier.VENDOR.value).limit(1)
    )


def system_actor(session: Session, *, vendor_name: str = VENDOR_NAME_DEFAULT) -> Actor:
    """The operator at the machine (CLI and jobs) acts for the vendor with every
    permission; the vendor organization is created the first time it is needed."""
    vendor = vendor_organization(session)
    if vendor is None:
        vendor = Organization(
            id=new_id(),
            name=vendor_name,
            tier=Tier.VENDOR.value,
            country=None,
            created_at=clock.now(),
        )
        session.add(vendor)
        session.flush()
    return Actor(
        user_id=None,
        organization_id=vendor.id,
        organization_name=vendor.name,
        tier=Tier.VENDOR,
        email="system",
        roles=frozenset(),
        permissions=frozenset(Perm),
    )


def create_organization(
    session: Session,
    actor: Actor,
    *,
    name: str,
    tier: Tier,
    country: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> Organization:
    """Register a partner organization's identity and tier (enrollment comes later).
    Only the vendor does this; there is one vendor per installation."""
    if not actor.is_vendor:
        raise PermissionDenied()
    if tier is Tier.VENDOR and vendor_organization(session) is not None:
        raise InvalidInput(description="The vendor organization already exists")
    clean = name.strip()
    if not clean or len(clean) > 256:
        raise InvalidInput(description="Organization name must have 1 to 256 characters")
    org = Organization(
        id=organization_id or new_id(),
        name=clean,
        tier=tier.value,
        country=country.upper() if country else None,
        created_at=clock.now(),
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor,
        "create_organization",
        "organization",
        resource_id=org.id,
        partner_id=org.id,
        new={"id": str(org.id), "name": org.name, "tier": org.tier, "country": org.country},
    )
    return org


def _ensure_manages(actor: Actor, organization_id: uuid.UUID) -> None:
    """Users are managed inside one's own organization (the vendor's operator may seed any)."""
    if actor.is_system:
        return
    if not actor.can(Perm.USERS_MANAGE) or actor.organization_id != organization_id:
        raise PermissionDenied()


def create_user(
    session: Session,
    actor: Actor,
    *,
    organization_id: uuid.UUID,
    email: str,
    display_name: str,
    roles: Iterable[Role],
    password: str | None = None,
    locale: str = "en-US",
) -> User:
    _ensure_manages(actor, organization_id)
    org = session.get(Organization, organization_id)
    if org is None or not (actor.is_system or actor.organization_id == org.id):
        raise PermissionDenied()
    role_set = sorted(set(roles))
    if not role_set:
        raise InvalidInput(description="A user needs at least one role")
    rules.ensure_roles_allowed(Tier(org.tier), role_set)
    if not actor.is_system:
        rules.ensure_can_grant(actor.roles, role_set)
    normalized = rules.normalize_email(email)
    if queries.user_by_email(session, normalized) is not None:
        raise EmailTaken(email=normalized)
    if password is not None:
        rules.ensure_password_strength(password)
    user = User(
        id=new_id(),
        organization_id=org.id,
        email=normalized,
        display_name=display_name.strip() or normalized,
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        locale=locale,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=role.value) for role in role_set)
    session.flush()
    audit.record(
        session,
        actor,
        "create_partner_user",
        "partner_user",
        resource_id=user.id,
        partner_id=org.id,
        new={"id": str(user.id), "email": user.email, "roles": [r.value for r in role_set]},
    )
    return user


def set_roles(session: Session, actor: Actor, user_id: uuid.UUID, roles: Iterable[Role]) -> User:
    user = queries.get_visible_user(session, actor, user_id)
    _ensure_manages(actor, user.organization_id)
    org = session.get(Organization, user.organization_id)
    assert org is not None
    new_roles = sorted(set(roles))
    if not new_roles:
        raise InvalidInput(description="A user needs at least one role")
    rules.ensure_roles_allowed(Tier(org.tier), new_roles)
    old_roles = queries.roles_of(session, user.id)
    if not actor.is_system:
        rules.ensure_can_grant(actor.roles, [*new_roles, *map(Role, old_roles)])
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    session.add_all(UserRole(user_id=user.id, role=role.value) for role in new_roles)
    session.flush()
    audit.record(
        session,
        actor,
        "update_partner_user",
        "partner_user",
        resource_id=user.id,
        partner_id=user.organization_id,
        old={"roles": old_roles},
        new={"roles": [r.value for r in new_roles]},
    )
    return user


def set_active(session: Session, actor: Actor, user_id: uuid.UUID, *, active: bool) -> User:
    user = queries.get_visible_user(session, actor, user_id)
    _ensure_manages(actor, user.organization_id)
    if not active and actor.user_id == user.id:
        raise CannotDeactivateSelf()
    if not actor.is_system:
        rules.ensure_can_grant(actor.roles, map(Role, queries.roles_of(session, user.id)))
    if user.is_active != active:
        user.is_active = active
        audit.record(
            session,
            actor,
            "update_partner_user",
            "partner_user",
            resource_id=user.id,
            partner_id=user.organization_id,
            old={"isActive": not active},
            new={"isActive": active},
        )
    return user


def set_password(session: Session, actor: Actor, user_id: uuid.UUID, password: str) -> User:
    """Users set their own; managers reset others' (a Global admin's only by a Global admin)."""
    user = queries.get_visible_user(session, actor, user_id)
    if actor.user_id != user.id:
        _ensure_manages(actor, user.organization_id)
        if not actor.is_system:
            rules.ensure_can_grant(actor.roles, map(Role, queries.roles_of(session, user.id)))
    rules.ensure_password_strength(password)
    user.password_hash = hash_password(password)
    audit.record(
        session,
        actor,
        "reset_partner_user_password",
        "partner_user",
        resource_id=user.id,
        partner_id=user.organization_id,
    )
    return user
