"""Price lookup (``pricing.queries.unit_price``) as a table of cases: the applicable
month's row whose effective range contains the transaction date (file-formats.md §1;
rules.md §11), in the market's currencies (rules.md §4), by tier, around the 1st with and
without the activation job, and the cases that find nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opencsp.catalog.errors import AvailabilityNotFound
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock
from opencsp.core.money import UnknownCurrency
from opencsp.pricing import lifecycle, queries
from opencsp.pricing.errors import PriceNotFound
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog, system
from tests.factories.catalog import Row

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)

P1Y, P1M = TermDuration.P1Y, TermDuration.P1M
ANNUAL, MONTHLY = BillingPlan.ANNUAL, BillingPlan.MONTHLY
EUROPE_CURRENCIES = ("EUR", "GBP", "CHF", "DKK", "NOK", "SEK")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class World:
    offer: catalog.Offer
    other: catalog.Offer


def build(session) -> World:
    """November lists for several markets, a December preview for the United States."""
    offer = catalog.offer(session)
    other = catalog.offer(session)  # never priced
    catalog.price_list(
        session,
        "united-states",
        NOV,
        [
            Row(offer, "120"),
            Row(offer, "120"),  # a duplicate row
            Row(offer, "125", start=_at("2026-11-15")),  # overlaps: the later start wins
            Row(offer, "10", term=P1M, billing_plan=MONTHLY, end=_at("2026-11-30T23:59:59")),
            Row(offer, "12", term=P1Y, billing_plan=MONTHLY, tier_min=1, tier_max=100),
            Row(offer, "10.5", term=P1Y, billing_plan=MONTHLY, tier_min=101),
        ],
    )
    catalog.price_list(
        session,
        "united-states",
        DEC,
        [Row(offer, "132", start=_at("2026-12-01"))],
        status=ListStatus.PREVIEW,
    )
    catalog.price_list(
        session,
        "europe",
        NOV,
        [
            Row(offer, price, currency=code, market_code="DE")
            for code, price in zip(
                EUROPE_CURRENCIES, ("110", "95", "105", "820", "1290", "1260"), strict=True
            )
        ],
    )
    catalog.price_list(
        session, "brazil", NOV, [Row(offer, "640", currency="BRL", market_code="BR")]
    )
    catalog.price_list(
        session, "korea-republic-of", NOV, [Row(offer, "158400", currency="KRW", market_code="KR")]
    )
    # Canada has no November list: its October list still prices November.
    catalog.price_list(
        session, "canada", OCT, [Row(offer, "160", currency="CAD", market_code="CA")]
    )
    # Japan has only a preview, which never prices before its month.
    catalog.price_list(
        session,
        "japan",
        DEC,
        [Row(offer, "17000", currency="JPY", market_code="JP")],
        status=ListStatus.PREVIEW,
    )
    return World(offer, other)


@dataclass(frozen=True)
class Case:
    market: str
    currency: str
    when: str
    expected: str | None
    term: TermDuration = P1Y
    plan: BillingPlan = ANNUAL
    quantity: int = 1
    activated: bool = False  # run the activation job on 2026-12-01 first


CASES: dict[str, Case] = {
    "current list, before the overlapping row starts": Case(
        "united-states", "USD", "2026-11-14T23:59:59", "120"
    ),
    "overlapping ranges: the latest start wins": Case(
        "united-states", "USD", "2026-11-15T00:00:00", "125"
    ),
    "currency read case-insensitively": Case("united-states", "usd", "2026-11-21T09:30:00", "125"),
    "inclusive end instant": Case(
        "united-states", "USD", "2026-11-30T23:59:59", "10", P1M, MONTHLY
    ),
    "past the end instant, no December row": Case(
        "united-states", "USD", "2026-12-01T00:00:00", None, P1M, MONTHLY
    ),
    "last second of November, preview not yet": Case(
        "united-states", "USD", "2026-11-30T23:59:59", "125"
    ),
    "the 1st: the preview prices its month without the job": Case(
        "united-states", "USD", "2026-12-01T00:00:00", "132"
    ),
    "the 1st: the same after the job": Case(
        "united-states", "USD", "2026-12-01T00:00:00", "132", activated=True
    ),
    "January, no list: fallback skips the unactivated preview": Case(
        "united-states", "USD", "2027-01-05T00:00:00", "125"
    ),
    "January, no list: fallback to the activated December list": Case(
        "united-states", "USD", "2027-01-05T00:00:00", "132", activated=True
    ),
    "tier 1-100 at 100 seats": Case(
        "united-states", "USD", "2026-11-21T00:00:00", "12", P1Y, MONTHLY, 100
    ),
    "tier 101+ at 101 seats": Case(
        "united-states", "USD", "2026-11-21T00:00:00", "10.5", P1Y, MONTHLY, 101
    ),
    "tier 101+ at 5000 seats": Case(
        "united-states", "USD", "2026-11-21T00:00:00", "10.5", P1Y, MONTHLY, 5000
    ),
    "no tier covers 0 seats": Case(
        "united-states", "USD", "2026-11-21T00:00:00", None, P1Y, MONTHLY, 0
    ),
    "US list has no EUR": Case("united-states", "EUR", "2026-11-21T00:00:00", None),
    "unpriced term": Case(
        "united-states", "USD", "2026-11-21T00:00:00", None, TermDuration.P3Y, BillingPlan.TRIENNIAL
    ),
    **{
        f"Europe in {code}": Case("europe", code, "2026-11-21T00:00:00", price)
        for code, price in zip(
            EUROPE_CURRENCIES, ("110", "95", "105", "820", "1290", "1260"), strict=True
        )
    },
    "Europe has no USD": Case("europe", "USD", "2026-11-21T00:00:00", None),
    "Brazil in BRL": Case("brazil", "BRL", "2026-11-21T00:00:00", "640"),
    "Brazil not in USD": Case("brazil", "USD", "2026-11-21T00:00:00", None),
    "Korea in KRW": Case("korea-republic-of", "KRW", "2026-11-21T00:00:00", "158400"),
    "Korea not in USD": Case("korea-republic-of", "USD", "2026-11-21T00:00:00", None),
    "no November list: the last activated list": Case(
        "canada", "CAD", "2026-11-21T00:00:00", "160"
    ),
    "only a preview: nothing before its month": Case("japan", "JPY", "2026-11-21T00:00:00", None),
    "only a preview: it prices its own month": Case("japan", "JPY", "2026-12-02T00:00:00", "17000"),
    "a market with no list at all": Case("india", "INR", "2026-11-21T00:00:00", None),
    "before every row's start": Case("united-states", "USD", "2019-12-31T23:59:59", None),
}


def _price(session, world: World, case: Case) -> Decimal:
    return queries.unit_price(
        session,
        world.offer.item,
        case.market,
        case.currency,
        case.term,
        case.plan,
        at=_at(case.when),
        quantity=case.quantity,
    ).unit_price


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_price_lookup(session, case: Case) -> None:
    world = build(session)
    if case.activated:
        with clock.frozen(_at("2026-12-01T00:00:00")):
            assert lifecycle.activate_lists(session, system(session)).activated >= 1
    if case.expected is None:
        with pytest.raises(PriceNotFound):
            _price(session, world, case)
    else:
        assert _price(session, world, case) == Decimal(case.expected)


def test_the_price_names_its_row_and_list_for_locking(session) -> None:
    world = build(session)
    found = queries.unit_price(
        session, world.offer.item, "united-states", "USD", P1Y, ANNUAL, at=_at("2026-11-20")
    )
    assert found.currency.code == "USD"
    assert found.effective_start == _at("2026-11-15")
    assert found.erp_price is None
    row_ids = {
        queries.unit_price(
            session, world.offer.item, "united-states", "USD", P1Y, ANNUAL, at=_at(day)
        ).price_row_id
        for day in ("2026-11-01", "2026-11-20")
    }
    assert len(row_ids) == 2  # the 120 row before the 15th, the 125 row after


def test_an_item_with_no_row_is_not_priced(session) -> None:
    world = build(session)
    with pytest.raises(PriceNotFound):
        queries.unit_price(
            session, world.other.item, "united-states", "USD", P1Y, ANNUAL, at=_at("2026-11-21")
        )


def test_an_unknown_catalog_item_is_400019(session) -> None:
    world = build(session)
    wrong = f"{world.offer.product.id}:0001:NOSUCHAVAIL"
    with pytest.raises(AvailabilityNotFound):
        queries.unit_price(
            session, wrong, "united-states", "USD", P1Y, ANNUAL, at=_at("2026-11-21")
        )


def test_a_currency_that_is_not_iso_4217_is_rejected(session) -> None:
    world = build(session)
    with pytest.raises(UnknownCurrency):
        queries.unit_price(
            session, world.offer.item, "united-states", "XYZ", P1Y, ANNUAL, at=_at("2026-11-21")
        )
