"""The transition wizard and the vendor's queue without a browser (rules.md §2d): the
partner requests, the vendor approves, the partner accepts the agreement, chooses the
provider and records consent; refusals shown on the page; English and Korean."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.customers.models import CustomerRelationship
from opencsp.program.models import TierTransition
from tests.factories import PASSWORD, member
from tests.factories.commerce import scene

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str) -> str:
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD}
    assert client.post("/login", data=data, headers=HTML, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/", headers=HTML).text)


def post(client: TestClient, path: str, csrf: str, **data: str):
    return client.post(path, data={"csrf_token": csrf, **data}, headers=HTML)


def test_the_wizard_from_request_to_scheduled(client: TestClient, session: Session):
    s = scene(session)
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    session.commit()
    csrf = sign_in(client, s.direct.user.email)
    page = client.get("/transition", headers=HTML)
    assert page.status_code == 200 and 'id="request-transition"' in page.text
    assert 'data-area="transition"' in page.text
    page = post(client, "/transition", csrf)
    assert page.status_code == 200 and 'aria-current="step"' in page.text
    assert 'data-step="awaitingApproval" aria-current="step"' in page.text
    again = post(client, "/transition", csrf)  # a second request: the page says why not
    assert again.status_code == 409 and 'id="form-error"' in again.text
    tid = session.scalars(select(TierTransition.id)).one()

    staff = TestClient(client.app)
    staff_csrf = sign_in(staff, vendor.user.email)
    queue = staff.get("/transitions", headers=HTML)
    assert queue.status_code == 200 and f'data-transition="{tid}"' in queue.text
    refused = post(staff, f"/transitions/{tid}/reject", staff_csrf, reason=" ")
    assert refused.status_code == 400 and 'id="form-error"' in refused.text
    done = post(staff, f"/transitions/{tid}/approve", staff_csrf)
    assert done.status_code == 200 and 'data-state="approved"' in done.text

    page = post(client, f"/transition/{tid}/agreement", csrf)
    assert 'id="provider-choice"' in page.text and s.provider.org.name in page.text
    page = post(client, f"/transition/{tid}/provider", csrf, provider_id=str(s.provider.org.id))
    assert 'id="customers"' in page.text
    customer_id = session.scalars(
        select(CustomerRelationship.customer_id).where(
            CustomerRelationship.partner_id == s.direct.org.id
        )
    ).one()
    bad = post(
        client,
        f"/transition/{tid}/consent",
        csrf,
        customer_id=str(customer_id),
        consent_by="Gena",
        consented_on="2026-12-31",
    )
    assert bad.status_code == 400 and 'id="form-error"' in bad.text
    page = post(
        client,
        f"/transition/{tid}/consent",
        csrf,
        customer_id=str(customer_id),
        consent_by="Gena Soto",
        consented_on="2026-11-20",
    )
    assert page.status_code == 200
    assert 'id="effective-period">2026-12<' in page.text
    assert 'data-step="scheduled" aria-current="step"' in page.text


def test_pages_are_in_korean_and_hidden_from_others(client: TestClient, session: Session):
    s = scene(session)
    s.direct.user.locale = "ko-KR"
    session.commit()
    sign_in(client, s.direct.user.email)
    page = client.get("/transition", headers=HTML)
    assert page.status_code == 200 and 'lang="ko"' in page.text
    assert client.get("/transitions", headers=HTML).status_code == 403
    other = TestClient(client.app)
    sign_in(other, s.reseller.user.email)
    assert 'data-area="transition"' not in other.get("/", headers=HTML).text
