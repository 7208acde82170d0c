"""commerce: carts, orders, subscriptions, outbox

Revision ID: 0006_commerce
Revises: 0005_catalog_pricing
Create Date: 2026-11-21 21:06:45.725744
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_commerce"
down_revision = "0005_catalog_pricing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1024), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("topic", "key", name=op.f("uq_outbox_messages_topic_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_due", ["status", "available_at"], unique=False)

    op.create_table(
        "carts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("order_request_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_carts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_carts_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
    )
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carts_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "order_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reseller_organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider_organization_id", sa.Uuid(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cart_id", sa.Uuid(), nullable=True),
        sa.Column("decline_reason", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_order_requests_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_requests_provider_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_requests_reseller_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_requests")),
    )
    with op.batch_alter_table("order_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_requests_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_requests_provider_organization_id"),
            ["provider_organization_id"],
            unique=False,
        )

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("cart_id", sa.Uuid(), nullable=True),
        sa.Column("market_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("billing_cycle", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transaction_type", sa.String(length=32), nullable=False),
        sa.Column("total_price", sa.String(length=48), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_orders_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_orders_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("cart_id", name=op.f("uq_orders_cart_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_orders_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "cart_lines",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("catalog_item_id", sa.String(length=120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_cycle", sa.String(length=16), nullable=False),
        sa.Column("partner_id_on_record", sa.String(length=16), nullable=True),
        sa.Column("provisioning_context", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("attestation_accepted", sa.Boolean(), nullable=False),
        sa.Column("custom_term_end", sa.String(length=10), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_description", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(
            ["cart_id"], ["carts.id"], name=op.f("fk_cart_lines_cart_id_carts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cart_id", "id", name=op.f("pk_cart_lines")),
    )
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("catalog_item_id", sa.String(length=120), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("availability_id", sa.String(length=16), nullable=False),
        sa.Column("product_type", sa.String(length=32), nullable=False),
        sa.Column("friendly_name", sa.String(length=256), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.Column("transaction_type", sa.String(length=16), nullable=False),
        sa.Column("partner_id_on_record", sa.String(length=16), nullable=True),
        sa.Column("reseller_organization_id", sa.Uuid(), nullable=True),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("price_list_id", sa.Uuid(), nullable=True),
        sa.Column("unit_price", sa.String(length=48), nullable=False),
        sa.Column("list_price", sa.String(length=48), nullable=False),
        sa.Column("extended_price", sa.String(length=48), nullable=False),
        sa.Column("charge", sa.String(length=48), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provisioning_context", sa.JSON(), nullable=False),
        sa.Column("attestation_accepted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "line_number", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_lines_reseller_organization_id"),
            ["reseller_organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_lines_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("reseller_organization_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id_on_record", sa.String(length=16), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_number", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("availability_id", sa.String(length=16), nullable=False),
        sa.Column("product_type", sa.String(length=32), nullable=False),
        sa.Column("friendly_name", sa.String(length=256), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("is_trial", sa.Boolean(), nullable=False),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.Column("market_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit_price", sa.String(length=48), nullable=False),
        sa.Column("price_list_id", sa.Uuid(), nullable=True),
        sa.Column("term_number", sa.Integer(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("custom_term_end", sa.Date(), nullable=True),
        sa.Column("cancellable_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_next_term", sa.JSON(), nullable=True),
        sa.Column("source_subscription_id", sa.Uuid(), nullable=True),
        sa.Column("update_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_subscriptions_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_subscriptions_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_subscriptions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_organization_id"],
            ["organizations.id"],
            name=op.f("fk_subscriptions_reseller_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscriptions_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_subscriptions_due", ["status", "term_end"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_subscriptions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subscriptions_reseller_organization_id"),
            ["reseller_organization_id"],
            unique=False,
        )

    op.create_table(
        "subscription_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("term_number", sa.Integer(), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.Column("status_after", sa.String(length=16), nullable=False),
        sa.Column("quantity_before", sa.Integer(), nullable=False),
        sa.Column("quantity_after", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.String(length=48), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refund", sa.String(length=48), nullable=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_events_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_events")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_subscription_events_idempotency_key")),
        sa.UniqueConstraint(
            "subscription_id",
            "sequence",
            name=op.f("uq_subscription_events_subscription_id_sequence"),
        ),
    )
    with op.batch_alter_table("subscription_events", schema=None) as batch_op:
        batch_op.create_index("ix_subscription_events_at", ["at"], unique=False)

    op.create_table(
        "subscription_seat_batches",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("term_number", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_seat_batches_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_seat_batches")),
    )
    with op.batch_alter_table("subscription_seat_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_seat_batches_subscription_id"),
            ["subscription_id"],
            unique=False,
        )

    op.create_table(
        "subscription_transitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("from_subscription_id", sa.Uuid(), nullable=False),
        sa.Column("to_subscription_id", sa.Uuid(), nullable=True),
        sa.Column("from_catalog_item_id", sa.String(length=120), nullable=False),
        sa.Column("to_catalog_item_id", sa.String(length=120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("transition_type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_subscription_transitions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_transitions_from_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_transitions")),
    )
    with op.batch_alter_table("subscription_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_transitions_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subscription_transitions_from_subscription_id"),
            ["from_subscription_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_transitions_from_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_transitions_customer_id"))

    op.drop_table("subscription_transitions")
    with op.batch_alter_table("subscription_seat_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_seat_batches_subscription_id"))

    op.drop_table("subscription_seat_batches")
    with op.batch_alter_table("subscription_events", schema=None) as batch_op:
        batch_op.drop_index("ix_subscription_events_at")

    op.drop_table("subscription_events")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_reseller_organization_id"))
        batch_op.drop_index(batch_op.f("ix_subscriptions_organization_id"))
        batch_op.drop_index("ix_subscriptions_due")
        batch_op.drop_index(batch_op.f("ix_subscriptions_customer_id"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_reseller_organization_id"))

    op.drop_table("order_lines")
    op.drop_table("cart_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_organization_id"))
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))

    op.drop_table("orders")
    with op.batch_alter_table("order_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_requests_provider_organization_id"))
        batch_op.drop_index(batch_op.f("ix_order_requests_customer_id"))

    op.drop_table("order_requests")
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carts_customer_id"))

    op.drop_table("carts")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")

    op.drop_table("outbox_messages")
