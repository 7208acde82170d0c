"""parties: partners, customers, agreements

Revision ID: 0003_parties
Revises: 0002_markets
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_parties"
down_revision = "0002_markets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_type", sa.String(length=48), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agreement_link", sa.String(length=2048), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_templates")),
        sa.UniqueConstraint(
            "agreement_type",
            "region",
            "version",
            name=op.f("uq_agreement_templates_agreement_type_region_version"),
        ),
    )
    with op.batch_alter_table("agreement_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_templates_agreement_type"), ["agreement_type"], unique=False
        )

    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=256), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("organization_registration_number", sa.String(length=64), nullable=True),
        sa.Column("billing_first_name", sa.String(length=50), nullable=True),
        sa.Column("billing_last_name", sa.String(length=50), nullable=True),
        sa.Column("billing_email", sa.String(length=320), nullable=False),
        sa.Column("billing_culture", sa.String(length=16), nullable=False),
        sa.Column("billing_language", sa.String(length=8), nullable=False),
        sa.Column("billing_company_name", sa.String(length=256), nullable=False),
        sa.Column("billing_address", sa.JSON(), nullable=False),
        sa.Column("billing_version", sa.Integer(), nullable=False),
        sa.Column("billing_profile_id", sa.Uuid(), nullable=False),
        sa.Column("allow_delegated_access", sa.Boolean(), nullable=False),
        sa.Column("admin_user_name", sa.String(length=320), nullable=False),
        sa.Column("admin_password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_by_organization_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("domain", name=op.f("uq_customers_domain")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_company_name"), ["company_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customers_country"), ["country"], unique=False)

    op.create_table(
        "agreement_documents",
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agreement_templates.id"],
            name=op.f("fk_agreement_documents_template_id_agreement_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("template_id", "language", name=op.f("pk_agreement_documents")),
    )
    op.create_table(
        "customer_agreements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("agreement_type", sa.String(length=48), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("date_agreed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_first_name", sa.String(length=50), nullable=False),
        sa.Column("contact_last_name", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_agreements_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agreement_templates.id"],
            name=op.f("fk_customer_agreements_template_id_agreement_templates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_agreements")),
        sa.UniqueConstraint(
            "customer_id",
            "template_id",
            "method",
            name=op.f("uq_customer_agreements_customer_id_template_id_method"),
        ),
    )
    with op.batch_alter_table("customer_agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_agreements_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_relationships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_relationships_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["organizations.id"],
            name=op.f("fk_customer_relationships_partner_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organizations.id"],
            name=op.f("fk_customer_relationships_provider_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_relationships")),
        sa.UniqueConstraint(
            "customer_id",
            "partner_id",
            name=op.f("uq_customer_relationships_customer_id_partner_id"),
        ),
    )
    with op.batch_alter_table("customer_relationships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_relationships_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_relationships_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_relationships_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "enrollments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("program", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("location_mpn_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verifying_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_enrollments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "organization_id", "program", name=op.f("uq_enrollments_organization_id_program")
        ),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollments_state"), ["state"], unique=False)

    op.create_table(
        "partner_agreement_signatures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("signer_user_id", sa.Uuid(), nullable=False),
        sa.Column("signer_name", sa.String(length=256), nullable=False),
        sa.Column("signer_email", sa.String(length=320), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_agreement_signatures_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["agreement_templates.id"],
            name=op.f("fk_partner_agreement_signatures_template_id_agreement_templates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_agreement_signatures")),
        sa.UniqueConstraint(
            "organization_id",
            "region",
            name=op.f("uq_partner_agreement_signatures_organization_id_region"),
        ),
    )
    op.create_table(
        "partner_ids",
        sa.Column("mpn_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_ids_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mpn_id", name=op.f("pk_partner_ids")),
    )
    with op.batch_alter_table("partner_ids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_ids_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "partner_profiles",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=256), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("contact_first_name", sa.String(length=50), nullable=False),
        sa.Column("contact_last_name", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("tax_id", sa.String(length=64), nullable=True),
        sa.Column("registration_number", sa.String(length=64), nullable=True),
        sa.Column("tenant_domain", sa.String(length=253), nullable=False),
        sa.Column("support_email", sa.String(length=320), nullable=True),
        sa.Column("support_phone", sa.String(length=40), nullable=True),
        sa.Column("support_website", sa.String(length=2048), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_profiles_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_partner_profiles")),
        sa.UniqueConstraint("tenant_domain", name=op.f("uq_partner_profiles_tenant_domain")),
    )
    with op.batch_alter_table("partner_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_profiles_country"), ["country"], unique=False)

    op.create_table(
        "partnership_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_email", sa.String(length=320), nullable=True),
        sa.Column("message", sa.String(length=1024), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_organization_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organizations.id"],
            name=op.f("fk_partnership_requests_provider_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partnership_requests_token_hash")),
    )
    with op.batch_alter_table("partnership_requests", schema=None) as batch_op:
        batch_op.create_index("ix_partnership_requests_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partnership_requests_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "partnerships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("reseller_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organizations.id"],
            name=op.f("fk_partnerships_provider_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"],
            ["organizations.id"],
            name=op.f("fk_partnerships_reseller_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint(
            "provider_id", "reseller_id", name=op.f("uq_partnerships_provider_id_reseller_id")
        ),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnerships_reseller_id"), ["reseller_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnerships_reseller_id"))

    op.drop_table("partnerships")
    with op.batch_alter_table("partnership_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partnership_requests_provider_id"))
        batch_op.drop_index("ix_partnership_requests_expires_at")

    op.drop_table("partnership_requests")
    with op.batch_alter_table("partner_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_profiles_country"))

    op.drop_table("partner_profiles")
    with op.batch_alter_table("partner_ids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_ids_organization_id"))

    op.drop_table("partner_ids")
    op.drop_table("partner_agreement_signatures")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollments_state"))

    op.drop_table("enrollments")
    with op.batch_alter_table("customer_relationships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_relationships_provider_id"))
        batch_op.drop_index(batch_op.f("ix_customer_relationships_partner_id"))
        batch_op.drop_index(batch_op.f("ix_customer_relationships_customer_id"))

    op.drop_table("customer_relationships")
    with op.batch_alter_table("customer_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_agreements_customer_id"))

    op.drop_table("customer_agreements")
    op.drop_table("agreement_documents")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_country"))
        batch_op.drop_index(batch_op.f("ix_customers_company_name"))

    op.drop_table("customers")
    with op.batch_alter_table("agreement_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_templates_agreement_type"))

    op.drop_table("agreement_templates")
