"""Reads of customers through the actor's visibility.

A customer is visible to the partners that hold an active reseller relationship with it:
a direct-bill partner sees its customers, a provider its own and those it created for
its resellers (it holds a relationship with both), a reseller only those it is associated
with; the vendor sees all. Anything else answers 404 (DESIGN §5)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Exists

from opencsp.auth.models import Organization
from opencsp.core.actor import Actor, Tier
from opencsp.core.pagination import Page, paginate
from opencsp.customers.errors import CustomerNotFound
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.customers.rules import (
    CustomerFilter,
    FilterField,
    RelationshipRole,
    RelationshipToPartner,
)
from opencsp.partners import queries as partners
from opencsp.partners.models import PartnerProfile

ACTIVE = "active"


def _related(partner_id: object) -> Exists:
    return exists().where(
        CustomerRelationship.customer_id == Customer.id,
        CustomerRelationship.partner_id == partner_id,
        CustomerRelationship.state == ACTIVE,
    )


def visible(actor: Actor) -> Select[Customer]:
    stmt = select(Customer)
    if actor.is_vendor:
        return stmt
    return stmt.where(_related(actor.organization_id))


_PARTNERS_CUSTOMER = select(Customer).where(
    Customer.id == bindparam("customer_id"), _related(bindparam("partner_id"))
)
"""``visible`` for one partner and one customer, built once: most API calls run it."""


def get_visible(session: Session, actor: Actor, customer_id: uuid.UUID) -> Customer:
    if actor.is_vendor:
        customer = session.get(Customer, customer_id)
    else:
        customer = session.scalar(
            _PARTNERS_CUSTOMER,
            {"customer_id": customer_id, "partner_id": actor.organization_id},
        )
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


def any_relationship_of(
    session: Session, customer_id: uuid.UUID, partner_id: uuid.UUID
) -> CustomerRelationship | None:
    """The partner's relationship row with the customer, active or ended (one per pair)."""
    return session.scalar(
        select(CustomerRelationship).where(
            CustomerRelationship.customer_id == customer_id,
            CustomerRelationship.partner_id == partner_id,
        )
    )


def _has_relationship(partner_id: uuid.UUID, role: RelationshipRole) -> Exists:
    return exists().where(
        CustomerRelationship.customer_id == Customer.id,
        CustomerRelationship.partner_id == partner_id,
        CustomerRelationship.role == role.value,
        CustomerRelationship.state == ACTIVE,
    )


def filtered(actor: Actor, flt: CustomerFilter | None) -> Select[Customer]:
    """The actor's customers matching a list filter, by company name then id."""
    stmt = visible(actor)
    if flt is not None:
        if flt.field is FilterField.COMPANY_NAME:
            prefix = flt.value.lower()
            stmt = stmt.where(func.lower(Customer.company_name).startswith(prefix, autoescape=True))
        elif flt.field is FilterField.DOMAIN:
            stmt = stmt.where(Customer.domain.startswith(flt.value.lower(), autoescape=True))
        elif flt.field is FilterField.INDIRECT_RESELLER:
            assert flt.tenant_id is not None
            stmt = stmt.where(_has_relationship(flt.tenant_id, RelationshipRole.RESELLER))
        else:
            assert flt.tenant_id is not None
            stmt = stmt.where(_has_relationship(flt.tenant_id, RelationshipRole.PROVIDER))
    return stmt.order_by(func.lower(Customer.company_name), Customer.id)


def page_of_customers(
    session: Session, actor: Actor, flt: CustomerFilter | None, *, size: int, token: str | None
) -> Page[Customer]:
    return paginate(session, filtered(actor, flt), size=size, token=token)


def resellers_through(
    session: Session, provider_id: uuid.UUID | None, customer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The indirect reseller of each customer (``associatedPartnerId``) through one
    provider (through any, when None): the earliest active one."""
    ids = list(customer_ids)
    if not ids:
        return {}
    stmt = select(CustomerRelationship.customer_id, CustomerRelationship.partner_id).where(
        CustomerRelationship.customer_id.in_(ids),
        CustomerRelationship.role == RelationshipRole.RESELLER.value,
        CustomerRelationship.state == ACTIVE,
    )
    if provider_id is not None:
        stmt = stmt.where(CustomerRelationship.provider_id == provider_id)
    rows = session.execute(
        stmt.order_by(CustomerRelationship.created_at.desc(), CustomerRelationship.id.desc())
    )
    return {customer_id: reseller_id for customer_id, reseller_id in rows}


def partners_of(session: Session, customer_id: uuid.UUID) -> list[uuid.UUID]:
    """Every partner with an active relationship with the customer."""
    return list(
        session.scalars(
            select(CustomerRelationship.partner_id)
            .where(
                CustomerRelationship.customer_id == customer_id,
                CustomerRelationship.state == ACTIVE,
            )
            .order_by(CustomerRelationship.created_at, CustomerRelationship.id)
        )
    )


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A customer as one actor sees it: ``relationshipToPartner`` is ``reseller`` for a
    partner holding an active relationship, ``none`` otherwise (the vendor);
    ``associatedPartnerId`` the indirect reseller, shown to its provider and the vendor."""

    customer: Customer
    relationship: RelationshipToPartner
    associated_partner_id: uuid.UUID | None


def views_for(session: Session, actor: Actor, customers: Sequence[Customer]) -> list[CustomerView]:
    ids = [c.id for c in customers]
    if actor.is_vendor:
        related: set[uuid.UUID] = set()
        associated = resellers_through(session, None, ids)
    else:
        related = active_relationship_ids(session, actor.organization_id, ids)
        associated = (
            resellers_through(session, actor.organization_id, ids)
            if actor.tier is Tier.INDIRECT_PROVIDER
            else {}
        )
    return [
        CustomerView(
            c,
            RelationshipToPartner.RESELLER if c.id in related else RelationshipToPartner.NONE,
            associated.get(c.id),
        )
        for c in customers
    ]


def get_view(session: Session, actor: Actor, customer_id: uuid.UUID) -> CustomerView:
    return views_for(session, actor, [get_visible(session, actor, customer_id)])[0]


def roles_of(
    session: Session, partner_id: uuid.UUID, customer_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The partner's active relationship role with each of these customers."""
    ids = list(customer_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(CustomerRelationship.customer_id, CustomerRelationship.role).where(
            CustomerRelationship.customer_id.in_(ids),
            CustomerRelationship.partner_id == partner_id,
            CustomerRelationship.state == ACTIVE,
        )
    )
    return {customer_id: role for customer_id, role in rows}


def active_relationship_ids(
    session: Session, partner_id: uuid.UUID, customer_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    return set(roles_of(session, partner_id, customer_ids))


@dataclass(frozen=True, slots=True)
class RelationshipView:
    relationship: CustomerRelationship
    partner_name: str
    provider_name: str | None


def relationships_shown_to(
    session: Session, actor: Actor, customer: Customer
) -> list[RelationshipView]:
    """The customer's active relationships the actor may know of: the vendor sees all; a
    partner sees its own, those through it (a provider's resellers) and the provider it
    works through (a reseller's) — never another, unrelated partner's (multi-partner,
    PC:multipartner.md)."""
    stmt = select(CustomerRelationship).where(
        CustomerRelationship.customer_id == customer.id, CustomerRelationship.state == ACTIVE
    )
    if not actor.is_vendor:
        mine = relationship_of(session, customer.id, actor.organization_id)
        related = [
            CustomerRelationship.partner_id == actor.organization_id,
            CustomerRelationship.provider_id == actor.organization_id,
        ]
        if mine is not None and mine.provider_id is not None:
            related.append(CustomerRelationship.partner_id == mine.provider_id)
        stmt = stmt.where(or_(*related))
    rows = session.scalars(
        stmt.order_by(CustomerRelationship.created_at, CustomerRelationship.id)
    ).all()
    names = organization_names(
        session, {r.partner_id for r in rows} | {r.provider_id for r in rows if r.provider_id}
    )
    return [
        RelationshipView(
            r, names.get(r.partner_id, ""), names.get(r.provider_id) if r.provider_id else None
        )
        for r in rows
    ]


def organization_names(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
    )
    return {org_id: name for org_id, name in rows}


def resellers_of_customer(
    session: Session, actor: Actor, customer: Customer
) -> Sequence[CustomerRelationship]:
    """The customer's indirect resellers the actor may know of (the vendor: all; a
    provider: those through it; a reseller: itself)."""
    stmt = select(CustomerRelationship).where(
        CustomerRelationship.customer_id == customer.id,
        CustomerRelationship.role == RelationshipRole.RESELLER.value,
        CustomerRelationship.state == ACTIVE,
    )
    if not actor.is_vendor:
        stmt = stmt.where(
            or_(
                CustomerRelationship.provider_id == actor.organization_id,
                CustomerRelationship.partner_id == actor.organization_id,
            )
        )
    return session.scalars(
        stmt.order_by(CustomerRelationship.created_at, CustomerRelationship.id)
    ).all()


@dataclass(frozen=True, slots=True)
class ResellerOfCustomer:
    id: uuid.UUID
    name: str
    mpn_id: int | None


def resellers_shown_to(
    session: Session, actor: Actor, customer_id: uuid.UUID
) -> list[ResellerOfCustomer]:
    """A visible customer's indirect resellers with their location partner IDs."""
    customer = get_visible(session, actor, customer_id)
    rows = resellers_of_customer(session, actor, customer)
    names = organization_names(session, [r.partner_id for r in rows])
    out = []
    for row in rows:
        location = partners.location_partner_id(session, row.partner_id)
        out.append(
            ResellerOfCustomer(
                row.partner_id, names.get(row.partner_id, ""), location.mpn_id if location else None
            )
        )
    return out


def domain_in_use(session: Session, domain: str) -> bool:
    """Whether any tenant — a customer or a partner — already has this domain."""
    key = domain.strip().lower()
    customer = session.scalar(select(Customer.id).where(func.lower(Customer.domain) == key))
    if customer is not None:
        return True
    partner = session.scalar(
        select(PartnerProfile.organization_id).where(
            func.lower(PartnerProfile.tenant_domain) == key
        )
    )
    return partner is not None


def customers_of_partner(session: Session, partner_id: uuid.UUID) -> Select[Customer]:
    """Customers with which one partner holds an active relationship (for the operator)."""
    return (
        select(Customer)
        .where(
            exists().where(
                CustomerRelationship.customer_id == Customer.id,
                CustomerRelationship.partner_id == partner_id,
                CustomerRelationship.state == ACTIVE,
            )
        )
        .order_by(func.lower(Customer.company_name), Customer.id)
    )
