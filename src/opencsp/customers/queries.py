"""Reads of customers through the actor's visibility.

A customer is visible to the partners that hold an active reseller relationship with it:
a direct-bill partner sees its customers, a provider its own and those it created for
its resellers (it holds a relationship with both), a reseller only those it is associated
with; the vendor sees all. Anything else answers 404 (DESIGN §5)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from opencsp.core.actor import Actor
from opencsp.customers.errors import CustomerNotFound
from opencsp.customers.models import Customer, CustomerRelationship

ACTIVE = "active"


def visible(actor: Actor) -> Select[Customer]:
    stmt = select(Customer)
    if actor.is_vendor:
        return stmt
    return stmt.where(
        exists().where(
            CustomerRelationship.customer_id == Customer.id,
            CustomerRelationship.partner_id == actor.organization_id,
            CustomerRelationship.state == ACTIVE,
        )
    )


def get_visible(session: Session, actor: Actor, customer_id: uuid.UUID) -> Customer:
    customer = session.scalar(visible(actor).where(Customer.id == customer_id))
    if customer is None:
        raise CustomerNotFound()
    return customer


def relationship_of(
    session: Session, customer_id: uuid.UUID, partner_id: uuid.UUID
) -> CustomerRelationship | None:
    """The partner's active relationship with the customer, if any."""
    return session.scalar(
        select(CustomerRelationship).where(
            CustomerRelationship.customer_id == customer_id,
            CustomerRelationship.partner_id == partner_id,
            CustomerRelationship.state == ACTIVE,
        )
    )
