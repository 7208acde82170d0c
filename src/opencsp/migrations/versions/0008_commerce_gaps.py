"""Commerce gaps: a cart line's available quantity with its error, a cancelled software
purchase line and its refund, a subscription's billing-plan change at its next cycle.

Revision ID: 0008_commerce_gaps
Revises: 0007_lifecycle_index
Create Date: 2026-11-21 23:34:27.250317
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_commerce_gaps"
down_revision = "0007_lifecycle_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cart_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_available_quantity", sa.Integer(), nullable=True))

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("refund", sa.String(length=48), nullable=True))

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_billing_plan", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("next_billing_plan_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("next_billing_plan_from")
        batch_op.drop_column("next_billing_plan")

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("refund")
        batch_op.drop_column("cancelled_at")

    with op.batch_alter_table("cart_lines", schema=None) as batch_op:
        batch_op.drop_column("error_available_quantity")
