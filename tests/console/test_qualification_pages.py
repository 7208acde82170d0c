"""The console's segment qualifications and tier change, without a browser: a partner asks
for a customer's qualification and for its own government one, the vendor decides them
in its queue, and changes a provider's tier after seeing the effect (English, and the
pages render in Korean); the cloud's name in the header."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencsp.auth.models import Organization
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.customers.models import CustomerQualification
from opencsp.partners.models import PartnerQualification
from tests.console.test_partners_pages import HTML, sign_in
from tests.factories import member
from tests.factories.parties import customer, partner, partnership


def test_customer_qualification_from_request_to_denial(client, session):
    direct = partner(session, Tier.DIRECT_BILL)
    mine = customer(session, direct.org, name="Contoso School District")
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, direct.user.email)
    assert (
        f'href="/customers/{mine.id}/qualifications"'
        in client.get(f"/customers/{mine.id}", headers=HTML).text
    )
    page = client.get(f"/customers/{mine.id}/qualifications", headers=HTML)
    assert "This customer has no qualification." in page.text
    bad = client.post(
        f"/customers/{mine.id}/qualifications",
        data={"csrf_token": csrf, "qualification": "Education"},
        headers=HTML,
    )
    assert bad.status_code == 400 and "K12 or HigherEducation" in bad.text
    r = client.post(
        f"/customers/{mine.id}/qualifications",
        data={"csrf_token": csrf, "qualification": "Education", "educationSegment": "K12"},
        headers=HTML,
    )
    assert r.status_code == 200 and "The request was sent." in r.text
    assert 'data-status="InReview"' in r.text

    admin = TestClient(client.app)
    admin_csrf = sign_in(admin, vendor.user.email)
    queue = admin.get("/program/qualifications", headers=HTML)
    assert "Contoso School District" in queue.text
    denied = admin.post(
        f"/program/qualifications/customers/{mine.id}/Education/deny",
        data={"csrf_token": admin_csrf, "reason": "Not an Education Customer"},
        headers=HTML,
    )
    assert denied.status_code == 200 and "The qualification was denied." in denied.text
    assert "No customer qualification waits for review." in denied.text
    again = admin.post(
        f"/program/qualifications/customers/{mine.id}/Education/approve",
        data={"csrf_token": admin_csrf},
        headers=HTML,
    )
    assert again.status_code == 409
    shown = client.get(f"/customers/{mine.id}/qualifications", headers=HTML).text
    assert "Not an Education Customer" in shown
    session.expire_all()
    row = session.get(CustomerQualification, (mine.id, "Education"))
    assert row.vetting_status == "Denied"
    # a partner without the relationship: 404; a partner cannot open the vendor's queue
    other = TestClient(client.app)
    stranger = partner(session, Tier.DIRECT_BILL)
    session.commit()
    sign_in(other, stranger.user.email)
    assert other.get(f"/customers/{mine.id}/qualifications", headers=HTML).status_code == 404
    assert other.get("/program/qualifications", headers=HTML).status_code == 403


def test_partner_government_qualification_in_the_console(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, provider.user.email)
    assert "Not requested" in client.get("/qualifications", headers=HTML).text
    r = client.post("/qualifications/government", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 200 and 'data-status="InReview"' in r.text
    assert "Request the government qualification" not in r.text
    admin = TestClient(client.app)
    admin_csrf = sign_in(admin, vendor.user.email)
    ok = admin.post(
        f"/program/qualifications/partners/{provider.org.id}/government/approve",
        data={"csrf_token": admin_csrf},
        headers=HTML,
    )
    assert ok.status_code == 200 and "The qualification was approved." in ok.text
    session.expire_all()
    assert session.get(PartnerQualification, (provider.org.id, "government")).status == "Approved"
    client.cookies.set("lang", "ko")
    korean = client.get("/qualifications", headers=HTML)
    assert korean.status_code == 200 and 'data-status="Approved"' in korean.text


def test_vendor_changes_a_tier_after_seeing_its_effect(client, session):
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Fabrikam Distribution")
    reseller = partner(session, Tier.INDIRECT_RESELLER, name="Northwind Resellers")
    partnership(session, provider.org, reseller.org)
    customer(session, provider.org, reseller=reseller.org, name="Tailspin Toys")
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, vendor.user.email)
    page = client.get(f"/partners/{provider.org.id}/tier", headers=HTML)
    assert page.status_code == 200
    assert "Northwind Resellers" in page.text and "Tailspin Toys" in page.text
    stale = client.post(
        f"/partners/{provider.org.id}/tier",
        data={"csrf_token": csrf, "tier": "indirect_reseller", "fingerprint": "0" * 64},
        headers=HTML,
    )
    assert stale.status_code == 409 and "preview it again" in stale.text
    fingerprint = page.text.split('name="fingerprint" value="', 1)[1].split('"', 1)[0]
    done = client.post(
        f"/partners/{provider.org.id}/tier",
        data={"csrf_token": csrf, "tier": "indirect_reseller", "fingerprint": fingerprint},
        headers=HTML,
    )
    assert done.status_code == 200 and "The tier was changed." in done.text
    session.expire_all()
    assert session.get(Organization, provider.org.id).tier == "indirect_reseller"
    client.cookies.set("lang", "ko")
    assert client.get(f"/partners/{reseller.org.id}/tier", headers=HTML).status_code == 200


def test_the_header_names_the_cloud(client, session, configure):
    direct = partner(session, Tier.DIRECT_BILL)
    session.commit()
    sign_in(client, direct.user.email)
    assert '<span class="badge badge-cloud"' in client.get("/", headers=HTML).text
    configure(cloud_name="us-government")
    header = client.get("/", headers=HTML).text.split("</header>", 1)[0]
    assert "us-government" in header
    assert session.scalar(select(Organization.id).where(Organization.id == direct.org.id))
