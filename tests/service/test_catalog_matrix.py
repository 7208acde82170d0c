"""The offer matrix against the database: export, round trip, creation of unknown SKUs,
and a rejected file listing its problems by line with nothing written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.catalog import matrix, queries, rules, service
from opencsp.catalog.errors import OfferMatrixRejected
from opencsp.catalog.models import Availability, AvailabilityCountry, Product, Sku
from tests.factories import system
from tests.factories.catalog_specs import perpetual_spec, product_spec, sku_spec


def publish(session):
    actor = system(session)
    service.publish_product(
        session,
        actor,
        product_spec(
            skus=(
                sku_spec("0001", upgrades=(("CFQ7TTC0OTHR", "0001"),), provisioning_id="prov-1"),
                sku_spec("0002", prerequisites=(("CFQ7TTC0TEST", "0001"),)),
            )
        ),
    )
    service.publish_product(session, actor, perpetual_spec())


def test_export_is_one_quoted_row_per_license_based_sku(session):
    publish(session)
    lines = list(matrix.export_offer_matrix(session))
    assert lines[0] == rules.OFFER_MATRIX_HEADER
    assert all(line.endswith("\r\n") for line in lines)
    rows = list(csv.reader(lines[1:]))
    assert [(r[1], r[2]) for r in rows] == [("CFQ7TTC0TEST", "0001"), ("CFQ7TTC0TEST", "0002")]
    first, second = rows
    assert first[4] == "prov-1" and first[11] == "CFQ7TTC0OTHR/0001"
    assert second[10] == "CFQ7TTC0TEST/0001"
    assert first[13] == "DE;KR;US"
    assert lines[1].startswith('"Nimbus 365 Business Basic","CFQ7TTC0TEST","0001"')


def test_end_of_sale_skus_stay_in_the_matrix(session):
    publish(session)
    service.set_end_of_sale(
        session, system(session), "CFQ7TTC0TEST", "0002", datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert len(list(matrix.export_offer_matrix(session))) == 3


def test_round_trip_changes_nothing_and_creates_nothing(session):
    publish(session)
    exported = list(matrix.export_offer_matrix(session))
    summary = matrix.import_offer_matrix(session, system(session), exported)
    assert (summary.rows, summary.products_created, summary.skus_created) == (2, 0, 0)
    assert summary.skus_updated == 2
    assert list(matrix.export_offer_matrix(session)) == exported


def test_import_updates_existing_and_creates_new_skus(session):
    publish(session)
    lines = list(matrix.export_offer_matrix(session))
    row = next(csv.reader([lines[1]]))
    row[3], row[7], row[13] = "Renamed SKU", "250", "FR;US"
    new = [
        "Brand New Product",
        "CFQ7TTC0NEW1",
        "0001",
        "New SKU",
        "",
        "",
        "1",
        "50",
        "",
        "",
        "",
        "",
        "New description",
        "US;KR",
    ]
    summary = matrix.import_offer_matrix(
        session, system(session), [lines[0], *rows_to_lines([row, new])]
    )
    assert (summary.products_created, summary.skus_created, summary.skus_updated) == (1, 1, 1)
    sku = queries.get_sku(session, "CFQ7TTC0TEST", "0001")
    assert (sku.title, sku.max_quantity) == ("Renamed SKU", 250)
    created = queries.get_product(session, "CFQ7TTC0NEW1")
    assert created.product_type == "OnlineServicesNCE"
    availability_id = rules.matrix_availability_id("CFQ7TTC0NEW1", "0001")
    terms = queries.terms_of(session, availability_id)
    assert len(terms) == len(rules.STANDARD_NCE_TERMS)
    countries = session.scalars(
        select(AvailabilityCountry.country)
        .join(Availability, Availability.id == AvailabilityCountry.availability_id)
        .where(Availability.product_id == "CFQ7TTC0TEST", Availability.sku_id == "0001")
        .order_by(AvailabilityCountry.country)
    ).all()
    assert countries == ["FR", "US"]
    # the same file again creates nothing new
    again = matrix.import_offer_matrix(
        session, system(session), [lines[0], *rows_to_lines([row, new])]
    )
    assert (again.products_created, again.skus_created, again.skus_updated) == (0, 0, 2)


def rows_to_lines(rows):
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().splitlines(keepends=True)


def counts(session):
    return [
        session.scalar(select(func.count()).select_from(m))
        for m in (Product, Sku, Availability, AvailabilityCountry, AuditRecord)
    ]


def test_a_bad_file_is_rejected_whole_by_line_and_column(session):
    publish(session)
    lines = list(matrix.export_offer_matrix(session))
    good = next(csv.reader([lines[1]]))
    good[3] = "Would be renamed"
    bad_max = list(good)
    bad_max[2], bad_max[7] = "0003", "lots"
    bad_country = list(good)
    bad_country[2], bad_country[13] = "0004", "US;ZZ"
    duplicate = list(good)
    before = counts(session)
    with pytest.raises(OfferMatrixRejected) as caught:
        matrix.import_offer_matrix(
            session,
            system(session),
            [lines[0], *rows_to_lines([good, bad_max, bad_country, duplicate])],
        )
    problems = [(p["line"], p["column"]) for p in caught.value.problems]
    assert problems == [(3, "MaxLicenses"), (4, "AllowedCountries"), (5, "SkuId")]
    assert caught.value.data == caught.value.problems
    assert counts(session) == before
    assert queries.get_sku(session, "CFQ7TTC0TEST", "0001").title == "Business Basic 0001"


def test_a_wrong_header_or_a_perpetual_product_is_rejected(session):
    publish(session)
    lines = list(matrix.export_offer_matrix(session))
    with pytest.raises(OfferMatrixRejected) as caught:
        matrix.import_offer_matrix(session, system(session), [lines[0].replace('"', ""), lines[1]])
    assert caught.value.problems[0]["line"] == 1
    perpetual = next(csv.reader([lines[1]]))
    perpetual[1], perpetual[2] = "DG7GMGF0PERP", "0002"
    with pytest.raises(OfferMatrixRejected) as caught:
        matrix.import_offer_matrix(
            session, system(session), [lines[0], *rows_to_lines([perpetual])]
        )
    assert caught.value.problems == [
        {"line": 2, "column": "ProductId", "problem": "DG7GMGF0PERP is not a license-based product"}
    ]
