"""The customer family of the API after creation (PC:developer/customer-resources.md):
listing with filters and continuation, profiles with the billing ETag, removing the
relationship, relationship requests, domains and address validation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.customers.models import Customer, CustomerRelationship
from opencsp.customers.rules import billing_etag
from tests.factories.customers import cast, create_body, valid_address
from tests.factories.parties import customer, partner, partnership

ERROR_KEYS = {"code", "description", "data", "source"}


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def refused(response, status: int, code: int | str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code, body
    return body


# --- reading --------------------------------------------------------------------------------


def test_list_filters_and_paging(client, session):
    p = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, p.org, reseller.org)
    for name in ("Contoso", "contoso east", "Fabrikam", "Northwind", "Contoso West"):
        customer(session, p.org, name=name, reseller=reseller.org if name == "Fabrikam" else None)

    def ids(query: str, headers=p.headers) -> list[str]:
        r = client.get(f"/v1/customers?{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [i["companyProfile"]["companyName"] for i in r.json()["items"]]

    def flt(field: str, value: str, operator: str = "starts_with") -> str:
        import json
        from urllib.parse import quote

        return "filter=" + quote(json.dumps({"Field": field, "Value": value, "Operator": operator}))

    assert ids("size=0") == ["Contoso", "contoso east", "Contoso West", "Fabrikam", "Northwind"]
    assert ids(f"size=0&{flt('CompanyName', 'CONTOSO')}") == [
        "Contoso",
        "contoso east",
        "Contoso West",
    ]
    assert ids(f"size=0&{flt('CompanyName', 'contoso w')}") == ["Contoso West"]
    assert ids(f"size=0&{flt('CompanyName', '%')}") == []
    assert ids(f"size=0&{flt('Domain', 'CUSTOMER')}") == ids("size=0")
    assert ids(f"size=0&{flt('IndirectReseller', str(reseller.org.id))}") == ["Fabrikam"]
    assert ids(
        f"size=0&{flt('IndirectCloudSolutionProvider', str(p.org.id))}", reseller.headers
    ) == ["Fabrikam"]
    refused(
        client.get(f"/v1/customers?{flt('CompanyName', 'x', 'equals')}", headers=p.headers),
        400,
        "InvalidFilter",
    )
    refused(
        client.get(f"/v1/customers?{flt('Country', 'US')}", headers=p.headers), 400, "InvalidFilter"
    )
    refused(client.get("/v1/customers?size=-1", headers=p.headers), 400, "InvalidPageSize")
    refused(client.get("/v1/customers?size=1001", headers=p.headers), 400, "InvalidPageSize")

    first = client.get("/v1/customers?size=2", headers=p.headers).json()
    assert first["totalCount"] == 5
    assert [i["companyProfile"]["companyName"] for i in first["items"]] == [
        "Contoso",
        "contoso east",
    ]
    seen = [i["id"] for i in first["items"]]
    link = first["links"]["next"]
    while link:
        token = link["headers"][0]
        assert token["key"] == "MS-ContinuationToken"
        assert "seekOperation=Next" in link["uri"]
        page = client.get(
            f"/v1{link['uri']}", headers={**p.headers, token["key"]: token["value"]}
        ).json()
        seen += [i["id"] for i in page["items"]]
        link = page["links"].get("next")
    assert len(seen) == len(set(seen)) == 5


def test_the_provider_sees_which_reseller_a_customer_belongs_to(client, session):
    c = cast(session)
    items = client.get("/v1/customers?size=0", headers=c.provider.headers).json()["items"]
    associated = {i["id"]: i.get("associatedPartnerId") for i in items}
    assert associated == {str(c.b.id): None, str(c.c.id): str(c.reseller.org.id)}
    detail = client.get(f"/v1/customers/{c.c.id}", headers=c.provider.headers).json()
    assert detail["associatedPartnerId"] == str(c.reseller.org.id)
    mine = client.get(f"/v1/customers/{c.c.id}", headers=c.reseller.headers).json()
    assert "associatedPartnerId" not in mine
    vendor = client.get(f"/v1/customers/{c.c.id}", headers=c.vendor.headers).json()
    assert vendor["relationshipToPartner"] == "none"


def test_indirect_resellers_of_a_customer(client, session):
    c = cast(session)
    body = client.get(f"/v1/customers/{c.c.id}/relationships", headers=c.provider.headers).json()
    assert body["totalCount"] == 1
    item = body["items"][0]
    assert item["id"] == str(c.reseller.org.id)
    assert item["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    assert item["mpnId"].isdigit()
    empty = client.get(f"/v1/customers/{c.a.id}/relationships", headers=c.direct.headers).json()
    assert empty["totalCount"] == 0


# --- billing profile ------------------------------------------------------------------------


def billing_update(country: str = "US", **address) -> dict:
    return {
        "FirstName": "Tania",
        "LastName": "Carr",
        "Email": "tania@wingtiptoys.example",
        "Culture": "en-US",
        "Language": "en",
        "CompanyName": "Wingtip Toys Billing",
        "DefaultAddress": valid_address(country, **address),
    }


def test_billing_profile_update_with_its_etag(client, session):
    p = partner(session)
    cust = customer(session, p.org)
    url = f"/v1/customers/{cust.id}/profiles/billing"
    etag = client.get(url, headers=p.headers).json()["attributes"]["etag"]
    r = client.put(url, headers={**p.headers, "If-Match": f'"{etag}"'}, json=billing_update())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["email"] == "tania@wingtiptoys.example"
    assert body["firstName"] == "Tania"
    new_etag = body["attributes"]["etag"]
    assert new_etag != etag
    assert client.get(url, headers=p.headers).json()["attributes"]["etag"] == new_etag
    # the old ETag is stale now: 2055, nothing changes
    stale = client.put(
        url, headers={**p.headers, "If-Match": etag}, json=billing_update(city="Seattle")
    )
    refused(stale, 400, 2055)
    assert client.get(url, headers=p.headers).json()["defaultAddress"]["city"] == "Redmond"
    # the documented request carries the ETag in attributes.etag
    in_body = {
        **billing_update(city="Seattle", postalCode="98101"),
        "Attributes": {"Etag": new_etag},
    }
    assert client.put(url, headers=p.headers, json=in_body).status_code == 200
    assert (
        count(session, AuditRecord, AuditRecord.operation_type == "update_customer_billing_profile")
        == 2
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (billing_update("DE"), "CountryChangeNotAllowed"),
        (billing_update(postalCode="x"), "InvalidAddress"),
        ({**billing_update(), "Email": "x@microsoft.com"}, "EmailDomainNotAllowed"),
        ({**billing_update(), "CompanyName": "inc"}, "InvalidCompanyName"),
    ],
)
def test_billing_profile_refusals_change_nothing(client, session, body, code):
    p = partner(session)
    cust = customer(session, p.org)
    url = f"/v1/customers/{cust.id}/profiles/billing"
    etag = billing_etag(cust.id, cust.billing_version)
    refused(client.put(url, headers={**p.headers, "If-Match": etag}, json=body), 400, code)
    session.refresh(cust)
    assert cust.billing_version == 1
    assert (
        count(session, AuditRecord, AuditRecord.operation_type == "update_customer_billing_profile")
        == 0
    )


def test_billing_profile_update_needs_an_etag(client, session):
    p = partner(session)
    cust = customer(session, p.org)
    url = f"/v1/customers/{cust.id}/profiles/billing"
    refused(client.put(url, headers=p.headers, json=billing_update()), 400, "EtagRequired")


def test_a_registration_country_keeps_requiring_a_phone(client, session):
    p = partner(session, country="IN")
    cust = customer(session, p.org, country="IN")
    url = f"/v1/customers/{cust.id}/profiles/billing"
    body = billing_update("IN", phoneNumber=None)
    refused(client.put(url, headers={**p.headers, "If-Match": "*"}, json=body), 400, 600051)


# --- removing the relationship ----------------------------------------------------------------


def test_a_direct_bill_partner_removes_its_relationship(client, session):
    p = partner(session)
    cust = customer(session, p.org)
    r = client.patch(
        f"/v1/customers/{cust.id}",
        headers=p.headers,
        json={"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}}
    assert client.get(f"/v1/customers/{cust.id}", headers=p.headers).status_code == 404
    assert client.get("/v1/customers?size=0", headers=p.headers).json()["totalCount"] == 0
    row = session.scalar(
        select(CustomerRelationship).where(CustomerRelationship.customer_id == cust.id)
    )
    assert row is not None and row.state == "ended" and row.ended_at is not None
    assert (
        count(
            session,
            AuditRecord,
            AuditRecord.operation_type == "remove_partner_customer_relationship",
        )
        == 1
    )
    # the customer still exists for the vendor
    assert session.get(Customer, cust.id) is not None


def test_a_provider_removing_its_relationship_ends_its_resellers_too(client, session):
    c = cast(session)
    r = client.patch(
        f"/v1/customers/{c.c.id}/",
        headers=c.provider.headers,
        json={"RelationshipToPartner": "None"},
    )
    assert r.status_code == 200
    for who in (c.provider, c.reseller):
        assert client.get(f"/v1/customers/{c.c.id}", headers=who.headers).status_code == 404
    ended = count(
        session, AuditRecord, AuditRecord.operation_type == "remove_partner_customer_relationship"
    )
    assert ended == 2


@pytest.mark.parametrize("value", ["reseller", "advisor", None])
def test_only_none_can_be_set(client, session, value):
    p = partner(session)
    cust = customer(session, p.org)
    refused(
        client.patch(
            f"/v1/customers/{cust.id}", headers=p.headers, json={"relationshipToPartner": value}
        ),
        400,
        "UnsupportedCustomerUpdate",
    )
    assert client.get(f"/v1/customers/{cust.id}", headers=p.headers).status_code == 200


def test_only_a_global_admin_removes_a_relationship(client, session):
    p = partner(session, roles=(Role.ADMIN_AGENT,))
    cust = customer(session, p.org)
    refused(
        client.patch(
            f"/v1/customers/{cust.id}", headers=p.headers, json={"relationshipToPartner": "none"}
        ),
        403,
        900150,
    )


# --- domains and addresses -----------------------------------------------------------------


def test_domain_availability(client, session):
    p = partner(session)
    customer(session, p.org)
    taken = session.scalar(select(Customer.domain))
    assert client.head(f"/v1/domains/{taken}", headers=p.headers).status_code == 200
    assert client.head(f"/v1/domains/{taken.upper()}", headers=p.headers).status_code == 200
    assert client.head("/v1/domains/nobody-has-this", headers=p.headers).status_code == 404
    assert client.head("/v1/domains/nobody.onmicrosoft.com", headers=p.headers).status_code == 404
    own = f"p{p.org.id.hex[:10]}.partners.example"
    assert client.head(f"/v1/domains/{own}", headers=p.headers).status_code == 200
    created = client.post("/v1/customers", headers=p.headers, json=create_body(domain="fresh"))
    assert created.status_code == 201
    assert client.head("/v1/domains/fresh.onmicrosoft.com", headers=p.headers).status_code == 200


def test_address_validation(client, session):
    p = partner(session)
    ok = client.post(
        "/v1/validations/address",
        headers=p.headers,
        json={
            "AddressLine1": "1 Microsoft Way",
            "City": "Redmond",
            "State": "wa",
            "PostalCode": "98052",
            "Country": "US",
        },
    )
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"originalAddress", "suggestedAddresses", "status"}
    assert body["status"] == "VerifiedShippable"
    assert body["suggestedAddresses"][0]["state"] == "WA"
    partial = client.post(
        "/v1/validations/address",
        headers=p.headers,
        json={"City": "Redmond", "State": "WA", "PostalCode": "98052", "Country": "US"},
    ).json()
    assert partial["status"] == "StreetPartial"
    assert partial["suggestedAddresses"] == []
    assert partial["validationMessage"] == "Address field invalid for property: 'AddressLine1'"
    nowhere = client.post(
        "/v1/validations/address", headers=p.headers, json={"AddressLine1": "x", "Country": "RU"}
    ).json()
    assert nowhere["status"] == "NotValidated"


# --- relationship requests -------------------------------------------------------------------


def test_relationship_request_links(client, session):
    c = cast(session)
    direct = client.get("/v1/customers/relationshiprequests", headers=c.direct.headers)
    assert direct.status_code == 200
    assert direct.json()["url"].startswith("http://testserver/customer/relationship?partnerId=")
    assert direct.json()["attributes"] == {"objectType": "RelationshipRequest"}
    url = f"/v1/customers/relationshiprequests?indirectCSP={c.provider.org.id}"
    reseller = client.get(url, headers=c.reseller.headers).json()["url"]
    assert f"indirectCSP={c.provider.org.id}" in reseller and "msppId=" in reseller
    refused(
        client.get("/v1/customers/relationshiprequests", headers=c.reseller.headers),
        400,
        "IndirectProviderRequired",
    )
    refused(client.get(url, headers=c.other_reseller.headers), 404, 1000)
    refused(client.get(url, headers=c.direct.headers), 400, "IndirectProviderNotExpected")
    refused(client.get("/v1/customers/relationshiprequests", headers=c.vendor.headers), 403, 900150)
