"""The demo catalog as values: enough products of every type, Partner Center-shaped ids,
every spec publishable, and the offers the story needs (rules.md §9a–9c, §9i, §9k)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from opencsp.catalog import validation
from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration
from opencsp.demo.catalog import (
    DemoProduct,
    Territories,
    demo_catalog,
    end_of_sale,
    retiring_sku,
)
from opencsp.demo.offers import SUITES

from .conftest import CURRENT


def _skus(products: tuple[DemoProduct, ...]):
    return [(p, s) for p in products for s in p.spec.skus]


def test_at_least_forty_products_of_every_type(products):
    types = Counter(p.spec.product_type for p in products)
    assert len(products) >= 40
    assert set(types) == set(ProductType)
    assert all(count >= 5 for count in types.values()), types


def test_ids_are_shaped_like_partner_centers_and_unique(products):
    product_ids = [p.spec.id for p in products]
    availability_ids = [a.id for _, sku in _skus(products) for a in sku.availabilities]
    assert all(len(pid) == 12 and pid.isalnum() and pid.isupper() for pid in product_ids)
    assert all(len(s.id) == 4 and s.id.isdigit() for _, s in _skus(products))
    assert all(len(aid) == 12 and aid.isalnum() for aid in availability_ids)
    assert len(set(product_ids)) == len(product_ids)
    assert len(set(availability_ids)) == len(availability_ids)


def test_every_product_passes_the_publishing_rules(products, territories):
    known = set(territories.everywhere)
    for product in products:
        spec = validation.normalized(product.spec)
        validation.ensure_publishable(spec, known_countries=known, taken_availability_ids={})
        assert spec == product.spec  # already in the catalog's normal form


def test_every_sku_has_a_usd_base_price(products):
    for product in products:
        assert set(product.usd) == {s.id for s in product.spec.skus}
        for sku in product.spec.skus:
            assert (product.usd[sku.id] == 0) is sku.is_trial, (product.spec.id, sku.id)


def test_prerequisites_and_upgrades_name_demo_skus(products):
    known = {(p.spec.id, s.id) for p, s in _skus(products)}
    add_ons = [(p, s) for p, s in _skus(products) if s.prerequisites]
    upgrades = [(p, s) for p, s in _skus(products) if s.upgrades]
    assert len(add_ons) >= 6 and len(upgrades) >= 8
    for _, sku in add_ons:
        assert set(sku.prerequisites) <= known
    for _, sku in upgrades:
        assert set(sku.upgrades) <= known


def test_the_ai_assistant_requires_a_suite(products):
    pilot = next(p for p in products if p.spec.title == "Nimbus Pilot")
    (sku,) = pilot.spec.skus
    assert {product for product, _ in sku.prerequisites} == {f"NMB7TTC0{c}" for c in SUITES}


def test_business_suites_are_small_business_offers(products):
    business = [p for p in products if p.spec.title.startswith("Nimbus 365 Business")]
    assert len(business) == 3
    for product in business:
        paid = [s for s in product.spec.skus if not s.is_trial]
        assert all(s.max_quantity == 300 and s.asset_ownership_limit == 300 for s in paid)


def test_trials_are_one_month_billed_none_with_25_seats(products):
    trials = [s for _, s in _skus(products) if s.is_trial]
    assert len(trials) >= 4
    for sku in trials:
        assert sku.max_quantity == 25
        for availability in sku.availabilities:
            assert {(t.duration, t.billing_plan) for t in availability.terms} == {
                (TermDuration.P1M, BillingPlan.NONE)
            }
            assert not availability.is_renewable


def test_perpetual_software_is_bought_once_and_subscriptions_run_p1y_or_p3y(products):
    for product in products:
        durations = {
            t.duration for s in product.spec.skus for a in s.availabilities for t in a.terms
        }
        if product.spec.product_type is ProductType.SOFTWARE_PERPETUAL:
            assert durations == {TermDuration.ONE_TIME}
        elif product.spec.product_type is ProductType.SOFTWARE_SUBSCRIPTIONS:
            assert durations == {TermDuration.P1Y, TermDuration.P3Y}


def test_one_desktop_sku_needs_attestation(products):
    attested = [(p.spec.title, s.title) for p, s in _skus(products) if s.attestation_required]
    assert attested == [("Nimbus Desktop Cloud", "Nimbus Desktop Cloud 2vCPU Hybrid Benefit")]


def test_segments_and_countries(products, territories: Territories):
    by_segment: dict[Segment, set[frozenset[str]]] = {}
    for _, sku in _skus(products):
        for a in sku.availabilities:
            by_segment.setdefault(a.segment, set()).add(frozenset(a.countries))
    assert set(by_segment) == set(Segment)
    assert by_segment[Segment.GOVERNMENT] == {frozenset(territories.united_states)}
    everywhere = frozenset(territories.everywhere)
    world = everywhere - {"CN"}
    assert by_segment[Segment.COMMERCIAL] == {world, everywhere}
    in_china = [p for p, s in _skus(products) if "CN" in s.availabilities[0].countries]
    assert 0 < len(in_china) <= 5
    assert all(p.spec.product_type is ProductType.SOFTWARE_PERPETUAL for p in in_china)


def test_some_products_first_appear_mid_history(products):
    since = sorted(p.since for p in products if p.since is not None)
    assert len(since) >= 2 and all(1 <= months <= 12 for months in since)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (date(2026, 11, 1), datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)),
        (date(2026, 12, 1), datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)),
        (date(2027, 1, 1), datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC)),
        (date(2028, 1, 1), datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_end_of_sale_is_the_last_second_of_next_month(current, expected):
    assert end_of_sale(current) == expected


def test_exactly_one_sku_retires_next_month(products):
    retiring = [(p.spec.id, s.id, s.end_of_sale) for p, s in _skus(products) if s.end_of_sale]
    assert retiring == [("NMB7TTC0ENE3", "0002", end_of_sale(CURRENT))]
    assert retiring_sku(products) == ("NMB7TTC0ENE3", "0002")


def test_the_catalog_is_the_same_on_every_load(territories):
    assert demo_catalog(territories, CURRENT) == demo_catalog(territories, CURRENT)
