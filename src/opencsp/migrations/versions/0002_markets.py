"""markets: markets, countries, country currencies, loaded from markets.csv

Revision ID: 0002_markets
Revises: 0001_foundation
Create Date: 2026-11-21

The rows come from the packaged ``opencsp/markets/data/markets.csv``
(PC:regional-authorization-overview.md, rules.md §4). This migration reads the CSV with
its own frozen copy of the rules (slug, operations center, currency scope) so that later
changes to ``opencsp.markets.rules`` cannot change what it wrote; the tests check that the
migrated rows equal ``opencsp.markets.reference.reference_table()``. A change to the CSV
ships with a later migration that brings the rows to the new content.
"""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_markets"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# [inferred] reseller-agreement operations center of each market, as of this revision.
OPERATIONS_CENTERS = {
    "Africa": "EOC",
    "Asia and Pacific": "APOC",
    "Australia": "APOC",
    "Brazil": "AOC",
    "Canada": "AOC",
    "China": "APOC",
    "Europe": "EOC",
    "India": "APOC",
    "Japan": "APOC",
    "Korea, Republic of": "APOC",
    "Latin America and the Caribbean": "AOC",
    "Middle East, Central Europe, and Eastern Europe": "EOC",
    "New Zealand": "APOC",
    "Taiwan": "APOC",
    "United States": "AOC",
}
SCOPE_BY_NOTE_PREFIX = {"traditional": "traditional", "new-commerce": "newCommerce"}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _scope(note: str | None) -> str:
    for prefix, scope in SCOPE_BY_NOTE_PREFIX.items():
        if note and note.lower().startswith(prefix):
            return scope
    if note:
        raise ValueError(f"unrecognized currency note: {note!r}")
    return "all"


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    text = files("opencsp.markets").joinpath("data", "markets.csv").read_text(encoding="utf-8")
    markets: dict[str, dict[str, Any]] = {}
    countries: dict[str, dict[str, Any]] = {}
    currencies: dict[tuple[str, str], dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        market = row["csp_region_market"].strip()
        code = row["country_code"].strip().upper()
        name = row["country_or_region"].strip()
        currency = row["currency"].strip().upper()
        note = (row["note"] or "").strip() or None
        slug = _slug(market)
        markets.setdefault(
            slug, {"id": slug, "name": market, "operations_center": OPERATIONS_CENTERS[market]}
        )
        country = countries.setdefault(code, {"code": code, "names": [], "market_id": slug})
        if name not in country["names"]:
            country["names"].append(name)
        if currency:
            currencies.setdefault(
                (code, currency),
                {
                    "country_code": code,
                    "currency": currency,
                    "applies_to": _scope(note),
                    "note": note,
                },
            )
    country_rows = [
        {"code": c["code"], "name": " / ".join(c["names"]), "market_id": c["market_id"]}
        for c in countries.values()
    ]
    return list(markets.values()), country_rows, list(currencies.values())


def upgrade() -> None:
    markets = op.create_table(
        "markets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("operations_center", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_markets")),
        sa.UniqueConstraint("name", name=op.f("uq_markets_name")),
    )
    countries = op.create_table(
        "countries",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("market_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["market_id"],
            ["markets.id"],
            name=op.f("fk_countries_market_id_markets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_countries")),
    )
    with op.batch_alter_table("countries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_countries_market_id"), ["market_id"], unique=False)

    country_currencies = op.create_table(
        "country_currencies",
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_country_currencies_country_code_countries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("country_code", "currency", name=op.f("pk_country_currencies")),
    )

    market_rows, country_rows, currency_rows = _rows()
    op.bulk_insert(markets, market_rows)
    op.bulk_insert(countries, country_rows)
    op.bulk_insert(country_currencies, currency_rows)


def downgrade() -> None:
    op.drop_table("country_currencies")
    with op.batch_alter_table("countries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_countries_market_id"))

    op.drop_table("countries")
    op.drop_table("markets")
