"""``/v1/program/pricelists``: the lists and their statuses per caller, the change report,
and running the activation job (vendor only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog, member, organization
from tests.factories.catalog import Row

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
FIRST = datetime(2026, 12, 1, tzinfo=UTC)
ERROR_KEYS = {"code", "description", "data", "source"}


@pytest.fixture()
def lists(session):
    offer = catalog.offer(session, title="Nimbus 365 Business")
    other = catalog.offer(session, title="Nimbus Visio")
    catalog.price_list(session, "united-states", NOV, [Row(offer, "120"), Row(other, "60")])
    catalog.price_list(
        session,
        "united-states",
        DEC,
        [Row(offer, "132", start=FIRST, erp_price="165")],
        status=ListStatus.PREVIEW,
    )
    catalog.price_list(session, "europe", NOV, [Row(offer, "110", currency="EUR")])
    return offer, other


def headers_of(session, tier=Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,), country="US"):
    org = organization(session, tier, country=country) if tier is not Tier.VENDOR else None
    m = member(session, org, tier=tier, roles=roles)
    session.commit()
    return m.headers


def test_the_vendor_lists_every_list(client, session, lists) -> None:
    headers = headers_of(session, Tier.VENDOR, (Role.CATALOG_MANAGER,))
    r = client.get("/v1/program/pricelists", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["attributes"]["objectType"] == "Collection"
    assert body["totalCount"] == 3
    first = body["items"][0]
    assert set(first) >= {
        "id",
        "market",
        "month",
        "status",
        "rowCount",
        "importedAt",
        "activatedAt",
        "sourceName",
        "attributes",
    }
    assert (first["market"], first["month"], first["status"], first["rowCount"]) == (
        "united-states",
        "2026-12",
        "preview",
        1,
    )
    assert first["attributes"]["objectType"] == "PriceList"
    assert first["activatedAt"] is None
    by_market = client.get("/v1/program/pricelists?market=DE", headers=headers).json()
    assert [(i["market"], i["month"]) for i in by_market["items"]] == [("europe", "2026-11")]


def test_a_partner_lists_its_region_only(client, session, lists) -> None:
    headers = headers_of(session)
    body = client.get("/v1/program/pricelists", headers=headers).json()
    assert {i["market"] for i in body["items"]} == {"united-states"}
    elsewhere = client.get("/v1/program/pricelists?market=europe", headers=headers).json()
    assert elsewhere["totalCount"] == 0


def test_resellers_are_refused(client, session, lists) -> None:
    headers = headers_of(session, Tier.INDIRECT_RESELLER, (Role.GLOBAL_ADMIN,))
    for path in ("/v1/program/pricelists", "/v1/program/pricelists/changes?market=US"):
        r = client.get(path, headers=headers)
        assert r.status_code == 403
        assert r.json()["code"] == 900150


def test_an_unknown_market_is_404(client, session, lists) -> None:
    r = client.get(
        "/v1/program/pricelists?market=atlantis",
        headers=headers_of(session, Tier.VENDOR, (Role.PROGRAM_ADMIN,)),
    )
    assert r.status_code == 404
    assert set(r.json()) == ERROR_KEYS


def test_the_change_report(client, session, lists) -> None:
    offer, other = lists
    headers = headers_of(session)
    r = client.get("/v1/program/pricelists/changes?market=US", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["attributes"]["objectType"] == "PriceListChangeReport"
    assert (body["market"], body["fromMonth"], body["toMonth"]) == (
        "united-states",
        "2026-11",
        "2026-12",
    )
    assert body["new"] == [] and body["endOfSale"] == []
    (changed,) = body["changed"]
    assert changed["productId"] == offer.product.id
    assert changed["productTitle"] == "Nimbus 365 Business"
    assert (changed["oldUnitPrice"], changed["newUnitPrice"]) == ("120", "132")
    assert (changed["oldErpPrice"], changed["newErpPrice"]) == (None, "165")
    assert changed["newEffectiveStartDate"].startswith("2026-12-01T00:00:00")
    assert [row["productId"] for row in body["removed"]] == [other.product.id]
    explicit = client.get(
        "/v1/program/pricelists/changes?market=united-states&from=202611&to=2026-12",
        headers=headers,
    )
    assert explicit.json()["changed"] == body["changed"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("market=US&from=2026-13", 400, "InvalidMonth"),
        ("market=US&from=2026-12&to=2026-11", 400, "InvalidMonthRange"),
        ("market=US&from=2026-10", 404, "PriceListNotFound"),
        ("market=KR", 404, "PriceListNotFound"),
    ],
)
def test_change_report_errors(client, session, lists, query, status, code) -> None:
    r = client.get(f"/v1/program/pricelists/changes?{query}", headers=headers_of(session))
    assert r.status_code == status
    assert r.json()["code"] == code
    assert set(r.json()) == ERROR_KEYS


def test_another_regions_report_is_not_found(client, session, lists) -> None:
    r = client.get(
        "/v1/program/pricelists/changes?market=US", headers=headers_of(session, country="KR")
    )
    assert r.status_code == 404


@pytest.mark.parametrize("role", [Role.CATALOG_MANAGER, Role.PROGRAM_ADMIN])
def test_the_vendor_activates_on_the_first(client, session, lists, role) -> None:
    headers = headers_of(session, Tier.VENDOR, (role,))
    early = client.post("/v1/program/pricelists/activate", headers=headers)
    assert early.status_code == 200, early.text
    assert early.json()["changes"] == []
    clock.set_test_clock(session, FIRST)
    session.commit()
    r = client.post("/v1/program/pricelists/activate", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["attributes"]["objectType"] == "PriceListActivation"
    assert (body["activated"], body["retired"]) == (1, 1)
    assert {(c["market"], c["month"], c["oldStatus"], c["newStatus"]) for c in body["changes"]} == {
        ("united-states", "2026-11", "current", "history"),
        ("united-states", "2026-12", "preview", "current"),
    }
    listed = client.get("/v1/program/pricelists?market=US", headers=headers).json()["items"]
    assert [(i["month"], i["status"]) for i in listed] == [
        ("2026-12", "current"),
        ("2026-11", "history"),
    ]
    assert listed[0]["activatedAt"].startswith("2026-12-01T00:00:00")
    again = client.post("/v1/program/pricelists/activate", headers=headers)
    assert again.json()["changes"] == []


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.DIRECT_BILL, (Role.GLOBAL_ADMIN,)),
        (Tier.VENDOR, (Role.BILLING_OPERATOR,)),
    ],
)
def test_only_catalog_managers_and_program_admins_activate(client, session, lists, tier, roles):
    r = client.post("/v1/program/pricelists/activate", headers=headers_of(session, tier, roles))
    assert r.status_code == 403
    assert r.json()["code"] == 900150
