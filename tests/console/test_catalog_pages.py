"""The catalog browser without a browser: per role (vendor, direct-bill partner limited to
its own market, reseller without prices), per locale (KRW without decimals in English
and Korean), and the filters (segment, view, currency, end of sale)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration
from tests.factories.catalog import Row, offer, price_list
from tests.factories.console_pricing import (
    HTML,
    catalog_manager,
    direct_partner,
    reseller,
    sign_in,
)

NOVEMBER = date(2026, 11, 1)


def cell(html: str, item: str, field: str, *, term: str = "P1Y", plan: str = "annual") -> str:
    """The text of one price cell of one catalog line."""
    row = re.search(
        rf'data-item="{re.escape(item)}" data-term="{term}" data-plan="{plan}">(.*?)</tr>',
        html,
        re.S,
    )
    assert row, f"no line for {item} {term} {plan}"
    found = re.search(rf'data-field="{field}">([^<]*)<', row.group(1))
    assert found, f"no {field} cell"
    return found.group(1).strip()


@pytest.fixture
def korea(session: Session):
    """Two offers sold in Korea with November prices in KRW, one add-on."""
    base = offer(session, title="Nimbus 365 Business Basic", countries=("KR", "US"))
    addon = offer(
        session,
        title="Nimbus Teams Phone",
        countries=("KR",),
        prerequisites=[(base.product.id, base.sku.id)],
    )
    price_list(
        session,
        "korea-republic-of",
        NOVEMBER,
        [
            Row(base, "86400", currency="KRW", market_code="KR", erp_price="108000"),
            Row(
                base,
                "7200",
                currency="KRW",
                market_code="KR",
                term=TermDuration.P1M,
                billing_plan=BillingPlan.MONTHLY,
            ),
            Row(addon, "129600.5", currency="KRW", market_code="KR"),
        ],
    )
    price_list(session, "united-states", NOVEMBER, [Row(base, "72", erp_price="90")])
    return base, addon


def test_a_direct_partner_sees_its_market_in_krw_without_decimals(client, session, korea):
    base, addon = korea
    sign_in(client, direct_partner(session, "KR"))
    page = client.get("/catalog", headers=HTML)
    assert page.status_code == 200
    assert 'data-market="korea-republic-of"' in page.text
    assert 'data-currency="KRW"' in page.text
    assert cell(page.text, base.catalog_item_id, "unit-price") == "₩86,400"
    assert cell(page.text, base.catalog_item_id, "erp-price") == "₩108,000"
    assert (
        cell(page.text, base.catalog_item_id, "unit-price", term="P1M", plan="monthly") == "₩7,200"
    )
    # a finer digit than the currency has is shown, never rounded away
    assert cell(page.text, addon.catalog_item_id, "unit-price") == "₩129,600.5"
    assert 'data-badge="addon"' in page.text
    # its own market only: no other market is offered and none can be asked for
    assert 'value="united-states"' not in page.text
    assert client.get("/catalog?market=united-states", headers=HTML).status_code == 404


def test_krw_prices_in_korean(client, session, korea):
    base, _ = korea
    sign_in(client, direct_partner(session, "KR"), language="ko")
    page = client.get("/catalog", headers=HTML)
    assert page.status_code == 200
    assert "카탈로그" in page.text
    assert cell(page.text, base.catalog_item_id, "unit-price") == "₩86,400"
    assert "1년" in page.text


def test_usd_prices_keep_their_cents(client, session, korea):
    base, _ = korea
    sign_in(client, direct_partner(session, "US"))
    page = client.get("/catalog", headers=HTML)
    assert cell(page.text, base.catalog_item_id, "unit-price") == "$72.00"
    assert cell(page.text, base.catalog_item_id, "erp-price") == "$90.00"


def test_jpy_has_no_decimals(client, session):
    item = offer(session, countries=("JP",))
    price_list(session, "japan", NOVEMBER, [Row(item, "9000", currency="JPY", market_code="JP")])
    sign_in(client, direct_partner(session, "JP"))
    page = client.get("/catalog", headers=HTML)
    assert cell(page.text, item.catalog_item_id, "unit-price") == "¥9,000"


def test_a_reseller_sees_the_catalog_without_prices(client, session, korea):
    base, _ = korea
    sign_in(client, reseller(session, "KR"))
    page = client.get("/catalog", headers=HTML)
    assert page.status_code == 200
    assert base.catalog_item_id in page.text
    assert 'data-field="unit-price"' not in page.text
    assert "86,400" not in page.text
    assert "Unit price" not in page.text


def test_the_vendor_picks_any_market_and_currency(client, session):
    item = offer(session, countries=("DE", "GB"))
    price_list(
        session,
        "europe",
        NOVEMBER,
        [
            Row(item, "100", currency="EUR", market_code="DE"),
            Row(item, "86.5", currency="GBP", market_code="GB"),
        ],
    )
    sign_in(client, catalog_manager(session))
    us = client.get("/catalog", headers=HTML)
    assert 'data-market="united-states"' in us.text  # the vendor's default
    assert item.catalog_item_id not in us.text  # not sold in the United States
    eu = client.get("/catalog?market=europe", headers=HTML)
    assert 'data-currency="EUR"' in eu.text  # most European countries use EUR
    assert cell(eu.text, item.catalog_item_id, "unit-price") == "€100.00"
    for code in ("CHF", "DKK", "GBP", "NOK", "SEK"):
        assert f'<option value="{code}"' in eu.text
    gbp = client.get("/catalog?market=europe&currency=GBP", headers=HTML)
    assert cell(gbp.text, item.catalog_item_id, "unit-price") == "£86.50"
    # a currency the list has no row in shows the line without a price
    chf = client.get("/catalog?market=europe&currency=chf", headers=HTML)
    assert cell(chf.text, item.catalog_item_id, "unit-price") == "—"


def test_segment_view_and_end_of_sale_filter_the_lines(client, session, korea):
    base, _ = korea
    edu = offer(session, title="Nimbus A3", segment=Segment.EDUCATION, countries=("KR",))
    perpetual = offer(
        session, product_type=ProductType.SOFTWARE_PERPETUAL, title="Nimbus Office LTSC"
    )
    ending = offer(
        session, countries=("KR",), end_of_sale=datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    )
    gone = offer(session, countries=("KR",), end_of_sale=datetime(2026, 10, 31, tzinfo=UTC))
    sign_in(client, direct_partner(session, "KR"))

    commercial = client.get("/catalog", headers=HTML).text
    assert base.catalog_item_id in commercial
    assert edu.catalog_item_id not in commercial
    assert perpetual.catalog_item_id not in commercial
    assert gone.catalog_item_id not in commercial  # past end of sale: out of the catalog
    assert ending.catalog_item_id in commercial
    assert 'data-badge="eos"' in commercial

    education = client.get("/catalog?segment=education", headers=HTML).text
    assert edu.catalog_item_id in education
    assert base.catalog_item_id not in education

    software = client.get("/catalog?view=SoftwarePerpetual", headers=HTML).text
    assert perpetual.catalog_item_id in software
    assert base.catalog_item_id not in software


@pytest.mark.parametrize("query", ["segment=retail", "view=Azure", "view=nonsense"])
def test_unknown_filters_are_refused(client, session, query):
    sign_in(client, direct_partner(session, "KR"))
    assert client.get(f"/catalog?{query}", headers=HTML).status_code == 400


def test_the_catalog_needs_a_session(client):
    r = client.get("/catalog", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("who", "shown"),
    [(catalog_manager, True), (direct_partner, True), (reseller, True)],
)
def test_the_catalog_is_in_everyones_menu(client, session, who, shown):
    sign_in(client, who(session))
    home = client.get("/", headers=HTML).text
    assert ('data-area="catalog"' in home) is shown
