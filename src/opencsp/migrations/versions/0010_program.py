"""Program governance: direct-bill applications and their messages, evidence the vendor
records, reassessments, revenue-floor checks, tier transitions with customer consent;
partner standings (restricted, deauthorized) and segment qualifications of partners and
customers; the notification inbox.

Revision ID: 0010_program
Revises: 0009_billing
Create Date: 2026-11-22 02:15:38.437492
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_program"
down_revision = "0009_billing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_qualifications",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("qualification", sa.String(length=32), nullable=False),
        sa.Column("education_segment", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("vetting_status", sa.String(length=16), nullable=False),
        sa.Column("vetting_reason", sa.String(length=1024), nullable=True),
        sa.Column("vetting_created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_qualifications_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "qualification", name=op.f("pk_customer_qualifications")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notifications_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_inbox", ["organization_id", "created_at"], unique=False
        )

    op.create_table(
        "partner_qualifications",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_qualifications_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "segment", name=op.f("pk_partner_qualifications")
        ),
    )
    op.create_table(
        "partner_standings",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=1024), nullable=False),
        sa.Column("tenant_domain", sa.String(length=253), nullable=True),
        sa.Column("reenroll_after", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_standings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_partner_standings")),
    )
    with op.batch_alter_table("partner_standings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_standings_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partner_standings_tenant_domain"), ["tenant_domain"], unique=False
        )

    op.create_table(
        "program_applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("open_key", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("location_mpn_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=256), nullable=False),
        sa.Column("signer_email", sa.String(length=320), nullable=False),
        sa.Column("signer_title", sa.String(length=128), nullable=True),
        sa.Column("authority_attested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("managed_service", sa.String(length=4000), nullable=True),
        sa.Column("billing_anniversary", sa.Date(), nullable=False),
        sa.Column("tenant_domain", sa.String(length=253), nullable=False),
        sa.Column("tax_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1024), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("direct_organization_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["direct_organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_applications_direct_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_applications_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_applications")),
        sa.UniqueConstraint("open_key", name=op.f("uq_program_applications_open_key")),
    )
    with op.batch_alter_table("program_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_applications_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_applications_state"), ["state"], unique=False)

    op.create_table(
        "program_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_evidence_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_evidence")),
    )
    with op.batch_alter_table("program_evidence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_program_evidence_org_kind", ["organization_id", "kind"], unique=False
        )

    op.create_table(
        "program_floor_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ttm_minor", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("deauthorize_on", sa.Date(), nullable=True),
        sa.Column("deauthorized_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_floor_checks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_floor_checks")),
        sa.UniqueConstraint(
            "organization_id", "period", name=op.f("uq_program_floor_checks_organization_id_period")
        ),
    )
    with op.batch_alter_table("program_floor_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_floor_checks_outcome"), ["outcome"], unique=False
        )

    op.create_table(
        "program_reassessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("ttm_minor", sa.BigInteger(), nullable=False),
        sa.Column("previous_ttm_minor", sa.BigInteger(), nullable=True),
        sa.Column("notice_until", sa.Date(), nullable=True),
        sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_reassessments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_reassessments")),
        sa.UniqueConstraint(
            "organization_id", "cycle", name=op.f("uq_program_reassessments_organization_id_cycle")
        ),
    )
    with op.batch_alter_table("program_reassessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_reassessments_outcome"), ["outcome"], unique=False
        )

    op.create_table(
        "program_transitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("open_key", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("approve_by", sa.Date(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("agreement_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_period", sa.String(length=7), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_program_transitions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organizations.id"],
            name=op.f("fk_program_transitions_provider_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_transitions")),
        sa.UniqueConstraint("open_key", name=op.f("uq_program_transitions_open_key")),
    )
    with op.batch_alter_table("program_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_transitions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_program_transitions_state"), ["state"], unique=False)

    op.create_table(
        "program_application_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("author_organization_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["program_applications.id"],
            name=op.f("fk_program_application_messages_application_id_program_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_application_messages")),
    )
    with op.batch_alter_table("program_application_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_application_messages_application_id"),
            ["application_id"],
            unique=False,
        )

    op.create_table(
        "program_transition_customers",
        sa.Column("transition_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("consent_by", sa.String(length=256), nullable=False),
        sa.Column("consent_recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_program_transition_customers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transition_id"],
            ["program_transitions.id"],
            name=op.f("fk_program_transition_customers_transition_id_program_transitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "transition_id", "customer_id", name=op.f("pk_program_transition_customers")
        ),
    )


def downgrade() -> None:
    op.drop_table("program_transition_customers")
    with op.batch_alter_table("program_application_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_application_messages_application_id"))

    op.drop_table("program_application_messages")
    with op.batch_alter_table("program_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_transitions_state"))
        batch_op.drop_index(batch_op.f("ix_program_transitions_organization_id"))

    op.drop_table("program_transitions")
    with op.batch_alter_table("program_reassessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_reassessments_outcome"))

    op.drop_table("program_reassessments")
    with op.batch_alter_table("program_floor_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_floor_checks_outcome"))

    op.drop_table("program_floor_checks")
    with op.batch_alter_table("program_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_program_evidence_org_kind")

    op.drop_table("program_evidence")
    with op.batch_alter_table("program_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_applications_state"))
        batch_op.drop_index(batch_op.f("ix_program_applications_organization_id"))

    op.drop_table("program_applications")
    with op.batch_alter_table("partner_standings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_standings_tenant_domain"))
        batch_op.drop_index(batch_op.f("ix_partner_standings_status"))

    op.drop_table("partner_standings")
    op.drop_table("partner_qualifications")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_inbox")

    op.drop_table("notifications")
    op.drop_table("customer_qualifications")
