"""A customer's administrator accepts the customer agreement in a real browser (Debian's
Chromium through Playwright, the real app served by uvicorn on a committed database):
open the link the partner sent, sign in with the customer's admin credentials, switch to
Korean, read and accept — after which ordering may go ahead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from opencsp.agreements import queries
from opencsp.core.actor import Tier
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from tests.factories.agreements import CUSTOMER, publish
from tests.factories.parties import CUSTOMER_ADMIN_PASSWORD, customer, partner
from tests.support.browser import serving, shot

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    database: str
    customer_id: uuid.UUID
    admin_user_name: str


@pytest.fixture()
def site(live_engine: Engine, live_database: str) -> Iterator[Site]:
    with unit_of_work(bind=live_engine) as session:
        seller = partner(session, Tier.DIRECT_BILL, country="KR", name="Hanbit Cloud Partners")
        buyer = customer(session, seller.org, country="KR", name="Hanbit Foods")
        publish(
            session,
            CUSTOMER,
            region="korea-republic-of",
            en_title="Customer Agreement (Korea)",
            ko_title="고객 계약 (대한민국)",
        )
        site_customer, user_name = buyer.id, buyer.admin_user_name
    with serving(live_engine) as url:
        yield Site(url, live_database, site_customer, user_name)


def accepted(site: Site) -> bool:
    engine = build_engine(site.database)
    try:
        with unit_of_work(bind=engine) as session:
            return queries.has_accepted_customer_agreement(session, site.customer_id)
    finally:
        engine.dispose()


def test_the_customers_administrator_accepts_the_agreement_in_korean(
    site: Site, browser: Browser, tmp_path: Path
):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-US")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    link = f"{site.url}/customer/agreement?customerId={site.customer_id}"
    assert not accepted(site)

    page.goto(link)
    expect(page.get_by_role("heading", name="Customer agreement")).to_be_visible()
    shot(page, tmp_path / "acceptance-sign-in-en.png")
    page.get_by_label("Administrator user name").fill(site.admin_user_name)
    page.get_by_label("Password").fill(CUSTOMER_ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(link)
    expect(page.locator(".agreement-text")).to_contain_text("Customer Agreement (Korea)")
    expect(page.locator(".public-card")).to_contain_text("Hanbit Foods")

    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_url(link)
    expect(page.locator(".agreement-text")).to_contain_text("고객 계약 (대한민국)")
    expect(page.locator(".agreement-text")).to_have_attribute("lang", "ko")
    page.get_by_label("이름", exact=True).fill("민지")
    page.get_by_label("성", exact=True).fill("김")
    page.get_by_label("이메일").fill("minji.kim@hanbitfoods.example")
    page.get_by_label("고객 계약을 읽었으며 조직을 대표하여 동의합니다.").check()
    shot(page, tmp_path / "acceptance-ko.png")
    page.get_by_role("button", name="계약에 동의").click()

    expect(page.locator("#accepted")).to_contain_text("김 민지")
    expect(page.get_by_role("status").first).to_contain_text("감사합니다")
    shot(page, tmp_path / "accepted-ko.png")
    assert accepted(site)
    assert not errors, errors  # no script or CSP errors in the browser console
