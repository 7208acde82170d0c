"""agreements: the customer administrator's sign-in on the acceptance page

Revision ID: 0004_agreements
Revises: 0003_parties
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_agreements"
down_revision = "0003_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_signins",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_signins_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_customer_signins")),
    )
    with op.batch_alter_table("customer_signins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_signins_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_signins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_signins_customer_id"))
    op.drop_table("customer_signins")
