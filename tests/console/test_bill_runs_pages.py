"""The bill runs page without a browser (``console.pages.bill_runs``): the vendor's Billing
operator sees the billing periods and the next month due and run it —
the month is closed and its documents issued; a second run answers
``BillingPeriodClosed``, a month not ended ``BillingPeriodNotEnded``, a month out of
order ``BillingPeriodOutOfOrder``, each shown on the page; partners and the vendor's
other roles get 404 and no menu entry; English and Korean."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from opencsp.auth.rules import Role
from opencsp.billing.models import BillingPeriod, Invoice
from opencsp.core.actor import Tier
from tests.factories import member
from tests.factories.commerce import scene, subscription
from tests.factories.console_pricing import HTML, sign_in

pytestmark = pytest.mark.usefixtures("client")

OCTOBER = date(2026, 10, 1)  # the clock is 2026-11-21: October has ended


@pytest.fixture()
def world(session):
    s = scene(session, month=OCTOBER)
    subscription(session, s.direct_customer, s.direct, s.offer, quantity=3, start=date(2026, 10, 5))
    operator = member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    session.flush()
    return s, operator


def run(client, csrf: str, month: str = "2026-10", **kw):
    data = {"csrf_token": csrf, "month": month}
    return client.post("/billing/runs", data=data, headers=HTML, **kw)


def period_row(html: str, month: str) -> str:
    found = re.search(rf'<tr data-period="{month}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {month}"
    return found.group(1)


def test_the_operator_sees_no_period_yet_and_the_month_due(client, world):
    _s, operator = world
    sign_in(client, operator)
    page = client.get("/billing/runs", headers=HTML)
    assert page.status_code == 200
    assert "Run the bill run for 2026-10" in page.text
    assert "2026-10 has ended and is not billed yet." in page.text
    assert "No month has been billed yet." in page.text
    assert 'href="/billing/runs"' in page.text  # in the menu


def test_the_operator_runs_the_month_and_a_second_run_is_refused(client, session, world):
    s, operator = world
    csrf = sign_in(client, operator)
    r = run(client, csrf, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/billing/runs?ran=2026-10"
    session.expire_all()
    closed = session.get(BillingPeriod, OCTOBER)
    assert closed is not None and closed.status == "closed"
    documents = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.period == OCTOBER)
    )
    assert documents == closed.invoices >= 1 and closed.charges >= 1
    assert session.scalar(
        select(Invoice.id).where(Invoice.bill_to_organization_id == s.direct.org.id)
    )
    page = client.get(r.headers["location"], headers=HTML)
    assert (
        f"The bill run for 2026-10 is done: {closed.charges} charge lines, "
        f"{closed.invoices} documents issued." in page.text
    )
    row = period_row(page.text, "2026-10")
    assert "Closed" in row and f'data-field="documents">{closed.invoices}<' in row
    assert "The next month to bill is 2026-11; it can be billed from 2026-12-01." in page.text
    assert re.search(r"<button[^>]*disabled[^>]*>Run the bill run for 2026-11", page.text)

    again = run(client, csrf)
    assert again.status_code == 409
    assert "The billing period 2026-10 is closed; the first open period is 2026-11" in again.text
    assert session.scalar(select(func.count()).select_from(BillingPeriod)) == 1


@pytest.mark.parametrize(
    ("month", "status", "message"),
    [
        ("2026-11", 409, "The billing period 2026-11 has not ended yet"),
        ("2026-09", 409, "The billing period 2026-09 is closed; the first open period is 2026-11"),
        ("2026-10", 400, "Bill 2026-09 before 2026-10"),  # after 2026-08: in order
        ("2026-13", 400, "Bill YYYY-MM before 2026-13"),
        ("October", 400, "Bill YYYY-MM before October"),
    ],
)
def test_a_refused_month_is_shown_with_its_message(client, session, world, month, status, message):
    _s, operator = world
    csrf = sign_in(client, operator)
    first = {"2026-09": "2026-10", "2026-10": "2026-08"}.get(month)
    if first:  # the first run may bill any ended month; the next ones go in order
        assert run(client, csrf, first, follow_redirects=False).status_code == 303
    r = run(client, csrf, month)
    assert r.status_code == status
    assert message in r.text and 'id="run-bill"' in r.text


@pytest.mark.parametrize(
    ("tier", "role"),
    [
        (Tier.DIRECT_BILL, Role.GLOBAL_ADMIN),
        (Tier.DIRECT_BILL, Role.BILLING_ADMIN),
        (Tier.INDIRECT_PROVIDER, Role.GLOBAL_ADMIN),
        (Tier.VENDOR, Role.PROGRAM_ADMIN),
        (Tier.VENDOR, Role.CATALOG_MANAGER),
        (Tier.INDIRECT_RESELLER, Role.GLOBAL_ADMIN),
    ],
)
def test_anyone_else_gets_404_and_no_menu_entry(client, session, world, tier, role):
    someone = member(session, tier=tier, roles=(role,))
    session.flush()
    csrf = sign_in(client, someone)
    assert 'href="/billing/runs"' not in client.get("/", headers=HTML).text
    assert client.get("/billing/runs", headers=HTML).status_code == 404
    refused = run(client, csrf)
    assert refused.status_code == 404 and "Run the bill run" not in refused.text
    session.expire_all()
    assert session.get(BillingPeriod, OCTOBER) is None


def test_a_run_needs_the_forms_token(client, session, world):
    _s, operator = world
    sign_in(client, operator)
    assert run(client, "not-the-token").status_code == 403
    session.expire_all()
    assert session.get(BillingPeriod, OCTOBER) is None


def test_korean(client, world):
    _s, operator = world
    sign_in(client, operator, language="ko")
    page = client.get("/billing/runs", headers=HTML)
    assert page.status_code == 200 and '<html lang="ko"' in page.text
    assert 'id="run-bill"' in page.text and "2026-10" in page.text
