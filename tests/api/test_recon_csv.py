"""The NCE reconciliation file (file-formats.md §8c) of an invoice and of the open period,
and the open period's line items (PC:developer/get-invoice-unbilled-recon-lineitems.md):
the header exactly as documented, the seat-based subtotal formula on every row (USD, an
FX-converted EUR line, KRW without minor units), totals that add up to the invoice,
streaming a page of 2,000 lines at a time, visibility, and the unbilled endpoints over
``unbilled.preview`` (stubbed here with transient rows, as the bill run returns them)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import recon_stream
from opencsp.billing import unbilled as unbilled_module
from opencsp.billing.models import BillingPeriod, Charge, Invoice
from opencsp.core.actor import Tier
from opencsp.core.money import Currency
from tests.api.test_invoices_api import OCT, World, build_world, copies, get, vendor_member
from tests.conftest import NOW
from tests.factories.billing import charge, issue
from tests.factories.commerce import scene, subscription
from tests.factories.parties import partner
from tests.support import reference

NOV = date(2026, 11, 1)  # the open period at NOW


def documented_header() -> list[str]:
    """The column list of §8c as the reference writes it (not the code's constant)."""
    text = reference.path("file-formats.md").read_text(encoding="utf-8")
    section = text[text.index("### 8c.") : text.index("### 8d.")]
    found = re.search(r"`(PartnerId, CustomerId[^`]+)`", section)
    assert found
    return [name.strip() for name in found.group(1).split(",")]


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def check_formula(row: dict[str, str]) -> None:
    """Subtotal = ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, minor) ×
    BillableQuantity; Total = Subtotal + TaxTotal (file-formats.md §8c)."""
    quantum = Currency.of(row["Currency"]).quantum
    unit = Decimal(row["EffectiveUnitPrice"])
    rate = Decimal(row["PCToBCExchangeRate"])
    converted = unit if rate == 1 else (unit * rate).quantize(quantum, rounding=ROUND_DOWN)
    expected = (converted * int(row["BillableQuantity"])).quantize(quantum)
    assert Decimal(row["Subtotal"]) == expected, row
    assert row["Subtotal"] == str(expected)
    assert Decimal(row["Total"]) == Decimal(row["Subtotal"]) + Decimal(row["TaxTotal"])


@pytest.fixture()
def world(session: Session) -> World:
    return build_world(session)


def test_the_header_is_the_documented_column_order(client, world):
    r = get(client, world.sc.direct, f"/invoices/{world.direct_invoice.id}/reconciliation.csv")
    assert r.status_code == 200, r.text
    first_line = r.text.split("\r\n", 1)[0]
    assert first_line.split(",") == documented_header()
    assert len(documented_header()) == 46


def test_every_row_holds_the_subtotal_formula_and_the_rows_add_up_to_the_invoice(
    client, session, world
):
    sub = world.direct_sub
    rate_eur, rate_krw = Decimal("0.923456"), Decimal("1300.5")
    charge(
        session,
        sub,
        OCT,
        each="10.01",
        quantity=7,
        billing_currency="EUR",
        fx_rate=rate_eur,
        billed_each=(Decimal("10.01") * rate_eur).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
    )
    charge(
        session,
        sub,
        OCT,
        each="10.01",
        quantity=3,
        billing_currency="KRW",
        fx_rate=rate_krw,
        billed_each=(Decimal("10.01") * rate_krw).quantize(Decimal(1), rounding=ROUND_DOWN),
    )
    charge(session, sub, OCT, each="-3.33", quantity=2, charge_type="removeQuantity")
    for inv in issue(session, OCT):
        if inv.bill_to_key != str(world.sc.direct.org.id):
            continue
        r = get(client, world.sc.direct, f"/invoices/{inv.id}/reconciliation.csv")
        rows = parse(r.text)
        assert len(rows) == inv.line_count
        for row in rows:
            check_formula(row)
            assert row["InvoiceNumber"] == inv.id and row["Currency"] == inv.currency
        total = sum(Decimal(row["Total"]) for row in rows)
        quantum = Currency.of(inv.currency).quantum
        assert total == Decimal(inv.total_minor).scaleb(-Currency.of(inv.currency).minor_units)
        assert total == total.quantize(quantum)
    krw = session.scalars(select(Invoice).where(Invoice.currency == "KRW")).one()
    row = parse(get(client, world.sc.direct, f"/invoices/{krw.id}/reconciliation.csv").text)[0]
    assert row["Subtotal"] == "39054" and "." not in row["Total"]  # 13018 × 3, no minor unit


def test_the_usd_invoice_rows_in_detail(client, world):
    inv = world.direct_invoice
    rows = parse(get(client, world.sc.direct, f"/invoices/{inv.id}/reconciliation.csv").text)
    assert [r["ChargeType"] for r in rows] == ["cycleCharge", "addQuantity"]
    first = rows[0]
    assert first["PartnerId"] == str(world.sc.direct.org.id)
    assert first["CustomerName"] == world.sc.direct_customer.company_name
    assert first["ProductName"] == world.sc.offer.product.title
    assert first["SubscriptionId"] == str(world.direct_sub.id)
    assert (
        first["ChargeStartDate"] == "10/1/2026" and first["PCToBCExchangeRateDate"] == "10/1/2026"
    )
    assert first["OrderDate"] == "8/5/2026"
    assert (first["UnitPrice"], first["EffectiveUnitPrice"], first["Quantity"]) == (
        "120",
        "10.00",
        "10",
    )
    assert first["ProductQualifiers"] == "[]"
    assert sum(Decimal(r["Total"]) for r in rows) == Decimal("109.99")


def test_the_reseller_of_record_is_on_the_provider_s_rows(client, world):
    inv = world.provider_invoice
    row = parse(get(client, world.sc.provider, f"/invoices/{inv.id}/reconciliation.csv").text)[0]
    assert row["ResellerMPNID"] == world.sc.reseller_mpn_id
    assert row["PartnerId"] == str(world.sc.provider.org.id)


def test_the_file_is_streamed_a_page_of_2000_lines_at_a_time(client, session):
    sc = scene(session)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, quantity=1)
    copies(session, charge(session, sub, OCT, each="1.00"), 2000)
    inv = issue(session, OCT)[0]
    chunks = recon_stream.invoice_file(session, inv)
    assert isinstance(chunks, Iterator)  # nothing is read before the first chunk is asked for
    sizes = [len(parse(documented_header_line() + chunk)) for chunk in list(chunks)[1:]]
    assert sizes == [2000, 1]
    with client.stream(
        "GET", f"/v1/invoices/{inv.id}/reconciliation.csv", headers=sc.direct.headers
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert f'filename="{inv.id}-reconciliation.csv"' in r.headers["content-disposition"]
        body = b"".join(r.iter_raw()).decode()
    rows = parse(body)
    assert len(rows) == 2001
    assert sum(Decimal(row["Total"]) for row in rows) == Decimal("2001.00")


def documented_header_line() -> str:
    return ",".join(documented_header()) + "\r\n"


def test_a_file_the_reader_may_not_see_is_404(client, session, world):
    other = partner(session, Tier.DIRECT_BILL)
    r = get(client, other, f"/invoices/{world.provider_invoice.id}/reconciliation.csv")
    assert r.status_code == 404 and r.json()["code"] == "InvoiceNotFound"
    r = get(client, world.sc.reseller, f"/invoices/{world.provider_invoice.id}/reconciliation.csv")
    assert r.status_code == 404


# --- the open period ------------------------------------------------------------------------


def transient(template: Charge, period: date, **changes: Any) -> Charge:
    """A charge row as ``unbilled.preview`` returns it: not in the session, no id."""
    columns = [c.name for c in Charge.__table__.columns if c.name != "id"]
    values = {name: getattr(template, name) for name in columns}
    return Charge(**{**values, "period": period, **changes})


@pytest.fixture()
def unbilled(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> list[Charge]:
    """Three USD lines and one EUR line of November for the direct-bill partner, and the
    calls ``preview`` was given."""
    template = session.scalars(
        select(Charge).where(Charge.bill_to_key == str(world.sc.direct.org.id))
    ).first()
    assert template is not None
    lines = [
        transient(
            template,
            NOV,
            key=f"preview:{i}",
            each_minor=1000 + i,
            amount_minor=(1000 + i) * 10,
            billed_each_minor=1000 + i,
            billed_amount_minor=(1000 + i) * 10,
        )
        for i in range(3)
    ]
    lines.append(transient(template, NOV, key="preview:eur", currency="EUR"))
    calls: list[tuple[str, date]] = []

    def preview(session: Session, *, bill_to_key: str, period: date) -> list[Charge]:
        calls.append((bill_to_key, period))
        return [c for c in lines if c.bill_to_key == bill_to_key]

    monkeypatch.setattr(unbilled_module, "preview", preview, raising=False)
    return lines


def test_the_unbilled_file_of_the_current_period(client, world, unbilled):
    r = get(client, world.sc.direct, "/invoices/unbilled/reconciliation.csv?currencyCode=usd")
    assert r.status_code == 200, r.text
    assert r.text.split("\r\n", 1)[0].split(",") == documented_header()
    rows = parse(r.text)
    assert [row["Subtotal"] for row in rows] == ["100.00", "100.10", "100.20"]
    for row in rows:
        check_formula(row)
        assert row["InvoiceNumber"] == "" and row["BillingFrequency"] == ""


@pytest.mark.parametrize(
    ("period", "status", "month"),
    [("current", 200, NOV), ("Previous", 200, OCT), ("next", 400, None), ("", 400, None)],
)
def test_unbilled_periods_are_current_or_previous(
    client, session, world, unbilled, monkeypatch, period, status, month
):
    seen: list[date] = []
    original = unbilled_module.preview

    def spy(session: Session, *, bill_to_key: str, period: date) -> list[Charge]:
        seen.append(period)
        return original(session, bill_to_key=bill_to_key, period=period)

    monkeypatch.setattr(unbilled_module, "preview", spy, raising=False)
    path = (
        "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
        f"&currencycode=USD&period={period}"
    )
    r = get(client, world.sc.direct, path)
    assert r.status_code == status
    if status == 400:
        assert r.json()["code"] == "InvalidBillingPeriod"
    else:
        assert seen == [month]


def test_a_closed_period_has_nothing_unbilled(client, session, world, unbilled):
    session.add(BillingPeriod(period=OCT, status="closed", started_at=NOW, closed_at=NOW))
    session.flush()
    r = get(
        client,
        world.sc.direct,
        "/invoices/unbilled/reconciliation.csv?currencyCode=USD&period=previous",
    )
    assert parse(r.text) == []
    current = get(client, world.sc.direct, "/invoices/unbilled/reconciliation.csv?currencyCode=USD")
    assert len(parse(current.text)) == 3


def test_unbilled_line_items_page_with_the_token(client, world, unbilled):
    path = (
        "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
        "&currencycode=usd&period=current&size=2"
    )
    first = get(client, world.sc.direct, path).json()
    assert [i["subtotal"] for i in first["items"]] == ["100.00", "100.10"]
    assert first["items"][0]["invoiceNumber"] == ""
    assert first["items"][0]["attributes"]["objectType"] == "OneTimeInvoiceLineItem"
    nxt = first["links"]["next"]
    assert nxt["uri"].endswith("&seekOperation=Next") and "currencycode=USD" in nxt["uri"]
    token = nxt["headers"][0]["value"]
    second = get(client, world.sc.direct, nxt["uri"], **{"MS-ContinuationToken": token}).json()
    assert [i["subtotal"] for i in second["items"]] == ["100.20"]
    assert "next" not in second["links"]
    eur = path.replace("usd", "eur") + "&seekOperation=Next"
    r = get(client, world.sc.direct, eur, **{"MS-ContinuationToken": token})
    assert r.status_code == 400 and r.json()["code"] == "InvalidContinuationToken"


def test_the_vendor_names_the_partner_for_unbilled_lines(client, session, world, unbilled):
    vendor = vendor_member(session)
    base = "/invoices/unbilled/reconciliation.csv?currencyCode=USD"
    r = get(client, vendor, base)
    assert r.status_code == 400
    r = get(client, vendor, f"{base}&partnerId={world.sc.direct.org.id}")
    assert len(parse(r.text)) == 3
    other = get(client, world.sc.provider, base)  # the provider's own account: none here
    assert parse(other.text) == []


def test_an_unknown_currency_is_refused(client, world, unbilled):
    r = get(client, world.sc.direct, "/invoices/unbilled/reconciliation.csv?currencyCode=XYZ")
    assert r.status_code == 400 and r.json()["code"] == "UnknownCurrency"
