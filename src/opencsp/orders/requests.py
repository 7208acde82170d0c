"""Order requests: an indirect reseller cannot buy, so it asks the provider it sells the
customer through (PC:indirect-reseller-tasks-in-partner-center.md, rules.md §1.3). The
provider sees the request and either turns it into a cart (``cart.order_request_id``),
which it then checks out as any cart, or declines it with a reason. A request is
``open`` until then, ``converted`` or ``declined`` after; each step is audited.

Not a Partner Center API: ``/v1/customers/{id}/orderrequests`` in the same conventions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.core.errors import InvalidInput
from opencsp.customers import queries as customers
from opencsp.customers.models import CustomerRelationship
from opencsp.orders.carts import create_cart
from opencsp.orders.errors import (
    BuyerNotAllowed,
    NoProviderForCustomer,
    OrderRequestNotFound,
    OrderRequestNotOpen,
)
from opencsp.orders.models import Cart, OrderRequest
from opencsp.orders.rules import CartLineRequest, Participant

OPEN, CONVERTED, DECLINED = "open", "converted", "declined"
MAX_LINES = 50


def _line_json(line: CartLineRequest, custom_end: date | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": line.id,
        "catalogItemId": line.catalog_item_id,
        "quantity": line.quantity,
        "termDuration": line.term_duration,
        "billingCycle": line.billing_cycle,
        "partnerIdOnRecord": line.partner_id_on_record,
        "provisioningContext": dict(line.provisioning_context),
        "attestationAccepted": line.attestation_accepted,
        "participants": [{"key": p.key, "value": p.value} for p in line.participants],
        "customTermEndDate": custom_end.isoformat() if custom_end else None,
    }
    return {k: v for k, v in data.items() if v is not None}


def _line_from_json(data: Mapping[str, Any]) -> tuple[CartLineRequest, date | None]:
    end = data.get("customTermEndDate")
    return (
        CartLineRequest(
            id=int(data.get("id", 0)),
            catalog_item_id=data.get("catalogItemId"),
            quantity=data.get("quantity"),
            term_duration=data.get("termDuration"),
            billing_cycle=data.get("billingCycle"),
            partner_id_on_record=data.get("partnerIdOnRecord"),
            provisioning_context=dict(data.get("provisioningContext") or {}),
            attestation_accepted=bool(data.get("attestationAccepted")),
            participants=tuple(
                Participant(str(p.get("key", "")), str(p.get("value", "")))
                for p in data.get("participants") or []
            ),
        ),
        date.fromisoformat(end) if end else None,
    )


def _provider_of(session: Session, reseller_id: uuid.UUID, customer_id: uuid.UUID) -> uuid.UUID:
    provider = session.scalar(
        select(CustomerRelationship.provider_id)
        .where(
            CustomerRelationship.customer_id == customer_id,
            CustomerRelationship.partner_id == reseller_id,
            CustomerRelationship.role == "reseller",
            CustomerRelationship.state == "active",
            CustomerRelationship.provider_id.is_not(None),
        )
        .order_by(CustomerRelationship.created_at)
        .limit(1)
    )
    if provider is None:
        raise NoProviderForCustomer()
    return provider


def submit_request(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    lines: Sequence[CartLineRequest],
    *,
    note: str = "",
    custom_term_ends: Mapping[int, date | None] | None = None,
) -> OrderRequest:
    """A reseller asks the provider of a visible customer to buy ``lines``. The lines
    are judged when the provider makes a cart of them, at that instant."""
    if actor.tier is not Tier.INDIRECT_RESELLER:
        raise BuyerNotAllowed(description="Only an indirect reseller sends order requests")
    if not lines or len(lines) > MAX_LINES:
        raise InvalidInput(description=f"An order request has 1 to {MAX_LINES} line items")
    customer = customers.get_visible(session, actor, customer_id)
    ends = custom_term_ends or {}
    now = clock.now()
    row = OrderRequest(
        id=uuid.uuid4(),
        customer_id=customer.id,
        reseller_organization_id=actor.organization_id,
        provider_organization_id=_provider_of(session, actor.organization_id, customer.id),
        lines=[_line_json(line, ends.get(line.id)) for line in lines],
        note=note,
        status=OPEN,
        cart_id=None,
        decline_reason="",
        created_at=now,
        updated_at=now,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, row, "create_order_request", customer.company_name)
    return row


def visible(actor: Actor) -> Select[OrderRequest]:
    """The reseller sees the requests it sent, the provider those sent to it."""
    stmt = select(OrderRequest)
    if actor.is_vendor:
        return stmt
    column = (
        OrderRequest.reseller_organization_id
        if actor.tier is Tier.INDIRECT_RESELLER
        else OrderRequest.provider_organization_id
    )
    return stmt.where(column == actor.organization_id)


def list_requests(
    session: Session, actor: Actor, customer_id: uuid.UUID, *, status: str | None = None
) -> list[OrderRequest]:
    customer = customers.get_visible(session, actor, customer_id)
    stmt = visible(actor).where(OrderRequest.customer_id == customer.id)
    if status:
        stmt = stmt.where(OrderRequest.status == status.strip().lower())
    return list(session.scalars(stmt.order_by(OrderRequest.created_at, OrderRequest.id)))


def get_request(
    session: Session, actor: Actor, customer_id: uuid.UUID, request_id: uuid.UUID
) -> OrderRequest:
    customer = customers.get_visible(session, actor, customer_id)
    row = session.scalar(
        visible(actor).where(OrderRequest.customer_id == customer.id, OrderRequest.id == request_id)
    )
    if row is None:
        raise OrderRequestNotFound()
    return row


def _open_for_provider(
    session: Session, actor: Actor, customer_id: uuid.UUID, request_id: uuid.UUID, action: str
) -> OrderRequest:
    row = get_request(session, actor, customer_id, request_id)
    if row.provider_organization_id != actor.organization_id:
        raise OrderRequestNotFound()
    if row.status != OPEN:
        raise OrderRequestNotOpen(status=row.status, action=action)
    return row


def decline_request(
    session: Session, actor: Actor, customer_id: uuid.UUID, request_id: uuid.UUID, reason: str
) -> OrderRequest:
    """The provider declines an open request, telling the reseller why."""
    row = _open_for_provider(session, actor, customer_id, request_id, DECLINED)
    row.status = DECLINED
    row.decline_reason = reason
    row.updated_at = clock.now()
    session.flush()
    _audit(session, actor, row, "decline_order_request", None)
    return row


def convert_request(
    session: Session, actor: Actor, customer_id: uuid.UUID, request_id: uuid.UUID
) -> Cart:
    """The provider turns an open request into its own cart, judged now; it checks the
    cart out (or changes it) like any other."""
    row = _open_for_provider(session, actor, customer_id, request_id, CONVERTED)
    parsed = [_line_from_json(data) for data in row.lines]
    cart = create_cart(
        session,
        actor,
        customer_id,
        [line for line, _ in parsed],
        custom_term_ends={line.id: end for line, end in parsed},
        order_request_id=row.id,
    )
    row.status = CONVERTED
    row.cart_id = cart.id
    row.updated_at = clock.now()
    session.flush()
    _audit(session, actor, row, "convert_order_request", None)
    return cart


def _audit(
    session: Session, actor: Actor, row: OrderRequest, operation: str, customer_name: str | None
) -> None:
    audit.record(
        session,
        actor,
        operation,
        "order_request",
        resource_id=row.id,
        customer_id=row.customer_id,
        customer_name=customer_name,
        data={"Status": row.status, "Lines": len(row.lines), "CartId": row.cart_id or ""},
    )
    if actor.organization_id != row.provider_organization_id:
        audit.record(
            session,
            actor,
            operation,
            "order_request",
            resource_id=row.id,
            customer_id=row.customer_id,
            customer_name=customer_name,
            data={"Status": row.status, "Lines": len(row.lines)},
            partner_id=row.provider_organization_id,
        )
