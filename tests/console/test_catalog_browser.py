"""The catalog and a price-list upload in a real browser: Debian's Chromium, driven by
Playwright, against the real app served by uvicorn on a committed database. The vendor's
Catalog manager browses Korea's catalog in KRW, uploads next month's list (first a bad
file, with its validation report, then a good one) and sees it listed as a preview."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from opencsp.core import clock
from opencsp.core.uow import unit_of_work
from opencsp.pricing import rules
from tests.factories.catalog import Row, offer, price_list
from tests.factories.console_pricing import catalog_manager, price_csv
from tests.support.browser import serving, shot, sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    email: str
    product_id: str
    sku_id: str
    item: str


@pytest.fixture()
def site(live_engine: Engine) -> Iterator[Site]:
    with unit_of_work(bind=live_engine) as session:
        sold = offer(session, title="Nimbus 365 Business Standard", countries=("KR", "US"))
        month = rules.month_of(clock.now())
        krw = {"currency": "KRW", "market_code": "KR"}
        price_list(
            session, "korea-republic-of", month, [Row(sold, "151200", erp_price="189000", **krw)]
        )
        manager = catalog_manager(session)
        site = Site("", manager.user.email, sold.product.id, sold.sku.id, sold.catalog_item_id)
    with serving(live_engine) as url:
        yield Site(url, site.email, site.product_id, site.sku_id, site.item)


def test_the_catalog_manager_browses_and_uploads_a_price_list(
    site: Site, browser: Browser, tmp_path: Path
):
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    # the rejected upload is a 400 response, which Chromium logs; anything else is an error
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None
        ),
    )
    page.goto(site.url + "/login")
    sign_in(page, site.email)

    # the catalog of Korea, in won without decimals
    page.get_by_role("link", name="Catalog", exact=True).click()
    expect(page.locator("h1")).to_have_text("Catalog")
    page.locator("select[name=market]").select_option("korea-republic-of")
    page.get_by_role("button", name="Show").click()
    line = page.locator(f'tr[data-item="{site.item}"][data-plan="annual"]')
    expect(line.locator("[data-field=unit-price]")).to_have_text("₩151,200")
    expect(line.locator("[data-field=erp-price]")).to_have_text("₩189,000")
    shot(page, tmp_path / "catalog.png")

    # a bad file is rejected with its report, by line
    page.get_by_role("link", name="Price lists").click()
    expect(page.locator("h1")).to_have_text("Price lists")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        price_csv(
            [
                {"ProductId": site.product_id, "SkuId": site.sku_id, "UnitPrice": "lots"},
                {"ProductId": site.product_id, "SkuId": site.sku_id, "Currency": "JPY"},
            ]
        )
    )
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    report = page.locator("#validation-report")
    expect(report).to_be_visible()
    expect(report.locator("tr[data-line='2']")).to_contain_text("UnitPrice")
    expect(report.locator("tr[data-line='3']")).to_contain_text("Currency")
    expect(page.locator("#price-lists [data-status=preview]")).to_have_count(0)
    shot(page, tmp_path / "price-list-rejected.png")

    # the corrected file becomes next month's preview
    good = tmp_path / "korea-next.csv"
    good.write_bytes(price_csv([{"ProductId": site.product_id, "SkuId": site.sku_id}]))
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#flash")).to_contain_text("The price list was imported.")
    preview = page.locator("#price-lists tr[data-status=preview]")
    expect(preview).to_have_count(1)
    expect(preview).to_contain_text("korea-next.csv")
    shot(page, tmp_path / "price-lists.png")
    assert not errors, errors  # no script or CSP errors in the browser console
