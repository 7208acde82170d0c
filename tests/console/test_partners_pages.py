"""The partner pages without a browser: the public enrollment form, the partner profile,
partnerships (issue, accept, revoke, end) and the vendor's verification queue, in English
and Korean, through the real app on the test's transaction."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.partners import queries
from opencsp.partners.models import Enrollment, PartnershipRequest
from tests.factories import PASSWORD, member
from tests.factories.parties import partner
from tests.factories.partners import approved, enrolled

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str) -> str:
    """Sign in; returns the session's CSRF token."""
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD}
    assert client.post("/login", data=data, headers=HTML, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/", headers=HTML).text)


def count(session: Session, model: type, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def enroll_form(**overrides: str) -> dict[str, str]:
    return {
        "company_name": "Busan IT Partners",
        "country": "KR",
        "address_line1": "55 Centum jungang-ro",
        "city": "Busan",
        "postal_code": "48058",
        "contact_first_name": "Hae-in",
        "contact_last_name": "Jung",
        "contact_email": "haein@busanit.example",
        "tenant_domain": "busanit.example",
        "admin_email": "admin@busanit.example",
        "admin_password": PASSWORD,
    } | overrides


# --- the public enrollment form -----------------------------------------------------------


def test_a_company_enrolls_without_signing_in(client, session):
    page = client.get("/enroll", headers=HTML)
    assert page.status_code == 200
    assert 'value="KR"' in page.text
    data = enroll_form(csrf_token=csrf_of(page.text))
    r = client.post("/enroll", data=data, headers=HTML)
    assert r.status_code == 200, r.text
    assert 'data-field="enrollment-submitted"' in r.text
    assert "Busan IT Partners" in r.text
    assert "vendor will verify" in r.text
    org = session.scalar(select(Organization).where(Organization.name == "Busan IT Partners"))
    assert org is not None
    assert queries.enrollment_of(session, org.id).state == "submitted"

    # the new Global admin signs in and follows the verification on the profile page
    sign_in(client, "admin@busanit.example")
    profile = client.get("/profile", headers=HTML)
    assert 'data-state="submitted"' in profile.text
    assert "busanit.example" in profile.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contact_email": "haein@gmail.com"}, "is a web-mail address"),
        ({"country": "IN"}, "Organization registration ID information is missing"),
        ({"tenant_domain": "not a domain"}, "Not a valid tenant domain"),
    ],
)
def test_a_refused_enrollment_is_shown_again_and_writes_nothing(
    client, session, overrides, message
):
    before = count(session, Organization)
    page = client.get("/enroll", headers=HTML)
    r = client.post(
        "/enroll", data=enroll_form(csrf_token=csrf_of(page.text), **overrides), headers=HTML
    )
    assert r.status_code == 400
    assert message in r.text
    assert 'value="Busan IT Partners"' in r.text  # what was typed is kept
    assert PASSWORD not in r.text  # except the password
    assert count(session, Organization) == before


def test_the_enrollment_form_needs_its_csrf_token(client, session):
    client.get("/enroll", headers=HTML)
    r = client.post("/enroll", data=enroll_form(csrf_token="forged"), headers=HTML)
    assert r.status_code == 403
    assert count(session, Enrollment) == 0


def test_the_enrollment_form_in_korean(client, session):
    client.cookies.set("lang", "ko")
    page = client.get("/enroll", headers=HTML)
    assert "프로그램 등록" in page.text
    assert "대한민국" in page.text
    r = client.post(
        "/enroll",
        data=enroll_form(csrf_token=csrf_of(page.text), contact_email="haein@naver.example.com"),
        headers=HTML,
    )
    assert r.status_code == 200
    assert "등록을 제출했습니다" in r.text
    refused = client.post(
        "/enroll",
        data=enroll_form(
            csrf_token=csrf_of(page.text),
            contact_email="x@hotmail.com",
            tenant_domain="other.example",
            admin_email="other@busanit.example",
        ),
        headers=HTML,
    )
    assert refused.status_code == 400
    assert "웹 메일 주소입니다" in refused.text


# --- the partner profile ------------------------------------------------------------------


def test_the_profile_page_edits_with_the_etag(client, session):
    applicant = approved(session, "KR")
    session.commit()
    csrf = sign_in(client, applicant.enrolled.user.email)
    page = client.get("/profile", headers=HTML)
    assert page.status_code == 200
    assert 'data-state="active"' in page.text
    location = queries.location_partner_id(session, applicant.enrolled.organization.id)
    assert str(location.mpn_id) in page.text
    assert 'name="tenant_domain"' not in page.text  # immutable once active: read-only
    etag = re.search(r'name="etag" value="([^"]+)"', page.text).group(1)
    form = {
        "csrf_token": csrf,
        "etag": etag,
        "company_name": "Seoul Cloud Works",
        "address_line1": "1 Sejong-daero",
        "city": "Seoul",
        "contact_first_name": "Min-ho",
        "contact_last_name": "Choi",
        "contact_email": "minho@seoulcloud.example",
    }
    r = client.post("/profile/legal", data=form, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/profile?done=legal_saved"
    saved = client.get(r.headers["location"], headers=HTML)
    assert "The legal business profile was saved." in saved.text
    assert "Seoul Cloud Works" in saved.text
    # the same form again: someone saved the profile meanwhile
    stale = client.post("/profile/legal", data=form | {"company_name": "Lost"}, headers=HTML)
    assert stale.status_code == 400
    assert "Etag is no longer valid" in stale.text
    assert 'value="Lost"' in stale.text  # shown again with what was typed
    session.expire_all()
    assert queries.profile_of(session, applicant.enrolled.organization.id).company_name == (
        "Seoul Cloud Works"
    )


def test_the_profile_is_read_only_without_profiles_manage(client, session):
    applicant = enrolled(session)
    helpdesk = member(session, applicant.enrolled.organization, roles=(Role.HELPDESK_AGENT,))
    session.commit()
    csrf = sign_in(client, helpdesk.user.email)
    page = client.get("/profile", headers=HTML)
    assert page.status_code == 200
    assert 'action="/profile/legal"' not in page.text
    r = client.post("/profile/support", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 403


def test_a_rejected_partner_applies_again(client, session):
    applicant = enrolled(session)
    session.commit()
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    vendor_client = TestClient(client.app)
    vendor_csrf = sign_in(vendor_client, vendor.user.email)
    org = applicant.enrolled.organization.id
    r = vendor_client.post(
        f"/partners/{org}/reject",
        data={"csrf_token": vendor_csrf, "reason": "Unverifiable address"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    csrf = sign_in(client, applicant.enrolled.user.email)
    page = client.get("/profile", headers=HTML)
    assert "Unverifiable address" in page.text
    r = client.post("/profile/resubmit", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 200  # followed to the profile
    assert "Your enrollment was submitted again." in r.text
    assert 'data-state="submitted"' in r.text


# --- partnerships -------------------------------------------------------------------------


def test_issue_a_link_accept_it_and_end_the_partnership(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind Distribution")
    reseller = partner(session, Tier.INDIRECT_RESELLER, name="Fabrikam Solutions")
    session.commit()
    csrf = sign_in(client, provider.user.email)
    page = client.get("/partnerships", headers=HTML)
    assert "Request a partnership" in page.text
    issued = client.post(
        "/partnerships/requests",
        data={"csrf_token": csrf, "invited_email": "admin@fabrikam.example"},
        headers=HTML,
    )
    assert issued.status_code == 201
    link = re.search(
        r'value="(http://testserver/partnerships/accept/[^"]+)" data-link', issued.text
    )
    assert link, issued.text
    path = link.group(1).removeprefix("http://testserver")
    listed = client.get("/partnerships", headers=HTML)
    assert 'data-status="pending"' in listed.text
    assert path.rsplit("/", 1)[1] not in listed.text  # the token is shown only once

    other = TestClient(client.app)
    away = other.get(path, headers=HTML, follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"].startswith("/login?next=/partnerships/accept/")

    reseller_csrf = sign_in(other, reseller.user.email)
    accept = other.get(path, headers=HTML)
    assert accept.status_code == 200
    assert 'data-field="provider-name">Tailwind Distribution' in accept.text
    unticked = other.post(path, data={"csrf_token": reseller_csrf}, headers=HTML)
    assert unticked.status_code == 400
    assert "Tick the box" in unticked.text
    done = other.post(path, data={"csrf_token": reseller_csrf, "authorize": "yes"}, headers=HTML)
    assert done.status_code == 200
    assert "You authorized the indirect provider." in done.text
    assert "Tailwind Distribution" in done.text
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is not None
    assert other.get(path, headers=HTML).status_code == 404  # used up

    confirm = client.get(f"/partnerships/{reseller.org.id}/end", headers=HTML)
    assert "The customers are kept." in confirm.text
    ended = client.post(
        f"/partnerships/{reseller.org.id}/end", data={"csrf_token": csrf}, headers=HTML
    )
    assert ended.status_code == 200
    assert "Its customers were kept" in ended.text
    session.expire_all()
    assert queries.active_partnership(session, provider.org.id, reseller.org.id) is None


def test_revoke_a_link_in_place(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    session.commit()
    csrf = sign_in(client, provider.user.email)
    client.post("/partnerships/requests", data={"csrf_token": csrf}, headers=HTML)
    request = session.scalar(select(PartnershipRequest))
    row = client.post(
        f"/partnerships/requests/{request.id}/revoke",
        headers=HTML | {"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith("<tr")
    assert 'data-status="revoked"' in row.text


def test_a_wrong_region_is_shown_on_the_accept_page(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="US")
    korean = partner(session, Tier.INDIRECT_RESELLER, country="KR")
    session.commit()
    csrf = sign_in(client, provider.user.email)
    issued = client.post("/partnerships/requests", data={"csrf_token": csrf}, headers=HTML)
    path = re.search(r'value="http://testserver(/partnerships/accept/[^"]+)"', issued.text).group(1)
    other = TestClient(client.app)
    other.cookies.set("lang", "ko")
    reseller_csrf = sign_in(other, korean.user.email)
    r = other.post(path, data={"csrf_token": reseller_csrf, "authorize": "yes"}, headers=HTML)
    assert r.status_code == 400
    assert "재판매인의 CSP 지역이 공급자의 지역과 일치하지 않습니다" in r.text
    assert "간접 공급자 승인" in r.text  # the page is still there to read


def test_an_unknown_link_is_404_and_only_global_admins_authorize(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.ADMIN_AGENT,))
    session.commit()
    csrf = sign_in(client, provider.user.email)
    issued = client.post("/partnerships/requests", data={"csrf_token": csrf}, headers=HTML)
    path = re.search(r'value="http://testserver(/partnerships/accept/[^"]+)"', issued.text).group(1)
    other = TestClient(client.app)
    agent_csrf = sign_in(other, reseller.user.email)
    assert other.get("/partnerships/accept/nothing-here", headers=HTML).status_code == 404
    page = other.get(path, headers=HTML)
    assert "Only a Global admin of your organization" in page.text
    assert 'name="authorize"' not in page.text
    refused = other.post(path, data={"csrf_token": agent_csrf, "authorize": "yes"}, headers=HTML)
    assert refused.status_code == 403


# --- the vendor's queue -------------------------------------------------------------------


def test_the_vendor_verifies_approves_and_grants_in_the_console(client, session):
    applicant = enrolled(session, company_name="Litware Consulting")
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, vendor.user.email)
    queue = client.get("/partners?state=submitted", headers=HTML)
    assert "Litware Consulting" in queue.text
    org = applicant.enrolled.organization.id
    page = client.get(f"/partners/{org}", headers=HTML)
    assert "Start verification" in page.text
    assert "Approve" not in page.text
    for step, notice in [
        ("verify", "The enrollment is now in verification."),
        ("approve", "The enrollment was approved."),
        ("provider-tier", "The partner is now an indirect provider."),
    ]:
        r = client.post(f"/partners/{org}/{step}", data={"csrf_token": csrf}, headers=HTML)
        assert r.status_code == 200, step
        assert notice in r.text
    session.expire_all()
    assert session.get(Organization, org).tier == "indirect_provider"
    again = client.post(f"/partners/{org}/verify", data={"csrf_token": csrf}, headers=HTML)
    assert again.status_code == 409
    assert "Only a submitted enrollment can be taken into verification" in again.text
    assert client.get("/partners?state=active", headers=HTML).text.count("Litware Consulting") == 1


def test_a_rejection_without_a_reason_is_refused(client, session):
    applicant = enrolled(session)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, vendor.user.email)
    org = applicant.enrolled.organization.id
    r = client.post(
        f"/partners/{org}/reject", data={"csrf_token": csrf, "reason": ""}, headers=HTML
    )
    assert r.status_code == 400
    assert "Give the reason for rejecting" in r.text
    assert queries.enrollment_of(session, org).state == "submitted"


def test_partners_see_neither_the_queue_nor_other_partners(client, session):
    applicant = enrolled(session)
    other = enrolled(session)
    session.commit()
    sign_in(client, applicant.enrolled.user.email)
    assert client.get("/partners", headers=HTML).status_code == 403
    assert (
        client.get(f"/partners/{other.enrolled.organization.id}", headers=HTML).status_code == 403
    )


def test_the_menu_shows_partner_areas_by_tier(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    sign_in(client, provider.user.email)
    home = client.get("/", headers=HTML).text
    assert 'data-area="profile"' in home
    assert 'data-area="partnerships"' in home
    assert 'data-area="partners"' not in home
    vendor_client = TestClient(client.app)
    sign_in(vendor_client, vendor.user.email)
    home = vendor_client.get("/", headers=HTML).text
    assert 'data-area="partners"' in home
    assert 'data-area="profile"' not in home
    assert 'data-area="partnerships"' not in home
