"""catalog and pricing: products, SKUs, availabilities, price lists, FX rates

Revision ID: 0005_catalog_pricing
Revises: 0004_agreements
Create Date: 2026-11-21 19:54:25.712045
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_catalog_pricing"
down_revision = "0004_agreements"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "catalog_products",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("publisher", sa.String(length=128), nullable=False),
        sa.Column("product_type", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_products")),
    )
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_products_product_type"), ["product_type"], unique=False
        )

    op.create_table(
        "fx_rates",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("usd_per_unit", sa.String(length=48), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", "currency", name=op.f("pk_fx_rates")),
    )
    op.create_table(
        "catalog_skus",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=False),
        sa.Column("asset_ownership_limit", sa.Integer(), nullable=True),
        sa.Column("asset_ownership_limit_type", sa.String(length=24), nullable=True),
        sa.Column("provisioning_id", sa.String(length=64), nullable=True),
        sa.Column("provisioning_string", sa.String(length=128), nullable=True),
        sa.Column("is_trial", sa.Boolean(), nullable=False),
        sa.Column("attestation_required", sa.Boolean(), nullable=False),
        sa.Column("end_of_sale", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_products.id"],
            name=op.f("fk_catalog_skus_product_id_catalog_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "id", name=op.f("pk_catalog_skus")),
    )
    op.create_table(
        "price_lists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("market_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=256), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Uuid(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["market_id"],
            ["markets.id"],
            name=op.f("fk_price_lists_market_id_markets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        sa.UniqueConstraint("market_id", "month", name=op.f("uq_price_lists_market_id_month")),
    )
    op.create_table(
        "catalog_availabilities",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("segment", sa.String(length=16), nullable=False),
        sa.Column("is_purchasable", sa.Boolean(), nullable=False),
        sa.Column("is_renewable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            name=op.f("fk_catalog_availabilities_product_id_catalog_skus"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_availabilities")),
    )
    with op.batch_alter_table("catalog_availabilities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_availabilities_sku", ["product_id", "sku_id"], unique=False
        )

    op.create_table(
        "catalog_sku_prerequisites",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("required_product_id", sa.String(length=36), nullable=False),
        sa.Column("required_sku_id", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            name=op.f("fk_catalog_sku_prerequisites_product_id_catalog_skus"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id",
            "sku_id",
            "required_product_id",
            "required_sku_id",
            name=op.f("pk_catalog_sku_prerequisites"),
        ),
    )
    op.create_table(
        "catalog_sku_upgrades",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("target_product_id", sa.String(length=36), nullable=False),
        sa.Column("target_sku_id", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id", "sku_id"],
            ["catalog_skus.product_id", "catalog_skus.id"],
            name=op.f("fk_catalog_sku_upgrades_product_id_catalog_skus"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id",
            "sku_id",
            "target_product_id",
            "target_sku_id",
            name=op.f("pk_catalog_sku_upgrades"),
        ),
    )
    op.create_table(
        "price_rows",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("price_list_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("sku_id", sa.String(length=8), nullable=False),
        sa.Column("term_duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.Column("market_code", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit_price", sa.String(length=48), nullable=False),
        sa.Column("tier_min", sa.BigInteger(), nullable=True),
        sa.Column("tier_max", sa.BigInteger(), nullable=True),
        sa.Column("effective_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_of_sale", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tags", sa.String(length=256), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=64), nullable=False),
        sa.Column("erp_price", sa.String(length=48), nullable=True),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_lists.id"],
            name=op.f("fk_price_rows_price_list_id_price_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_rows")),
    )
    with op.batch_alter_table("price_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_price_rows_lookup",
            ["price_list_id", "product_id", "sku_id", "term_duration", "billing_plan", "currency"],
            unique=False,
        )

    op.create_table(
        "catalog_availability_countries",
        sa.Column("availability_id", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["availability_id"],
            ["catalog_availabilities.id"],
            name=op.f("fk_catalog_availability_countries_availability_id_catalog_availabilities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["country"],
            ["countries.code"],
            name=op.f("fk_catalog_availability_countries_country_countries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "availability_id", "country", name=op.f("pk_catalog_availability_countries")
        ),
    )
    with op.batch_alter_table("catalog_availability_countries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_availability_countries_country"), ["country"], unique=False
        )

    op.create_table(
        "catalog_availability_terms",
        sa.Column("availability_id", sa.String(length=16), nullable=False),
        sa.Column("duration", sa.String(length=8), nullable=False),
        sa.Column("billing_plan", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["availability_id"],
            ["catalog_availabilities.id"],
            name=op.f("fk_catalog_availability_terms_availability_id_catalog_availabilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "availability_id",
            "duration",
            "billing_plan",
            name=op.f("pk_catalog_availability_terms"),
        ),
    )


def downgrade() -> None:

    op.drop_table("catalog_availability_terms")
    with op.batch_alter_table("catalog_availability_countries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_availability_countries_country"))

    op.drop_table("catalog_availability_countries")
    with op.batch_alter_table("price_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_price_rows_lookup")

    op.drop_table("price_rows")
    op.drop_table("catalog_sku_upgrades")
    op.drop_table("catalog_sku_prerequisites")
    with op.batch_alter_table("catalog_availabilities", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_availabilities_sku")

    op.drop_table("catalog_availabilities")
    op.drop_table("price_lists")
    op.drop_table("catalog_skus")
    op.drop_table("fx_rates")
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_products_product_type"))

    op.drop_table("catalog_products")
