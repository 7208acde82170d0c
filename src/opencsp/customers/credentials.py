"""The customer tenant's administrator, who accepts relationship invitations and the
customer agreement on the customer pages. The credentials are created with the customer
and shown once (PC:developer/create-a-customer.md); only an Argon2 hash is kept."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.core.actor import Actor, Tier
from opencsp.core.crypto import hash_password, verify_password
from opencsp.core.errors import InvalidCredentials
from opencsp.core.ids import new_secret
from opencsp.customers.models import Customer

PASSWORD_BYTES = 18  # 24 URL-safe characters, 144 random bits


def admin_user_name(domain: str) -> str:
    """The administrator's sign-in name: ``admin@<default domain>``."""
    return f"admin@{domain}"


def new_admin_password() -> tuple[str, str]:
    """A strong random password and its Argon2 hash; only the hash is ever stored."""
    password = new_secret(PASSWORD_BYTES)
    return password, hash_password(password)


def admin_actor(customer: Customer) -> Actor:
    """The customer's administrator as the audit log names them: not a partner user and
    holding no permissions — used for nothing but ``audit.record``."""
    return Actor(
        user_id=None,
        organization_id=customer.id,
        organization_name=customer.company_name,
        tier=Tier.INDIRECT_RESELLER,
        email=customer.admin_user_name,
    )


def verify_admin(session: Session, user_name: str, password: str) -> Customer:
    """The customer whose administrator this is; a wrong name or password fail alike."""
    customer = session.scalar(
        select(Customer).where(func.lower(Customer.admin_user_name) == user_name.strip().lower())
    )
    if customer is None:
        verify_password(None, password)
        raise InvalidCredentials()
    if not verify_password(customer.admin_password_hash, password):
        raise InvalidCredentials()
    return customer
