"""Billing → Invoices without a browser: the list with amounts formatted for the page's
language (Babel), paid, balance and the overdue badge; one invoice with its lines a page
at a time, the cost and margin of a downstream line to its seller only, the
reconciliation download and the statement link; visibility (404) and the menu entry per
role; English and Korean."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.api.test_invoices_api import OCT, World, build_world, copies, vendor_member
from tests.conftest import NOW
from tests.factories import member
from tests.factories.billing import charge, issue
from tests.factories.console_pricing import HTML, sign_in
from tests.factories.parties import partner

pytestmark = pytest.mark.usefixtures("client")


@pytest.fixture()
def world(session: Session) -> World:
    return build_world(session)


@pytest.mark.parametrize(
    ("language", "total", "heading"),
    [("en", "$109.99", "Invoices"), ("ko", "US$109.99", "상태")],
)
def test_the_list_shows_amounts_in_the_reader_s_locale(
    client: TestClient, world: World, language, total, heading
):
    sign_in(client, world.sc.direct, language=language)
    r = client.get("/invoices", headers=HTML)
    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == language
    inv = world.direct_invoice
    assert f'data-invoice="{inv.id}" data-status="open"' in r.text
    assert f'data-field="total">{total}<' in r.text
    assert f'data-field="balance">{total}<' in r.text
    assert heading in r.text
    assert world.provider_invoice.id not in r.text  # someone else's bill
    assert 'href="/invoices"' in r.text  # the menu entry


def test_an_overdue_invoice_carries_the_badge_and_a_paid_one_does_not(
    client: TestClient, session: Session, world: World
):
    charge(session, world.direct_sub, date(2026, 8, 1), each="1.00", quantity=5)
    (august,) = issue(session, date(2026, 8, 1))  # due 2026-10-31, before NOW
    charge(session, world.direct_sub, date(2026, 7, 1), each="1.00", quantity=5)
    (july,) = issue(session, date(2026, 7, 1))
    july.paid_minor = july.total_minor
    session.flush()
    sign_in(client, world.sc.direct)
    page = client.get("/invoices", headers=HTML).text
    row = page[page.index(f'data-invoice="{august.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="overdue"' in row and "data-overdue" in row
    paid = page[page.index(f'data-invoice="{july.id}"') :]
    paid = paid[: paid.index("</tr>")]
    assert 'data-status="paid"' in paid and "data-overdue" not in paid
    assert 'data-field="balance">$0.00<' in paid


def test_the_invoice_page_shows_its_lines_downloads_and_statement_link(
    client: TestClient, world: World
):
    sign_in(client, world.sc.direct, language="ko")
    inv = world.direct_invoice
    r = client.get(f"/invoices/{inv.id}", headers=HTML)
    assert r.status_code == 200, r.text
    assert f'id="invoice-id">{inv.id}<' in r.text
    assert r.text.count("data-line=") == 2
    assert f'href="/invoices/{inv.id}/reconciliation.csv"' in r.text
    assert f'href="/v1/invoices/{inv.id}/documents/statement"' in r.text
    assert 'data-field="total">US$109.99<' in r.text
    assert 'data-field="cost"' not in r.text  # the vendor's own cost is not the partner's
    assert world.sc.offer.product.title in r.text
    download = client.get(f"/invoices/{inv.id}/reconciliation.csv", headers=HTML)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [row["InvoiceNumber"] for row in rows] == [inv.id, inv.id]


def test_the_margin_column_shows_to_the_seller_only(client: TestClient, world: World):
    inv = world.reseller_invoice
    sign_in(client, world.sc.provider)
    seller = client.get(f"/invoices/{inv.id}", headers=HTML).text
    assert 'data-field="cost">$40.00<' in seller and 'data-field="margin">$4.00<' in seller
    client.cookies.clear()
    sign_in(client, world.sc.reseller)
    buyer = client.get(f"/invoices/{inv.id}", headers=HTML)
    assert buyer.status_code == 200
    assert 'data-field="amount">$44.00<' in buyer.text
    assert 'data-field="cost"' not in buyer.text and 'data-field="margin"' not in buyer.text


def test_lines_page_on_the_invoice_page(client: TestClient, session: Session, world: World):
    template = charge(session, world.direct_sub, date(2026, 9, 1), each="1.00", quantity=1)
    copies(session, template, 100)  # 101 lines: one page of 100 and one of 1
    (inv,) = issue(session, date(2026, 9, 1))
    sign_in(client, world.sc.direct)
    first = client.get(f"/invoices/{inv.id}", headers=HTML).text
    assert first.count("data-line=") == 100
    start = first.index('id="more-lines" href="') + len('id="more-lines" href="')
    more = first[start : first.index('"', start)]
    second = client.get(more, headers=HTML).text
    assert second.count("data-line=") == 1 and 'id="more-lines"' not in second


def test_someone_else_s_invoice_is_404(client: TestClient, session: Session, world: World):
    other = partner(session, Tier.DIRECT_BILL)
    sign_in(client, other)
    for path in (
        f"/invoices/{world.direct_invoice.id}",
        f"/invoices/{world.direct_invoice.id}/reconciliation.csv",
    ):
        assert client.get(path, headers=HTML).status_code == 404, path


def test_the_vendor_billing_operator_sees_the_vendor_s_invoices(
    client: TestClient, session: Session, world: World
):
    sign_in(client, vendor_member(session))
    page = client.get("/invoices", headers=HTML).text
    assert world.direct_invoice.id in page and world.provider_invoice.id in page
    assert world.reseller_invoice.id not in page
    assert 'id="unbilled-download"' not in page


def test_the_menu_entry_follows_billing_read(client: TestClient, session: Session, world: World):
    sales = member(session, world.sc.direct.org, roles=(Role.SALES_AGENT,))
    sign_in(client, sales)
    assert 'href="/invoices"' not in client.get("/", headers=HTML).text
    assert client.get("/invoices", headers=HTML).status_code == 403


def test_an_empty_list_says_so(client: TestClient, session: Session):
    sign_in(client, partner(session, Tier.DIRECT_BILL), language="ko")
    r = client.get("/invoices", headers=HTML)
    assert r.status_code == 200 and 'id="invoices"' not in r.text


def test_the_due_date_shows_in_korean(client: TestClient, session: Session, world: World):
    world.direct_invoice.due_date = NOW.date() + timedelta(days=1)
    session.flush()
    sign_in(client, world.sc.direct, language="ko")
    page = client.get(f"/invoices/{world.direct_invoice.id}", headers=HTML).text
    assert "2026. 11. 22." in page
    assert OCT.strftime("%Y-%m") in page


@pytest.mark.parametrize(
    ("language", "amount", "fx"),
    [
        ("en", "₩42,015", "$30.00 at 1,400.5, the rate of Sep 1, 2026"),
        ("ko", "₩42,015", "US$30.00, 환율 1,400.5 (2026. 9. 1. 기준)"),
    ],
)
def test_a_line_priced_in_usd_shows_its_price_and_rate(
    client: TestClient, session: Session, world: World, language, amount, fx
):
    """A line billed in won for an item priced in USD (rules.md §11) shows its USD price,
    the rate and the rate's date under its amount; a line billed as priced shows none."""
    charge(
        session,
        world.direct_sub,
        date(2026, 9, 1),
        each="10.00",
        quantity=3,
        billing_currency="KRW",
        fx_rate="1400.5",
        billed_each="14005",
    )
    (inv,) = issue(session, date(2026, 9, 1))
    sign_in(client, world.sc.direct, language=language)
    page = client.get(f"/invoices/{inv.id}", headers=HTML).text
    shown = f'data-field="amount">{amount}<br><span class="muted small" data-field="fx">{fx}<'
    assert shown in page
    usd = client.get(f"/invoices/{world.direct_invoice.id}", headers=HTML).text
    assert 'data-field="amount"' in usd and 'data-field="fx"' not in usd
