"""Billing: periods, charges, invoices and their sequences, payments, credit limits,
downstream price rules; a subscription's anchor day, backfilled from the renewal events
that carried it.

Revision ID: 0009_billing
Revises: 0008_commerce_gaps
Create Date: 2026-11-22 00:54:20.030652
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_billing"
down_revision = "0008_commerce_gaps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_periods",
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("charges", sa.Integer(), nullable=False),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_billing_periods")),
    )
    op.create_table(
        "charges",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=False),
        sa.Column("seller_key", sa.String(length=36), nullable=False),
        sa.Column("bill_to_key", sa.String(length=36), nullable=False),
        sa.Column("seller_organization_id", sa.Uuid(), nullable=True),
        sa.Column("bill_to_organization_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("reseller_organization_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id_on_record", sa.String(length=16), nullable=True),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("order_line_number", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("availability_id", sa.String(length=16), nullable=False),
        sa.Column("product_type", sa.String(length=32), nullable=False),
        sa.Column("market_id", sa.String(length=64), nullable=True),
        sa.Column("charge_type", sa.String(length=32), nullable=False),
        sa.Column("accrued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("charge_start", sa.Date(), nullable=False),
        sa.Column("charge_end", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.String(length=48), nullable=False),
        sa.Column("pricing_currency", sa.String(length=3), nullable=False),
        sa.Column("each_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fx_rate", sa.String(length=48), nullable=False),
        sa.Column("fx_date", sa.Date(), nullable=False),
        sa.Column("billed_each_minor", sa.BigInteger(), nullable=False),
        sa.Column("billed_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.Column("term_number", sa.Integer(), nullable=True),
        sa.Column("cycle_number", sa.Integer(), nullable=True),
        sa.Column("event_sequence", sa.Integer(), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("offsets_period", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("tier", "key", name="uq_charges_tier_key"),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_charges_document",
            ["period", "seller_key", "bill_to_key", "currency", "document_type", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_charges_reseller_period", ["reseller_organization_id", "period"], unique=False
        )
        batch_op.create_index("ix_charges_subscription", ["subscription_id"], unique=False)

    op.create_table(
        "invoice_sequences",
        sa.Column("seller_key", sa.String(length=36), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seller_key", name=op.f("pk_invoice_sequences")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=False),
        sa.Column("seller_key", sa.String(length=36), nullable=False),
        sa.Column("bill_to_key", sa.String(length=36), nullable=False),
        sa.Column("seller_organization_id", sa.Uuid(), nullable=True),
        sa.Column("bill_to_organization_id", sa.Uuid(), nullable=True),
        sa.Column("bill_to_customer_id", sa.Uuid(), nullable=True),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "seller_key",
            "bill_to_key",
            "period",
            "currency",
            "document_type",
            name="uq_invoices_document",
        ),
        sa.UniqueConstraint("seller_key", "sequence", name="uq_invoices_sequence"),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_bill_to", ["bill_to_key", "invoice_date"], unique=False)
        batch_op.create_index("ix_invoices_seller", ["seller_key", "invoice_date"], unique=False)

    op.create_table(
        "credit_limits",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("limit_usd", sa.String(length=48), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_credit_limits_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_credit_limits")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.String(length=24), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payments_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_invoice", ["invoice_id"], unique=False)

    op.create_table(
        "price_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seller_organization_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_key", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("percent", sa.String(length=48), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_organization_id"],
            ["organizations.id"],
            name=op.f("fk_price_rules_seller_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_rules")),
        sa.UniqueConstraint(
            "seller_organization_id",
            "buyer_key",
            "product_id",
            "sku_id",
            name="uq_price_rules_scope",
        ),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anchor_day", sa.Integer(), nullable=True))

    _backfill_anchor_days()


def _backfill_anchor_days() -> None:
    """A current term started by a renewal or conversion whose month step is anchored on
    another day carries it in that event's ``details.anchorDay``."""
    bind = op.get_bind()
    subs = sa.table(
        "subscriptions",
        sa.column("id", sa.Uuid()),
        sa.column("term_number", sa.Integer()),
        sa.column("term_start", sa.Date()),
        sa.column("anchor_day", sa.Integer()),
    )
    events = sa.table(
        "subscription_events",
        sa.column("subscription_id", sa.Uuid()),
        sa.column("term_number", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("details", sa.JSON()),
    )
    rows = bind.execute(
        sa.select(events.c.subscription_id, events.c.details, subs.c.term_start)
        .join(subs, subs.c.id == events.c.subscription_id)
        .where(
            events.c.term_number == subs.c.term_number,
            subs.c.term_number > 1,
            events.c.kind.in_(("renew", "convert")),
        )
    ).all()
    for sub_id, details, start in rows:
        anchor = details.get("anchorDay") if isinstance(details, dict) else None
        if anchor and int(anchor) != start.day:
            bind.execute(subs.update().where(subs.c.id == sub_id).values(anchor_day=int(anchor)))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("anchor_day")

    op.drop_table("price_rules")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_invoice")

    op.drop_table("payments")
    op.drop_table("credit_limits")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_seller")
        batch_op.drop_index("ix_invoices_bill_to")

    op.drop_table("invoices")
    op.drop_table("invoice_sequences")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index("ix_charges_subscription")
        batch_op.drop_index("ix_charges_reseller_period")
        batch_op.drop_index("ix_charges_document")

    op.drop_table("charges")
    op.drop_table("billing_periods")
