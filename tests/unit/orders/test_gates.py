"""The checkout gates as tables of cases at every edge (rules.md §1.3, §1.6, §2c, §4,
§5.1, §6.4, §9g–9k)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from opencsp.catalog import errors as catalog_errors
from opencsp.catalog import rules as catalog_rules
from opencsp.catalog.rules import BillingPlan, CatalogItemId, ProductType, TermDuration
from opencsp.core.actor import Tier
from opencsp.orders import errors, gates
from opencsp.orders.gates import (
    BuyerFacts,
    CustomerFacts,
    LineContext,
    OfferFacts,
    ResellerFacts,
)
from opencsp.orders.rules import LineError, ValidLine

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ME = uuid.UUID(int=1)
RESELLER = uuid.UUID(int=2)
ITEM = CatalogItemId("CFQ7TTC0LCHC", "0002", "CFQ7TTC0K5DM")
BASE = ("CFQ7TTC0LH18", "0001")

BUYER = BuyerFacts(
    organization_id=ME,
    tier=Tier.INDIRECT_PROVIDER,
    enrollment_active=True,
    restricted=False,
    partner_agreement_signed=True,
    countries=frozenset({"KR"}),
)
CUSTOMER = CustomerFacts(country="KR", agreement_accepted=True, owned_skus=frozenset({BASE}))
OFFER = OfferFacts(
    catalog_item=ITEM,
    product_type=ProductType.ONLINE_SERVICES,
    countries=frozenset({"KR", "US"}),
    terms=frozenset(
        {(TermDuration.P1Y, BillingPlan.MONTHLY), (TermDuration.P1Y, BillingPlan.ANNUAL)}
    ),
    min_quantity=1,
    max_quantity=300,
)
GOOD_RESELLER = ResellerFacts(
    organization_id=RESELLER,
    tier=Tier.INDIRECT_RESELLER,
    enrollment_active=True,
    in_partnership_with_buyer=True,
    partner_agreement_signed=True,
)


# --- the buyer ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({}, None),
        ({"tier": Tier.DIRECT_BILL}, None),
        ({"tier": Tier.INDIRECT_RESELLER}, errors.BuyerNotAllowed),
        ({"tier": Tier.VENDOR}, errors.BuyerNotAllowed),
        ({"enrollment_active": False}, errors.BuyerNotActive),
        ({"partner_agreement_signed": False}, errors.BuyerAgreementMissing),
        ({"restricted": True}, errors.BuyerRestricted),
        ({"tier": Tier.DIRECT_BILL, "restricted": True}, errors.BuyerRestricted),
        ({"tier": Tier.INDIRECT_RESELLER, "restricted": True}, errors.BuyerNotAllowed),
    ],
)
def test_ensure_can_buy(changes: dict[str, object], error: type[Exception] | None) -> None:
    buyer = replace(BUYER, **changes)  # type: ignore[arg-type]
    if error is None:
        gates.ensure_can_buy(buyer)
    else:
        with pytest.raises(error):
            gates.ensure_can_buy(buyer)


@pytest.mark.parametrize(
    ("accepted", "auto_renewal", "refused"),
    [(True, False, False), (True, True, False), (False, True, False), (False, False, True)],
)
def test_customer_agreement(accepted: bool, auto_renewal: bool, refused: bool) -> None:
    if refused:
        with pytest.raises(errors.CustomerAgreementMissing) as caught:
            gates.ensure_customer_agreement(accepted, is_auto_renewal=auto_renewal)
        assert (caught.value.status, caught.value.code) == (403, 13605)
    else:
        gates.ensure_customer_agreement(accepted, is_auto_renewal=auto_renewal)


@pytest.mark.parametrize(
    ("countries", "country", "ok"),
    [
        ({"KR"}, "KR", True),
        ({"KR"}, "kr", True),
        ({"kr"}, " KR ", True),
        ({"DE", "FR"}, "FR", True),
        ({"KR"}, "JP", False),
        (set(), "KR", False),
    ],
)
def test_ensure_sells_to(countries: set[str], country: str, ok: bool) -> None:
    buyer = replace(BUYER, countries=frozenset(countries))
    customer = replace(CUSTOMER, country=country)
    if ok:
        gates.ensure_sells_to(buyer, customer)
    else:
        with pytest.raises(errors.CustomerOutOfMarket) as caught:
            gates.ensure_sells_to(buyer, customer)
        assert caught.value.code == 2030


# --- the offer ------------------------------------------------------------------------

EOS = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offer", "country", "at", "ok"),
    [
        (OFFER, "KR", NOW, True),
        (OFFER, "us", NOW, True),
        (None, "KR", NOW, False),
        (OFFER, "JP", NOW, False),
        (replace(OFFER, end_of_sale=EOS), "KR", datetime(2026, 3, 1, 11, 59, tzinfo=UTC), True),
        (replace(OFFER, end_of_sale=EOS), "KR", EOS, True),  # at the end of sale: still on sale
        (replace(OFFER, end_of_sale=EOS), "KR", datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC), False),
    ],
)
def test_ensure_available(offer: OfferFacts | None, country: str, at: datetime, ok: bool) -> None:
    if ok:
        assert gates.ensure_available(offer, str(ITEM), country, at=at) is offer
    else:
        with pytest.raises(errors.AvailabilityNotPurchasable) as caught:
            gates.ensure_available(offer, str(ITEM), country, at=at)
        assert caught.value.code == 400019


@pytest.mark.parametrize(
    ("term", "plan", "error"),
    [
        (TermDuration.P1Y, BillingPlan.MONTHLY, None),
        (TermDuration.P1Y, BillingPlan.ANNUAL, None),
        (TermDuration.P1M, BillingPlan.MONTHLY, errors.TermNotOffered),
        (TermDuration.P3Y, BillingPlan.TRIENNIAL, errors.TermNotOffered),
        (TermDuration.P1Y, BillingPlan.NONE, errors.BillingCycleNotOffered),
    ],
)
def test_ensure_term_offered(
    term: TermDuration, plan: BillingPlan, error: type[Exception] | None
) -> None:
    if error is None:
        gates.ensure_term_offered(OFFER, term, plan)
    else:
        with pytest.raises(error):
            gates.ensure_term_offered(OFFER, term, plan)


@pytest.mark.parametrize(
    ("minimum", "maximum", "trial", "quantity", "error"),
    [
        (1, 300, False, 1, None),
        (1, 300, False, 300, None),
        (1, 300, False, 301, errors.QuantityAboveMaximum),
        (5, 300, False, 4, errors.QuantityOutOfRange),
        (5, 300, False, 5, None),
        (1, 300, True, 24, errors.QuantityOutOfRange),  # trials: exactly 25 seats
        (1, 300, True, 25, None),
        (1, 300, True, 26, errors.QuantityAboveMaximum),
    ],
)
def test_check_quantity(
    minimum: int, maximum: int, trial: bool, quantity: int, error: type[Exception] | None
) -> None:
    offer = replace(OFFER, min_quantity=minimum, max_quantity=maximum, is_trial=trial)
    if error is None:
        gates.check_quantity(offer, quantity, line=3)
    else:
        with pytest.raises(error) as caught:
            gates.check_quantity(offer, quantity, line=3)
        assert caught.value.code == 900275  # type: ignore[attr-defined]
        assert "line item 3" in str(caught.value)


@pytest.mark.parametrize(
    ("requested", "owned", "maximum", "available"),
    [
        (49, 249, 299, 50),  # pooled: 50 remain
        (50, 249, 299, 50),
        (1, 298, 299, 1),
        (0, 299, 299, 0),
        (50, 250, 300, 50),  # 300 is pooled: the documented example (Business Premium)
        (1, 299, 300, 1),
        (51, 250, 301, None),  # above 300: not pooled
        (300, 299, 301, None),
        (5000, 9000, 10000, None),
        (10, 0, 10, 10),
    ],
)
def test_check_seat_pool_allows(
    requested: int, owned: int, maximum: int, available: int | None
) -> None:
    assert (
        catalog_rules.check_seat_pool(requested, owned, maximum, catalog_item_id=str(ITEM))
        == available
    )


@pytest.mark.parametrize(
    ("requested", "owned", "maximum", "available"),
    [
        (51, 249, 299, 50),
        (1, 299, 299, 0),
        (1, 400, 299, 0),  # owned above the maximum (lowered since): nothing remains
        (11, 0, 10, 10),
        (51, 250, 300, 50),
        (1, 300, 300, 0),
    ],
)
def test_check_seat_pool_refuses(requested: int, owned: int, maximum: int, available: int) -> None:
    with pytest.raises(catalog_errors.SeatPoolExceeded) as caught:
        catalog_rules.check_seat_pool(requested, owned, maximum, catalog_item_id=str(ITEM))
    exc = caught.value
    assert (exc.status, exc.code, exc.available) == (403, 800088, available)
    assert exc.data == [{"availableQuantity": available}]
    assert exc.message == (
        f"The requested number of {requested} seats exceeds the remaining limit of "
        f"{available} seats allowed per subscription for the CatalogItemId - {ITEM}"
    )


def test_check_seat_pool_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        catalog_rules.check_seat_pool(1, -1, 10, catalog_item_id=str(ITEM))


@pytest.mark.parametrize(
    ("requested", "owned", "limit", "available", "refused"),
    [
        (1, 0, None, None, False),
        (1, 0, 1, 1, False),  # a Lifetime 1 trial, first time
        (1, 1, 1, 0, True),  # …and again
        (2, 0, 2, 2, False),
        (3, 0, 2, 2, True),
        (1, 5, 2, 0, True),
    ],
)
def test_check_asset_limit(
    requested: int, owned: int, limit: int | None, available: int | None, refused: bool
) -> None:
    if refused:
        with pytest.raises(errors.AssetLimitExceeded) as caught:
            gates.check_asset_limit(requested, owned, limit)
        assert caught.value.code == 800089
    else:
        assert gates.check_asset_limit(requested, owned, limit) == available


ADDON = replace(OFFER, is_addon=True, prerequisite_skus=frozenset({BASE, ("X", "0001")}))


@pytest.mark.parametrize(
    ("offer", "owned", "cart", "ok"),
    [
        (OFFER, set(), set(), True),  # not an add-on
        (ADDON, {BASE}, set(), True),  # the base on the tenant
        (ADDON, set(), {BASE}, True),  # the base in the same cart
        (ADDON, {("X", "0001")}, set(), True),  # any one prerequisite
        (ADDON, set(), set(), False),
        (ADDON, {("Y", "0001")}, {("Z", "0001")}, False),
        (replace(ADDON, prerequisite_skus=frozenset()), {BASE}, set(), False),
    ],
)
def test_ensure_prerequisite(
    offer: OfferFacts, owned: set[tuple[str, str]], cart: set[tuple[str, str]], ok: bool
) -> None:
    if ok:
        gates.ensure_prerequisite(offer, owned, cart)
    else:
        with pytest.raises(errors.AddonPrerequisiteMissing) as caught:
            gates.ensure_prerequisite(offer, owned, cart)
        assert caught.value.code == 400041


@pytest.mark.parametrize(
    ("required", "accepted", "ok"),
    [(False, False, True), (False, True, True), (True, True, True), (True, False, False)],
)
def test_ensure_attestation(required: bool, accepted: bool, ok: bool) -> None:
    offer = replace(OFFER, requires_attestation=required)
    if ok:
        gates.ensure_attestation(offer, accepted)
    else:
        with pytest.raises(errors.AttestationRequired) as caught:
            gates.ensure_attestation(offer, accepted)
        assert caught.value.code == 900203
        assert str(ITEM) in caught.value.message


# --- the partner of record ------------------------------------------------------------


@pytest.mark.parametrize(
    ("buyer", "partner_id", "reseller", "error"),
    [
        (BUYER, None, None, None),  # omitted: no attribution, no failure
        (BUYER, 1000123, GOOD_RESELLER, None),
        (BUYER, 1000123, None, errors.PartnerIdNotFound),
        (BUYER, 1000001, replace(GOOD_RESELLER, organization_id=ME, tier=Tier.INDIRECT_PROVIDER),
         errors.OwnPartnerIdOnRecord),
        (replace(BUYER, tier=Tier.DIRECT_BILL), 1000001,
         replace(GOOD_RESELLER, organization_id=ME, tier=Tier.DIRECT_BILL),
         errors.OwnPartnerIdOnRecord),
        (replace(BUYER, tier=Tier.DIRECT_BILL), 1000123,
         replace(GOOD_RESELLER, in_partnership_with_buyer=False), errors.NotAValidIndirectReseller),
        (BUYER, 1000123, replace(GOOD_RESELLER, tier=Tier.INDIRECT_PROVIDER),
         errors.NotAValidIndirectReseller),
        (BUYER, 1000123, replace(GOOD_RESELLER, tier=Tier.DIRECT_BILL),
         errors.NotAValidIndirectReseller),
        (BUYER, 1000123, replace(GOOD_RESELLER, enrollment_active=False),
         errors.NotAValidIndirectReseller),
        (BUYER, 1000123, replace(GOOD_RESELLER, in_partnership_with_buyer=False),
         errors.NotAValidIndirectReseller),
        (BUYER, 1000123, replace(GOOD_RESELLER, partner_agreement_signed=False),
         errors.ResellerAgreementMissing),
    ],
)  # fmt: skip
def test_ensure_partner_of_record(
    buyer: BuyerFacts,
    partner_id: int | None,
    reseller: ResellerFacts | None,
    error: type[Exception] | None,
) -> None:
    if error is None:
        expected = None if partner_id is None else RESELLER
        assert gates.ensure_partner_of_record(buyer, partner_id, reseller) == expected
    else:
        with pytest.raises(error):
            gates.ensure_partner_of_record(buyer, partner_id, reseller)


# --- one line -------------------------------------------------------------------------


def valid_line(**changes: object) -> ValidLine:
    line = ValidLine(
        id=0,
        catalog_item=ITEM,
        quantity=10,
        term=TermDuration.P1Y,
        plan=BillingPlan.MONTHLY,
        partner_id_on_record=None,
        additional_resellers=(),
        attestation_accepted=False,
        provisioning_context={},
    )
    return replace(line, **changes)  # type: ignore[arg-type]


SMALL = replace(OFFER, max_quantity=299)
NEEDS_X = replace(ADDON, prerequisite_skus=frozenset({("X", "0001")}))


@pytest.mark.parametrize(
    ("line", "ctx", "code", "available"),
    [
        (valid_line(), LineContext(OFFER), None, None),
        (valid_line(), LineContext(None), 10001, None),
        (valid_line(term=TermDuration.P1M), LineContext(OFFER), 10010, None),
        (valid_line(quantity=301), LineContext(OFFER), 10015, None),
        (valid_line(quantity=51), LineContext(SMALL, seats_owned=249), 10015, 50),
        (valid_line(quantity=50), LineContext(SMALL, seats_owned=249), None, None),
        # two lines of the SKU in one cart count together
        (valid_line(quantity=30), LineContext(SMALL, seats_owned=249, cart_seats=60), 10015, 50),
        (valid_line(), LineContext(replace(OFFER, asset_ownership_limit=1), assets_owned=1), 10002,
         None),
        (valid_line(), LineContext(NEEDS_X), 10010, None),
        (valid_line(), LineContext(ADDON), None, None),  # the customer owns the base
        (valid_line(), LineContext(NEEDS_X, cart_skus=frozenset({ADDON.sku})), 10010, None),
        (valid_line(), LineContext(replace(OFFER, requires_attestation=True)), 10012, None),
        (valid_line(partner_id_on_record=1000123), LineContext(OFFER), 10010, None),
        (valid_line(partner_id_on_record=1000123),
         LineContext(OFFER, resellers={1000123: GOOD_RESELLER}), None, None),
        (valid_line(partner_id_on_record=1000123, additional_resellers=(1000200,)),
         LineContext(OFFER, resellers={1000123: GOOD_RESELLER, 1000200: None}), 10010, None),
    ],
)  # fmt: skip
def test_check_line(
    line: ValidLine, ctx: LineContext, code: int | None, available: int | None
) -> None:
    result = gates.check_line(BUYER, CUSTOMER, line, ctx, at=NOW)
    if code is None:
        assert result is None
    else:
        assert isinstance(result, LineError)
        assert (result.code, result.available_quantity) == (code, available)
