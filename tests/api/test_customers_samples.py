"""Customer responses compared with Partner Center's documented samples
(``reference/csp/samples/customers-*.json``): the same keys at every level, camelCase
out, absent values left out as the samples leave them out. Requests shaped like the
documented ones (PascalCase) are accepted."""

from __future__ import annotations

from typing import Any

import pytest

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories.customers import cast
from tests.factories.parties import partner, partnership
from tests.support import reference


def sample(name: str) -> Any:
    return reference.sample(name)


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (``a.b``, ``items[].c``), keys read as camelCase;
    null values count as absent (the PascalCase samples spell absence as null)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                continue
            path = f"{prefix}.{key[:1].lower()}{key[1:]}" if prefix else key[:1].lower() + key[1:]
            out.add(path)
            out |= paths(item, path)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        out |= paths(value[0], prefix + "[]")
    return out


@pytest.fixture()
def world(session):
    return cast(session)


def test_create_for_an_indirect_reseller(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    request = sample("customers-create-for-indirect-reseller.request.json")
    request["CompanyProfile"]["Domain"] = "WingtipToys678152504.onmicrosoft.com"
    request["BillingProfile"]["Email"] = "Gena@wingtiptoys.example"
    request["AssociatedPartnerId"] = str(reseller.org.id)
    r = client.post("/v1/customers", headers=provider.headers, json=request)
    assert r.status_code == 201, r.text
    body = r.json()
    assert paths(body) == paths(sample("customers-create-for-indirect-reseller.response.json"))
    assert body["companyProfile"]["companyName"] == "Wingtip Toys678152504"
    assert body["billingProfile"]["culture"] == "en-US"  # the request said EN-US
    assert body["relationshipToPartner"] == "reseller"


def test_get_by_id(client, world):
    body = client.get(f"/v1/customers/{world.a.id}", headers=world.direct.headers).json()
    assert paths(body) == paths(sample("customers-get-by-id.response.json"))


def test_company_profile(client, world):
    body = client.get(
        f"/v1/customers/{world.a.id}/profiles/company", headers=world.direct.headers
    ).json()
    assert paths(body) == paths(sample("customers-company-profile-get.response.json"))
    assert body["attributes"] == {"objectType": "CustomerCompanyProfile"}


def test_billing_profile_get_and_update(client, world):
    url = f"/v1/customers/{world.a.id}/profiles/billing"
    got = client.get(url, headers=world.direct.headers).json()
    assert paths(got) == paths(sample("customers-billing-profile-get.response.json"))
    request = sample("customers-billing-profile-update.request.json")
    request["Email"] = "email@sample.example"
    request["Attributes"]["Etag"] = got["attributes"]["etag"]
    r = client.put(url, headers=world.direct.headers, json=request)
    assert r.status_code == 200, r.text
    assert paths(r.json()) == paths(sample("customers-billing-profile-update.response.json"))
    assert r.json()["defaultAddress"]["addressLine1"] == "One Microsoft Way"


def test_filter_by_company_name(client, world):
    flt = '{"Field":"CompanyName","Value":"bra","Operator":"starts_with"}'
    body = client.get(
        "/v1/customers", params={"size": 0, "filter": flt}, headers=world.provider.headers
    ).json()
    assert body["totalCount"] == 1
    assert paths(body) == paths(sample("customers-filter-by-company-name.response.json"))


def test_relationship_request(client, world):
    body = client.get("/v1/customers/relationshiprequests", headers=world.direct.headers).json()
    assert paths(body) == paths(sample("customers-relationship-request-get.response.json"))
    assert f"partnerId={world.direct.org.id}" in body["url"]


def test_remove_reseller_relationship(client, world):
    request = sample("customers-remove-reseller-relationship.request.json")
    r = client.patch(f"/v1/customers/{world.a.id}", headers=world.direct.headers, json=request)
    assert r.status_code == 200
    assert paths(r.json()) == paths(sample("customers-remove-reseller-relationship.response.json"))


def test_indirect_resellers_of_a_customer(client, world):
    body = client.get(
        f"/v1/customers/{world.c.id}/relationships", headers=world.provider.headers
    ).json()
    documented = paths(sample("customers-relationships-list.response.json"))
    assert documented <= paths(body)
    assert paths(body) - documented <= {"links"}  # the collection's own (empty) links
