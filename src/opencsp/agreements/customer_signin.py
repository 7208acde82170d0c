"""The customer administrator's sign-in on the public acceptance page.

The page is public; what it shows and accepts belongs to the customer whose admin
credentials (created with the customer and shown once, PC:developer/create-a-customer.md)
were given. Like console sessions, the cookie carries a random secret and only its
SHA-256 is stored, with a CSRF token; a sign-in lasts ``SIGN_IN_MINUTES``. A wrong user
name and a wrong password fail alike (``customers.credentials.verify_admin``), and so do
credentials of another customer than the link names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from opencsp.agreements.models import CustomerSignIn
from opencsp.core import clock
from opencsp.core.crypto import digest
from opencsp.core.errors import InvalidCredentials, Unauthenticated
from opencsp.core.ids import new_secret
from opencsp.customers import credentials
from opencsp.customers.models import Customer

SIGN_IN_MINUTES = 30


@dataclass(frozen=True, slots=True)
class OpenedSignIn:
    row: CustomerSignIn
    secret: str
    customer: Customer


def sign_in(
    session: Session, user_name: str, password: str, *, customer_id: uuid.UUID | None = None
) -> OpenedSignIn:
    """Open a sign-in for the customer whose administrator this is; ``customer_id`` (from
    the link) must then name that same customer."""
    customer = credentials.verify_admin(session, user_name, password)
    if customer_id is not None and customer.id != customer_id:
        raise InvalidCredentials()
    now = clock.now()
    session.execute(
        delete(CustomerSignIn).where(
            CustomerSignIn.customer_id == customer.id, CustomerSignIn.expires_at <= now
        )
    )
    secret = new_secret(32)
    row = CustomerSignIn(
        id_hash=digest(secret),
        customer_id=customer.id,
        csrf_token=new_secret(24),
        created_at=now,
        expires_at=now + timedelta(minutes=SIGN_IN_MINUTES),
    )
    session.add(row)
    session.flush()
    return OpenedSignIn(row=row, secret=secret, customer=customer)


def resume(session: Session, secret: str) -> tuple[Customer, CustomerSignIn]:
    """The customer of a live sign-in; none (or an expired one) asks to sign in again."""
    row = session.get(CustomerSignIn, digest(secret)) if secret else None
    if row is None or row.expires_at <= clock.now():
        raise Unauthenticated()
    customer = session.get(Customer, row.customer_id)
    if customer is None:
        raise Unauthenticated()
    return customer, row


def sign_out(session: Session, secret: str) -> None:
    session.execute(delete(CustomerSignIn).where(CustomerSignIn.id_hash == digest(secret)))
