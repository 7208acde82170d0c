"""``GET /v1/auditrecords``: the Partner Center shape, the 30-day default window, the
90-day retention, filters, visibility and continuation paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opencsp import audit
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from tests.conftest import NOW
from tests.factories import member

SAMPLE_KEYS = {
    "id",
    "partnerId",
    "customerId",
    "customerName",
    "userPrincipalName",
    "applicationId",
    "resourceType",
    "resourceOldValue",
    "resourceNewValue",
    "operationType",
    "originalCorrelationId",
    "operationDate",
    "operationStatus",
    "customizedData",
    "attributes",
}


def _records(session, actor, n, *, days_ago=0, resource_type="order", customer_name=None):
    with clock.frozen(NOW - timedelta(days=days_ago)):
        for i in range(n):
            audit.record(
                session,
                actor,
                "create_order",
                resource_type,
                resource_id=i,
                customer_name=customer_name,
                data={"Quantity-0": i},
            )
    session.flush()


def test_shape_and_default_window(client, session):
    m = member(session)
    _records(session, m.actor, 2, days_ago=1)
    _records(session, m.actor, 1, days_ago=40)  # outside the 30-day default window
    body = client.get("/v1/auditrecords", headers=m.headers).json()
    orders = [i for i in body["items"] if i["resourceType"] == "order"]
    assert len(orders) == 2
    assert set(orders[0]) == SAMPLE_KEYS
    assert orders[0]["attributes"]["objectType"] == "AuditRecord"
    assert {"key": "Quantity-0", "value": "0"} in [
        kv for item in orders for kv in item["customizedData"]
    ]


def test_explicit_window_reaches_back_to_90_days_and_no_further(client, session):
    m = member(session)
    _records(session, m.actor, 1, days_ago=60)
    start = (NOW - timedelta(days=89)).date().isoformat()
    r = client.get(f"/v1/auditrecords?startDate={start}", headers=m.headers)
    assert [i["resourceType"] for i in r.json()["items"]].count("order") == 1
    too_old = (NOW - timedelta(days=91)).date().isoformat()
    r = client.get(f"/v1/auditrecords?startDate={too_old}", headers=m.headers)
    assert r.status_code == 400
    assert "90 days" in r.json()["description"]


def test_end_before_start_is_400(client, session):
    m = member(session)
    r = client.get("/v1/auditrecords?startDate=2026-11-10&endDate=2026-11-01", headers=m.headers)
    assert r.status_code == 400


def test_partners_see_only_their_own_records_and_the_vendor_sees_all(client, session):
    a = member(session)
    b = member(session, tier=Tier.INDIRECT_PROVIDER)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    _records(session, a.actor, 1, resource_type="subscription")
    _records(session, b.actor, 1, resource_type="invoice")
    seen_a = {
        i["resourceType"] for i in client.get("/v1/auditrecords", headers=a.headers).json()["items"]
    }
    assert "subscription" in seen_a and "invoice" not in seen_a
    seen_v = {
        i["resourceType"]
        for i in client.get("/v1/auditrecords?size=2000", headers=vendor.headers).json()["items"]
    }
    assert {"subscription", "invoice"} <= seen_v


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ('{"Field":"ResourceType","Value":"Invoice","Operator":"equals"}', 1),
        ('{"field":"companyname","value":"ontos","operator":"substring"}', 2),
    ],
)
def test_filters(client, session, flt, expected):
    m = member(session)
    _records(session, m.actor, 2, resource_type="order", customer_name="Contoso Ltd")
    _records(session, m.actor, 1, resource_type="invoice")
    r = client.get("/v1/auditrecords", params={"filter": flt}, headers=m.headers)
    assert r.status_code == 200, r.text
    assert r.json()["totalCount"] == expected


@pytest.mark.parametrize(
    "flt",
    [
        "not json",
        '{"Field":"Nope","Value":"x","Operator":"equals"}',
        '{"Field":"CustomerId","Value":"not-a-guid","Operator":"equals"}',
    ],
)
def test_bad_filters_are_400(client, session, flt):
    m = member(session)
    assert (
        client.get("/v1/auditrecords", params={"filter": flt}, headers=m.headers).status_code == 400
    )


def test_continuation_paging_walks_every_record_once(client, session):
    m = member(session)
    _records(session, m.actor, 7)
    seen: list[str] = []
    r = client.get("/v1/auditrecords?size=3", headers=m.headers)
    total = r.json()["totalCount"]
    while True:
        body = r.json()
        seen += [i["id"] for i in body["items"]]
        nxt = body["links"].get("next")
        if not nxt:
            assert body["continuationToken"] is None
            break
        header = nxt["headers"][0]
        assert header["key"] == "MS-ContinuationToken"
        assert "seekOperation=Next" in nxt["uri"]
        assert body["continuationToken"] == header["value"]
        r = client.get(f"/v1{nxt['uri']}", headers={**m.headers, header["key"]: header["value"]})
    assert len(seen) == len(set(seen)) == total >= 7


def test_bad_continuation_token_is_400(client, session):
    m = member(session)
    r = client.get("/v1/auditrecords", headers={**m.headers, "MS-ContinuationToken": "%%%"})
    assert r.status_code == 400


def test_page_size_bounds(client, session):
    m = member(session)
    assert client.get("/v1/auditrecords?size=0", headers=m.headers).status_code == 400
    assert client.get("/v1/auditrecords?size=2001", headers=m.headers).status_code == 400
