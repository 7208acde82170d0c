"""The demo's catalog and price lists loaded through the vendor's own use cases (publish,
price-list import, FX import) on the test clock (2026-11-21): what partners then see."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.catalog.models import Product
from opencsp.catalog.rules import BillingPlan, CatalogItemId, ProductType, TermDuration
from opencsp.core.actor import Tier
from opencsp.demo import catalog, pricing
from opencsp.pricing import lifecycle, queries
from opencsp.pricing.errors import PriceNotFound
from opencsp.pricing.models import FxRate, PriceList, PriceRow
from tests.factories import member

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
E3 = CatalogItemId("NMB7TTC0ENE3", "0001", "DZENE30001C0")
E3_NO_CHAT = CatalogItemId("NMB7TTC0ENE3", "0002", "DZENE30002C0")


@pytest.fixture()
def loaded(session):
    manager = member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,)).actor
    products = catalog.publish_catalog(session, manager, NOV)
    summary = pricing.load_prices(session, manager, products, current=NOV)
    session.flush()
    return products, summary


def test_the_demo_catalog_and_fourteen_lists_per_market(session, loaded):
    products, summary = loaded
    types = Counter(session.scalars(select(Product.product_type)))
    assert sum(types.values()) == len(products) >= 40
    assert set(types) == {t.value for t in ProductType}

    statuses: dict[str, list[str]] = defaultdict(list)
    for listing in session.scalars(select(PriceList).order_by(PriceList.month)):
        statuses[listing.market_id].append(listing.status)
        assert listing.row_count > 0
    assert len(statuses) == 15 == summary.lists // 14
    for market, seen in statuses.items():
        assert seen == ["history"] * 12 + ["current", "preview"], market

    europe = session.scalars(
        select(PriceRow.currency)
        .join(PriceList, PriceList.id == PriceRow.price_list_id)
        .where(PriceList.market_id == "europe", PriceList.month == NOV)
        .distinct()
    )
    # the six of Europe's list, and USD for reserved compute (rules.md §11)
    assert set(europe) == {"EUR", "GBP", "DKK", "NOK", "SEK", "CHF", "USD"}

    retiring = session.execute(
        select(PriceList.month, PriceRow.end_of_sale, PriceRow.effective_end)
        .join(PriceList, PriceList.id == PriceRow.price_list_id)
        .where(PriceRow.end_of_sale.is_not(None))
    ).all()
    eos = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert retiring and {tuple(r) for r in retiring} == {(DEC, eos, eos)}

    fx_months = session.execute(
        select(FxRate.month, func.count()).group_by(FxRate.month).order_by(FxRate.month)
    ).all()
    assert [m for m, _ in fx_months] == list(pricing.demo_months(NOV)[:13])
    assert {n for _, n in fx_months} == {15} and summary.fx_months == 13
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.operation_type == "import_price_list")
        )
        == summary.lists
    )


# item, market, currency, term, plan, transaction date → the unit price of the whole term
CASES = [
    # 36 USD a month × 12, raised 5% in April
    (E3, "united-states", "USD", TermDuration.P1Y, BillingPlan.ANNUAL, "2026-11-21", "453.60"),
    (E3, "united-states", "USD", TermDuration.P1Y, BillingPlan.ANNUAL, "2026-03-15", "432"),
    # 453.60 USD / 0.00073 won, rounded to a whole won
    (E3, "korea-republic-of", "KRW", TermDuration.P1Y, BillingPlan.ANNUAL, "2026-11-21", "621370"),
    (E3, "europe", "GBP", TermDuration.P1M, BillingPlan.MONTHLY, "2026-11-21", "35.72"),
    # 39.69 USD a month / 1.13 = 35.12 CHF, × 36
    (E3, "europe", "CHF", TermDuration.P3Y, BillingPlan.MONTHLY, "2026-11-21", "1264.32"),
    (E3_NO_CHAT, "japan", "JPY", TermDuration.P1M, BillingPlan.MONTHLY, "2026-12-15", "6347"),
]


def test_partners_find_the_demo_prices_and_activation_has_nothing_to_do(session, loaded):
    for item, market, currency, term, plan, at, price in CASES:
        found = queries.unit_price(
            session,
            item,
            market,
            currency,
            term,
            plan,
            at=datetime.fromisoformat(at).replace(tzinfo=UTC),
        )
        assert found.unit_price == Decimal(price), (item, market, currency, term, plan, at)
        assert found.erp_price is not None and found.erp_price > found.unit_price
    with pytest.raises(PriceNotFound):  # Brazil's new-commerce lists are in BRL (rules.md §4)
        queries.unit_price(
            session, E3, "brazil", "USD", TermDuration.P1Y, BillingPlan.ANNUAL, at=NOW
        )
    manager = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,)).actor
    assert lifecycle.activate_lists(session, manager).changes == ()
