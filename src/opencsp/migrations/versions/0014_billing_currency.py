"""Items priced in one currency and billed in another (rules.md §11; issue 6: priced-in-USD
items converted at the month's FX rate).

- ``subscriptions.billing_currency`` and ``orders.billing_currency``: the currency the
  partner is billed in when it differs from the one the item is priced in (``currency``,
  with ``unit_price``); NULL: billed in the pricing currency, as every row written
  before this revision is.

Revision ID: 0014_billing_currency
Revises: 0013_downstream_credits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_billing_currency"
down_revision = "0013_downstream_credits"
branch_labels = None
depends_on = None

TABLES = ("subscriptions", "orders")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("billing_currency", sa.String(length=3), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("billing_currency")
