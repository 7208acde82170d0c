"""Plain typed factories for tests: organizations, users with roles, tokens, actors."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from opencsp.auth import credentials, service
from opencsp.auth.models import Organization, User
from opencsp.auth.rules import Role
from opencsp.core.actor import Actor, Tier

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Member:
    org: Organization
    user: User
    actor: Actor
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def system(session: Session) -> Actor:
    return service.system_actor(session)


def organization(
    session: Session,
    tier: Tier = Tier.DIRECT_BILL,
    *,
    name: str | None = None,
    country: str | None = "US",
) -> Organization:
    if tier is Tier.VENDOR:
        vendor = service.vendor_organization(session)
        if vendor is not None:
            return vendor
        service.system_actor(session)
        found = service.vendor_organization(session)
        assert found is not None
        return found
    return service.create_organization(
        session, system(session), name=name or f"Org {next(_seq)}", tier=tier, country=country
    )


def member(
    session: Session,
    org: Organization | None = None,
    *,
    tier: Tier = Tier.DIRECT_BILL,
    roles: tuple[Role, ...] = (Role.GLOBAL_ADMIN,),
    email: str | None = None,
    password: str | None = PASSWORD,
) -> Member:
    """A user with roles in ``org`` (a new organization of ``tier`` if none), plus a token."""
    org = org or organization(session, tier)
    user = service.create_user(
        session,
        system(session),
        organization_id=org.id,
        email=email or f"user{next(_seq)}@example-{org.id.hex[:6]}.test",
        display_name="Test User",
        roles=roles,
        password=password,
    )
    token = credentials.create_token(session, system(session), user.id, "test").secret
    session.flush()
    return Member(org=org, user=user, actor=service.actor_for(session, user), token=token)
