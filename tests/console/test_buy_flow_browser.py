"""The buy flow in a real browser: Debian's Chromium, driven by Playwright, against the
real app served by uvicorn on a committed database. A direct-bill partner opens its
customer, buys ten seats of an offer, reviews the cart with its price, checks out, sees
the order and opens the subscription it created, with its purchase in the history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from opencsp.core.uow import unit_of_work
from tests.factories.commerce import scene, sign_partner_agreement
from tests.support.browser import serving, shot, sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    email: str
    customer: str
    offer_title: str
    item: str


@pytest.fixture()
def site(live_engine: Engine) -> Iterator[Site]:
    with unit_of_work(bind=live_engine) as session:
        sc = scene(session)
        sign_partner_agreement(session, sc.direct)
        found = Site(
            "",
            sc.direct.user.email,
            sc.direct_customer.company_name,
            sc.offer.sku.title,
            sc.offer.catalog_item_id,
        )
    with serving(live_engine) as url:
        yield Site(url, found.email, found.customer, found.offer_title, found.item)


def test_a_direct_partner_buys_for_a_customer(site: Site, browser: Browser, tmp_path: Path):
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site.url + "/login")
    sign_in(page, site.email)

    # from the customer to its offers
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name=site.customer, exact=True).click()
    expect(page.locator("h1")).to_have_text(site.customer)
    page.locator("#commerce-links").get_by_role("link", name="Buy", exact=True).click()
    expect(page.locator("h1")).to_have_text("Buy for this customer")
    row = page.locator(f'tr[data-item="{site.item}"][data-term="P1Y"][data-plan="monthly"]')
    expect(row.locator("[data-field=unit-price]")).to_have_text("$120.00")
    row.locator("input[type=number]").fill("10")
    page.get_by_role("button", name="Add to cart").click()

    # the cart, priced as the order will be
    expect(page.locator("h1")).to_have_text("Review the cart")
    line = page.locator("#cart-lines tr[data-line='0']")
    expect(line.locator("[data-field=unit-price]")).to_have_text("$120.00")
    expect(line.locator("[data-field=extended-price]")).to_have_text("$1,200.00")
    expect(page.locator("#cart-lines [data-field=line-error]")).to_have_count(0)
    shot(page, tmp_path / "cart.png")
    page.get_by_role("button", name="Place the order").click()

    # the order, then its subscription with the purchase in its history
    expect(page.locator("#flash")).to_contain_text("The order was placed.")
    expect(page.locator("#order-id")).not_to_be_empty()
    expect(page.locator("#order-lines tr[data-line='0']")).to_contain_text(site.offer_title)
    shot(page, tmp_path / "order.png")
    page.locator("#order-lines a[data-subscription]").click()
    expect(page.locator("[data-field=status]")).to_have_attribute("data-status", "active")
    expect(page.locator("[data-field=quantity]")).to_have_text("10")
    expect(page.locator("#windows [data-window=open]")).to_be_visible()
    expect(page.locator("#timeline tr[data-event=new]")).to_have_count(1)
    shot(page, tmp_path / "subscription.png")
    assert not errors, errors  # no script or CSP errors in the browser console
