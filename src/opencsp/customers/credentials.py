"""The customer tenant's administrator, who accepts relationship invitations and the
customer agreement on the customer pages. The credentials are created with the customer
and shown once (PC:developer/create-a-customer.md); only an Argon2 hash is kept."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.core.crypto import verify_password
from opencsp.core.errors import InvalidCredentials
from opencsp.customers.models import Customer


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
