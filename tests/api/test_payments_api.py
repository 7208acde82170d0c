"""Payments, delinquencies and credit limits over the API (opencsp extensions; rules.md
§11): shapes, MS-RequestId replay, every documented error by its code, visibility (404
for what the caller may not see), and checkout refused with 900121."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencsp.auth.rules import Role
from opencsp.billing.models import Invoice, Payment
from opencsp.core import clock
from opencsp.core.actor import Tier
from tests.factories import Member, member
from tests.factories import billing as bf
from tests.factories.commerce import Scene, scene, sign_partner_agreement, subscription

MAY = date(2026, 5, 1)


@pytest.fixture()
def s(session) -> Scene:
    found = scene(session)
    sign_partner_agreement(session, found.direct)
    return found


@pytest.fixture()
def operator(session) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))


@pytest.fixture()
def doc(session, s) -> Invoice:
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=3, start=MAY)
    bf.charge(session, sub, MAY, each="10.00")
    (found,) = bf.issue(session, MAY)
    session.flush()
    return found


def body(amount: object = "10.00", currency: str = "USD", **extra: object) -> dict[str, object]:
    return {
        "amount": amount,
        "currencyCode": currency,
        "receivedOn": "2026-06-15",
        "reference": "wire 42",
        **extra,
    }


def test_record_and_list_payments(client: TestClient, session, s, operator, doc):
    r = client.post(f"/v1/invoices/{doc.id}/payments", headers=operator.headers, json=body())
    assert r.status_code == 201, r.text
    paid = r.json()
    assert paid["invoiceId"] == doc.id and paid["attributes"]["objectType"] == "Payment"
    assert (Decimal(paid["amount"]), paid["currencyCode"], paid["receivedOn"]) == (
        Decimal("10.00"),
        "USD",
        "2026-06-15",
    )
    # a JSON number is read exactly; PascalCase keys are read too
    r = client.post(
        f"/v1/invoices/{doc.id}/payments",
        headers=operator.headers,
        json={"Amount": 25.5, "CurrencyCode": "usd", "ReceivedOn": "2026-06-16", "Reference": "x"},
    )
    assert r.status_code == 201, r.text
    listed = client.get(f"/v1/invoices/{doc.id}/payments", headers=operator.headers).json()
    assert listed["totalCount"] == 2 and listed["attributes"]["objectType"] == "Collection"
    assert [Decimal(p["amount"]) for p in listed["items"]] == [Decimal("10.00"), Decimal("25.50")]
    # the partner billed reads its invoice's payments
    own = client.get(f"/v1/invoices/{doc.id}/payments", headers=s.direct.headers)
    assert own.status_code == 200 and own.json()["totalCount"] == 2
    session.expire_all()
    assert session.get(Invoice, doc.id).paid_minor == 3550  # 5.50 overpaid


def test_the_same_request_id_records_one_payment(client, session, operator, doc):
    headers = {**operator.headers, "MS-RequestId": "3f1c0b8e-0000-4000-8000-000000000001"}
    first = client.post(f"/v1/invoices/{doc.id}/payments", headers=headers, json=body())
    again = client.post(f"/v1/invoices/{doc.id}/payments", headers=headers, json=body())
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert session.scalar(select(func.count()).select_from(Payment)) == 1


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (body(currency="EUR"), 400, "PaymentCurrencyMismatch"),
        (body(amount="10.001"), 400, "InvalidPaymentAmount"),
        (body(amount="0"), 400, "InvalidPaymentAmount"),
        (body(amount="-5"), 400, "InvalidPaymentAmount"),
        (body(currency="ZZZ"), 400, "UnknownCurrency"),
        (body(receivedOn="2027-01-01"), 400, 800002),
    ],
)
def test_bad_payments_answer_their_code(client, session, operator, doc, payload, status, code):
    r = client.post(f"/v1/invoices/{doc.id}/payments", headers=operator.headers, json=payload)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["description"]
    assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_who_sees_and_who_records(client, s, operator, doc):
    r = client.post(f"/v1/invoices/{doc.id}/payments", headers=s.direct.headers, json=body())
    assert (r.status_code, r.json()["code"]) == (403, 900150)
    for who in (s.provider, s.reseller):
        r = client.get(f"/v1/invoices/{doc.id}/payments", headers=who.headers)
        assert (r.status_code, r.json()["code"]) == (404, "InvoiceNotFound")
    r = client.post("/v1/invoices/G999999999/payments", headers=operator.headers, json=body())
    assert r.status_code == 404


def test_delinquencies(client, session, s, operator, doc):
    # on the due date (2026-07-31) nothing is late yet
    clock.set_test_clock(session, datetime(2026, 7, 31, 23, 59, tzinfo=UTC))
    session.flush()
    assert client.get("/v1/billing/delinquencies", headers=operator.headers).json()[
        "totalCount"
    ] == 0  # fmt: skip
    # the test clock a day after the due date (2026-07-31)
    clock.set_test_clock(session, datetime(2026, 8, 1, tzinfo=UTC))
    session.flush()
    late = client.get("/v1/billing/delinquencies", headers=operator.headers).json()
    assert late["totalCount"] == 1, late
    (item,) = late["items"]
    assert item["partnerId"] == str(s.direct.org.id) and item["name"] == s.direct.org.name
    assert (Decimal(item["overdueAmount"]), item["oldestDueDate"]) == (
        Decimal("30.00"),
        "2026-07-31",
    )
    assert item["attributes"]["objectType"] == "Delinquency"


def test_credit_limits(client, s, operator):
    url = f"/v1/billing/creditlimits/{s.direct.org.id}"
    assert client.get(url, headers=operator.headers).status_code == 404
    r = client.put(url, headers=operator.headers, json={"creditLimit": "100.00"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["attributes"]["objectType"] == "CreditLimit" and got["currencyCode"] == "USD"
    assert Decimal(got["creditLimit"]) == Decimal(got["availableCredit"]) == Decimal("100.00")
    assert client.get(url, headers=s.direct.headers).json()["partnerId"] == str(s.direct.org.id)
    assert client.get(url, headers=s.provider.headers).status_code == 404
    # only the vendor's Billing operator sets limits
    r = client.put(url, headers=s.direct.headers, json={"creditLimit": "1e9"})
    assert (r.status_code, r.json()["code"]) == (403, 900150)
    r = client.put(url, headers=operator.headers, json={"creditLimit": "10.001"})
    assert (r.status_code, r.json()["code"]) == (400, "InvalidCreditLimit")
    r = client.put(
        f"/v1/billing/creditlimits/{s.reseller.org.id}",
        headers=operator.headers,
        json={"creditLimit": "1"},
    )
    assert (r.status_code, r.json()["code"]) == (400, "CreditLimitNotApplicable")
    # a purchase of USD 100.00 equals the available credit: it passes; the next is refused
    order = {
        "billingCycle": "monthly",
        "lineItems": [
            {
                "lineItemNumber": 0,
                "offerId": s.offer.catalog_item_id,
                "quantity": 10,
                "termDuration": "P1Y",
            }
        ],
    }
    orders = f"/v1/customers/{s.direct_customer.id}/orders"
    assert client.post(orders, headers=s.direct.headers, json=order).status_code == 201
    refused = client.post(orders, headers=s.direct.headers, json=order)
    assert (refused.status_code, refused.json()["code"]) == (403, 900121)
    assert refused.json()["description"].startswith(
        "Unable to process order due to insufficient credit limit"
    )
    assert Decimal(client.get(url, headers=operator.headers).json()["availableCredit"]) == 0
    assert client.delete(url, headers=operator.headers).status_code == 204
    assert client.post(orders, headers=s.direct.headers, json=order).status_code == 201
