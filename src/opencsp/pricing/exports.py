"""The price sheet download (PC:developer/get-a-price-sheet.md): one market's list in the
new-commerce license-based layout of file-formats.md §1 — the verbatim header, every field
double-quoted, titles, publisher and description from the catalog — streamed row by row
from the database, for the current month, a past month or the preview.

Who sees which market: the vendor every market; a partner only its own region's market
(PC:regional-authorization-overview.md), any other answering 404 as if it did not exist.
Indirect resellers never hold ``Perm.PRICING_READ`` and are refused on the route."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.catalog.models import Product, Sku
from opencsp.catalog.rules import PRICE_LIST_PLAN, BillingPlan
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners
from opencsp.pricing import rules
from opencsp.pricing.csvformat import format_date, format_decimal, format_tier
from opencsp.pricing.errors import (
    HistoryMonthRequired,
    PriceListNotFound,
    UnsupportedPriceSheetView,
)
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.rules import Timeline

VIEW = "updatedlicensebased"
CHUNK_ROWS = 2_000
MARKET_COLUMN = rules.PRICE_LIST_COLUMNS.index("Market")


def price_sheet(
    session: Session,
    actor: Actor,
    *,
    market: str,
    view: str = VIEW,
    timeline: Timeline = Timeline.CURRENT,
    month: date | None = None,
) -> Iterator[str]:
    """The price sheet as CSV text chunks, header first. ``market`` is a country code (as
    Partner Center's ``Market='FR'``) or a market id. Prices are set per market (the
    lookup of ``pricing.queries.unit_price`` reads the market's list whatever country a
    row was uploaded under), so a country's sheet is its market's whole list with the
    ``Market`` column naming the country asked for; a market id gives the list as
    uploaded. ``timeline``: ``current`` the list of this month,
    ``history`` the list of a past ``month``, ``future`` the preview — 404
    ``PriceListNotFound`` when there is none, as Partner Center documents. The list is
    found (or refused) before the first chunk, so errors are never half-streamed."""
    if view.strip().lower() != VIEW:
        raise UnsupportedPriceSheetView(view=view)
    market_id, country = _market(session, market)
    if not actor.is_vendor and partners.region_of(session, actor.organization_id) != market_id:
        raise PriceListNotFound(timeline=timeline.value, market=market)
    listing = _list_for(session, market_id, timeline, month)
    if listing is None:
        raise PriceListNotFound(timeline=timeline.value, market=market)
    return _lines(session, listing, country)


def _market(session: Session, market: str) -> tuple[str, str | None]:
    value = market.strip()
    if len(value) == 2:
        return markets.market_for(session, value).id, value.upper()
    return markets.get_market(session, value).id, None


def _list_for(
    session: Session, market_id: str, timeline: Timeline, month: date | None
) -> PriceList | None:
    """The list a timeline names, by month relative to today: never a preview for
    ``current`` or ``history``, only a preview for ``future``."""
    this_month = rules.month_of(clock.now())
    lists = select(PriceList).where(PriceList.market_id == market_id)
    if timeline is Timeline.FUTURE:
        return session.scalar(
            lists.where(
                PriceList.month > this_month,
                PriceList.status == rules.ListStatus.PREVIEW.value,
            )
            .order_by(PriceList.month)
            .limit(1)
        )
    if timeline is Timeline.HISTORY:
        if month is None:
            raise HistoryMonthRequired()
        wanted = rules.month_of(month)
        if wanted >= this_month:
            return None
    else:
        wanted = this_month if month is None else rules.month_of(month)
        if wanted != this_month:
            return None
    return session.scalar(
        lists.where(PriceList.month == wanted, PriceList.status != rules.ListStatus.PREVIEW.value)
    )


def _lines(session: Session, listing: PriceList, country: str | None) -> Iterator[str]:
    yield rules.PRICE_LIST_HEADER
    query = (
        select(PriceRow, Product.title, Product.publisher, Sku.title, Sku.description)
        .join(Product, Product.id == PriceRow.product_id)
        .join(Sku, (Sku.product_id == PriceRow.product_id) & (Sku.id == PriceRow.sku_id))
        .where(PriceRow.price_list_id == listing.id)
        .order_by(PriceRow.line, PriceRow.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    result = session.execute(query)
    for chunk in result.partitions(CHUNK_ROWS):
        for row, product_title, publisher, sku_title, description in chunk:
            fields = _fields(row, product_title, publisher, sku_title, description)
            if country is not None:
                fields[MARKET_COLUMN] = country
            writer.writerow(fields)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _fields(
    row: PriceRow, product_title: str, publisher: str, sku_title: str, description: str
) -> list[str]:
    """One row in the §1 column order."""
    return [
        product_title,
        row.product_id,
        row.sku_id,
        sku_title,
        publisher,
        description,
        row.unit_of_measure,
        row.term_duration,
        PRICE_LIST_PLAN[BillingPlan(row.billing_plan)],
        row.market_code,
        row.currency,
        format_decimal(row.unit_price),
        format_tier(row.tier_min),
        format_tier(row.tier_max),
        format_date(row.effective_start),
        format_date(row.effective_end),
        row.tags,
        format_decimal(row.erp_price),
    ]
