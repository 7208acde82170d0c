"""Downstream credits priced as the charges they give back (issue 6, "Downstream
billing"; ``billing.downstream_lines``).

- ``charges.offsets_key``: for a credit, the key of the latest charge it gives back.
- ``charges.price_ratio`` (``num/den``) and ``charges.ratio_of`` (``cost`` or
  ``vendor``): on a provider or partner line, the exact factor its price was taken with
  and the per-seat amount it multiplied (the seller's cost, or the vendor line's for the
  ERP default), so a later credit repeats them whatever the rules and price lists say by
  then. Lines written before this revision have none, and their credits take the rules
  in force.

Revision ID: 0013_downstream_credits
Revises: 0012_cache_generations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_downstream_credits"
down_revision = "0012_cache_generations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("charges") as batch_op:
        batch_op.add_column(sa.Column("offsets_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("price_ratio", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("ratio_of", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("charges") as batch_op:
        batch_op.drop_column("ratio_of")
        batch_op.drop_column("price_ratio")
        batch_op.drop_column("offsets_key")
