"""The agreement pages without a browser: the vendor's templates, the partner agreement,
a customer's agreement for its partners, the public acceptance page and the public
documents — through the real app on the test's transaction."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.agreements import queries
from opencsp.agreements.models import (
    AgreementTemplate,
    CustomerAgreement,
    CustomerSignIn,
    PartnerAgreementSignature,
)
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import PASSWORD, Member
from tests.factories.agreements import CUSTOMER, PARTNER, program_admin, publish
from tests.factories.parties import CUSTOMER_ADMIN_PASSWORD, customer, partner, partnership

HTML = {"Accept": "text/html"}


def csrf_of(html: str, field: str = "csrf_token") -> str:
    found = re.search(rf'name="{field}" value="([^"]+)"', html)
    assert found, f"the page has no {field} field"
    return found.group(1)


def sign_in(client: TestClient, session: Session, m: Member) -> str:
    """Sign a committed member in; the session's CSRF token."""
    session.commit()
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": m.user.email, "password": PASSWORD}
    assert client.post("/login", data=data, headers=HTML, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/", headers=HTML).text)


def nav_areas(html: str) -> set[str]:
    nav = html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'data-area="([a-z-]+)"', nav))


def count(session: Session, model: type, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- the vendor's templates ----------------------------------------------------------------------


def publish_form(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "agreement_type": "MicrosoftCustomerAgreement",
        "version": "2026-11",
        "region": "",
        "agreement_link": "",
        "en_title": "Customer Agreement",
        "en_body": "# Scope\nThese terms apply.",
        "ko_title": "고객 계약",
        "ko_body": "# 범위\n이 약관이 적용됩니다.",
    } | changes


def test_the_program_admin_publishes_and_retires_templates(client, session):
    csrf = sign_in(client, session, program_admin(session))
    assert "agreement-templates" in nav_areas(client.get("/", headers=HTML).text)
    r = client.post("/agreement-templates", data=publish_form(csrf), headers=HTML)
    assert r.status_code == 200  # after the redirect
    assert "The agreement template was published." in r.text
    assert "2026-11" in r.text
    template = session.scalars(select(AgreementTemplate)).one()
    assert template.region is None
    assert set(queries.documents_of(session, template.id)) == {"en", "ko"}

    # htmx: the whole table comes back, ranks and all
    r = client.post(
        f"/agreement-templates/{template.id}/retire",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section class="card card-flush" id="agreement-templates"')
    assert "Retired" in r.text
    session.expire_all()
    assert session.get(AgreementTemplate, template.id).status == "retired"


def test_a_failed_publication_keeps_what_was_typed(client, session):
    csrf = sign_in(client, session, program_admin(session))
    r = client.post(
        "/agreement-templates",
        data=publish_form(csrf, ko_body="", version="keep-me", region="atlantis"),
        headers=HTML,
    )
    assert r.status_code == 400
    assert "Unknown CSP region: atlantis" in r.text
    assert 'value="keep-me"' in r.text
    assert count(session, AgreementTemplate) == 0


def test_the_templates_page_is_the_vendors(client, session):
    sign_in(client, session, partner(session, Tier.INDIRECT_PROVIDER))
    assert client.get("/agreement-templates", headers=HTML).status_code == 403
    assert "agreement-templates" not in nav_areas(client.get("/", headers=HTML).text)


# --- the partner agreement ---------------------------------------------------------------------


def test_a_global_admin_reads_the_agreement_in_korean_and_signs_it(client, session):
    template = publish(session, PARTNER, region="korea-republic-of")
    reseller = partner(session, Tier.INDIRECT_RESELLER, country="KR", roles=(Role.GLOBAL_ADMIN,))
    csrf = sign_in(client, session, reseller)
    assert "partner-agreement" in nav_areas(client.get("/", headers=HTML).text)
    client.post("/language", data={"csrf_token": csrf, "lang": "ko", "next": "/"}, headers=HTML)

    page = client.get("/partner-agreement", headers=HTML)
    assert page.status_code == 200
    assert 'id="unsigned-own-region"' in page.text
    assert 'data-language="ko"' in page.text  # the document in the reader's language
    assert "파트너 계약" in page.text

    r = client.post(
        "/partner-agreement",
        data={"csrf_token": csrf, "region": "korea-republic-of", "template_id": str(template.id)},
        headers=HTML,
    )
    assert r.status_code == 200
    assert "파트너 계약에 서명했습니다." in r.text
    assert 'id="unsigned-own-region"' not in r.text
    assert reseller.user.email in r.text
    assert count(session, PartnerAgreementSignature) == 1

    again = client.post(
        "/partner-agreement",
        data={"csrf_token": csrf, "region": "korea-republic-of", "template_id": str(template.id)},
        headers=HTML,
    )
    assert again.status_code == 409
    assert "이미" in again.text  # already signed, said in Korean
    assert count(session, PartnerAgreementSignature) == 1


def test_only_a_global_admin_sees_and_signs_the_partner_agreement(client, session):
    template = publish(session, PARTNER)
    agent = partner(session, Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))
    csrf = sign_in(client, session, agent)
    assert "partner-agreement" not in nav_areas(client.get("/", headers=HTML).text)
    assert client.get("/partner-agreement", headers=HTML).status_code == 403
    r = client.post(
        "/partner-agreement",
        data={"csrf_token": csrf, "region": "united-states", "template_id": str(template.id)},
        headers=HTML,
    )
    assert r.status_code == 403
    assert count(session, PartnerAgreementSignature) == 0


# --- a customer's agreement, for its partners --------------------------------------------------


def test_an_admin_agent_confirms_a_customers_acceptance(client, session):
    template = publish(session)
    direct = partner(session, Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))
    buyer = customer(session, direct.org, name="Contoso")
    csrf = sign_in(client, session, direct)
    page = client.get(f"/customers/{buyer.id}/agreement", headers=HTML)
    assert page.status_code == 200
    assert "Not accepted yet" in page.text
    assert f"/customer/agreement?customerId={buyer.id}" in page.text  # the link to send
    form = {
        "csrf_token": csrf,
        "template_id": str(template.id),
        "first_name": "Tania",
        "last_name": "Carr",
        "email": "tania@contoso.example",
        "phone": "",
        "date_agreed": "2026-11-30",  # in the future
    }
    r = client.post(f"/customers/{buyer.id}/agreement", data=form, headers=HTML)
    assert r.status_code == 400
    assert "cannot be in the future" in r.text
    assert 'value="tania@contoso.example"' in r.text
    assert count(session, CustomerAgreement) == 0

    r = client.post(
        f"/customers/{buyer.id}/agreement", data=form | {"date_agreed": "2026-11-20"}, headers=HTML
    )
    assert r.status_code == 200
    assert "was confirmed" in r.text
    assert "Confirmed by a partner" in r.text
    assert queries.has_accepted_customer_agreement(session, buyer.id)


def test_a_reseller_reads_the_page_but_cannot_confirm(client, session):
    template = publish(session)
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT))
    partnership(session, provider.org, reseller.org)
    buyer = customer(session, provider.org, reseller=reseller.org)
    csrf = sign_in(client, session, reseller)
    page = client.get(f"/customers/{buyer.id}/agreement", headers=HTML)
    assert page.status_code == 200
    assert 'id="confirm-agreement"' not in page.text
    r = client.post(
        f"/customers/{buyer.id}/agreement",
        data={"csrf_token": csrf, "template_id": str(template.id), "date_agreed": "2026-11-20"},
        headers=HTML,
    )
    assert r.status_code == 403
    assert count(session, CustomerAgreement) == 0


def test_another_partners_customer_is_404(client, session):
    template = publish(session)
    direct = partner(session, Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))
    theirs = customer(session, partner(session, Tier.DIRECT_BILL).org)
    csrf = sign_in(client, session, direct)
    assert client.get(f"/customers/{theirs.id}/agreement", headers=HTML).status_code == 404
    assert client.get("/customers/not-a-guid/agreement", headers=HTML).status_code == 404
    r = client.post(
        f"/customers/{theirs.id}/agreement",
        data={
            "csrf_token": csrf,
            "template_id": str(template.id),
            "first_name": "T",
            "last_name": "C",
            "email": "t@c.example",
            "date_agreed": "2026-11-20",
        },
        headers=HTML,
    )
    assert r.status_code == 404
    assert count(session, CustomerAgreement) == 0


# --- the customer's own acceptance (public) -------------------------------------------------------


@pytest.fixture()
def buyer(session):
    direct = partner(session, Tier.DIRECT_BILL)
    row = customer(session, direct.org, country="KR", name="Hanbit Foods")
    publish(session, CUSTOMER, region="korea-republic-of", ko_title="고객 계약 (한국)")
    session.commit()
    return row


def customer_sign_in(client: TestClient, buyer, password: str = CUSTOMER_ADMIN_PASSWORD):
    page = client.get(f"/customer/agreement?customerId={buyer.id}", headers=HTML)
    data = {
        "csrf_token": csrf_of(page.text),
        "customer_id": str(buyer.id),
        "user_name": buyer.admin_user_name,
        "password": password,
    }
    return client.post(
        "/customer/agreement/sign-in", data=data, headers=HTML, follow_redirects=False
    )


def test_the_customer_signs_in_reads_and_accepts(client, session, buyer):
    page = client.get(f"/customer/agreement?customerId={buyer.id}", headers=HTML)
    assert page.status_code == 200
    assert 'id="customer-sign-in"' in page.text
    assert "Hanbit Foods" not in page.text  # nothing about the customer before signing in

    r = customer_sign_in(client, buyer)
    assert r.status_code == 303
    assert r.headers["location"] == f"/customer/agreement?customerId={buyer.id}"
    assert "path=/customer" in r.headers["set-cookie"].lower()
    assert "httponly" in r.headers["set-cookie"].lower()
    page = client.get(r.headers["location"], headers={**HTML, "Accept-Language": "ko-KR"})
    assert "고객 계약 (한국)" in page.text
    token = csrf_of(page.text, "customer_csrf")
    template_id = csrf_of(page.text, "template_id")
    form = {
        "customer_csrf": token,
        "template_id": template_id,
        "first_name": "민지",
        "last_name": "김",
        "email": "minji@hanbit.example",
    }
    refused = client.post("/customer/agreement", data=form, headers=HTML)  # no consent
    assert refused.status_code == 400
    assert count(session, CustomerAgreement) == 0

    r = client.post("/customer/agreement", data=form | {"consent": "yes"}, headers=HTML)
    assert r.status_code == 200
    assert 'id="accepted"' in r.text
    assert queries.has_accepted_customer_agreement(session, buyer.id)
    assert queries.has_signed_directly(session, buyer.id)

    again = client.post("/customer/agreement", data=form | {"consent": "yes"}, headers=HTML)
    assert again.status_code == 200
    assert count(session, CustomerAgreement) == 1


@pytest.mark.parametrize("case", ["wrong password", "no csrf", "forged csrf", "no sign-in"])
def test_the_acceptance_is_refused_without_a_proper_sign_in(client, session, buyer, case):
    if case == "wrong password":
        r = customer_sign_in(client, buyer, password="not the password")
        assert r.status_code == 401
        assert "Invalid email or password." in r.text
        assert count(session, CustomerSignIn) == 0
        return
    if case != "no sign-in":
        assert customer_sign_in(client, buyer).status_code == 303
    form = {"first_name": "A", "last_name": "B", "email": "a@b.example", "consent": "yes"}
    if case == "forged csrf":
        form["customer_csrf"] = "forged"
    r = client.post("/customer/agreement", data=form, headers=HTML)
    assert r.status_code == (401 if case == "no sign-in" else 403)
    assert count(session, CustomerAgreement) == 0


def test_signing_out_ends_the_customer_sign_in(client, session, buyer):
    assert customer_sign_in(client, buyer).status_code == 303
    page = client.get(f"/customer/agreement?customerId={buyer.id}", headers=HTML)
    r = client.post(
        "/customer/agreement/sign-out",
        data={"customer_csrf": csrf_of(page.text, "customer_csrf")},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert count(session, CustomerSignIn) == 0
    assert 'id="customer-sign-in"' in client.get(r.headers["location"], headers=HTML).text


def test_a_document_page_is_public_and_escapes_the_text(client, session):
    template = publish(session, en_title="Terms <script>alert(1)</script>")
    session.commit()
    page = client.get(f"/agreement-documents/{template.id}", headers=HTML)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "Terms &lt;script&gt;" in page.text
    korean = client.get(f"/agreement-documents/{template.id}?language=ko", headers=HTML)
    assert 'data-language="ko"' in korean.text
    assert client.get("/agreement-documents/nope", headers=HTML).status_code == 404
