"""The catalog's pure rules as tables (rules.md §9a–9c, §9g, §9k)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from opencsp.catalog import rules
from opencsp.catalog.errors import (
    CatalogItemIdMissing,
    InvalidCatalogItemId,
    UnknownSegment,
    UnknownTargetView,
)
from opencsp.catalog.rules import BillingPlan as Plan
from opencsp.catalog.rules import ProductType as Kind
from opencsp.catalog.rules import TermDuration as Term


@pytest.mark.parametrize(
    ("duration", "trial", "expected"),
    [
        (Term.P1M, False, {Plan.MONTHLY}),
        (Term.P1Y, False, {Plan.MONTHLY, Plan.ANNUAL}),
        (Term.P3Y, False, {Plan.MONTHLY, Plan.ANNUAL, Plan.TRIENNIAL}),
        (Term.ONE_TIME, False, {Plan.ONE_TIME}),
        (Term.P1M, True, {Plan.NONE}),
        (Term.ONE_TIME, True, {Plan.ONE_TIME}),
    ],
)
def test_billing_plans_for(duration, trial, expected):
    assert rules.billing_plans_for(duration, trial=trial) == expected


@pytest.mark.parametrize(
    ("product_type", "duration", "plan", "trial", "allowed"),
    [
        (Kind.ONLINE_SERVICES, Term.P1M, Plan.MONTHLY, False, True),
        (Kind.ONLINE_SERVICES, Term.P1Y, Plan.ANNUAL, False, True),
        (Kind.ONLINE_SERVICES, Term.P1M, Plan.ANNUAL, False, False),
        (Kind.ONLINE_SERVICES, Term.P3Y, Plan.TRIENNIAL, False, True),
        (Kind.ONLINE_SERVICES, Term.ONE_TIME, Plan.ONE_TIME, False, False),
        (Kind.ONLINE_SERVICES, Term.P1M, Plan.NONE, True, True),
        (Kind.ONLINE_SERVICES, Term.P1Y, Plan.NONE, True, False),
        (Kind.ONLINE_SERVICES, Term.P1M, Plan.MONTHLY, True, False),
        (Kind.ONLINE_SERVICES, Term.P1M, Plan.NONE, False, False),
        (Kind.SOFTWARE_SUBSCRIPTIONS, Term.P3Y, Plan.ANNUAL, False, True),
        (Kind.SOFTWARE_PERPETUAL, Term.ONE_TIME, Plan.ONE_TIME, False, True),
        (Kind.SOFTWARE_PERPETUAL, Term.P1Y, Plan.ANNUAL, False, False),
        (Kind.SOFTWARE_PERPETUAL, Term.ONE_TIME, Plan.ONE_TIME, True, True),
    ],
)
def test_is_term_allowed(product_type, duration, plan, trial, allowed):
    assert rules.is_term_allowed(product_type, duration, plan, trial=trial) is allowed


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("OnlineServices", {Kind.ONLINE_SERVICES}),
        ("onlineservices", {Kind.ONLINE_SERVICES}),
        (" Software ", {Kind.SOFTWARE_SUBSCRIPTIONS, Kind.SOFTWARE_PERPETUAL}),
        ("SoftwarePerpetual", {Kind.SOFTWARE_PERPETUAL}),
        ("SoftwareSubscriptions", {Kind.SOFTWARE_SUBSCRIPTIONS}),
        ("Azure", set()),
        ("MarketplaceSaaS", set()),
    ],
)
def test_product_types_for_view(view, expected):
    assert rules.product_types_for_view(view) == expected


def test_unknown_view_and_segment_are_errors():
    with pytest.raises(UnknownTargetView):
        rules.product_types_for_view("Everything")
    with pytest.raises(UnknownSegment):
        rules.parse_segment("enterprise")
    assert rules.parse_segment("NonProfit") is rules.Segment.NONPROFIT


@pytest.mark.parametrize(
    ("product_type", "window", "perpetual", "refund", "expires", "seats"),
    [
        (Kind.ONLINE_SERVICES, 7, 30, "Partial", "P7D", True),
        (Kind.SOFTWARE_SUBSCRIPTIONS, 7, 30, "Partial", "P7D", False),
        (Kind.SOFTWARE_PERPETUAL, 7, 30, "Full", "P30D", False),
        (Kind.ONLINE_SERVICES, 3, 30, "Partial", "P3D", True),
        (Kind.SOFTWARE_PERPETUAL, 7, 14, "Full", "P14D", False),
    ],
)
def test_cancellation_policy(product_type, window, perpetual, refund, expires, seats):
    policy = rules.cancellation_policy(product_type, window_days=window, perpetual_days=perpetual)
    assert (policy.refund, policy.expires_after, policy.seat_reduction) == (refund, expires, seats)


@pytest.mark.parametrize(
    ("window", "expected"),
    [(timedelta(days=7), "P7D"), (timedelta(hours=72), "P3D"), (timedelta(hours=36), "PT36H")],
)
def test_expires_after_as_iso_duration(window, expected):
    assert (
        rules.CancellationPolicy(window, "Partial", seat_reduction=True).expires_after == expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CFQ7TTC0LH18:0001:CFQ7TTC0K971", ("CFQ7TTC0LH18", "0001", "CFQ7TTC0K971")),
        (" cfq7ttc0lh18:0001:cfq7ttc0k971 ", ("CFQ7TTC0LH18", "0001", "CFQ7TTC0K971")),
    ],
)
def test_parse_catalog_item_id(value, expected):
    item = rules.parse_catalog_item_id(value)
    assert (item.product_id, item.sku_id, item.availability_id) == expected
    assert str(item) == ":".join(expected)


@pytest.mark.parametrize("value", ["CFQ7TTC0LH18:0001", "a:b:c:d", "A::C", ":0001:X"])
def test_parse_catalog_item_id_invalid(value):
    with pytest.raises(InvalidCatalogItemId) as caught:
        rules.parse_catalog_item_id(value)
    assert caught.value.code == 10001


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_catalog_item_id_missing(value):
    with pytest.raises(CatalogItemIdMissing) as caught:
        rules.parse_catalog_item_id(value)
    assert caught.value.code == 900142


EOS = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("end_of_sale", "at", "expected"),
    [
        (None, EOS, True),
        (EOS, EOS - timedelta(microseconds=1), True),
        (EOS, EOS, True),
        (EOS, EOS + timedelta(microseconds=1), False),
        (EOS, EOS + timedelta(days=400), False),
    ],
)
def test_on_sale_boundary(end_of_sale, at, expected):
    assert rules.on_sale(end_of_sale, at) is expected


def test_term_ids_are_short_stable_and_distinct():
    a = rules.term_id("CFQ7TTC0K971", Term.P1Y, Plan.ANNUAL)
    assert re.fullmatch(r"[a-z2-7]{12}", a)
    assert a == rules.term_id("CFQ7TTC0K971", Term.P1Y, Plan.ANNUAL)
    assert a != rules.term_id("CFQ7TTC0K971", Term.P1Y, Plan.MONTHLY)
    assert a != rules.term_id("CFQ7TTC0K972", Term.P1Y, Plan.ANNUAL)


def test_matrix_availability_id_is_deterministic_and_well_formed():
    first = rules.matrix_availability_id("CFQ7TTC0LH18", "0001")
    assert re.fullmatch(rules.AVAILABILITY_ID_PATTERN, first)
    assert first == rules.matrix_availability_id("CFQ7TTC0LH18", "0001")
    assert first != rules.matrix_availability_id("CFQ7TTC0LH18", "0002")


@pytest.mark.parametrize(
    ("duration", "plan", "text"),
    [
        (Term.P1Y, Plan.MONTHLY, "One-Year commitment for monthly billing"),
        (Term.P1M, Plan.NONE, "One-Month commitment for a free trial"),
        (Term.ONE_TIME, Plan.ONE_TIME, "One-time purchase for a one-time charge"),
    ],
)
def test_term_description(duration, plan, text):
    assert rules.term_description(duration, plan) == text
