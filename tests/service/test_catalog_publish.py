"""Publishing products and end of sale against the database: whole inserts and
replacements, nothing written for a bad spec, one audit record per change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.catalog import browse, queries, service
from opencsp.catalog.errors import (
    AvailabilityIdTaken,
    ProductNotFound,
    SkuNotFound,
    TermNotAllowed,
    UnknownCatalogCountry,
)
from opencsp.catalog.models import Availability, AvailabilityCountry, AvailabilityTerm, Product, Sku
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.catalog.specs import TermSpec
from opencsp.core.errors import InvalidInput
from tests.conftest import NOW
from tests.factories import system
from tests.factories.catalog_specs import availability_spec, perpetual_spec, product_spec, sku_spec


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def audits(session, operation: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.operation_type == operation)
    )


def test_publish_inserts_a_whole_product(session):
    spec = product_spec(
        skus=(
            sku_spec("0001", upgrades=(("CFQ7TTC0OTHER", "0001"),)),
            sku_spec("0002", prerequisites=(("CFQ7TTC0TEST", "0001"),)),
        )
    )
    product = service.publish_product(session, system(session), spec)
    assert product.id == "CFQ7TTC0TEST" and product.created_at == NOW
    assert queries.get_sku(session, "CFQ7TTC0TEST", "0002").title == "Business Basic 0002"
    assert queries.prerequisites_of(session, "CFQ7TTC0TEST", "0002") == [("CFQ7TTC0TEST", "0001")]
    assert queries.upgrade_targets_of(session, "CFQ7TTC0TEST", "0001") == [
        ("CFQ7TTC0OTHER", "0001")
    ]
    terms = queries.terms_of(session, "AV000100000001")
    assert {(t.duration, t.billing_plan) for t in terms} == {
        ("P1M", "monthly"),
        ("P1Y", "monthly"),
        ("P1Y", "annual"),
    }
    assert audits(session, "catalog.product_published") == 1


def test_publish_replaces_what_the_spec_no_longer_lists(session):
    actor = system(session)
    service.publish_product(session, actor, product_spec(skus=(sku_spec("0001"), sku_spec("0002"))))
    queries.get_sku(session, "CFQ7TTC0TEST", "0002")  # held by the session
    service.publish_product(
        session,
        actor,
        product_spec(
            title="Renamed",
            skus=(
                sku_spec(
                    "0001",
                    title="New title",
                    availabilities=(availability_spec("AV000100000001", countries=("FR",)),),
                ),
            ),
        ),
    )
    session.expire_all()
    assert queries.get_product(session, "CFQ7TTC0TEST").title == "Renamed"
    assert queries.get_sku(session, "CFQ7TTC0TEST", "0001").title == "New title"
    with pytest.raises(SkuNotFound):
        queries.get_sku(session, "CFQ7TTC0TEST", "0002")
    countries = session.scalars(select(AvailabilityCountry.country)).all()
    assert countries == ["FR"]
    assert audits(session, "catalog.product_published") == 2


@pytest.mark.parametrize(
    "spec",
    [
        product_spec(skus=(sku_spec(availabilities=(availability_spec(countries=("US", "ZZ")),)),)),
        product_spec(
            skus=(
                sku_spec(
                    availabilities=(
                        availability_spec(
                            terms=(TermSpec(TermDuration.P1M, BillingPlan.TRIENNIAL),)
                        ),
                    )
                ),
            )
        ),
        product_spec(skus=(sku_spec(max_quantity=0),)),
    ],
)
def test_a_bad_spec_writes_nothing(session, spec):
    before = [
        count(session, m) for m in (Product, Sku, Availability, AvailabilityTerm, AuditRecord)
    ]
    with pytest.raises(InvalidInput):
        service.publish_product(session, system(session), spec)
    after = [count(session, m) for m in (Product, Sku, Availability, AvailabilityTerm, AuditRecord)]
    assert before == after
    with pytest.raises(ProductNotFound):
        queries.get_product(session, "CFQ7TTC0TEST")


def test_a_bad_replacement_keeps_the_old_product(session):
    actor = system(session)
    service.publish_product(session, actor, product_spec())
    bad = product_spec(
        title="Changed", skus=(sku_spec(availabilities=(availability_spec(countries=("ZZ",)),)),)
    )
    with pytest.raises(UnknownCatalogCountry):
        service.publish_product(session, actor, bad)
    assert queries.get_product(session, "CFQ7TTC0TEST").title == "Nimbus 365 Business Basic"
    assert count(session, Availability) == 1


def test_availability_ids_are_unique_across_the_catalog(session):
    actor = system(session)
    service.publish_product(session, actor, product_spec("CFQ7TTC0AAAA"))
    with pytest.raises(AvailabilityIdTaken):
        service.publish_product(session, actor, product_spec("CFQ7TTC0BBBB"))
    assert count(session, Product) == 1


def test_perpetual_products_publish_on_one_time_terms(session):
    service.publish_product(session, system(session), perpetual_spec())
    terms = queries.terms_of(session, "AVPERP000001")
    assert [(t.duration, t.billing_plan) for t in terms] == [("OneTime", "one_time")]
    on_nce_terms = product_spec(
        "DG7GMGF0PER2",
        product_type=ProductType.SOFTWARE_PERPETUAL,
        skus=(sku_spec(availabilities=(availability_spec("AVPERP000002"),)),),
    )
    with pytest.raises(TermNotAllowed):
        service.publish_product(session, system(session), on_nce_terms)


def test_end_of_sale_takes_the_sku_out_of_the_catalog(session):
    actor = system(session)
    service.publish_product(session, actor, product_spec())
    scope = browse.scope_for(session, "US", at=NOW)
    assert [s.sku.id for s in browse.list_skus(session, scope, "CFQ7TTC0TEST")] == ["0001"]
    at = datetime(2026, 11, 21, tzinfo=UTC)
    sku = service.set_end_of_sale(session, actor, "cfq7ttc0test", "0001", at)
    assert sku.end_of_sale == at
    with pytest.raises(ProductNotFound):
        browse.list_skus(session, scope, "CFQ7TTC0TEST")
    assert browse.list_products(session, browse.scope_for(session, "US", at=at)) != []
    service.set_end_of_sale(session, actor, "CFQ7TTC0TEST", "0001", None)
    assert len(browse.list_skus(session, scope, "CFQ7TTC0TEST")) == 1
    assert audits(session, "catalog.end_of_sale_set") == 2


def test_end_of_sale_needs_an_aware_instant_and_a_known_sku(session):
    actor = system(session)
    service.publish_product(session, actor, product_spec())
    with pytest.raises(InvalidInput):
        naive = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        service.set_end_of_sale(session, actor, "CFQ7TTC0TEST", "0001", naive)
    with pytest.raises(SkuNotFound):
        service.set_end_of_sale(session, actor, "CFQ7TTC0TEST", "0009", None)
