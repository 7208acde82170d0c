"""Publishing a product: every rule of ``catalog.validation`` as a table of bad specs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from opencsp.catalog import validation
from opencsp.catalog.errors import (
    AvailabilityIdTaken,
    AvailabilityWithoutTerms,
    DuplicateCatalogId,
    InvalidAssetOwnershipLimit,
    InvalidAvailabilityId,
    InvalidProductId,
    InvalidQuantityRange,
    InvalidSkuId,
    MissingTitle,
    SelfPrerequisite,
    TermNotAllowed,
    UnknownCatalogCountry,
)
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.catalog.specs import TermSpec
from tests.factories.catalog_specs import availability_spec, product_spec, sku_spec

COUNTRIES = {"US", "KR", "DE", "FR"}


def check(spec, taken=None):
    validation.ensure_publishable(
        validation.normalized(spec), known_countries=COUNTRIES, taken_availability_ids=taken or {}
    )


def test_a_good_spec_passes_and_ids_are_normalized():
    spec = product_spec(" cfq7ttc0test ", skus=(sku_spec("abcd"),))
    check(spec)
    norm = validation.normalized(spec)
    assert (norm.id, norm.skus[0].id) == ("CFQ7TTC0TEST", "ABCD")


def test_perpetual_and_trial_specs_pass():
    check(
        product_spec(
            skus=(
                sku_spec(
                    is_trial=True,
                    availabilities=(
                        availability_spec(terms=(TermSpec(TermDuration.P1M, BillingPlan.NONE),)),
                    ),
                ),
            )
        )
    )
    check(
        product_spec(
            product_type=ProductType.SOFTWARE_PERPETUAL,
            skus=(
                sku_spec(
                    availabilities=(
                        availability_spec(
                            terms=(TermSpec(TermDuration.ONE_TIME, BillingPlan.ONE_TIME),)
                        ),
                    )
                ),
            ),
        )
    )


ONE_TIME = (TermSpec(TermDuration.ONE_TIME, BillingPlan.ONE_TIME),)
P1Y_ANNUAL = (TermSpec(TermDuration.P1Y, BillingPlan.ANNUAL),)


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (product_spec(""), InvalidProductId),
        (product_spec("X" * 37), InvalidProductId),
        (product_spec("CFQ7_TTC0"), InvalidProductId),
        (product_spec(title="  "), MissingTitle),
        (product_spec(publisher=""), MissingTitle),
        (product_spec(skus=(sku_spec("001"),)), InvalidSkuId),
        (product_spec(skus=(sku_spec("00011"),)), InvalidSkuId),
        (product_spec(skus=(sku_spec(title=""),)), MissingTitle),
        (product_spec(skus=(sku_spec(min_quantity=0),)), InvalidQuantityRange),
        (product_spec(skus=(sku_spec(min_quantity=5, max_quantity=4),)), InvalidQuantityRange),
        (product_spec(skus=(sku_spec(asset_ownership_limit=2),)), InvalidAssetOwnershipLimit),
        (
            product_spec(
                skus=(sku_spec(asset_ownership_limit=2, asset_ownership_limit_type="Forever"),)
            ),
            InvalidAssetOwnershipLimit,
        ),
        (product_spec(skus=(sku_spec(), sku_spec())), DuplicateCatalogId),
        (
            product_spec(
                skus=(
                    sku_spec("0001", availabilities=(availability_spec("AV1"),)),
                    sku_spec("0002", availabilities=(availability_spec("AV1"),)),
                )
            ),
            DuplicateCatalogId,
        ),
        (
            product_spec(skus=(sku_spec(availabilities=(availability_spec("AV-1"),)),)),
            InvalidAvailabilityId,
        ),
        (
            product_spec(skus=(sku_spec(availabilities=(availability_spec(terms=()),)),)),
            AvailabilityWithoutTerms,
        ),
        (
            product_spec(skus=(sku_spec(availabilities=(availability_spec(terms=ONE_TIME),)),)),
            TermNotAllowed,
        ),
        (
            product_spec(
                product_type=ProductType.SOFTWARE_PERPETUAL,
                skus=(sku_spec(availabilities=(availability_spec(terms=P1Y_ANNUAL),)),),
            ),
            TermNotAllowed,
        ),
        (
            product_spec(
                skus=(
                    sku_spec(is_trial=True, availabilities=(availability_spec(terms=P1Y_ANNUAL),)),
                )
            ),
            TermNotAllowed,
        ),
        (
            product_spec(
                skus=(
                    sku_spec(
                        availabilities=(
                            availability_spec(
                                terms=(TermSpec(TermDuration.P1M, BillingPlan.ANNUAL),)
                            ),
                        )
                    ),
                )
            ),
            TermNotAllowed,
        ),
        (
            product_spec(skus=(sku_spec(availabilities=(availability_spec(countries=("ZZ",)),)),)),
            UnknownCatalogCountry,
        ),
        (
            product_spec(skus=(sku_spec(prerequisites=(("cfq7ttc0test", "0001"),)),)),
            SelfPrerequisite,
        ),
    ],
)
def test_bad_specs_are_refused(spec, error):
    with pytest.raises(error) as caught:
        check(spec)
    assert caught.value.status == 400


def test_an_availability_id_of_another_product_is_taken():
    spec = product_spec(skus=(sku_spec(availabilities=(availability_spec("AV1"),)),))
    with pytest.raises(AvailabilityIdTaken) as caught:
        check(spec, taken={"AV1": "OTHERPRODUCT"})
    assert "OTHERPRODUCT" in caught.value.message
    check(spec, taken={"AV1": "CFQ7TTC0TEST"})


def test_normalized_dedupes_terms_countries_and_links():
    spec = product_spec(
        skus=(
            sku_spec(
                upgrades=(("p1", "0001"), ("P1", "0001")),
                availabilities=(
                    replace(
                        availability_spec(countries=("us", "US", " kr ")),
                        terms=P1Y_ANNUAL + P1Y_ANNUAL,
                    ),
                ),
            ),
        )
    )
    sku = validation.normalized(spec).skus[0]
    assert sku.upgrades == (("P1", "0001"),)
    assert sku.availabilities[0].countries == ("KR", "US")
    assert sku.availabilities[0].terms == P1Y_ANNUAL
