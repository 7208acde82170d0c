"""The catalog API by its documented shapes (samples ``customers-skus-list-nce``,
``availabilities-get-nce``, ``customers-products-list-azure``), its filters (country, end
of sale, segment), its errors, the customer-scoped variants and the vendor's routes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opencsp.auth.rules import Role
from opencsp.catalog import rules, service
from opencsp.catalog.rules import Segment
from opencsp.core.actor import Tier
from opencsp.customers.models import CustomerQualification
from tests.factories import member, system
from tests.factories.catalog_specs import availability_spec, product_spec, sku_spec
from tests.factories.parties import customer, partner, partnership
from tests.support import reference

PID = "CFQ7TTC0TEST"


def sample(name: str) -> dict:
    data: dict = reference.sample(name)
    return data


@pytest.fixture()
def catalog(session):
    actor = system(session)
    service.publish_product(
        session,
        actor,
        product_spec(
            PID,
            publisher="opencsp Vendor",
            skus=(
                sku_spec("0001", upgrades=((PID, "0002"),), provisioning_id="prov-1"),
                sku_spec(
                    "0002",
                    prerequisites=((PID, "0001"),),
                    attestation_required=True,
                    availabilities=(
                        availability_spec("AVEDU0000001", segment=Segment.EDUCATION),
                        availability_spec("AVCOM0000002", countries=("KR",)),
                    ),
                ),
                sku_spec(
                    "0003",
                    end_of_sale=datetime(2026, 11, 1, tzinfo=UTC),
                    availabilities=(availability_spec("AVEOS0000003"),),
                ),
            ),
        ),
    )
    service.publish_product(
        session,
        actor,
        product_spec(
            "CFQ7TTC0FRAN",
            publisher="Someone Else",
            skus=(
                sku_spec(
                    "0001", availabilities=(availability_spec("AVFR00000001", countries=("FR",)),)
                ),
            ),
        ),
    )
    session.commit()


@pytest.fixture()
def headers(session):
    m = member(session)
    session.commit()
    return m.headers


def test_products_list_for_a_country(client, headers, catalog):
    r = client.get("/v1/products?country=US&targetView=OnlineServices", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= set(sample("customers-products-list-azure.response.json"))
    assert body["attributes"] == {"objectType": "Collection"}
    assert [p["id"] for p in body["items"]] == [PID]
    product = body["items"][0]
    assert set(product) == {
        "id",
        "title",
        "description",
        "productType",
        "isMicrosoftProduct",
        "publisherName",
        "links",
        "attributes",
    }
    assert product["productType"] == {"id": "OnlineServicesNCE", "displayName": "OnlineServices"}
    assert product["isMicrosoftProduct"] is True
    assert product["links"]["skus"]["uri"] == f"/products/{PID}/skus?country=US"
    assert product["attributes"] == {"objectType": "Product"}
    france = client.get("/v1/products?country=fr&targetView=onlineservices", headers=headers)
    assert [p["id"] for p in france.json()["items"]] == ["CFQ7TTC0FRAN"]
    assert france.json()["items"][0]["isMicrosoftProduct"] is False
    software = client.get("/v1/products?country=US&targetView=Software", headers=headers)
    assert software.json()["totalCount"] == 0


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/v1/products?targetView=OnlineServices", 400, "MissingParameter"),
        ("/v1/products?country=US", 400, "MissingParameter"),
        ("/v1/products?country=US&targetView=Nothing", 400, "InvalidTargetView"),
        (
            "/v1/products?country=US&targetView=OnlineServices&targetSegment=x",
            400,
            "InvalidSegment",
        ),
        (f"/v1/products/{PID}", 400, "MissingParameter"),
        ("/v1/products/NOPE?country=US", 404, 400013),
        ("/v1/products/CFQ7TTC0FRAN?country=US", 404, 400013),
        (f"/v1/products/{PID}/skus/0009?country=US", 404, 400018),
        (f"/v1/products/{PID}/skus/0003?country=US", 404, 400018),
        (f"/v1/products/{PID}/skus/0001/availabilities/NOPE?country=US", 404, 400019),
        (f"/v1/products/{PID}/skus/0002/availabilities/AVCOM0000002?country=US", 404, 400019),
    ],
)
def test_errors(client, headers, catalog, url, status, code):
    r = client.get(url, headers=headers)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"code", "description", "data", "source"}
    assert r.json()["code"] == code


def test_skus_match_the_sample_and_leave_at_end_of_sale(client, headers, catalog):
    r = client.get(f"/v1/products/{PID}/skus?country=US", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    reference = sample("customers-skus-list-nce.response.json")
    assert set(body) >= set(reference)
    assert [s["id"] for s in body["items"]] == ["0001", "0002"]  # 0003 is past end of sale
    first, second = body["items"]
    expected = reference["items"][0]
    assert set(first) >= set(expected) - {"inventoryVariables", "provisioningVariables"}
    assert set(first["dynamicAttributes"]) >= {
        "isMicrosoftProduct",
        "hasConstraints",
        "isAddon",
        "prerequisiteSkus",
        "upgradeTargetOffers",
        "provisioningId",
    }
    assert set(first["links"]) == set(expected["links"])
    assert first["supportedBillingCycles"] == ["annual", "monthly"]
    assert first["dynamicAttributes"]["upgradeTargetOffers"] == [f"{PID}:0002"]
    assert first["dynamicAttributes"]["isAddon"] is False
    assert "attestationProperties" not in first
    assert second["dynamicAttributes"]["isAddon"] is True
    assert second["dynamicAttributes"]["prerequisiteSkus"] == [f"{PID}:0001"]
    assert second["attestationProperties"]["enforceAttestation"] is True
    one = client.get(f"/v1/products/{PID}/skus/0001?country=US", headers=headers).json()
    assert (
        one["id"] == "0001"
        and one["links"]["self"]["uri"] == f"/products/{PID}/skus/0001?country=US"
    )
    edu = client.get(f"/v1/products/{PID}/skus?country=US&targetSegment=education", headers=headers)
    assert [s["id"] for s in edu.json()["items"]] == ["0002"]


def test_availability_matches_the_sample(client, headers, catalog, session):
    url = f"/v1/products/{PID}/skus/0001/availabilities/AV000100000001?country=KR"
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    reference = sample("availabilities-get-nce.response.json")
    assert set(body) - {"attributes"} == set(reference)
    assert body["catalogItemId"] == f"{PID}:0001:AV000100000001"
    assert body["defaultCurrency"] == {"code": "KRW", "symbol": "₩"}
    assert (body["segment"], body["country"]) == ("commercial", "KR")
    term = body["terms"][0]
    assert set(term) == set(reference["terms"][0])
    assert [(t["duration"], t["billingCycle"]) for t in body["terms"]] == [
        ("P1M", "Monthly"),
        ("P1Y", "Annual"),
        ("P1Y", "Monthly"),
    ]
    refund = term["cancellationPolicies"][0]["refundOptions"][0]
    assert refund == {"sequenceId": 0, "type": "Partial", "expiresAfter": "P7D"}
    ids = [t["id"] for t in body["terms"]]
    assert body["renewalInstructions"][0]["applicableTermIds"] == ids
    assert body["renewalInstructions"][0]["renewalOptions"] == [
        {"renewToId": f"{PID}:0001", "isAutoRenewable": True}
    ]
    assert ids[1] == rules.term_id(
        "AV000100000001", rules.TermDuration.P1Y, rules.BillingPlan.ANNUAL
    )
    assert body["product"]["id"] == PID and body["sku"]["id"] == "0001"
    listed = client.get(f"/v1/products/{PID}/skus/0001/availabilities?country=DE", headers=headers)
    assert listed.json()["items"][0]["defaultCurrency"]["code"] == "EUR"


def test_customer_scoped_catalog(client, session, catalog):
    seller = partner(session, Tier.DIRECT_BILL)
    korean = customer(session, seller.org, country="KR")
    stranger = partner(session, Tier.DIRECT_BILL)
    session.commit()
    base = f"/v1/customers/{korean.id}/products"
    r = client.get(f"{base}?targetView=OnlineServices", headers=seller.headers)
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["items"]] == [PID]
    skus = client.post(f"{base}/{PID}/skus", headers=seller.headers)
    assert skus.status_code == 200, skus.text
    # KR commercial: 0001 and 0002 (its education availability is not the default segment)
    assert [s["id"] for s in skus.json()["items"]] == ["0001", "0002"]
    av = client.get(f"{base}/{PID}/skus/0002/availabilities", headers=seller.headers).json()
    assert [a["id"] for a in av["items"]] == ["AVCOM0000002"]
    edu_path = f"{base}/{PID}/skus/0002/availabilities?targetSegment=education"
    # the education segment shows only to a qualified customer (rules.md §9a; issue 7)
    assert client.get(edu_path, headers=seller.headers).status_code == 404
    session.add(
        CustomerQualification(
            customer_id=korean.id,
            qualification="Education",
            education_segment="K12",
            vetting_status="Approved",
            vetting_created_date=datetime(2024, 1, 1, tzinfo=UTC),
        )
    )
    session.commit()
    edu = client.get(edu_path, headers=seller.headers).json()
    assert [a["id"] for a in edu["items"]] == ["AVEDU0000001"]
    hidden = client.get(f"{base}?targetView=OnlineServices", headers=stranger.headers)
    assert hidden.status_code == 404
    missing = client.get(base, headers=seller.headers)
    assert missing.status_code == 400 and missing.json()["code"] == "MissingParameter"


def test_a_reseller_reads_its_customers_catalog(client, session, catalog):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.ADMIN_AGENT,))
    partnership(session, provider.org, reseller.org)
    theirs = customer(session, provider.org, reseller=reseller.org)
    session.commit()
    r = client.get(
        f"/v1/customers/{theirs.id}/products?targetView=OnlineServices", headers=reseller.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["totalCount"] == 1


def test_vendor_routes_need_the_catalog_manager(client, session, catalog, headers):
    manager = member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,))
    session.commit()
    body = {
        "title": "Nimbus Defender",
        "publisherName": "opencsp Vendor",
        "productType": "OnlineServicesNCE",
        "skus": [
            {
                "id": "0001",
                "title": "Defender",
                "minimumQuantity": 1,
                "maximumQuantity": 10,
                "availabilities": [
                    {
                        "id": "AVDEF0000001",
                        "terms": [{"duration": "P1Y", "billingPlan": "annual"}],
                        "countries": ["US"],
                    }
                ],
            }
        ],
    }
    denied = client.put("/v1/program/products/CFQ7TTC0DEFN", json=body, headers=headers)
    assert denied.status_code == 403
    r = client.put("/v1/program/products/CFQ7TTC0DEFN", json=body, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "CFQ7TTC0DEFN" and r.json()["isMicrosoftProduct"] is True
    listed = client.get("/v1/products?country=US&targetView=OnlineServices", headers=headers)
    assert "CFQ7TTC0DEFN" in [p["id"] for p in listed.json()["items"]]
    body["skus"][0]["maximumQuantity"] = 0
    bad = client.put("/v1/program/products/CFQ7TTC0DEFN", json=body, headers=manager.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "InvalidQuantityRange"
    eos = client.put(
        "/v1/program/products/CFQ7TTC0DEFN/skus/0001/endofsale",
        json={"endOfSaleDate": "2026-11-01T00:00:00Z"},
        headers=manager.headers,
    )
    assert eos.status_code == 200, eos.text
    gone = client.get("/v1/products/CFQ7TTC0DEFN?country=US", headers=headers)
    assert gone.status_code == 404 and gone.json()["code"] == 400013


def test_offer_matrix_download_and_upload(client, session, catalog, headers):
    manager = member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,))
    session.commit()
    assert client.get("/v1/program/offermatrix", headers=headers).status_code == 403
    bad_month = client.get("/v1/program/offermatrix?month=2026-11", headers=manager.headers)
    assert bad_month.status_code == 400
    r = client.get("/v1/program/offermatrix?month=202611", headers=manager.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == "attachment; filename=updatedoffice.csv"
    assert r.content.startswith(rules.OFFER_MATRIX_HEADER.encode())
    up = client.put(
        "/v1/program/offermatrix",
        files={"file": ("updatedoffice.csv", r.content, "text/csv")},
        headers=manager.headers,
    )
    assert up.status_code == 200, up.text
    assert up.json()["skusUpdated"] == 4 and up.json()["skusCreated"] == 0
    broken = r.content.replace(b'"300"', b'"many"', 1)
    rejected = client.put(
        "/v1/program/offermatrix",
        files={"file": ("updatedoffice.csv", broken, "text/csv")},
        headers=manager.headers,
    )
    assert rejected.status_code == 400
    assert rejected.json()["code"] == "OfferMatrixRejected"
    assert rejected.json()["data"][0]["line"] == 2
