"""Tables of ordering: carts and their lines, orders and their lines, and the order
requests an indirect reseller sends its provider.

A cart belongs to the partner that builds it for a customer (a direct-bill partner or an
indirect provider, PC:developer/create-a-cart.md) and is checked out at most once:
``orders.cart_id`` is unique, so two concurrent checkouts of one cart make one order
(the loser's insert fails and it answers with the winner's order). An order line keeps
the price locked at purchase (``unit_price``, the partner price for the whole term from
the month's price list) and the charge it made; its subscription carries the price for
the rest of the term (PC:billing-basics.md: the price is locked for the term).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import DecimalText, UTCDateTime


class Cart(Base):
    """A cart (``attributes.objectType`` ``Cart``); ``status`` is ``active`` until checked
    out, then ``ordered`` with ``order_id``. ``version`` guards ``PUT`` against a lost
    update."""

    __tablename__ = "carts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    order_id: Mapped[str | None] = mapped_column(String(40))
    order_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CartLine(Base):
    """One line of a cart as the partner sent it, with the error its last validation
    found (``lineItems[].error`` {errorCode, errorDescription})."""

    __tablename__ = "cart_lines"

    cart_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("carts.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    catalog_item_id: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    term_duration: Mapped[str] = mapped_column(String(8), default="")
    billing_cycle: Mapped[str] = mapped_column(String(16), default="")
    partner_id_on_record: Mapped[str | None] = mapped_column(String(16))
    provisioning_context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    participants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attestation_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    custom_term_end: Mapped[str | None] = mapped_column(String(10))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_description: Mapped[str | None] = mapped_column(String(512))
    error_available_quantity: Mapped[int | None] = mapped_column(Integer)


class Order(Base):
    """An order (``Order``): what one checkout bought for one customer, billed to
    ``organization_id`` (the direct-bill partner or indirect provider) in ``currency``.
    ``total_price`` is the sum of the lines' rounded charges. ``billing_currency`` is the
    partner's currency when the lines are priced in another (USD, rules.md §11), else
    NULL."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    cart_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    market_id: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    billing_currency: Mapped[str | None] = mapped_column(String(3), default=None)
    billing_cycle: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    transaction_type: Mapped[str] = mapped_column(String(32), default="UserPurchase")
    total_price: Mapped[Decimal] = mapped_column(DecimalText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class OrderLine(Base):
    """One line of an order: the offer, quantity, term and plan bought, the partner of
    record, the price locked at purchase (``unit_price`` for the whole term, from
    ``price_list_id``) and the line's first charge rounded once (``charge``). A
    subscription line names its ``subscription_id``; a one-time purchase (perpetual
    software) has none and no term (PC:create-a-new-subscription.md)."""

    __tablename__ = "order_lines"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    line_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    catalog_item_id: Mapped[str] = mapped_column(String(120))
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    availability_id: Mapped[str] = mapped_column(String(16))
    product_type: Mapped[str] = mapped_column(String(32))
    friendly_name: Mapped[str] = mapped_column(String(256))
    quantity: Mapped[int] = mapped_column(Integer)
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_plan: Mapped[str] = mapped_column(String(16))
    transaction_type: Mapped[str] = mapped_column(String(16), default="New")
    partner_id_on_record: Mapped[str | None] = mapped_column(String(16))
    reseller_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    price_list_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    list_price: Mapped[Decimal] = mapped_column(DecimalText())
    extended_price: Mapped[Decimal] = mapped_column(DecimalText())
    charge: Mapped[Decimal] = mapped_column(DecimalText())
    currency: Mapped[str] = mapped_column(String(3))
    provisioning_context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attestation_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refund: Mapped[Decimal | None] = mapped_column(DecimalText())


class OrderRequest(Base):
    """What an indirect reseller asks its provider to buy for one of its customers
    (the reseller cannot buy itself, PC:indirect-reseller-tasks-in-partner-center.md).
    The provider sees it and turns it into a cart (``cart_id``) or declines it."""

    __tablename__ = "order_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    reseller_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    provider_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(1024), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    cart_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decline_reason: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
