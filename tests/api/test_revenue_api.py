"""Revenue reporting and analytics over the API: TTM figures and their drill-down (JSON
and CSV), breakdowns, the analytics shapes (samples analytics-subscriptions,
analytics-indirectresellers) with their supported query subset and its 400s, and
visibility: a partner never sees another's figures (404)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import Member, billing, member, organization
from tests.factories.revenue import RevenueScene, fx, revenue_scene, settle
from tests.support import reference

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture()
def rs(session: Session) -> RevenueScene:
    scene = revenue_scene(session)
    fx(session, MAY, "EUR", "1.0837")
    billing.charge(session, scene.indirect, MAY, each="10.00")  # 100
    billing.charge(session, scene.perpetual, MAY, each="250.00", charge_type="new")  # 500
    billing.charge(
        session, scene.indirect, MAY, each="1", billing_currency="EUR", billed_each="3.33"
    )  # 33.30 EUR
    settle(session, MAY)
    billing.charge(session, scene.direct, JUNE, each="5.00")  # 20, never paid
    billing.issue(session, JUNE)
    return scene


@pytest.fixture()
def operator(session: Session) -> Member:
    vendor = organization(session, Tier.VENDOR)
    return member(session, vendor, roles=(Role.BILLING_OPERATOR,))


def get(client: TestClient, who: Member, path: str, status: int = 200) -> Any:
    response = client.get(path, headers=who.headers)
    assert response.status_code == status, response.text
    return response.json() if "json" in response.headers.get("content-type", "") else response


def test_a_partner_reads_its_own_ttm(client: TestClient, rs: RevenueScene) -> None:
    body = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm")
    assert body["totalCount"] == 1
    (item,) = body["items"]
    expected_direct = Decimal("100") + Decimal("33.30") * Decimal("1.0837")  # 136.08721
    assert item["partnerId"] == str(rs.s.reseller.org.id)
    assert (item["firstMonth"], item["lastMonth"]) == ("2025-11", "2026-10")
    assert Decimal(item["directBillRevenue"]) == Decimal("136.09") == round(expected_direct, 2)
    assert Decimal(item["resellerFloorRevenue"]) == Decimal("636.09")
    assert Decimal(item["directBillThreshold"]) == 300000
    assert Decimal(item["resellerFloorThreshold"]) == 1000
    assert item["meetsResellerFloor"] is False and item["meetsDirectBillRevenue"] is False
    assert item["attributes"]["objectType"] == "PartnerRevenueTtm"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/reporting/revenue/ttm?partnerId={other}",
        "/v1/reporting/revenue/ttm/directBill/lines?partnerId={other}",
        "/v1/reporting/revenue/ttm/billed/lines.csv?partnerId={other}",
        "/v1/reporting/revenue?by=product&partnerId={other}",
    ],
)
def test_another_partners_figures_are_404(client: TestClient, rs: RevenueScene, path: str) -> None:
    body = get(client, rs.s.direct, path.format(other=rs.s.reseller.org.id), status=404)
    assert body["code"] == "PartnerRevenueNotFound"


def test_the_vendor_reads_any_partner_and_all(
    client: TestClient, rs: RevenueScene, operator: Member
) -> None:
    every = get(client, operator, "/v1/reporting/revenue/ttm")
    by_id = {i["partnerId"]: i for i in every["items"]}
    assert Decimal(by_id[str(rs.s.provider.org.id)]["billedRevenue"]) == Decimal("636.09")
    assert Decimal(by_id[str(rs.s.direct.org.id)]["billedRevenue"]) == 0  # June unpaid
    one = get(client, operator, f"/v1/reporting/revenue/ttm?partnerId={rs.s.reseller.org.id}")
    assert one["items"] == [by_id[str(rs.s.reseller.org.id)]]
    vendor_id = operator.org.id
    missing = get(client, operator, f"/v1/reporting/revenue/ttm?partnerId={vendor_id}", 404)
    assert missing["code"] == "PartnerRevenueNotFound"


def test_as_of_moves_the_window(client: TestClient, rs: RevenueScene) -> None:
    body = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm?asOf=2027-06-01")
    assert Decimal(body["items"][0]["directBillRevenue"]) == 0  # May 2026 is 13 months back
    bad = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm?asOf=tomorrow", 400)
    assert bad["code"] == "InvalidAsOf"


def test_drill_down_json_and_csv_add_up(client: TestClient, rs: RevenueScene) -> None:
    body = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm/resellerFloor/lines")
    assert body["totalCount"] == 3 and Decimal(body["figure"]) == Decimal("636.09")
    assert sum(Decimal(i["usd"]) for i in body["items"]) == Decimal("636.09")
    eur = next(i for i in body["items"] if i["currencyCode"] == "EUR")
    assert Decimal(eur["usdPerUnit"]) == Decimal("1.0837")
    assert Decimal(eur["usdExact"]) == Decimal("36.08721")
    assert eur["invoiceNumber"].startswith("G") and eur["period"] == "2026-05"
    response = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm/resellerFloor/lines.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and sum(Decimal(r["USD"]) for r in rows) == Decimal("636.09")
    unknown = get(client, rs.s.reseller, "/v1/reporting/revenue/ttm/gross/lines", 400)
    assert unknown["code"] == "InvalidMeasure"


def test_a_vendor_drill_down_names_the_partner(
    client: TestClient, rs: RevenueScene, operator: Member
) -> None:
    nobody = get(client, operator, "/v1/reporting/revenue/ttm/billed/lines", 404)
    assert nobody["code"] == "PartnerRevenueNotFound"
    path = f"/v1/reporting/revenue/ttm/billed/lines?partnerId={rs.s.provider.org.id}"
    assert Decimal(get(client, operator, path)["figure"]) == Decimal("636.09")


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("by=month", [("2026-05", "636.09")]),
        ("by=month&paidOnly=false", [("2026-05", "636.09")]),
        ("by=market", [("united-states", "636.09")]),
    ],
)
def test_breakdowns(client: TestClient, rs: RevenueScene, query: str, keys: Any) -> None:
    body = get(client, rs.s.provider, f"/v1/reporting/revenue?{query}")
    assert [(i["key"], i["usd"]) for i in body["items"]] == keys


def test_breakdown_by_product_and_reseller_for_the_vendor(
    client: TestClient, rs: RevenueScene, operator: Member
) -> None:
    unpaid = get(client, operator, "/v1/reporting/revenue?by=reseller&paidOnly=false")
    by_key = {i["key"]: i for i in unpaid["items"]}
    assert by_key[str(rs.s.reseller.org.id)]["label"] == rs.s.reseller.org.name
    assert Decimal(by_key[""]["usd"]) == Decimal("20.00")  # the direct partner's June
    products = get(client, operator, "/v1/reporting/revenue?by=product")
    assert [i["key"] for i in products["items"]] == [
        rs.s.perpetual.product.id,
        rs.s.offer.product.id,
    ]
    bad = get(client, operator, "/v1/reporting/revenue?by=colour", 400)
    assert bad["code"] == "InvalidBreakdown"
    empty = get(client, operator, "/v1/reporting/revenue?from=2026-06&to=2026-05", 400)
    assert empty["code"] == "InvalidMonthRange"


def _sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = reference.sample(name)
    return data


def test_subscription_analytics_shape(client: TestClient, rs: RevenueScene) -> None:
    body = get(client, rs.s.provider, "/partner/v1/analytics/subscriptions")
    assert body["totalCount"] == 3 and body["@nextLink"] is None
    item = body["value"][0]
    sample = _sample("analytics-subscriptions.response.json")
    assert set(sample) - {"churnRisk"} <= set(item)
    assert item["status"] == "ACTIVE" and item["licenseCount"] in (10, 2, 1)
    assert item["partnerId"] == str(rs.s.reseller.org.id)
    assert item["providerName"] == rs.s.provider.org.name
    direct = get(client, rs.s.direct, "/partner/v1/analytics/subscriptions")
    assert [i["id"] for i in direct["value"]] == [str(rs.direct.id)]
    assert direct["value"][0]["providerName"] is None


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("filter=autoRenewEnabled eq true", 3),
        ("filter=autoRenewEnabled eq false", 0),
        ("filter=autoRenewEnabled eq true and customerMarket eq 'US'", 3),
        ("filter=subscriptionType eq 'SoftwarePerpetual'", 1),
        ("filter=subscriptionType eq 'SoftwarePerpetual' or id eq '{software}'", 2),
        ("filter=status ne 'ACTIVE'", 0),
        ("filter=contains(customerName,'')", 3),
        ("filter=creationDate ge '2026-11-21'", 3),
        ("filter=creationDate gt '2026-11-21'", 0),
        ("top=2", 3),
    ],
)
def test_subscription_analytics_filters(
    client: TestClient, rs: RevenueScene, query: str, count: int
) -> None:
    path = f"/partner/v1/analytics/subscriptions?{query.format(software=rs.software.id)}"
    body = get(client, rs.s.provider, path)
    assert body["totalCount"] == count
    if query == "top=2":
        assert len(body["value"]) == 2 and "skip=2" in body["@nextLink"]


def test_subscription_analytics_group_by(client: TestClient, rs: RevenueScene) -> None:
    body = get(
        client, rs.s.provider, "/partner/v1/analytics/subscriptions?groupby=subscriptionType"
    )
    counts = {
        i["subscriptionType"]: (i["subscriptionCount"], i["licenseCount"]) for i in body["value"]
    }
    assert counts == {
        "OnlineServicesNCE": (1, 10),
        "SoftwarePerpetual": (1, 2),
        "SoftwareSubscriptions": (1, 1),
    }


@pytest.mark.parametrize(
    "query",
    [
        "filter=lastUsageDate eq '2026-01-01'",
        "filter=customerName eq 'x'",
        "filter=(status eq 'ACTIVE')",
        "filter=status eq 'ACTIVE' and",
        "filter=autoRenewEnabled eq 'yes'",
        "filter=id eq 'not-a-guid'",
        "groupby=creationDate",
        "groupby=subscriptionType&aggregationLevel=month",
        "top=0",
        "top=10001",
        "skip=-1",
    ],
)
def test_unsupported_analytics_queries_are_400(
    client: TestClient, rs: RevenueScene, query: str
) -> None:
    body = get(client, rs.s.provider, f"/partner/v1/analytics/subscriptions?{query}", 400)
    assert body["code"] == "UnsupportedAnalyticsQuery" and body["description"]


def test_indirect_reseller_analytics_shape(
    client: TestClient, rs: RevenueScene, operator: Member
) -> None:
    body = get(client, rs.s.provider, "/partner/v1/analytics/indirectresellers")
    (item,) = body["value"]
    assert set(_sample("analytics-indirectresellers.response.json")) <= set(item)
    assert item["partnerTenantId"] == str(rs.s.reseller.org.id)
    assert item["id"] == rs.s.reseller_mpn_id
    assert (item["subscriptionCount"], item["licenseCount"]) == (3, 13)
    assert item["firstSubscriptionSuspendedDate"] == "0001-01-01T00:00:00"
    assert get(client, rs.s.direct, "/partner/v1/analytics/indirectresellers")["value"] == []
    everyone = get(client, operator, "/partner/v1/analytics/indirectresellers")
    assert [i["partnerTenantId"] for i in everyone["value"]] == [str(rs.s.reseller.org.id)]


def test_revenue_needs_billing_read(client: TestClient, session: Session, rs: RevenueScene) -> None:
    helpdesk = member(session, rs.s.direct.org, roles=(Role.USER_MANAGEMENT_ADMIN,))
    body = get(client, helpdesk, "/v1/reporting/revenue/ttm", 403)
    assert body["code"] == 900150
