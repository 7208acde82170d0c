"""The agreements API by its documented shapes (reference/csp/samples): metadata,
template documents, confirming and listing a customer's acceptance, the partner-agreement
status API with every documented error, the partner's signatures and the vendor's
template publishing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from opencsp.agreements import customer_acceptance
from opencsp.agreements.models import CustomerAgreement
from opencsp.agreements.rules import Contact
from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories.agreements import CUSTOMER, PARTNER, program_admin, publish
from tests.factories.parties import customer, partner, partnership
from tests.support import reference

ERROR_KEYS = {"code", "description", "data", "source"}


def sample(name: str) -> Any:
    return reference.sample(name)


def same_shape(ours: Any, theirs: Any, path: str = "$") -> None:
    """Every key of the sample is in ours with a value of the same JSON type (ours may
    have more: ``attributes`` and opencsp's additions)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        for key, value in theirs.items():
            assert key in ours, f"{path}.{key} missing"
            same_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        for item in ours:
            same_shape(item, theirs[0], f"{path}[]") if theirs else None
    elif theirs is None:
        return
    else:
        kinds = (
            (int, float)
            if isinstance(theirs, int | float) and not isinstance(theirs, bool)
            else type(theirs)
        )
        assert isinstance(ours, kinds), f"{path}: {ours!r} is not like {theirs!r}"


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture()
def direct(session):
    return partner(session, Tier.DIRECT_BILL, roles=(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT))


def create_body(template_id: Any, **changes: Any) -> dict[str, Any]:
    body = sample("customers-agreements-create.request.json") | {"templateId": str(template_id)}
    return body | changes


# --- metadata and documents ---------------------------------------------------------------------


def test_agreement_metadata_has_the_samples_shape(client, session, direct):
    template = publish(session, link="https://agreements.example/mca")
    publish(session, PARTNER)
    session.commit()
    r = client.get(
        "/v1/agreements?agreementType=MicrosoftCustomerAgreement", headers=direct.headers
    )
    assert r.status_code == 200
    body = r.json()
    same_shape(body, sample("agreements-metadata-list.response.json"))
    assert body["totalCount"] == 1
    assert body["items"][0] == body["items"][0] | {
        "templateId": str(template.id),
        "agreementType": "MicrosoftCustomerAgreement",
        "agreementLink": "https://agreements.example/mca",
        "versionRank": 0,
    }
    assert body["links"]["self"]["uri"] == "/agreements?agreementType=MicrosoftCustomerAgreement"
    every = client.get("/v1/agreements?agreementType=*", headers=direct.headers).json()
    assert {i["agreementType"] for i in every["items"]} == {
        "MicrosoftCustomerAgreement",
        "MicrosoftPartnerAgreement",
    }
    default = client.get("/v1/agreements", headers=direct.headers).json()
    assert [i["templateId"] for i in default["items"]] == [str(template.id)]
    legacy = client.get(
        "/v1/agreements?agreementType=MicrosoftCloudAgreement", headers=direct.headers
    )
    assert legacy.json()["totalCount"] == 0
    bad = client.get("/v1/agreements?agreementType=Nope", headers=direct.headers)
    assert bad.status_code == 400
    assert set(bad.json()) == ERROR_KEYS


def test_a_template_document_has_the_samples_shape_and_its_links_work(client, session, direct):
    template = publish(session, region="united-states", ko_title="고객 계약서")
    session.commit()
    r = client.get(
        f"/v1/agreementtemplates/{template.id}/document?language=ko-KR&country=US",
        headers=direct.headers,
    )
    assert r.status_code == 200
    body = r.json()
    same_shape(body, sample("agreementtemplates-document-get.response.json"))
    assert (body["language"], body["country"], body["versionRank"]) == ("ko-KR", "US", 0)
    page = client.get(body["displayUri"])  # public: no sign-in needed to read it
    assert page.status_code == 200
    assert "고객 계약서" in page.text
    download = client.get(body["downloadUri"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert download.text.startswith("# 고객 계약서")
    assert "attachment" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/agreementtemplates/{id}/document?country=KR", 400),
        ("/v1/agreementtemplates/not-a-guid/document", 404),
        ("/v1/agreementtemplates/{other}/document", 404),
    ],
)
def test_document_errors(client, session, direct, path, status):
    template = publish(session, region="united-states")
    session.commit()
    r = client.get(path.format(id=template.id, other=uuid.uuid4()), headers=direct.headers)
    assert r.status_code == status
    assert set(r.json()) == ERROR_KEYS


# --- the customer's acceptance --------------------------------------------------------------------


def test_confirming_with_the_samples_body_answers_the_samples_response(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    r = client.post(
        f"/v1/customers/{buyer.id}/agreements",
        headers=direct.headers,
        json=create_body(template.id),
    )
    assert r.status_code == 201
    body = r.json()
    expected = sample("customers-agreements-create.response.json")
    same_shape(body, expected)
    for key in ("primaryContact", "dateAgreed", "type"):
        assert body[key] == expected[key]
    assert body["userId"] == str(direct.user.id)
    assert body["templateId"] == str(template.id)


def test_pascal_case_bodies_and_date_only_values_are_read(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    body = {
        "PrimaryContact": {"FirstName": "Tania", "LastName": "Carr", "Email": "t@example.com"},
        "TemplateId": str(template.id),
        "DateAgreed": "2026-11-21",
    }
    r = client.post(f"/v1/customers/{buyer.id}/agreements", headers=direct.headers, json=body)
    assert r.status_code == 201, r.json()
    assert r.json()["dateAgreed"] == "2026-11-21T00:00:00.000Z"
    assert r.json()["primaryContact"]["phoneNumber"] is None


def test_listing_has_the_samples_shape_with_both_methods(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    client.post(
        f"/v1/customers/{buyer.id}/agreements",
        headers=direct.headers,
        json=create_body(template.id),
    )
    customer_acceptance.accept_as_customer(
        session,
        buyer,
        template_id=template.id,
        contact=Contact("Minji", "Kim", "minji@example.kr", "+82 2 555 0101"),
        consent=True,
    )
    session.commit()
    for query in ("?agreementType=MicrosoftCustomerAgreement", "", "?agreementType=*"):
        r = client.get(f"/v1/customers/{buyer.id}/agreements{query}", headers=direct.headers)
        assert r.status_code == 200
        body = r.json()
        same_shape(body, sample("customers-agreements-list-mca.response.json"))
        assert body["totalCount"] == 2
        assert [i["userId"] for i in body["items"]] == [str(direct.user.id), None]
    legacy = client.get(
        f"/v1/customers/{buyer.id}/agreements?agreementType=MicrosoftCloudAgreement",
        headers=direct.headers,
    )
    assert legacy.json()["totalCount"] == 0
    status = client.get(
        f"/v1/customers/{buyer.id}/directSignedMicrosoftCustomerAgreementStatus",
        headers=direct.headers,
    )
    assert status.json() == status.json() | {"isSigned": True}


def test_direct_signed_status_is_false_after_a_partner_confirmation_only(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    client.post(
        f"/v1/customers/{buyer.id}/agreements",
        headers=direct.headers,
        json=create_body(template.id),
    )
    r = client.get(
        f"/v1/customers/{buyer.id}/directSignedMicrosoftCustomerAgreementStatus",
        headers=direct.headers,
    )
    assert r.status_code == 200
    assert r.json()["isSigned"] is False


def test_a_duplicate_confirmation_is_600061_in_the_standard_error_shape(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    url = f"/v1/customers/{buyer.id}/agreements"
    assert (
        client.post(url, headers=direct.headers, json=create_body(template.id)).status_code == 201
    )
    r = client.post(url, headers=direct.headers, json=create_body(template.id))
    assert r.status_code == 409
    body = r.json()
    assert set(body) == ERROR_KEYS
    documented = sample("customers-agreements-create-error-already-exists.response.json")
    assert (body["code"], body["description"]) == (documented["code"], documented["description"])
    korean = client.post(
        url, headers={**direct.headers, "X-Locale": "ko-KR"}, json=create_body(template.id)
    )
    assert korean.json()["description"] == "이 고객에 대해 파트너가 확인한 계약이 이미 있습니다."
    assert count(session, CustomerAgreement) == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"dateAgreed": "2026-11-21T09:30:01Z"}, "DateAgreedInFuture"),
        ({"dateAgreed": "2027-01-01"}, "DateAgreedInFuture"),
        ({"dateAgreed": "not a date"}, "InvalidDateAgreed"),
        ({"type": "MicrosoftCloudAgreement"}, "InvalidAgreementType"),
        ({"templateId": "00000000-0000-0000-0000-000000000001"}, "InvalidTemplateId"),
        (
            {"primaryContact": {"firstName": "", "lastName": "Carr", "email": "a@b.co"}},
            "InvalidFirstName",
        ),
        (
            {"primaryContact": {"firstName": "T", "lastName": "C", "email": "nope"}},
            "InvalidSignerEmail",
        ),
        ({"templateId": "nope"}, 800002),
    ],
)
def test_bad_confirmations_are_400_and_write_nothing(client, session, direct, change, code):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    r = client.post(
        f"/v1/customers/{buyer.id}/agreements",
        headers=direct.headers,
        json=create_body(template.id, **change),
    )
    assert r.status_code == 400
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == code
    assert count(session, CustomerAgreement) == 0


def test_a_reseller_cannot_confirm_403(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT))
    partnership(session, provider.org, reseller.org)
    buyer = customer(session, provider.org, reseller=reseller.org)
    template = publish(session)
    session.commit()
    r = client.post(
        f"/v1/customers/{buyer.id}/agreements",
        headers=reseller.headers,
        json=create_body(template.id),
    )
    assert r.status_code == 403
    assert r.json()["code"] == 900150
    assert count(session, CustomerAgreement) == 0
    # the reseller still reads its customer's agreements
    assert (
        client.get(f"/v1/customers/{buyer.id}/agreements", headers=reseller.headers).status_code
        == 200
    )


@pytest.mark.parametrize("target", ["another partner's customer", "no such customer", "not-a-guid"])
def test_a_customer_the_partner_cannot_see_is_404(client, session, direct, target):
    other = partner(session, Tier.DIRECT_BILL)
    theirs = customer(session, other.org)
    template = publish(session)
    session.commit()
    customer_id = {
        "another partner's customer": str(theirs.id),
        "no such customer": str(uuid.uuid4()),
        "not-a-guid": "not-a-guid",
    }[target]
    for method, url in (
        ("POST", f"/v1/customers/{customer_id}/agreements"),
        ("GET", f"/v1/customers/{customer_id}/agreements"),
        ("GET", f"/v1/customers/{customer_id}/directSignedMicrosoftCustomerAgreementStatus"),
    ):
        r = client.request(method, url, headers=direct.headers, json=create_body(template.id))
        assert r.status_code == 404, url
        assert set(r.json()) == ERROR_KEYS
    assert count(session, CustomerAgreement) == 0


def test_a_retried_confirmation_with_the_same_request_id_changes_nothing(client, session, direct):
    template = publish(session)
    buyer = customer(session, direct.org)
    session.commit()
    headers = {**direct.headers, "MS-RequestId": str(uuid.uuid4())}
    url = f"/v1/customers/{buyer.id}/agreements"
    first = client.post(url, headers=headers, json=create_body(template.id))
    second = client.post(url, headers=headers, json=create_body(template.id))
    assert first.status_code == second.status_code == 201  # not 600061: the same request
    assert first.json() == second.json()
    assert second.headers["x-idempotent-replay"] == "true"
    assert count(session, CustomerAgreement) == 1
    assert count(session, AuditRecord, AuditRecord.operation_type == "create_agreement") == 1


# --- the vendor's templates ----------------------------------------------------------------------


def test_the_program_admin_publishes_lists_and_retires_templates(client, session):
    admin = program_admin(session)
    someone = partner(session, Tier.INDIRECT_PROVIDER)
    session.commit()
    body = {
        "agreementType": "MicrosoftPartnerAgreement",
        "version": "2026-11",
        "region": "korea-republic-of",
        "documents": [
            {"language": "en", "title": "Partner Agreement", "body": "Terms."},
            {"language": "ko", "title": "파트너 계약", "body": "약관."},
        ],
    }
    assert (
        client.post(
            "/v1/program/agreementtemplates", headers=someone.headers, json=body
        ).status_code
        == 403
    )
    r = client.post("/v1/program/agreementtemplates", headers=admin.headers, json=body)
    assert r.status_code == 201
    created = r.json()
    assert created | {"status": "published", "versionRank": 0, "languages": ["en", "ko"]} == created
    assert created["attributes"]["objectType"] == "AgreementTemplate"
    missing_ko = body | {"version": "2026-12", "documents": body["documents"][:1]}
    refused = client.post("/v1/program/agreementtemplates", headers=admin.headers, json=missing_ko)
    assert (refused.status_code, refused.json()["code"]) == (400, "DocumentsMissing")
    twice = client.post("/v1/program/agreementtemplates", headers=admin.headers, json=body)
    assert (twice.status_code, twice.json()["code"]) == (409, "TemplateVersionExists")
    listed = client.get("/v1/program/agreementtemplates", headers=admin.headers).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    retired = client.post(
        f"/v1/program/agreementtemplates/{created['id']}/retire", headers=admin.headers
    )
    assert retired.status_code == 200
    assert retired.json()["status"] == "retired"
    assert retired.json()["versionRank"] is None
    one = client.get(f"/v1/program/agreementtemplates/{created['id']}", headers=admin.headers)
    assert one.json()["status"] == "retired"
    assert (
        client.get("/v1/program/agreementtemplates/nope", headers=admin.headers).status_code == 404
    )


def test_a_partner_does_not_see_retired_templates_in_the_metadata(client, session, direct):
    publish(session, CUSTOMER, version="v1")
    newer = publish(session, CUSTOMER, version="v2")
    newer.status = "retired"
    session.commit()
    items = client.get("/v1/agreements", headers=direct.headers).json()["items"]
    assert [(i["version"], i["versionRank"]) for i in items] == [("v1", 0)]
