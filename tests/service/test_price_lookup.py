"""Price lookup: the applicable month's row whose effective range contains the date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.pricing import queries
from opencsp.pricing.errors import PriceNotFound
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_current_list_prices_today_and_preview_prices_from_its_month(session):
    offer = catalog.offer(session)
    catalog.price_list(session, "united-states", NOV, [catalog.Row(offer, "120")])
    catalog.price_list(
        session,
        "united-states",
        DEC,
        [catalog.Row(offer, "132", start=_at("2026-12-01"))],
        status=ListStatus.PREVIEW,
    )

    def price(day: str) -> Decimal:
        return queries.unit_price(
            session,
            offer.item,
            "united-states",
            "usd",
            TermDuration.P1Y,
            BillingPlan.ANNUAL,
            at=_at(day),
        ).unit_price

    assert price("2026-11-30T23:59:59") == Decimal("120")
    assert price("2026-12-01T00:00:00") == Decimal("132")
    with pytest.raises(PriceNotFound):
        queries.unit_price(
            session,
            offer.item,
            "united-states",
            "EUR",
            TermDuration.P1Y,
            BillingPlan.ANNUAL,
            at=_at("2026-11-21"),
        )
