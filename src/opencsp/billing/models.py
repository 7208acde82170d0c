"""Tables of billing (issue 6; DESIGN.md §4).

- ``billing_periods``: one row per calendar month the bill run has touched, ``closing``
  while a run is under way and ``closed`` once its invoices are issued. Months run in
  order; a line accruing in a closed month goes to the first open one
  (``charges.period_for``).
- ``charges``: one row per charge line of the NCE reconciliation vocabulary
  (file-formats.md §8e) for one tier of selling: the vendor billing a direct-bill partner
  or provider (``vendor``), a provider billing its reseller (``provider``), a partner
  billing its customer (``partner``). ``key`` is the line's identity from the rules
  (``lines.ChargeLine.key``) and ``(tier, key)`` is unique, so a bill run killed and
  re-run writes each line once. Money is integer minor units: the per-seat price and the
  amount in the pricing currency, and again in the billing currency after the month's
  FX rate (recorded with its date), ``amount = each × quantity`` exactly. A credit names
  the charge it gives back (``offsets_key``); a provider or partner line keeps the exact
  factor it was priced with (``price_ratio``, ``ratio_of``) for the credits that follow.
- ``invoices``: one document per (seller, bill-to, period, currency, document type),
  unique; its lines are the charges with the same key, so issuing one never rewrites a
  charge. ``number`` comes from the seller's gapless ``invoice_sequences``.
- ``payments`` against invoices; ``credit_limits`` per partner in USD; ``price_rules``
  for downstream prices.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import ROW_ID, DecimalText, UTCDateTime

VENDOR = "vendor"
"""``seller_key`` of the vendor (every other seller is an organization's id)."""


class BillingPeriod(Base):
    """A calendar month and the state of its bill run (module docstring)."""

    __tablename__ = "billing_periods"

    period: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    charges: Mapped[int] = mapped_column(Integer, default=0)
    invoices: Mapped[int] = mapped_column(Integer, default=0)


class Charge(Base):
    """One charge or credit line (module docstring)."""

    __tablename__ = "charges"
    __table_args__ = (
        UniqueConstraint("tier", "key", name="uq_charges_tier_key"),
        Index(
            "ix_charges_document",
            "period",
            "seller_key",
            "bill_to_key",
            "currency",
            "document_type",
            "id",
            "tier",
            "billed_amount_minor",
        ),
        Index(
            "ix_charges_reseller_period",
            "reseller_organization_id",
            "period",
            sqlite_where=text("reseller_organization_id IS NOT NULL"),
            postgresql_where=text("reseller_organization_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    tier: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    period: Mapped[date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(16))
    seller_key: Mapped[str] = mapped_column(String(36))
    bill_to_key: Mapped[str] = mapped_column(String(36))
    seller_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    bill_to_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reseller_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    partner_id_on_record: Mapped[str | None] = mapped_column(String(16))
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    order_id: Mapped[str | None] = mapped_column(String(64))
    order_line_number: Mapped[int | None] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    availability_id: Mapped[str] = mapped_column(String(16))
    product_type: Mapped[str] = mapped_column(String(32))
    market_id: Mapped[str | None] = mapped_column(String(64))
    charge_type: Mapped[str] = mapped_column(String(32))
    accrued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    charge_start: Mapped[date] = mapped_column(Date)
    charge_end: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    pricing_currency: Mapped[str] = mapped_column(String(3))
    each_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[Decimal] = mapped_column(DecimalText())
    fx_date: Mapped[date] = mapped_column(Date)
    billed_each_minor: Mapped[int] = mapped_column(BigInteger)
    billed_amount_minor: Mapped[int] = mapped_column(BigInteger)
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_plan: Mapped[str] = mapped_column(String(16))
    term_number: Mapped[int | None] = mapped_column(Integer)
    cycle_number: Mapped[int | None] = mapped_column(Integer)
    event_sequence: Mapped[int | None] = mapped_column(Integer)
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    offsets_period: Mapped[date | None] = mapped_column(Date)
    offsets_key: Mapped[str | None] = mapped_column(String(200))
    price_ratio: Mapped[str | None] = mapped_column(String(80))
    ratio_of: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Invoice(Base):
    """An invoice or credit note (module docstring). ``id`` is its number, e.g.
    ``G000024135`` (``invoices.format_number``)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint(
            "seller_key",
            "bill_to_key",
            "period",
            "currency",
            "document_type",
            name="uq_invoices_document",
        ),
        UniqueConstraint("seller_key", "sequence", name="uq_invoices_sequence"),
        Index("ix_invoices_bill_to", "bill_to_key", "invoice_date"),
        Index("ix_invoices_seller", "seller_key", "invoice_date"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(16))
    document_type: Mapped[str] = mapped_column(String(16))
    seller_key: Mapped[str] = mapped_column(String(36))
    bill_to_key: Mapped[str] = mapped_column(String(36))
    seller_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    bill_to_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    bill_to_customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    period: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    line_count: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InvoiceSequence(Base):
    """The last number a seller issued; read under a row lock in the transaction that
    issues the next ones, so numbers run without gaps (``invoices.ensure_gapless``)."""

    __tablename__ = "invoice_sequences"

    seller_key: Mapped[str] = mapped_column(String(36), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    last: Mapped[int] = mapped_column(Integer, default=0)


class Payment(Base):
    """Money received against an invoice, in its currency."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_invoice", "invoice_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CreditLimit(Base):
    """A partner's credit limit in USD (rules.md §11), set by the vendor."""

    __tablename__ = "credit_limits"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    limit_usd: Mapped[Decimal] = mapped_column(DecimalText())
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PriceRule(Base):
    """A seller's downstream price: a markup (positive) or discount (negative)
    ``percent`` on its own cost, for one buyer or all (``buyer_key`` ``*``), one product,
    one SKU or everything (``*``). The most specific rule wins."""

    __tablename__ = "price_rules"
    __table_args__ = (
        UniqueConstraint(
            "seller_organization_id",
            "buyer_key",
            "product_id",
            "sku_id",
            name="uq_price_rules_scope",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    seller_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    buyer_key: Mapped[str] = mapped_column(String(36))
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    percent: Mapped[Decimal] = mapped_column(DecimalText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
