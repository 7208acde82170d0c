"""Index for the lifecycle job: subscriptions by status and when they entered it.

Revision ID: 0007_lifecycle_index
Revises: 0006_commerce
Create Date: 2026-11-21 22:16:47.431619
"""

from __future__ import annotations

from alembic import op

revision = "0007_lifecycle_index"
down_revision = "0006_commerce"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subscriptions_status_since", ["status", "status_changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_status_since")
