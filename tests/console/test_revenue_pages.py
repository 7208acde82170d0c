"""The revenue pages without a browser: the partner's chart (bars, TTM line, both
thresholds drawn and labelled), the month table and its drill-down adding up to the
figure, the CSV download, the vendor's partner list, English and Korean, and a partner
never seeing another's page (404)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import Member, billing, member, organization
from tests.factories.console_pricing import HTML, sign_in
from tests.factories.revenue import RevenueScene, fx, revenue_scene, settle

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture()
def rs(session: Session) -> RevenueScene:
    scene = revenue_scene(session)
    fx(session, JUNE, "EUR", "1.1")
    billing.charge(session, scene.indirect, MAY, each="10.00")  # 100
    billing.charge(session, scene.perpetual, MAY, each="250.00", charge_type="new")  # 500
    settle(session, MAY)
    billing.charge(
        session, scene.indirect, JUNE, each="1", billing_currency="EUR", billed_each="3.33"
    )  # 33.30 EUR = 36.63 USD
    settle(session, JUNE)
    return scene


@pytest.fixture()
def operator(session: Session) -> Member:
    return member(session, organization(session, Tier.VENDOR), roles=(Role.BILLING_OPERATOR,))


def value_of(html: str, field: str) -> Decimal:
    found = re.search(rf'data-field="{field}" data-value="([^"]+)"', html)
    assert found, field
    return Decimal(found.group(1))


def test_the_reseller_sees_its_chart_and_thresholds(client: TestClient, rs: RevenueScene) -> None:
    sign_in(client, rs.s.reseller)
    page = client.get("/revenue", headers=HTML)
    assert page.status_code == 200, page.text
    html = page.text
    assert value_of(html, "directBill") == Decimal("136.63")
    assert value_of(html, "resellerFloor") == Decimal("636.63")
    assert '<svg id="revenue-chart"' in html and 'id="ttm-line"' in html
    assert html.count('class="bar"') == 12 and html.count('class="threshold"') == 2
    assert "$300,000.00" in html and "$1,000.00" in html
    assert 'data-month="2026-05"' in html and 'data-month="2026-10"' in html
    assert 'data-month="2026-11"' not in html  # the current month is not closed
    june = re.search(r'data-month="2026-06">(.*?)</tr>', html, re.S)
    assert june and "$36.63" in june.group(1) and "$136.63" in june.group(1)


def test_drill_down_page_and_csv_add_up(client: TestClient, rs: RevenueScene) -> None:
    sign_in(client, rs.s.reseller)
    org = rs.s.reseller.org.id
    page = client.get(f"/revenue/lines?partnerId={org}&measure=resellerFloor", headers=HTML)
    assert page.status_code == 200, page.text
    values = [Decimal(v) for v in re.findall(r'data-field="usd" data-value="([^"]+)"', page.text)]
    assert len(values) == 3 and sum(values) == Decimal("636.63")
    month = client.get(
        f"/revenue/lines?partnerId={org}&measure=resellerFloor&month=2026-06", headers=HTML
    ).text
    assert 'id="drill-subtotal" data-value="36.63"' in month
    download = client.get(f"/revenue/lines.csv?partnerId={org}&measure=resellerFloor")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert sum(Decimal(r["USD"]) for r in rows) == Decimal("636.63")


def test_korean(client: TestClient, rs: RevenueScene) -> None:
    sign_in(client, rs.s.reseller, language="ko")
    page = client.get("/revenue", headers=HTML)
    assert page.status_code == 200 and page.headers["content-language"] == "ko"
    assert "US$300,000.00" in page.text or "$300,000.00" in page.text


def test_another_partners_page_is_404(client: TestClient, rs: RevenueScene) -> None:
    sign_in(client, rs.s.direct)
    for path in (
        f"/revenue?partnerId={rs.s.reseller.org.id}",
        f"/revenue/lines?partnerId={rs.s.reseller.org.id}",
        f"/revenue/lines.csv?partnerId={rs.s.reseller.org.id}",
    ):
        assert client.get(path, headers=HTML).status_code == 404, path


def test_the_vendor_lists_partners_and_opens_one(
    client: TestClient, rs: RevenueScene, operator: Member
) -> None:
    sign_in(client, operator)
    html = client.get("/revenue", headers=HTML).text
    assert f'data-partner="{rs.s.reseller.org.id}"' in html
    one = client.get(f"/revenue?partnerId={rs.s.provider.org.id}", headers=HTML).text
    assert value_of(one, "billed") == Decimal("636.63")
