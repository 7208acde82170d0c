"""The partners API by its documented shapes (reference/csp/samples) and its error codes:
profiles, partner IDs, relationships, partnership requests and the vendor's program
operations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.partners import queries
from opencsp.partners.models import Partnership
from tests.factories import member
from tests.factories.parties import partner
from tests.factories.partners import approved, enrolled
from tests.support import reference

OPENCSP_LEGAL_FIELDS = {"tenantDomain", "taxId", "organizationRegistrationNumber"}


def sample(name: str) -> Any:
    return reference.sample(name)


@pytest.fixture()
def vendor_admin(session):
    return member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))


# --- legal business profile ---------------------------------------------------------------


def test_the_legal_profile_has_the_samples_shape(client, session):
    applicant = approved(session)
    session.commit()
    r = client.get("/v1/profiles/legalbusiness", headers=applicant.headers)
    assert r.status_code == 200
    body = r.json()
    expected = sample("profiles-legalbusiness-update.response.json")
    assert set(body) == set(expected) | OPENCSP_LEGAL_FIELDS
    assert set(body["address"]) <= set(expected["address"]) | {"region"}
    assert set(body["primaryContact"]) == set(expected["primaryContact"])
    assert set(body["companyApproverAddress"]) <= set(expected["companyApproverAddress"])
    assert body["links"] == expected["links"]
    assert body["attributes"]["objectType"] == "LegalBusinessProfile"
    assert body["attributes"]["etag"]
    assert (body["vettingStatus"], body["vettingSubStatus"], body["profileType"]) == (
        "authorized",
        "none",
        "LegalBusinessProfile",
    )


def test_the_samples_update_request_answers_the_samples_response(client, session):
    applicant = enrolled(session)
    session.commit()
    etag = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()["attributes"][
        "etag"
    ]
    request = sample("profiles-legalbusiness-update.request.json")  # PascalCase, as documented
    r = client.put(
        "/v1/profiles/legalbusiness",
        json=request,
        headers=applicant.headers | {"If-Match": f'"{etag}"'},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    expected = sample("profiles-legalbusiness-update.response.json")
    for key in ("companyName", "address", "primaryContact", "companyApproverAddress"):
        assert body[key] == expected[key], key
    assert body["companyApproverEmail"] == expected["companyApproverEmail"]
    assert body["vettingStatus"] == "pending"  # still waiting for the vendor
    assert body["attributes"]["etag"] != etag


def test_a_stale_etag_is_2055_and_a_missing_one_is_refused(client, session):
    applicant = enrolled(session)
    session.commit()
    etag = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()["attributes"][
        "etag"
    ]
    request = sample("profiles-legalbusiness-update.request.json")
    ok = client.put(
        "/v1/profiles/legalbusiness", json=request, headers=applicant.headers | {"If-Match": etag}
    )
    assert ok.status_code == 200
    stale = client.put(
        "/v1/profiles/legalbusiness", json=request, headers=applicant.headers | {"If-Match": etag}
    )
    assert stale.status_code == 400
    assert stale.json()["code"] == 2055
    assert stale.json()["description"] == "Etag is no longer valid"
    missing = client.put("/v1/profiles/legalbusiness", json=request, headers=applicant.headers)
    assert (missing.status_code, missing.json()["code"]) == (400, "EtagRequired")


def test_a_web_mail_primary_contact_is_refused(client, session):
    applicant = enrolled(session)
    session.commit()
    profile = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()
    request = sample("profiles-legalbusiness-update.request.json")
    request["PrimaryContact"]["Email"] = "gena.soto@gmail.com"
    r = client.put(
        "/v1/profiles/legalbusiness",
        json=request,
        headers=applicant.headers | {"If-Match": profile["attributes"]["etag"]},
    )
    assert (r.status_code, r.json()["code"]) == (400, "WebMailPrimaryContact")
    after = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()
    assert after["primaryContact"] == profile["primaryContact"]


def test_the_tenant_domain_is_immutable_once_active(client, session):
    applicant = approved(session)
    session.commit()
    profile = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()
    request = sample("profiles-legalbusiness-update.request.json") | {
        "TenantDomain": "elsewhere.example"
    }
    r = client.put(
        "/v1/profiles/legalbusiness",
        json=request,
        headers=applicant.headers | {"If-Match": profile["attributes"]["etag"]},
    )
    assert (r.status_code, r.json()["code"]) == (400, "TenantDomainImmutable")


def test_updating_a_profile_needs_profiles_manage(client, session):
    applicant = enrolled(session)
    helpdesk = member(session, applicant.enrolled.organization, roles=(Role.HELPDESK_AGENT,))
    session.commit()
    assert client.get("/v1/profiles/legalbusiness", headers=helpdesk.headers).status_code == 200
    r = client.put(
        "/v1/profiles/supportprofile", json={"email": "help@x.example"}, headers=helpdesk.headers
    )
    assert (r.status_code, r.json()["code"]) == (403, 900150)


def test_the_vendor_has_no_partner_profile(client, session, vendor_admin):
    session.commit()
    r = client.get("/v1/profiles/legalbusiness", headers=vendor_admin.headers)
    assert (r.status_code, r.json()["code"]) == (404, 1000)


# --- support profile ----------------------------------------------------------------------


def test_the_support_profile_round_trips_the_documented_bodies(client, session):
    applicant = enrolled(session)
    session.commit()
    request = {
        "Email": "email@sample.com",
        "Telephone": "4255555555",
        "Website": "www.microsoft.com",
        "ProfileType": "support_profile",
        "Attributes": {"ObjectType": "PartnerSupportProfile"},
    }
    r = client.put("/v1/profiles/supportprofile", json=request, headers=applicant.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"email", "telephone", "website", "profileType", "links", "attributes"}
    assert (body["email"], body["telephone"], body["website"], body["profileType"]) == (
        "email@sample.com",
        "4255555555",
        "www.microsoft.com",
        "support_profile",
    )
    assert body["links"]["self"]["uri"] == "/v1/profiles/support"
    assert body["attributes"]["objectType"] == "PartnerSupportProfile"
    again = client.get("/v1/profiles/support", headers=applicant.headers).json()
    assert again == body


# --- partner network profile --------------------------------------------------------------


def test_the_own_mpn_profile_has_the_samples_shape(client, session):
    applicant = enrolled(session, "KR")
    session.commit()
    r = client.get("/v1/profiles/mpn", headers=applicant.headers)
    assert r.status_code == 200
    body = r.json()
    expected = sample("profiles-mpn-get.response.json")
    assert set(body) == set(expected) | {"partnerName"}
    assert body["links"] == expected["links"]
    assert body["attributes"] == expected["attributes"]
    assert body["profileType"] == "MpnProfile"
    location = next(
        p
        for p in queries.partner_ids_of(session, applicant.enrolled.organization.id)
        if p.kind == "location"
    )
    assert body["mpnId"] == str(location.mpn_id)  # a string, as documented
    assert body["partnerName"] == applicant.enrolled.profile.company_name


def test_looking_up_a_partner_id(client, session):
    fabrikam = partner(session, Tier.INDIRECT_RESELLER, name="Fabrikam")
    asking = partner(session, Tier.INDIRECT_PROVIDER)
    session.commit()
    location = queries.location_partner_id(session, fabrikam.org.id)
    r = client.get(f"/v1/profiles/mpn?mpnId={location.mpn_id}", headers=asking.headers)
    assert r.status_code == 200
    assert (r.json()["partnerName"], r.json()["mpnId"]) == ("Fabrikam", str(location.mpn_id))


@pytest.mark.parametrize("value", ["9999999", "abc", "12.5", "2147483648"])
def test_an_unknown_partner_id_answers_the_samples_error(client, session, value):
    asking = partner(session, Tier.INDIRECT_PROVIDER)
    session.commit()
    r = client.get("/v1/profiles/mpn", params={"mpnId": value}, headers=asking.headers)
    assert r.status_code == 404
    expected = sample("profiles-mpn-by-mpnid-not-found.response.json")
    body = r.json()
    assert set(body) == set(expected)
    assert body["code"] == expected["code"] == 3000
    assert body["description"] == expected["description"].replace("9999999", value)


# --- relationships ------------------------------------------------------------------------


def partnered(client, provider, reseller) -> dict[str, Any]:
    created = client.post("/v1/relationships/requests", json={}, headers=provider.headers)
    assert created.status_code == 201, created.text
    token = created.json()["url"].rsplit("/", 1)[1]
    accepted = client.post(
        "/v1/relationships/requests/accept", json={"token": token}, headers=reseller.headers
    )
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def test_the_indirect_resellers_list_has_the_samples_shape(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind")
    first = partner(session, Tier.INDIRECT_RESELLER, name="First Up Consultants")
    second = partner(session, Tier.INDIRECT_RESELLER, name="ReleCloud")
    session.commit()
    partnered(client, provider, first)
    partnered(client, provider, second)
    r = client.get(
        "/v1/relationships",
        params={"relationship_type": "IsIndirectCloudSolutionProviderOf"},
        headers=provider.headers,
    )
    assert r.status_code == 200
    body = r.json()
    expected = sample("relationships-indirect-resellers-list.response.json")
    assert set(expected) <= set(body)
    assert body["totalCount"] == 2
    assert body["attributes"] == expected["attributes"]
    for item, documented in zip(body["items"], expected["items"], strict=True):
        assert set(item) == set(documented)
        assert item["relationshipType"] == documented["relationshipType"]
        assert item["state"] == documented["state"] == "Active"
        assert item["attributes"] == documented["attributes"]
        assert isinstance(item["mpnId"], str) and item["mpnId"].isdigit()
    assert [i["name"] for i in body["items"]] == ["First Up Consultants", "ReleCloud"]
    assert body["items"][0]["id"] == str(first.org.id)
    assert body["items"][0]["location"] == "US"
    assert body["items"][0]["mpnId"] == str(
        queries.location_partner_id(session, first.org.id).mpn_id
    )

    theirs = client.get(
        "/v1/relationships?relationship_type=IsIndirectResellerOf", headers=first.headers
    ).json()
    assert [(i["id"], i["relationshipType"]) for i in theirs["items"]] == [
        (str(provider.org.id), "is_indirect_reseller_of")
    ]


@pytest.mark.parametrize("query", ["", "?relationship_type=IsCustomerOf"])
def test_the_relationship_type_is_required(client, session, query):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    session.commit()
    r = client.get(f"/v1/relationships{query}", headers=provider.headers)
    assert (r.status_code, r.json()["code"]) == (400, "InvalidRelationshipType")


def test_a_partnership_across_regions_is_2201(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    korean = partner(session, Tier.INDIRECT_RESELLER, country="KR")
    session.commit()
    created = client.post("/v1/relationships/requests", json={}, headers=provider.headers).json()
    assert created["url"].startswith("http://testserver/partnerships/accept/")
    assert created["status"] == "pending"
    token = created["url"].rsplit("/", 1)[1]
    r = client.post(
        "/v1/relationships/requests/accept", json={"token": token}, headers=korean.headers
    )
    assert r.status_code == 400
    assert r.json()["code"] == 2201
    assert r.json()["description"] == "Reseller CSP region doesn't match provider's region"
    assert queries.active_partnership(session, provider.org.id, korean.org.id) is None


def test_accepting_twice_with_the_same_request_id_changes_nothing(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    session.commit()
    token = (
        client.post("/v1/relationships/requests", json={}, headers=provider.headers)
        .json()["url"]
        .rsplit("/", 1)[1]
    )
    headers = reseller.headers | {"MS-RequestId": "9f0c0a39-7d2f-4b59-9d0c-6a1b3f2f0a11"}
    first = client.post("/v1/relationships/requests/accept", json={"token": token}, headers=headers)
    second = client.post(
        "/v1/relationships/requests/accept", json={"token": token}, headers=headers
    )
    assert first.status_code == second.status_code == 200
    assert second.headers.get("x-idempotent-replay") == "true"
    assert second.json() == first.json()
    session.expire_all()
    assert len(session.scalars(select(Partnership)).all()) == 1


def test_a_used_or_unknown_link_is_404(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    session.commit()
    token = partnered(client, provider, reseller)  # noqa: F841 - used up below
    created = client.post("/v1/relationships/requests", json={}, headers=provider.headers).json()
    revoke = client.delete(f"/v1/relationships/requests/{created['id']}", headers=provider.headers)
    assert (revoke.status_code, revoke.json()["status"]) == (200, "revoked")
    for value in (created["url"].rsplit("/", 1)[1], "nothing"):
        r = client.post(
            "/v1/relationships/requests/accept", json={"token": value}, headers=reseller.headers
        )
        assert (r.status_code, r.json()["code"]) == (404, 1000)
    listed = client.get("/v1/relationships/requests", headers=provider.headers).json()
    assert sorted(i["status"] for i in listed["items"]) == ["accepted", "revoked"]
    assert all(i["url"] is None for i in listed["items"])  # the token is never shown again


def test_ending_a_partnership_says_the_customers_are_kept(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind")
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    session.commit()
    partnered(client, provider, reseller)
    r = client.delete(f"/v1/relationships/{provider.org.id}", headers=reseller.headers)
    assert r.status_code == 200
    body = r.json()
    assert (body["name"], body["state"], body["customersKept"]) == ("Tailwind", "Ended", True)
    assert "customers were kept" in body["message"]
    again = client.delete(f"/v1/relationships/{provider.org.id}", headers=reseller.headers)
    assert again.status_code == 404


def test_only_a_global_admin_manages_partnerships(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, roles=(Role.ADMIN_AGENT,))
    session.commit()
    r = client.post("/v1/relationships/requests", json={}, headers=provider.headers)
    assert (r.status_code, r.json()["code"]) == (403, 900150)


# --- the vendor's program operations ------------------------------------------------------


def test_the_vendor_verifies_approves_and_grants_through_the_api(client, session, vendor_admin):
    applicant = enrolled(session)
    session.commit()
    org = applicant.enrolled.organization.id
    queue = client.get("/v1/program/partners?state=submitted", headers=vendor_admin.headers).json()
    assert str(org) in {i["organizationId"] for i in queue["items"]}
    premature = client.post(f"/v1/program/partners/{org}/approve", headers=vendor_admin.headers)
    assert (premature.status_code, premature.json()["code"]) == (409, "InvalidEnrollmentTransition")
    assert premature.json()["description"] == "Only an enrollment in verification can be approved"
    verifying = client.post(f"/v1/program/partners/{org}/verify", headers=vendor_admin.headers)
    assert verifying.json()["state"] == "verifying"
    approved_ = client.post(f"/v1/program/partners/{org}/approve", headers=vendor_admin.headers)
    assert approved_.status_code == 200
    body = approved_.json()
    assert body["state"] == "active"
    assert {p["status"] for p in body["partnerIds"]} == {"active"}
    assert body["attributes"]["objectType"] == "PartnerEnrollment"
    granted = client.post(f"/v1/program/partners/{org}/providertier", headers=vendor_admin.headers)
    assert granted.json()["tier"] == "indirect_provider"
    session.expire_all()
    assert session.get(Organization, org).tier == "indirect_provider"
    twice = client.post(f"/v1/program/partners/{org}/providertier", headers=vendor_admin.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "ProviderTierNotGrantable")


def test_rejecting_needs_a_reason_and_the_partner_reapplies(client, session, vendor_admin):
    applicant = enrolled(session)
    session.commit()
    org = applicant.enrolled.organization.id
    r = client.post(f"/v1/program/partners/{org}/reject", json={}, headers=vendor_admin.headers)
    assert (r.status_code, r.json()["code"]) == (400, "RejectionReasonRequired")
    r = client.post(
        f"/v1/program/partners/{org}/reject",
        json={"reason": "Registration could not be verified"},
        headers=vendor_admin.headers,
    )
    assert (r.json()["state"], r.json()["reason"]) == (
        "rejected",
        "Registration could not be verified",
    )
    own = client.get("/v1/profiles/enrollment", headers=applicant.headers).json()
    assert own["reason"] == "Registration could not be verified"
    legal = client.get("/v1/profiles/legalbusiness", headers=applicant.headers).json()
    assert legal["vettingStatus"] == "rejected"
    again = client.post("/v1/profiles/enrollment/resubmit", headers=applicant.headers)
    assert (again.status_code, again.json()["state"]) == (200, "submitted")
    twice = client.post("/v1/profiles/enrollment/resubmit", headers=applicant.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "InvalidEnrollmentTransition")


def test_program_routes_are_for_the_vendor(client, session):
    applicant = approved(session)
    session.commit()
    org = applicant.enrolled.organization.id
    for method, path in [
        ("get", "/v1/program/partners"),
        ("post", f"/v1/program/partners/{org}/verify"),
        ("post", f"/v1/program/partners/{org}/providertier"),
    ]:
        r = getattr(client, method)(path, headers=applicant.headers)
        assert (r.status_code, r.json()["code"]) == (403, 900150), path


def test_an_unknown_partner_is_404_for_the_vendor(client, session, vendor_admin):
    session.commit()
    r = client.post(
        "/v1/program/partners/6f1c4a1e-0000-4000-8000-000000000000/verify",
        headers=vendor_admin.headers,
    )
    assert (r.status_code, r.json()["code"]) == (404, 1000)


def test_the_queue_pages_with_continuation_tokens(client, session, vendor_admin):
    first = enrolled(session)
    with clock.frozen(clock.now() + timedelta(minutes=5)):  # oldest submission first
        second = enrolled(session)
    session.commit()
    page = client.get("/v1/program/partners?state=submitted&size=1", headers=vendor_admin.headers)
    body = page.json()
    assert body["totalCount"] == 2
    assert [i["organizationId"] for i in body["items"]] == [str(first.enrolled.organization.id)]
    token = body["continuationToken"]
    assert body["links"]["next"]["headers"] == [{"key": "MS-ContinuationToken", "value": token}]
    rest = client.get(
        "/v1/program/partners?state=submitted&size=1",
        headers=vendor_admin.headers | {"MS-ContinuationToken": token},
    ).json()
    assert [i["organizationId"] for i in rest["items"]] == [str(second.enrolled.organization.id)]
    assert rest["continuationToken"] is None
    too_big = client.get("/v1/program/partners?size=501", headers=vendor_admin.headers)
    assert (too_big.status_code, too_big.json()["code"]) == (400, "InvalidPageSize")
