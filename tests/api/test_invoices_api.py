"""Invoices over the API (PC:developer/get-a-collection-of-invoices.md, get-invoice-by-
id.md, get-the-reseller-s-current-account-balance.md, get-invoiceline-items.md): shapes
as the samples, visibility per actor (404, never 403, for a document one may not see),
size/offset paging of the list, seek paging of line items at the 2,000 edge, totals equal
to the sum of the lines, the balance with its overdue part, and the margin of a
downstream line shown to its seller only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.billing.models import Charge, Invoice
from opencsp.core.actor import Tier
from opencsp.core.pagination import encode_token
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories import Member, member
from tests.factories.billing import charge, issue
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.parties import partner
from tests.support import reference

OCT = date(2026, 10, 1)
AUG = date(2026, 8, 1)


@dataclass(frozen=True)
class World:
    sc: Scene
    direct_sub: Subscription
    indirect_sub: Subscription
    direct_invoice: Invoice  # vendor → direct-bill partner
    provider_invoice: Invoice  # vendor → provider
    reseller_invoice: Invoice  # provider → reseller (downstream, with cost)


def document(session: Session, seller: str, bill_to: object) -> Invoice:
    return session.scalars(
        select(Invoice).where(Invoice.seller_key == seller, Invoice.bill_to_key == str(bill_to))
    ).one()


def build_world(session: Session) -> World:
    sc = scene(session)
    start = date(2026, 8, 5)
    direct_sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, start=start)
    indirect_sub = subscription(
        session,
        sc.indirect_customer,
        sc.provider,
        sc.offer,
        quantity=4,
        start=start,
        reseller=sc.reseller,
        reseller_mpn_id=sc.reseller_mpn_id,
    )
    charge(session, direct_sub, OCT, each="10.00")
    charge(session, direct_sub, OCT, each="3.33", quantity=3, charge_type="addQuantity")
    charge(session, indirect_sub, OCT, each="10.00")
    downstream = charge(
        session,
        indirect_sub,
        OCT,
        each="11.00",
        tier="provider",
        seller=sc.provider.org.id,
        bill_to=sc.reseller.org.id,
    )
    downstream.cost_minor = 4000
    session.flush()
    issue(session, OCT)
    return World(
        sc,
        direct_sub,
        indirect_sub,
        document(session, "vendor", sc.direct.org.id),
        document(session, "vendor", sc.provider.org.id),
        document(session, str(sc.provider.org.id), sc.reseller.org.id),
    )


@pytest.fixture()
def world(session: Session) -> World:
    return build_world(session)


def vendor_member(session: Session, role: Role = Role.BILLING_OPERATOR) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(role,))


def get(client: TestClient, who: Member, path: str, **headers: str) -> Any:
    return client.get(f"/v1{path}", headers={**who.headers, **headers})


# --- shapes ---------------------------------------------------------------------------------


def test_an_invoice_has_the_sample_shape_and_its_total_is_the_sum_of_its_lines(client, world):
    inv = world.direct_invoice
    r = get(client, world.sc.direct, f"/invoices/{inv.id}")
    assert r.status_code == 200, r.text
    body = r.json()
    sample = reference.sample("invoices-get-by-id.response.json")
    missing = set(sample) - set(body) - {"taxReceipts"}  # no tax receipts: no tax (§11)
    assert not missing
    assert body["id"] == inv.id and body["documentType"] == "invoice"
    assert body["totalCharges"] == "109.99" and body["paidAmount"] == "0.00"
    assert body["currencyCode"] == "USD" and body["currencySymbol"] == "$"
    assert body["invoiceDate"].startswith("2026-11-01T00:00:00")
    assert body["billingPeriodStartDate"].startswith("2026-10-01")
    assert body["billingPeriodEndDate"].startswith("2026-10-31")
    assert body["dueDate"].startswith("2026-12-31")
    assert body["pdfDownloadLink"] == f"/invoices/{inv.id}/documents/statement"
    assert body["invoiceDetails"][0]["billingProvider"] == "one_time"
    assert body["attributes"]["objectType"] == "Invoice"
    lines = get(client, world.sc.direct, f"/invoices/{inv.id}/lineitems/OneTime/BillingLineItems")
    items = lines.json()["items"]
    assert sum(Decimal(i["totalForCustomer"]) for i in items) == Decimal(body["totalCharges"])


@pytest.mark.parametrize("spelling", ["{id}", "OneTime-{id}", "{lower}", "onetime-{lower}"])
def test_the_invoice_id_is_read_as_partner_center_links_spell_it(client, world, spelling):
    inv = world.direct_invoice
    path = "/invoices/" + spelling.format(id=inv.id, lower=inv.id.lower())
    assert get(client, world.sc.direct, path).json()["id"] == inv.id


def test_a_line_item_has_every_field_of_the_sample(client, world):
    inv = world.direct_invoice
    r = get(client, world.sc.direct, f"/invoices/{inv.id}/lineitems/OneTime/BillingLineItems")
    assert r.status_code == 200, r.text
    body = r.json()
    sample = reference.sample("invoices-lineitems-onetime-billing-next.response.json")
    first = body["items"][0]
    assert not set(sample["items"][0]) - set(first)
    assert first["attributes"]["objectType"] == "OneTimeInvoiceLineItem"
    assert first["invoiceNumber"] == inv.id
    assert first["productName"] == world.sc.offer.product.title
    assert first["skuName"] == world.sc.offer.sku.title
    assert first["partnerId"] == str(world.sc.direct.org.id)
    assert first["customerId"] == str(world.sc.direct_customer.id)
    assert first["customerName"] == world.sc.direct_customer.company_name
    assert first["subscriptionId"] == str(world.direct_sub.id)
    assert first["chargeType"] == "cycleCharge"
    assert (first["unitPrice"], first["effectiveUnitPrice"]) == ("120", "10.00")
    assert (first["quantity"], first["billableQuantity"]) == (10, 10)
    assert first["subtotal"] == "100.00" and first["taxTotal"] == "0.00"
    assert first["totalForCustomer"] == "100.00"
    assert first["pcToBCExchangeRate"] == "1" and first["pricingCurrency"] == "USD"
    assert first["termAndBillingCycle"] == "One-Year commitment for monthly billing"
    assert first["billingFrequency"] == "Monthly"
    assert "cost" not in first and "margin" not in first
    assert body["attributes"]["objectType"] == "Collection"
    assert body["totalCount"] == 2 and "next" not in body["links"]


def test_a_line_priced_in_another_currency_shows_its_rate_and_the_rounded_down_subtotal(
    client, session, world
):
    """EUR billing of a USD price at 0.923456: ROUNDDOWN(10.01 × rate, 2) × 7
    (file-formats.md §8c)."""
    rate = Decimal("0.923456")
    billed = (Decimal("10.01") * rate).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    charge(
        session,
        world.direct_sub,
        date(2026, 9, 1),
        each="10.01",
        quantity=7,
        billing_currency="EUR",
        fx_rate=rate,
        billed_each=billed,
    )
    issue(session, date(2026, 9, 1))
    inv = session.scalars(select(Invoice).where(Invoice.currency == "EUR")).one()
    body = get(client, world.sc.direct, f"/invoices/{inv.id}/lineitems?provider=onetime").json()
    line = body["items"][0]
    assert line["currency"] == "EUR" and line["pricingCurrency"] == "USD"
    assert line["pcToBCExchangeRate"] == "0.923456"
    assert line["pcToBCExchangeRateDate"].startswith("2026-09-01")
    assert Decimal(line["subtotal"]) == billed * 7 == Decimal("64.68")
    invoice = get(client, world.sc.direct, f"/invoices/{inv.id}").json()
    assert invoice["totalCharges"] == line["subtotal"] and invoice["currencySymbol"] == "€"


# --- visibility -----------------------------------------------------------------------------


def test_another_partner_gets_404_for_an_invoice_it_is_not_party_to(client, session, world):
    other = partner(session, Tier.DIRECT_BILL)
    for path in (
        f"/invoices/{world.direct_invoice.id}",
        f"/invoices/{world.direct_invoice.id}/lineitems/OneTime/BillingLineItems",
        f"/invoices/{world.direct_invoice.id}/reconciliation.csv",
    ):
        r = get(client, other, path)
        assert r.status_code == 404, path
        assert r.json()["code"] == "InvoiceNotFound"
    assert get(client, other, "/invoices").json()["items"] == []


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("direct", {"direct_invoice"}),
        ("provider", {"provider_invoice", "reseller_invoice"}),
        ("reseller", {"reseller_invoice"}),
        ("vendor", {"direct_invoice", "provider_invoice"}),
    ],
)
def test_each_actor_sees_the_documents_billed_to_it_or_issued_by_it(
    client, session, world, who, sees
):
    actor = vendor_member(session) if who == "vendor" else getattr(world.sc, who)
    docs = {
        name: getattr(world, name).id
        for name in ("direct_invoice", "provider_invoice", "reseller_invoice")
    }
    listed = {i["id"] for i in get(client, actor, "/invoices").json()["items"]}
    assert listed == {docs[name] for name in sees}
    for name, number in docs.items():
        expected = 200 if name in sees else 404
        assert get(client, actor, f"/invoices/{number}").status_code == expected, name


def test_a_vendor_role_without_billing_read_is_refused(client, session, world):
    manager = vendor_member(session, Role.CATALOG_MANAGER)
    r = get(client, manager, "/invoices")
    assert r.status_code == 403 and r.json()["code"] == 900150


def test_the_margin_of_a_downstream_line_shows_to_its_seller_only(client, world):
    path = f"/invoices/{world.reseller_invoice.id}/lineitems/OneTime/BillingLineItems"
    seller = get(client, world.sc.provider, path).json()["items"][0]
    assert (seller["subtotal"], seller["cost"], seller["margin"]) == ("44.00", "40.00", "4.00")
    buyer = get(client, world.sc.reseller, path).json()["items"][0]
    assert buyer["subtotal"] == "44.00"
    assert "cost" not in buyer and "margin" not in buyer
    assert buyer["resellerMpnId"] == world.sc.reseller_mpn_id


# --- paging ---------------------------------------------------------------------------------


def copies(session: Session, template: Charge, n: int) -> None:
    """``n`` more lines like ``template`` on its document, in one INSERT."""
    columns = [c.name for c in Charge.__table__.columns if c.name != "id"]
    base = {name: getattr(template, name) for name in columns}
    session.execute(insert(Charge), [{**base, "key": f"{template.key}:{i}"} for i in range(n)])
    session.flush()


@pytest.mark.parametrize(("lines", "pages"), [(1999, [1999]), (2000, [2000]), (2001, [2000, 1])])
def test_line_items_page_by_2000_with_the_continuation_token(client, session, lines, pages):
    sc = scene(session)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=1)
    copies(session, charge(session, sub, OCT, each="1.00"), lines - 1)
    inv = issue(session, OCT)[0]
    assert inv.line_count == lines
    path = f"/v1/invoices/{inv.id}/lineitems/OneTime/BillingLineItems"
    seen: list[int] = []
    r = client.get(path, headers=sc.direct.headers)
    ids: set[str] = set()
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        seen.append(len(body["items"]))
        assert body["totalCount"] == len(body["items"])
        ids |= {i["referenceId"] for i in body["items"]}
        following = body["links"].get("next")
        if following is None:
            assert "continuationToken" not in body
            break
        assert following["uri"].endswith("seekOperation=Next")
        (header,) = following["headers"]
        assert header["key"] == "MS-ContinuationToken"
        assert header["value"] == body["continuationToken"]
        r = client.get(
            "/v1" + following["uri"], headers={**sc.direct.headers, header["key"]: header["value"]}
        )
    assert seen == pages
    assert len(ids) == lines  # no line skipped or repeated


@pytest.mark.parametrize(
    ("size", "status", "count"), [(0, 400, None), (1, 200, 1), (2000, 200, 2), (2001, 400, None)]
)
def test_the_line_item_page_size_is_1_to_2000(client, world, size, status, count):
    path = f"/invoices/{world.direct_invoice.id}/lineitems/OneTime/BillingLineItems?size={size}"
    r = get(client, world.sc.direct, path)
    assert r.status_code == status
    if count is None:
        assert r.json()["code"] == "InvalidPageSize"
    else:
        assert len(r.json()["items"]) == count


def test_a_bad_or_foreign_continuation_token_is_a_clear_400(client, session, world):
    base = "/invoices/{id}/lineitems/OneTime/BillingLineItems?size=1"
    first = get(client, world.sc.direct, base.format(id=world.direct_invoice.id)).json()
    token = first["continuationToken"]
    nxt = base.format(id=world.direct_invoice.id) + "&seekOperation=Next"
    ok = get(client, world.sc.direct, nxt, **{"MS-ContinuationToken": token})
    assert ok.status_code == 200 and len(ok.json()["items"]) == 1
    scope = f"invoice:{world.direct_invoice.id}"
    cases = [
        (nxt, "not base64 !!", "InvalidContinuationToken"),
        (nxt, encode_token({"s": scope, "a": -1}), "InvalidContinuationToken"),
        (nxt, encode_token({"s": scope, "a": 2**63}), "InvalidContinuationToken"),
        (nxt, encode_token({"s": scope, "a": "1"}), "InvalidContinuationToken"),
        (nxt, "eyJhIjoxfQ", "InvalidContinuationToken"),  # {"a":1}: no scope
        (nxt, None, "InvalidSeekOperation"),
        (nxt.replace("Next", "Previous"), token, "InvalidSeekOperation"),
    ]
    for path, value, code in cases:
        headers = {"MS-ContinuationToken": value} if value else {}
        r = get(client, world.sc.direct, path, **headers)
        assert r.status_code == 400, (path, value)
        assert r.json()["code"] == code
    # a token of one invoice is refused on another the same actor sees
    provider_first = get(client, world.sc.provider, base.format(id=world.provider_invoice.id))
    assert "continuationToken" not in provider_first.json()  # one line only
    other = base.format(id=world.reseller_invoice.id) + "&seekOperation=Next"
    r = get(client, world.sc.provider, other, **{"MS-ContinuationToken": token})
    assert r.status_code == 400 and r.json()["code"] == "InvalidContinuationToken"


@pytest.mark.parametrize(
    "path",
    [
        "/invoices/{id}/lineitems/Azure/BillingLineItems",
        "/invoices/{id}/lineitems/OneTime/UsageLineItems",
        "/invoices/{id}/lineitems?provider=office&invoicelineitemtype=billinglineitems",
    ],
)
def test_other_line_item_kinds_are_refused(client, world, path):
    r = get(client, world.sc.direct, path.format(id=world.direct_invoice.id))
    assert r.status_code == 400 and r.json()["code"] == "UnsupportedInvoiceLineItems"


def test_the_invoice_list_pages_by_size_and_offset_newest_first(client, session, world):
    for month in (date(2026, 7, 1), date(2026, 8, 1)):
        charge(session, world.direct_sub, month, each="1.00")
        issue(session, month)
    direct = world.sc.direct
    first = get(client, direct, "/invoices?size=2&offset=0").json()
    assert [i["invoiceDate"][:10] for i in first["items"]] == ["2026-11-01", "2026-09-01"]
    assert first["links"]["self"]["uri"] == "/invoices?size=2&offset=0"
    assert first["links"]["next"]["uri"] == "/invoices?size=2&offset=2"
    assert first["totalCount"] == 2
    last = get(client, direct, "/invoices?size=2&offset=2").json()
    assert [i["invoiceDate"][:10] for i in last["items"]] == ["2026-08-01"]
    assert "next" not in last["links"]
    assert get(client, direct, "/invoices?size=3&offset=0").json()["links"].get("next") is None
    for bad in ("size=0", "size=201", "offset=-1"):
        assert get(client, direct, f"/invoices?{bad}").status_code == 400, bad


# --- the balance ----------------------------------------------------------------------------


@pytest.mark.parametrize(("due_shift", "status"), [(-1, "overdue"), (0, "open"), (1, "open")])
def test_an_unpaid_invoice_is_overdue_only_after_its_due_date(
    client, session, world, due_shift, status
):
    inv = world.direct_invoice
    inv.due_date = NOW.date() + timedelta(days=due_shift)
    session.flush()
    assert get(client, world.sc.direct, f"/invoices/{inv.id}").json()["status"] == status
    summary = get(client, world.sc.direct, "/invoices/summary").json()
    assert summary["isOverdue"] is (status == "overdue")
    assert summary["overdueAmount"] == ("109.99" if status == "overdue" else "0.00")


@pytest.mark.parametrize(("paid", "status"), [(10998, "overdue"), (10999, "paid"), (0, "overdue")])
def test_a_paid_invoice_is_never_overdue(client, session, world, paid, status):
    inv = world.direct_invoice
    inv.due_date, inv.paid_minor = NOW.date() - timedelta(days=1), paid
    session.flush()
    assert get(client, world.sc.direct, f"/invoices/{inv.id}").json()["status"] == status


def test_the_summary_is_the_balance_per_currency(client, session, world):
    charge(session, world.direct_sub, AUG, each="5.00", quantity=2)
    charge(
        session,
        world.direct_sub,
        AUG,
        each="2.00",
        quantity=3,
        billing_currency="EUR",
        billed_each="1.84",
    )
    issue(session, AUG)
    world.direct_invoice.paid_minor = 9
    session.flush()
    direct = world.sc.direct
    summaries = get(client, direct, "/invoices/summaries").json()["items"]
    by_currency = {s["currencyCode"]: s for s in summaries}
    assert set(by_currency) == {"EUR", "USD"}
    usd = by_currency["USD"]
    assert usd["balanceAmount"] == "119.90"  # 109.99 − 0.09 + 10.00
    assert usd["overdueAmount"] == "10.00"  # August's, due 2026-10-31
    assert usd["firstDueDate"].startswith("2026-10-31") and usd["isOverdue"] is True
    assert usd["firstInvoiceCreationDate"].startswith("2026-09-01")
    assert usd["latestInvoiceDate"].startswith("2026-11-01")
    assert by_currency["EUR"]["balanceAmount"] == "5.52"
    assert get(client, direct, "/invoices/summary").json()["currencyCode"] == "USD"
    eur = get(client, direct, "/invoices/summary?currencyCode=eur").json()
    assert eur["balanceAmount"] == "5.52" and eur["attributes"]["objectType"] == "InvoiceSummary"
    none = get(client, direct, "/invoices/summary?currencyCode=KRW").json()
    assert none["balanceAmount"] == "0" and none["isOverdue"] is False


def test_the_vendor_summary_is_what_it_is_owed_and_a_partner_s_what_it_owes(client, session, world):
    vendor = vendor_member(session)
    owed = get(client, vendor, "/invoices/summary").json()
    assert owed["balanceAmount"] == "149.99"  # 109.99 + 40.00 (not the provider's 44.00)
    provider = get(client, world.sc.provider, "/invoices/summary").json()
    assert provider["balanceAmount"] == "40.00"  # billed to it; not what its reseller owes
