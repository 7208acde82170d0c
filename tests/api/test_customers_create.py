"""Creating customers through the API (PC:developer/create-a-customer.md,
create-a-customer-for-an-indirect-reseller.md): every documented validation and error
code, nothing half-written on a refusal, idempotent replay."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.crypto import verify_password
from opencsp.customers.models import Customer, CustomerRelationship
from tests.factories import member, organization
from tests.factories.customers import create_body, valid_address
from tests.factories.parties import partner, partnership

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


# --- creating -------------------------------------------------------------------------------


def test_a_direct_bill_partner_creates_a_customer(client, session):
    p = partner(session, Tier.DIRECT_BILL)
    r = client.post("/v1/customers", headers=p.headers, json=create_body(domain="wingtip"))
    assert r.status_code == 201, r.text
    body = r.json()
    cid = uuid.UUID(body["id"])
    assert body["commerceId"] == body["id"] == body["companyProfile"]["tenantId"]
    assert body["companyProfile"]["domain"] == "wingtip.onopencsp.example"
    assert body["relationshipToPartner"] == "reseller"
    assert body["allowDelegatedAccess"] is True
    assert body["billingProfile"]["culture"] == "en-US"
    assert body["billingProfile"]["language"] == "En"
    assert body["billingProfile"]["attributes"]["etag"]
    assert "associatedPartnerId" not in body and "warnings" not in body
    credentials = body["userCredentials"]
    assert credentials["userName"] == "admin@wingtip.onopencsp.example"
    assert len(credentials["password"]) >= 20
    row = session.get(Customer, cid)
    assert row is not None and row.country == "US"
    assert credentials["password"] not in row.admin_password_hash
    assert verify_password(row.admin_password_hash, credentials["password"])
    rels = session.scalars(
        select(CustomerRelationship).where(CustomerRelationship.customer_id == cid)
    ).all()
    assert [(r.partner_id, r.role, r.source, r.state) for r in rels] == [
        (p.org.id, "direct", "created", "active")
    ]
    audits = session.scalars(select(AuditRecord).where(AuditRecord.customer_id == cid)).all()
    assert [(a.operation_type, a.resource_type, a.partner_id, a.customer_name) for a in audits] == [
        ("add_customer", "customer", p.org.id, row.company_name)
    ]
    assert credentials["password"] not in (audits[0].resource_new_value or "")


def test_a_provider_creates_a_customer_for_its_reseller(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    body = create_body(associated=reseller.org.id, pascal=True)  # as the documented sample
    r = client.post("/v1/customers", headers=provider.headers, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["associatedPartnerId"] == str(reseller.org.id)
    cid = uuid.UUID(r.json()["id"])
    rels = {
        (x.partner_id, x.role, x.provider_id)
        for x in session.scalars(
            select(CustomerRelationship).where(CustomerRelationship.customer_id == cid)
        )
    }
    assert rels == {
        (provider.org.id, "provider", None),
        (reseller.org.id, "reseller", provider.org.id),
    }
    assert client.get(f"/v1/customers/{cid}", headers=reseller.headers).status_code == 200
    for org in (provider.org.id, reseller.org.id):
        assert (
            count(
                session, AuditRecord, AuditRecord.customer_id == cid, AuditRecord.partner_id == org
            )
            == 1
        )


def test_a_provider_without_associated_partner_gets_its_own_customer(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    r = client.post("/v1/customers", headers=provider.headers, json=create_body())
    assert r.status_code == 201
    cid = uuid.UUID(r.json()["id"])
    roles = session.scalars(
        select(CustomerRelationship.role).where(CustomerRelationship.customer_id == cid)
    ).all()
    assert roles == ["provider"]


def test_name_warnings_are_returned_not_refused(client, session):
    p = partner(session)
    r = client.post("/v1/customers", headers=p.headers, json=create_body(name="Contosooo.com"))
    assert r.status_code == 201
    assert [w["code"] for w in r.json()["warnings"]] == ["TopLevelDomain", "RepeatedCharacter"]


def test_a_korean_customer_of_a_korean_partner(client, session):
    p = partner(session, country="KR")
    r = client.post(
        "/v1/customers",
        headers=p.headers,
        json=create_body("KR", name="한빛 소프트", address=valid_address("KR", state="Seoul")),
    )
    assert r.status_code == 201, r.text
    assert r.json()["billingProfile"]["defaultAddress"]["state"] == "서울특별시"


def test_a_registration_country_keeps_its_number(client, session):
    p = partner(session, country="IN")
    r = client.post(
        "/v1/customers", headers=p.headers, json=create_body("IN", registration="ACUPA7085R")
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    company = client.get(f"/v1/customers/{cid}/profiles/company", headers=p.headers).json()
    assert company["organizationRegistrationNumber"] == "ACUPA7085R"


def _in_body(**kw):
    return create_body("IN", **kw)


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: create_body(registration="12345678"), 400, 600002),
        (_in_body, 400, 600049),
        (lambda: _in_body(registration="ACUPA7085"), 400, 600050),
        (
            lambda: _in_body(
                registration="ACUPA7085R", address=valid_address("IN", phoneNumber=None)
            ),
            400,
            600051,
        ),
        (lambda: create_body("DE"), 403, 2030),
        (lambda: create_body(name="llc"), 400, "InvalidCompanyName"),
        (lambda: create_body(name="A"), 400, "InvalidCompanyName"),
        (lambda: create_body(name="!!!"), 400, "InvalidCompanyName"),
        (lambda: create_body(name=" \t "), 400, "InvalidCompanyName"),
        (lambda: create_body(email="pat@microsoft.com"), 400, "EmailDomainNotAllowed"),
        (lambda: create_body(email="not-an-email"), 400, "InvalidEmail"),
        (lambda: create_body(domain="bad_domain!"), 400, "InvalidDomain"),
        (lambda: create_body(address=valid_address(postalCode="1")), 400, "InvalidAddress"),
        (lambda: create_body(address=valid_address(country="RU")), 403, 2030),
    ],
)
def test_refusals_carry_the_documented_code_and_write_nothing(client, session, make, status, code):
    p = partner(session)
    before = count(session, Customer), count(session, AuditRecord)
    body = refused(client.post("/v1/customers", headers=p.headers, json=make()), status, code)
    assert body["description"]
    assert (count(session, Customer), count(session, AuditRecord)) == before
    assert count(session, CustomerRelationship) == 0


def test_the_registration_format_is_named_in_600050(client, session):
    p = partner(session)
    body = refused(
        client.post("/v1/customers", headers=p.headers, json=_in_body(registration="12")),
        400,
        600050,
    )
    assert "[A-Z]{5}" in body["description"]


def test_an_invalid_address_lists_its_fields(client, session):
    p = partner(session)
    address = valid_address(postalCode="1", addressLine1=None)
    body = refused(
        client.post("/v1/customers", headers=p.headers, json=create_body(address=address)),
        400,
        "InvalidAddress",
    )
    fields = {d["field"] for d in body["data"]}
    assert fields == {
        "billingProfile.defaultAddress.addressLine1",
        "billingProfile.defaultAddress.postalCode",
    }
    assert "postalCode" in body["description"]


def test_the_partners_own_domain_is_refused(client, session):
    p = partner(session)
    profile_domain = f"p{p.org.id.hex[:10]}.partners.example"
    body = create_body(email=f"someone@{profile_domain}")
    refused(
        client.post("/v1/customers", headers=p.headers, json=body), 400, "EmailDomainNotAllowed"
    )


def test_the_resellers_own_domain_is_refused_too(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    body = create_body(
        associated=reseller.org.id, email=f"x@p{reseller.org.id.hex[:10]}.partners.example"
    )
    refused(
        client.post("/v1/customers", headers=provider.headers, json=body),
        400,
        "EmailDomainNotAllowed",
    )


def test_a_taken_domain_is_a_conflict(client, session):
    p = partner(session)
    assert (
        client.post(
            "/v1/customers", headers=p.headers, json=create_body(domain="taken")
        ).status_code
        == 201
    )
    body = refused(
        client.post(
            "/v1/customers", headers=p.headers, json=create_body(domain="Taken.onmicrosoft.com")
        ),
        409,
        "DomainTaken",
    )
    assert "taken.onopencsp.example" in body["description"]
    assert count(session, Customer) == 1


def test_resellers_cannot_create_customers(client, session):
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    refused(client.post("/v1/customers", headers=reseller.headers, json=create_body()), 403, 900150)
    assert count(session, Customer) == 0


def test_the_vendor_does_not_create_customers(client, session):
    vendor = member(session, organization(session, Tier.VENDOR), roles=(Role.PROGRAM_ADMIN,))
    refused(client.post("/v1/customers", headers=vendor.headers, json=create_body()), 403, 900150)


def test_a_partner_without_an_active_enrollment_is_refused(client, session):
    legacy = member(session)  # an organization with no enrollment row
    refused(client.post("/v1/customers", headers=legacy.headers, json=create_body()), 403, 800039)
    pending = partner(session)
    from opencsp.partners import queries as partners

    enrollment = partners.enrollment_of(session, pending.org.id)
    assert enrollment is not None
    enrollment.state = "verifying"
    session.flush()
    refused(client.post("/v1/customers", headers=pending.headers, json=create_body()), 403, 800039)


def test_a_helpdesk_agent_cannot_create(client, session):
    p = partner(session, roles=(Role.HELPDESK_AGENT,))
    refused(client.post("/v1/customers", headers=p.headers, json=create_body()), 403, 900150)


def test_associated_partner_needs_an_active_partnership(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    stranger = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    for target in (stranger.org.id, uuid.uuid4(), provider.org.id):
        body = refused(
            client.post(
                "/v1/customers", headers=provider.headers, json=create_body(associated=target)
            ),
            404,
            1000,
        )
        assert str(target) in body["description"]
    ended = partnership(session, provider.org, stranger.org)
    ended.state = "ended"
    session.flush()
    refused(
        client.post(
            "/v1/customers", headers=provider.headers, json=create_body(associated=stranger.org.id)
        ),
        404,
        1000,
    )
    assert count(session, Customer) == 0


def test_only_a_provider_sets_associated_partner(client, session):
    direct = partner(session)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    body = create_body(associated=reseller.org.id)
    refused(client.post("/v1/customers", headers=direct.headers, json=body), 403, 900150)


def test_an_inactive_reseller_is_refused(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    from opencsp.partners import queries as partners

    enrollment = partners.enrollment_of(session, reseller.org.id)
    assert enrollment is not None
    enrollment.state = "rejected"
    session.flush()
    body = create_body(associated=reseller.org.id)
    refused(client.post("/v1/customers", headers=provider.headers, json=body), 403, 800039)


def test_replaying_a_creation_returns_the_same_credentials_and_creates_one(client, session):
    p = partner(session)
    headers = {**p.headers, "MS-RequestId": str(uuid.uuid4())}
    body = create_body()
    first = client.post("/v1/customers", headers=headers, json=body)
    second = client.post("/v1/customers", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert second.headers["x-idempotent-replay"] == "true"
    assert first.json() == second.json()
    assert (
        first.json()["userCredentials"]["password"] == second.json()["userCredentials"]["password"]
    )
    assert count(session, Customer) == 1
    assert count(session, AuditRecord, AuditRecord.operation_type == "add_customer") == 1
