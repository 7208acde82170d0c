"""The customers pages without a browser: the list with agreement status and search,
one customer, creating one (name warnings, the administrator's password shown once),
the billing profile behind its ETag, ending the relationship, the invitation link, and
the public page where a customer's administrator accepts an invitation."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.crypto import verify_password
from opencsp.customers.models import Customer, CustomerRelationship
from tests.console.test_pages import HTML, csrf_of, sign_in
from tests.factories import Member
from tests.factories.customers import valid_address
from tests.factories.parties import (
    CUSTOMER_ADMIN_PASSWORD,
    accepted,
    customer,
    partner,
    partnership,
    template,
)


def signed_in_partner(
    client: TestClient, session, tier=Tier.DIRECT_BILL, **kwargs
) -> tuple[Member, str]:
    m = partner(session, tier, **kwargs)
    session.commit()
    assert sign_in(client, m.user.email).status_code == 303
    return m, csrf_of(client.get("/", headers=HTML).text)


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- list and detail -----------------------------------------------------------------------


def test_the_list_shows_own_customers_with_their_agreement_status(client, session):
    me, _ = signed_in_partner(client, session)
    mine = customer(session, me.org, name="Alpha Works")
    signed = customer(session, me.org, name="Beta Labs")
    accepted(session, signed, template(session))
    customer(session, partner(session).org, name="Someone Else's")
    session.commit()
    page = client.get("/customers", headers=HTML)
    assert page.status_code == 200
    assert "Alpha Works" in page.text and "Beta Labs" in page.text
    assert "Someone Else" not in page.text
    row = page.text.split(f'id="customer-{mine.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-agreement="missing"' in row
    row = page.text.split(f'id="customer-{signed.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-agreement="accepted"' in row
    found = client.get("/customers?q=BETA", headers=HTML).text
    assert "Beta Labs" in found and "Alpha Works" not in found


def test_the_list_pages(client, session):
    me, _ = signed_in_partner(client, session)
    for n in range(27):
        customer(session, me.org, name=f"Customer {n:02d}")
    session.commit()
    first = client.get("/customers", headers=HTML).text
    assert first.count('id="customer-') == 25
    following = re.search(r'href="(/customers\?next=[^"]+)" rel="next"', first)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&"), headers=HTML).text
    assert second.count('id="customer-') == 2
    assert "Customer 26" in second
    assert client.get("/customers?next=garbage", headers=HTML).status_code == 200


def test_one_customer_with_its_partners_and_agreement(client, session):
    provider, _ = signed_in_partner(client, session, Tier.INDIRECT_PROVIDER)
    reseller = partner(
        session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,), name="Fabrikam Resale"
    )
    partnership(session, provider.org, reseller.org)
    c = customer(session, provider.org, reseller=reseller.org, name="Contoso")
    session.commit()
    page = client.get(f"/customers/{c.id}", headers=HTML)
    assert page.status_code == 200
    assert "Contoso" in page.text and c.domain in page.text
    assert "Fabrikam Resale" in page.text
    assert 'data-role="reseller"' in page.text and 'data-role="provider"' in page.text
    assert "Not accepted — required before any order." in page.text
    assert f'href="/customers/{c.id}/agreement"' in page.text
    accepted(session, c, template(session))
    session.commit()
    page = client.get(f"/customers/{c.id}", headers=HTML).text
    assert "by partner confirmation" in page
    assert "Not accepted — required" not in page


def test_someone_elses_customer_is_not_found(client, session):
    signed_in_partner(client, session)
    other = customer(session, partner(session).org)
    session.commit()
    assert client.get(f"/customers/{other.id}", headers=HTML).status_code == 404
    assert client.get(f"/customers/{other.id}/billing", headers=HTML).status_code == 404
    assert client.get("/customers/not-a-guid", headers=HTML).status_code == 404


def test_the_pages_in_korean(client, session):
    me, _ = signed_in_partner(client, session)
    c = customer(session, me.org)
    session.commit()
    client.cookies.set("lang", "ko")
    assert "고객" in client.get("/customers", headers=HTML).text
    detail = client.get(f"/customers/{c.id}", headers=HTML).text
    assert "고객 계약" in detail
    assert "Not accepted" not in detail


# --- creating --------------------------------------------------------------------------------


def create_form(csrf: str, **overrides: str) -> dict[str, str]:
    address = valid_address("US")
    form = {
        "csrf_token": csrf,
        "company_name": "Wingtip Toys",
        "domain": "wingtipconsole",
        "country": "US",
        "first_name": "Gena",
        "last_name": "Soto",
        "email": "gena@wingtiptoys.example",
        "culture": "en-US",
        "language": "en",
        **{k: address[k] for k in ("addressLine1", "city", "state", "postalCode", "phoneNumber")},
    }
    return form | overrides


def test_create_a_customer_and_see_its_password_once(client, session):
    _, csrf = signed_in_partner(client, session)
    form = client.get("/customers/new", headers=HTML)
    assert form.status_code == 200
    assert '<option value="US"' in form.text and '<option value="KR"' not in form.text
    r = client.post("/customers/new", data=create_form(csrf), headers=HTML)
    assert r.status_code == 201, r.text
    password = re.search(r'id="admin-password"[^>]*value="([^"]+)"', r.text)
    assert password
    row = session.scalar(
        select(Customer).where(Customer.domain == "wingtipconsole.onopencsp.example")
    )
    assert row is not None
    assert verify_password(row.admin_password_hash, password.group(1))
    assert password.group(1) not in client.get(f"/customers/{row.id}", headers=HTML).text


def test_name_warnings_are_confirmed_before_creating(client, session):
    _, csrf = signed_in_partner(client, session)
    r = client.post(
        "/customers/new", data=create_form(csrf, company_name="Contoso.com"), headers=HTML
    )
    assert r.status_code == 200
    assert 'id="name-warnings"' in r.text and "top-level domain" in r.text
    assert 'name="confirm" value="1"' in r.text
    assert 'value="Contoso.com"' in r.text  # what was typed is kept
    assert count(session, Customer) == 0
    r = client.post(
        "/customers/new",
        data=create_form(csrf, company_name="Contoso.com", confirm="1"),
        headers=HTML,
    )
    assert r.status_code == 201
    assert count(session, Customer) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"company_name": "llc"}, "legal form"),
        ({"email": "x@microsoft.com"}, "vendor"),
        ({"registration_number": "123"}, "registration ID value isn't supported"),
        ({"postalCode": "1"}, "postalCode"),
        ({"reseller": "not-a-guid"}, "associatedPartnerId"),
    ],
)
def test_a_refused_creation_shows_the_form_again(client, session, overrides, message):
    _, csrf = signed_in_partner(client, session)
    r = client.post("/customers/new", data=create_form(csrf, **overrides), headers=HTML)
    assert r.status_code in (400, 403, 404)
    assert message in html.unescape(r.text)
    assert 'action="/customers/new"' in r.text
    assert count(session, Customer) == 0


def test_a_reseller_cannot_create(client, session):
    signed_in_partner(client, session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    assert 'href="/customers/new"' not in client.get("/customers", headers=HTML).text
    assert client.get("/customers/new", headers=HTML).status_code == 403


def test_a_provider_creates_for_its_reseller(client, session):
    provider, csrf = signed_in_partner(client, session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,), name="Litware")
    partnership(session, provider.org, reseller.org)
    session.commit()
    assert "Litware" in client.get("/customers/new", headers=HTML).text
    r = client.post(
        "/customers/new", data=create_form(csrf, reseller=str(reseller.org.id)), headers=HTML
    )
    assert r.status_code == 201
    assert (
        count(session, CustomerRelationship, CustomerRelationship.partner_id == reseller.org.id)
        == 1
    )


# --- billing profile and ending the relationship --------------------------------------------


def billing_form(page: str, **changes: str) -> dict[str, str]:
    fields = dict(
        re.findall(r'<input type="(?:text|email|tel|hidden)" name="([^"]+)" value="([^"]*)"', page)
    )
    return fields | changes


def test_edit_the_billing_profile(client, session):
    me, _ = signed_in_partner(client, session)
    c = customer(session, me.org)
    session.commit()
    page = client.get(f"/customers/{c.id}/billing", headers=HTML).text
    r = client.post(
        f"/customers/{c.id}/billing",
        data=billing_form(page, city="Seattle", postalCode="98101"),
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/customers/{c.id}?done=billing_saved"
    session.expire_all()
    assert session.get(Customer, c.id).billing_address["city"] == "Seattle"
    # the same form again carries the old ETag: refused, nothing changes
    stale = client.post(
        f"/customers/{c.id}/billing", data=billing_form(page, city="Tacoma"), headers=HTML
    )
    assert stale.status_code == 400
    assert "Etag is no longer valid" in stale.text
    session.expire_all()
    assert session.get(Customer, c.id).billing_address["city"] == "Seattle"


def test_end_the_relationship(client, session):
    me, csrf = signed_in_partner(client, session)
    c = customer(session, me.org)
    session.commit()
    assert 'action="/customers/' in client.get(f"/customers/{c.id}", headers=HTML).text
    r = client.post(
        f"/customers/{c.id}/remove", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/customers?done=relationship_removed"
    assert client.get(f"/customers/{c.id}", headers=HTML).status_code == 404


def test_changes_need_the_csrf_token(client, session):
    me, _ = signed_in_partner(client, session)
    c = customer(session, me.org)
    session.commit()
    assert client.post(f"/customers/{c.id}/remove", data={}, headers=HTML).status_code == 403
    assert (
        client.post("/customers/new", data=create_form("forged"), headers=HTML).status_code == 403
    )
    assert count(session, Customer) == 1


# --- invitations ----------------------------------------------------------------------------


def test_the_invitation_link_page(client, session):
    me, _ = signed_in_partner(client, session)
    page = client.get("/customers/invite", headers=HTML).text
    assert f"/customer/relationship?partnerId={me.org.id}" in page


def test_a_reseller_picks_its_provider(client, session):
    reseller, _ = signed_in_partner(
        client, session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,)
    )
    provider = partner(session, Tier.INDIRECT_PROVIDER, name="Tailwind")
    partnership(session, provider.org, reseller.org)
    session.commit()
    page = client.get("/customers/invite", headers=HTML).text
    assert "Tailwind" in page
    assert f"indirectCSP={provider.org.id}" in page.replace("&amp;", "&")


def public_form(page: str, **fields: str) -> dict[str, str]:
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return hidden | fields


def test_a_customer_accepts_an_invitation(session, client):
    inviter = partner(session, name="Adatum Services")
    c = customer(session, partner(session).org)
    session.commit()
    public = TestClient(client.app)
    link = f"/customer/relationship?partnerId={inviter.org.id}"
    page = public.get(link, headers=HTML)
    assert page.status_code == 200
    assert "Adatum Services invites you" in page.text
    wrong = public.post(
        "/customer/relationship",
        data=public_form(page.text, user_name=c.admin_user_name, password="wrong", accept="yes"),
        headers=HTML,
    )
    assert wrong.status_code == 401
    assert "Invalid email or password." in wrong.text
    no_consent = public.post(
        "/customer/relationship",
        data=public_form(page.text, user_name=c.admin_user_name, password=CUSTOMER_ADMIN_PASSWORD),
        headers=HTML,
    )
    assert no_consent.status_code == 400
    assert (
        count(session, CustomerRelationship, CustomerRelationship.partner_id == inviter.org.id) == 0
    )
    ok = public.post(
        "/customer/relationship",
        data=public_form(
            page.text, user_name=c.admin_user_name, password=CUSTOMER_ADMIN_PASSWORD, accept="yes"
        ),
        headers=HTML,
    )
    assert ok.status_code == 200, ok.text
    assert "Adatum Services is now a partner of" in ok.text
    assert (
        count(session, CustomerRelationship, CustomerRelationship.partner_id == inviter.org.id) == 1
    )


def test_a_reseller_invitation_authorizes_both_in_korean(session, client):
    provider = partner(session, Tier.INDIRECT_PROVIDER, country="KR", name="한빛 클라우드")
    reseller = partner(
        session,
        Tier.INDIRECT_RESELLER,
        country="KR",
        roles=(Role.GLOBAL_ADMIN,),
        name="서울 디지털",
    )
    partnership(session, provider.org, reseller.org)
    c = customer(session, partner(session, country="KR").org, country="KR")
    session.commit()
    from opencsp.customers import invitations

    link = invitations.request_link(session, reseller.actor, indirect_csp=str(provider.org.id))
    public = TestClient(client.app)
    public.cookies.set("lang", "ko")
    page = public.get(link, headers=HTML)
    assert page.status_code == 200
    assert "한빛 클라우드" in page.text and "서울 디지털" in page.text
    assert '<html lang="ko">' in page.text
    ok = public.post(
        "/customer/relationship",
        data=public_form(
            page.text, user_name=c.admin_user_name, password=CUSTOMER_ADMIN_PASSWORD, accept="yes"
        ),
        headers=HTML,
    )
    assert ok.status_code == 200, ok.text
    for org in (provider.org.id, reseller.org.id):
        assert count(session, CustomerRelationship, CustomerRelationship.partner_id == org) == 1


def test_the_invitation_page_refuses_what_it_must(session, client):
    inviter = partner(session)  # United States
    c = customer(session, partner(session, country="KR").org, country="KR")
    session.commit()
    public = TestClient(client.app)
    assert (
        public.get(f"/customer/relationship?partnerId={uuid.uuid4()}", headers=HTML).status_code
        == 404
    )
    assert public.get("/customer/relationship", headers=HTML).status_code == 404
    page = public.get(f"/customer/relationship?partnerId={inviter.org.id}", headers=HTML).text
    data = public_form(
        page, user_name=c.admin_user_name, password=CUSTOMER_ADMIN_PASSWORD, accept="yes"
    )
    out_of_market = public.post("/customer/relationship", data=data, headers=HTML)
    assert out_of_market.status_code == 403
    assert "isn't onboarded to sell" in html.unescape(out_of_market.text)
    forged = TestClient(client.app).post(
        "/customer/relationship", data={**data, "csrf_token": "x"}, headers=HTML
    )
    assert forged.status_code == 403
    assert (
        count(session, CustomerRelationship, CustomerRelationship.partner_id == inviter.org.id) == 0
    )
