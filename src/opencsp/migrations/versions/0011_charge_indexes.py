"""Indexes for the bill run at scale (issue 6 benchmark).

- ``ix_charges_subscription`` goes: the walked path looks its candidate lines up by key
  in ``uq_charges_tier_key`` instead, so no charge pays for a third random index.
- ``ix_charges_document`` carries ``tier`` and ``billed_amount_minor``, so issuing a
  period's documents (``billing.issue.period_groups``) reads the index alone.
- ``ix_charges_reseller_period`` holds only lines with a reseller (the TTM of resellers,
  ``reporting.ttm``); direct lines never need it.
- ``ix_subscription_events_replanned``: the few billing-plan changes, which the bill run
  looks up for every subscription it prices (instead of a pass over every event).

Revision ID: 0011_charge_indexes
Revises: 0010_program
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_charge_indexes"
down_revision = "0010_program"
branch_labels = None
depends_on = None

DOCUMENT = ["period", "seller_key", "bill_to_key", "currency", "document_type", "id"]
WITH_RESELLER = sa.text("reseller_organization_id IS NOT NULL")
REPLANNED = sa.text("kind = 'changeBillingPlan'")


def upgrade() -> None:
    op.drop_index("ix_charges_subscription", table_name="charges")
    op.drop_index("ix_charges_document", table_name="charges")
    op.create_index("ix_charges_document", "charges", [*DOCUMENT, "tier", "billed_amount_minor"])
    op.drop_index("ix_charges_reseller_period", table_name="charges")
    op.create_index(
        "ix_charges_reseller_period",
        "charges",
        ["reseller_organization_id", "period"],
        sqlite_where=WITH_RESELLER,
        postgresql_where=WITH_RESELLER,
    )
    op.create_index(
        "ix_subscription_events_replanned",
        "subscription_events",
        ["subscription_id", "term_number"],
        sqlite_where=REPLANNED,
        postgresql_where=REPLANNED,
    )


def downgrade() -> None:
    op.drop_index("ix_subscription_events_replanned", table_name="subscription_events")
    op.drop_index("ix_charges_reseller_period", table_name="charges")
    op.create_index("ix_charges_reseller_period", "charges", ["reseller_organization_id", "period"])
    op.drop_index("ix_charges_document", table_name="charges")
    op.create_index("ix_charges_document", "charges", DOCUMENT)
    op.create_index("ix_charges_subscription", "charges", ["subscription_id"])
