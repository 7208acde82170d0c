"""The month-to-month change report (file-formats.md §1, "Change detection"): new,
changed, removed and end-of-sale rows between two lists of a market, matched on product,
SKU, term, billing plan, currency and tier minimum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from opencsp.auth.rules import Role
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.actor import Tier
from opencsp.pricing import changes
from opencsp.pricing.errors import InvalidMonthRange, PriceListNotFound
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog, member, organization, system
from tests.factories.catalog import Row

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)
FIRST = datetime(2026, 12, 1, tzinfo=UTC)
EOS = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)


@dataclass(frozen=True)
class Offers:
    repriced: catalog.Offer
    same: catalog.Offer
    dropped: catalog.Offer
    ending: catalog.Offer
    tiered: catalog.Offer
    added: catalog.Offer
    erp: catalog.Offer
    restarted: catalog.Offer
    closing: catalog.Offer


@pytest.fixture()
def offers(session) -> Offers:
    o = Offers(*(catalog.offer(session, title=f"Offer {name}") for name in Offers.__annotations__))
    monthly = {"term": TermDuration.P1Y, "billing_plan": BillingPlan.MONTHLY}
    catalog.price_list(
        session,
        "united-states",
        NOV,
        [
            Row(o.repriced, "120", erp_price="150"),
            Row(o.same, "50"),
            Row(o.dropped, "30"),
            Row(o.ending, "70"),
            Row(o.tiered, "12", tier_min=1, tier_max=100, **monthly),
            Row(o.tiered, "10", tier_min=101, **monthly),
            Row(o.erp, "40", erp_price="50"),
            Row(o.restarted, "60"),
            Row(o.closing, "80"),
        ],
    )
    catalog.price_list(
        session,
        "united-states",
        DEC,
        [
            # the old price until the 1st and the new one from it: one changed row
            Row(o.repriced, "120", erp_price="150", end=FIRST - timedelta(seconds=1)),
            Row(o.repriced, "132.00", erp_price="165", start=FIRST),
            Row(o.same, "50.0"),  # equal decimals are equal
            Row(o.ending, "70", end_of_sale=EOS),
            Row(o.tiered, "12", tier_min=1, tier_max=100, **monthly),
            Row(o.tiered, "9", tier_min=101, **monthly),
            Row(o.added, "200", start=FIRST),
            Row(o.erp, "40", erp_price="55"),
            Row(o.restarted, "60", start=FIRST),
            Row(o.closing, "80", end=EOS),
        ],
        status=ListStatus.PREVIEW,
    )
    return o


def report(session, actor=None, **kwargs) -> changes.ChangeReport:
    return changes.change_report(
        session,
        actor or system(session),
        market_id=kwargs.pop("market_id", "united-states"),
        from_month=kwargs.pop("from_month", NOV),
        to_month=kwargs.pop("to_month", DEC),
    )


def products(rows) -> set[str]:
    return {r.product_id for r in rows}


def test_each_kind(session, offers: Offers) -> None:
    found = report(session)
    assert products(found.new) == {offers.added.product.id}
    assert products(found.removed) == {offers.dropped.product.id}
    assert products(found.end_of_sale) == {offers.ending.product.id, offers.closing.product.id}
    assert products(found.changed) == {
        offers.repriced.product.id,
        offers.tiered.product.id,
        offers.erp.product.id,
        offers.restarted.product.id,
    }
    unchanged = {offers.same.product.id}
    everything = found.new + found.changed + found.removed + found.end_of_sale
    assert not unchanged & products(everything)
    assert not found.is_empty


def test_a_changed_row_shows_old_and_new(session, offers: Offers) -> None:
    (row,) = [r for r in report(session).changed if r.product_id == offers.repriced.product.id]
    assert (row.old_unit_price, row.new_unit_price) == (Decimal("120"), Decimal("132"))
    assert (row.old_erp_price, row.new_erp_price) == (Decimal("150"), Decimal("165"))
    assert row.new_effective_start == FIRST
    assert row.old_effective_start == datetime(2020, 1, 1, tzinfo=UTC)
    assert (row.term_duration, row.billing_plan, row.currency) == ("P1Y", "annual", "USD")
    assert row.product_title == "Offer repriced" and row.sku_title == "Offer repriced"


def test_tiers_are_matched_by_their_minimum(session, offers: Offers) -> None:
    tiered = [r for r in report(session).changed if r.product_id == offers.tiered.product.id]
    assert [(r.tier_min, r.old_unit_price, r.new_unit_price) for r in tiered] == [
        (101, Decimal("10"), Decimal("9"))
    ]


def test_an_erp_change_alone_is_a_change(session, offers: Offers) -> None:
    (row,) = [r for r in report(session).changed if r.product_id == offers.erp.product.id]
    assert row.old_unit_price == row.new_unit_price == Decimal("40")
    assert (row.old_erp_price, row.new_erp_price) == (Decimal("50"), Decimal("55"))


def test_end_of_sale_carries_its_dates(session, offers: Offers) -> None:
    by_product = {r.product_id: r for r in report(session).end_of_sale}
    assert by_product[offers.ending.product.id].end_of_sale == EOS
    assert by_product[offers.closing.product.id].effective_end == EOS
    assert by_product[offers.closing.product.id].end_of_sale is None


def test_removed_and_new_rows_have_one_side(session, offers: Offers) -> None:
    found = report(session)
    (removed,) = found.removed
    assert (removed.old_unit_price, removed.new_unit_price) == (Decimal("30"), None)
    (added,) = found.new
    assert (added.old_unit_price, added.new_unit_price) == (None, Decimal("200"))
    assert added.product_title == "Offer added"


def test_two_identical_lists_have_no_changes(session, offers: Offers) -> None:
    catalog.price_list(
        session, "united-states", JAN, [Row(offers.same, "50")], status=ListStatus.PREVIEW
    )
    catalog.price_list(
        session, "europe", NOV, [Row(offers.same, "45", currency="EUR")], status=ListStatus.CURRENT
    )
    catalog.price_list(
        session, "europe", DEC, [Row(offers.same, "45", currency="EUR")], status=ListStatus.PREVIEW
    )
    assert report(session, market_id="europe").is_empty
    jan = report(session, from_month=DEC, to_month=JAN)
    assert len(jan.removed) == 8  # every December key but the one kept
    (repriced,) = [r for r in jan.removed if r.product_id == offers.repriced.product.id]
    assert (repriced.old_unit_price, repriced.old_effective_start) == (Decimal("132"), FIRST)
    assert jan.new == () and jan.changed == ()


def test_the_default_is_this_month_against_next(session, offers: Offers) -> None:
    found = changes.report_for_today(session, system(session), market_id="US")
    assert (found.market_id, found.from_month, found.to_month) == ("united-states", NOV, DEC)
    assert products(found.new) == {offers.added.product.id}


@pytest.mark.parametrize(("start", "end"), [(DEC, NOV), (NOV, NOV)])
def test_the_earlier_month_comes_first(session, offers: Offers, start, end) -> None:
    with pytest.raises(InvalidMonthRange):
        report(session, from_month=start, to_month=end)


def test_a_missing_list_is_not_found(session, offers: Offers) -> None:
    with pytest.raises(PriceListNotFound):
        report(session, from_month=DEC, to_month=JAN)
    with pytest.raises(PriceListNotFound):
        report(session, market_id="japan")


def test_a_partner_reports_on_its_own_market_only(session, offers: Offers) -> None:
    us = member(session, tier=Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))
    assert products(report(session, us.actor).new) == {offers.added.product.id}
    korean = member(
        session, organization(session, Tier.DIRECT_BILL, country="KR"), roles=(Role.ADMIN_AGENT,)
    )
    with pytest.raises(PriceListNotFound):
        report(session, korean.actor)


def test_a_reseller_sees_no_report(session, offers: Offers) -> None:
    reseller = member(session, tier=Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    with pytest.raises(PriceListNotFound):
        report(session, reseller.actor)
