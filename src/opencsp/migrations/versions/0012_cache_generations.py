"""Change tokens for the reference cache (``core.refcache``).

``cache_generations`` holds one row per scope with a random token. Every table of a scope
gets triggers that renew the token when a statement inserts, updates or deletes rows
(PostgreSQL: one statement-level trigger per table, truncation included, renewing once
per transaction and marking the scope in the transaction-local setting
``opencsp.renewed_<scope>``; SQLite: a row trigger per kind of write), inside the
writer's own transaction.

Revision ID: 0012_cache_generations
Revises: 0011_charge_indexes
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012_cache_generations"
down_revision = "0011_charge_indexes"
branch_labels = None
depends_on = None

FUNCTION = "opencsp_renew_cache_token"
SQLITE_KINDS = ("INSERT", "UPDATE", "DELETE")
SCOPES = {  # as core.refcache.SCOPES read at this revision
    "partners": (
        "organizations",
        "partner_profiles",
        "enrollments",
        "partner_agreement_signatures",
        "partner_standings",
        "partner_qualifications",
    ),
    "markets": ("markets", "countries", "country_currencies"),
    "catalog": (
        "catalog_products",
        "catalog_skus",
        "catalog_sku_prerequisites",
        "catalog_availabilities",
        "catalog_availability_terms",
        "catalog_availability_countries",
    ),
    "prices": ("price_lists", "price_rows"),
}


def _trigger(table: str, kind: str = "") -> str:
    return f"trg_{table}_cache_token{'_' + kind.lower() if kind else ''}"


def upgrade() -> None:
    table = op.create_table(
        "cache_generations",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_cache_generations")),
    )
    op.bulk_insert(table, [{"scope": s, "token": str(uuid.uuid4())} for s in SCOPES])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(current_setting('opencsp.renewed_' || TG_ARGV[0], true), '') = ''
                THEN
                    UPDATE cache_generations SET token = gen_random_uuid()::text
                    WHERE scope = TG_ARGV[0];
                    PERFORM set_config('opencsp.renewed_' || TG_ARGV[0], 'y', true);
                END IF;
                RETURN NULL;
            END
            $$
            """  # noqa: S608 - no input: names from this migration's constants
        )
        for scope, tables in SCOPES.items():
            for name in tables:
                op.execute(
                    f"CREATE TRIGGER {_trigger(name)} "
                    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{scope}')"
                )
        return
    for scope, tables in SCOPES.items():
        for name in tables:
            for kind in SQLITE_KINDS:
                op.execute(_sqlite_trigger(scope, name, kind))


def _sqlite_trigger(scope: str, table: str, kind: str) -> str:
    renew = "UPDATE cache_generations SET token = lower(hex(randomblob(16))) "
    return (
        f"CREATE TRIGGER {_trigger(table, kind)} AFTER {kind} ON {table} FOR EACH ROW "
        f"BEGIN {renew}WHERE scope = '{scope}'; END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in SCOPES.values():
        for name in tables:
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger(name)} ON {name}")
            else:
                for kind in SQLITE_KINDS:
                    op.execute(f"DROP TRIGGER IF EXISTS {_trigger(name, kind)}")
    if postgres:
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.drop_table("cache_generations")
