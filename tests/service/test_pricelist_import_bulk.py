"""``core.db.bulk_insert`` and ``bind_converter``: rows written at native bulk speed
(executemany on SQLite, COPY on PostgreSQL) read back through the ORM exactly as if the
ORM had written them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from opencsp.core.db import bind_converter, bulk_insert, utc_datetime_converter
from opencsp.pricing.models import PriceRow
from opencsp.pricing.pricelist_rows import PRICE_ROWS, ROW_COLUMNS
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog

INSTANTS = [
    datetime(2019, 2, 1, tzinfo=UTC),
    datetime(2021, 10, 1, 8, 9, 10, 123456, tzinfo=UTC),
    datetime(2026, 11, 21, 18, 30, tzinfo=timezone(timedelta(hours=9))),  # 09:30 UTC
    datetime(9999, 11, 30, 23, 59, 59, tzinfo=UTC),
]


def test_bulk_rows_read_back_equal_through_the_orm(session):
    offer = catalog.offer(session)
    listing = catalog.price_list(
        session, "united-states", date(2026, 12, 1), [], status=ListStatus.PREVIEW
    )
    connection = session.connection()
    instant = utc_datetime_converter(connection.dialect)
    list_id = bind_converter(connection.dialect, PRICE_ROWS.c.price_list_id.type)(listing.id)
    rows = [
        (
            list_id,
            n + 2,
            offer.product.id,
            offer.sku.id,
            "P1Y",
            "annual",
            "US",
            "USD",
            "115.2",
            None,
            None,
            instant(at),
            instant(at),
            None,
            "License",
            "",
            None,
        )
        for n, at in enumerate(INSTANTS)
    ]
    assert bulk_insert(connection, PRICE_ROWS, ROW_COLUMNS, rows, batch=3) == len(INSTANTS)
    read = session.scalars(
        select(PriceRow).where(PriceRow.price_list_id == listing.id).order_by(PriceRow.line)
    ).all()
    assert [r.effective_start for r in read] == [at.astimezone(UTC) for at in INSTANTS]
    assert all(r.unit_price == Decimal("115.2") and r.erp_price is None for r in read)
    # the ORM's own comparisons find them: what is stored is what the ORM would bind
    found = session.scalar(
        select(PriceRow.line).where(
            PriceRow.price_list_id == listing.id, PriceRow.effective_start == INSTANTS[2]
        )
    )
    assert found == 4


def test_an_unknown_column_is_refused_before_anything_is_written(session):
    with pytest.raises(ValueError, match="no columns"):
        bulk_insert(session.connection(), PRICE_ROWS, ("line", "nope"), [(1, 2)])


def test_a_uuid_is_bound_as_the_dialect_stores_it(session):
    connection = session.connection()
    value = uuid.uuid4()
    bound = bind_converter(connection.dialect, PRICE_ROWS.c.price_list_id.type)(value)
    if connection.dialect.name == "sqlite":
        assert bound == value.hex
    else:
        assert str(bound) == str(value)
