"""Who sees which customer, on every customer endpoint (PC:developer/customer-resources.md,
DESIGN §5): a direct-bill partner its customers, a provider its own and its resellers',
a reseller those it is associated with, the vendor all; anyone else gets 404, never 403.

Writes are declared by permission first: the vendor's Program admin holds no customer
write permission and indirect resellers are denied them by tier, so both get 403 (900150)
on billing PUT and PATCH whatever the customer; a partner allowed to write gets 404 on
a customer it cannot see."""

from __future__ import annotations

import pytest

from opencsp.customers.rules import billing_etag
from tests.factories.customers import cast, valid_address

ACTORS = ("vendor", "direct", "provider", "reseller", "other_reseller", "other_direct")
CUSTOMERS = ("a", "b", "c")

# actor -> the customers it sees
SEES = {
    "vendor": {"a", "b", "c"},
    "direct": {"a"},
    "provider": {"b", "c"},
    "reseller": {"c"},
    "other_reseller": set(),
    "other_direct": set(),
}
# actors refused a write by permission (403) before any customer is looked up
WRITE_FORBIDDEN = {"vendor", "reseller", "other_reseller"}

READS = ("", "/profiles/company", "/profiles/billing", "/relationships")


@pytest.fixture()
def world(session):
    return cast(session)


@pytest.mark.parametrize("who", ACTORS)
def test_reads(client, world, who):
    """The list, get by ID, company and billing profiles, indirect resellers."""
    headers = world.actor(who).headers
    r = client.get("/v1/customers?size=0", headers=headers)
    assert r.status_code == 200
    seen = {item["id"] for item in r.json()["items"]}
    assert seen == {str(getattr(world, name).id) for name in SEES[who]}
    assert r.json()["totalCount"] == len(seen)
    for name in CUSTOMERS:
        target = getattr(world, name)
        for suffix in READS:
            r = client.get(f"/v1/customers/{target.id}{suffix}", headers=headers)
            expected = 200 if name in SEES[who] else 404
            assert r.status_code == expected, (who, name, suffix, r.text)
            if expected == 404:
                assert r.json()["code"] == 1000


@pytest.mark.parametrize("who", ACTORS)
def test_billing_update(client, world, who):
    body = {
        "email": "new@wingtiptoys.example",
        "culture": "en-US",
        "language": "en",
        "companyName": "New Billing Name",
        "defaultAddress": valid_address("US"),
    }
    for name in CUSTOMERS:
        target = getattr(world, name)
        headers = {**world.actor(who).headers, "If-Match": billing_etag(target.id, 1)}
        r = client.put(f"/v1/customers/{target.id}/profiles/billing", headers=headers, json=body)
        if who in WRITE_FORBIDDEN:
            assert (r.status_code, r.json()["code"]) == (403, 900150), name
        else:
            assert r.status_code == (200 if name in SEES[who] else 404), (name, r.text)


@pytest.mark.parametrize("who", ACTORS)
def test_remove_relationship(client, world, who):
    for name in CUSTOMERS:
        target = getattr(world, name)
        r = client.patch(
            f"/v1/customers/{target.id}",
            headers=world.actor(who).headers,
            json={"relationshipToPartner": "none"},
        )
        if who in WRITE_FORBIDDEN:
            assert (r.status_code, r.json()["code"]) == (403, 900150), name
        else:
            assert r.status_code == (200 if name in SEES[who] else 404), (name, r.text)


@pytest.mark.parametrize("who", ("direct", "provider", "other_direct"))
def test_filters_stay_inside_visibility(client, world, who):
    """Filtering by another partner's reseller or provider reveals nothing."""
    import json
    from urllib.parse import quote

    for field, tenant in (
        ("IndirectReseller", world.reseller.org.id),
        ("IndirectCloudSolutionProvider", world.provider.org.id),
    ):
        flt = quote(json.dumps({"Field": field, "Value": str(tenant), "Operator": "starts_with"}))
        items = client.get(f"/v1/customers?size=0&filter={flt}", headers=world.actor(who).headers)
        seen = {i["id"] for i in items.json()["items"]}
        assert seen <= {str(getattr(world, n).id) for n in SEES[who]}
