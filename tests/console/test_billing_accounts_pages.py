"""The billing accounts page without a browser: the vendor's list of partners with their
limits, balances, overdue amounts and available credit; the Billing operator's forms
(set a limit, record a payment — a double submit records once); a partner's own
read-only view; English and Korean; refused input shown with its message."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencsp.auth.rules import Role
from opencsp.billing import credit
from opencsp.billing.models import CreditLimit, Invoice, Payment
from opencsp.core.actor import Tier
from tests.conftest import NOW
from tests.factories import billing as bf
from tests.factories import member, system
from tests.factories.commerce import scene, subscription
from tests.factories.console_pricing import HTML, sign_in

pytestmark = pytest.mark.usefixtures("client")

MAY = date(2026, 5, 1)


@pytest.fixture()
def world(session):
    s = scene(session)
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=3, start=MAY)
    bf.charge(session, sub, MAY, each="10.00")
    (doc,) = bf.issue(session, MAY)
    credit.set_credit_limit(session, system(session), s.direct.org.id, Decimal(500), now=NOW)
    operator = member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    session.flush()
    return s, doc, operator


def row_of(html: str, org_id: object) -> str:
    found = re.search(rf'<tr data-partner="{org_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, "no row for the partner"
    return found.group(1)


def field(row: str, name: str) -> str:
    found = re.search(rf'data-field="{name}">(.*?)</td>', row, re.S)
    assert found
    return re.sub(r"<[^>]+>", " ", found.group(1)).split()


def test_the_vendor_sees_partners_limits_balances_and_available_credit(client, world):
    s, _doc, operator = world
    sign_in(client, operator)
    page = client.get("/billing/accounts", headers=HTML)
    assert page.status_code == 200
    row = row_of(page.text, s.direct.org.id)
    assert field(row, "limit") == ["$500.00"]
    assert field(row, "outstanding") == ["$30.00"]
    assert field(row, "overdue") == ["$30.00"]  # due 2026-07-31, and it is November
    assert field(row, "available") == ["$470.00"]
    assert "Delinquent" in row
    assert "No limit" in row_of(page.text, s.provider.org.id)
    assert 'id="set-credit-limit"' in page.text and 'id="record-payment"' in page.text
    assert 'href="/billing/accounts"' in page.text  # in the menu


def test_korean(client, world):
    s, _doc, operator = world
    sign_in(client, operator, language="ko")
    page = client.get("/billing/accounts", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="ko"' in page.text
    assert field(row_of(page.text, s.direct.org.id), "limit") == ["US$500.00"]


def test_the_operator_sets_a_limit(client, session, world):
    s, _doc, operator = world
    csrf = sign_in(client, operator)
    data = {"csrf_token": csrf, "org_id": str(s.provider.org.id), "limit": "1,250.00"}
    r = client.post("/billing/accounts/limit", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("done=credit_limit_saved")
    session.expire_all()
    assert session.get(CreditLimit, s.provider.org.id).limit_usd == Decimal("1250.00")
    bad = client.post("/billing/accounts/limit", data={**data, "limit": "1.005"}, headers=HTML)
    assert bad.status_code == 400 and "whole cents" in bad.text
    removed = client.post(
        "/billing/accounts/limit", data={**data, "remove": "1"}, headers=HTML,
        follow_redirects=False,
    )  # fmt: skip
    assert removed.status_code == 303
    session.expire_all()
    assert session.get(CreditLimit, s.provider.org.id) is None


def test_the_operator_records_a_payment_once(client, session, world):
    s, doc, operator = world
    csrf = sign_in(client, operator)
    page = client.get("/billing/accounts", headers=HTML).text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": csrf,
        "request_id": request_id,
        "invoice": doc.id,
        "amount": "30.00",
        "currency": "USD",
        "received_on": "2026-11-20",
        "reference": "wire 7",
    }
    for _ in range(2):  # a double submit
        r = client.post(
            "/billing/accounts/payment", data=data, headers=HTML, follow_redirects=False
        )
        assert r.status_code == 303, r.text
    assert session.scalar(select(func.count()).select_from(Payment)) == 1
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 3000
    after = client.get("/billing/accounts?done=payment_recorded", headers=HTML).text
    assert "The payment was recorded." in after
    assert field(row_of(after, s.direct.org.id), "overdue") == ["—"]
    wrong = client.post(
        "/billing/accounts/payment",
        data={**data, "request_id": "another", "currency": "EUR"},
        headers=HTML,
    )
    assert wrong.status_code == 400 and "billed in USD" in wrong.text


def test_a_partner_sees_its_own_account_read_only(client, world):
    s, doc, _operator = world
    csrf = sign_in(client, s.direct)
    page = client.get("/billing/accounts", headers=HTML)
    assert page.status_code == 200
    assert 'id="own-balances"' in page.text
    assert field(row_of(page.text, s.direct.org.id), "available") == ["$470.00"]
    assert s.provider.org.name not in page.text
    assert 'id="record-payment"' not in page.text
    data = {"csrf_token": csrf, "invoice": doc.id, "amount": "1", "currency": "USD",
            "received_on": "2026-11-20", "reference": "x"}  # fmt: skip
    refused = client.post("/billing/accounts/payment", data=data, headers=HTML)
    assert refused.status_code == 403
    # a reseller (no credit limit of its own) sees its balance, nothing else
    client.cookies.clear()
    sign_in(client, s.reseller)
    reseller_page = client.get("/billing/accounts", headers=HTML)
    assert reseller_page.status_code == 200 and "Nothing is owed." in reseller_page.text
