"""The console in a real browser: Debian's Chromium, driven by Playwright, against the
real app served by uvicorn on a committed database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.uow import unit_of_work
from tests.factories import member, organization
from tests.support.browser import serving, shot, sign_in

pytestmark = pytest.mark.browser

ORGANIZATION = "Hanbit Cloud Partners"


@dataclass(frozen=True)
class Site:
    url: str
    email: str


@pytest.fixture()
def site(live_engine: Engine) -> Iterator[Site]:
    with unit_of_work(bind=live_engine) as session:
        org = organization(session, Tier.DIRECT_BILL, name=ORGANIZATION, country="KR")
        admin = member(session, org, email="minji.kim@hanbit.example")
        member(session, org, roles=(Role.ADMIN_AGENT, Role.BILLING_ADMIN))
        member(session, org, roles=(Role.SALES_AGENT,), email="jiho.park@hanbit.example")
        email = admin.user.email
    with serving(live_engine) as url:
        yield Site(url=url, email=email)


def sign_in_at_home(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    expect(page).to_have_url(site.url + "/login")
    sign_in(page, site.email)
    expect(page).to_have_url(site.url + "/")


def test_sign_in_see_home_and_switch_to_korean(site: Site, browser: Browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site.url + "/login")
    shot(page, tmp_path / "login-en.png")

    sign_in_at_home(page, site)
    expect(page.locator("[data-field=organization-name]")).to_have_text(ORGANIZATION)
    expect(page.locator(".topbar")).to_contain_text("Direct-bill partner")
    expect(page.locator("#home-markets")).to_contain_text("KRW")
    shot(page, tmp_path / "home-en.png")

    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator(".sidebar")).to_contain_text("사용자")
    expect(page.locator("[data-field=organization-name]")).to_have_text(ORGANIZATION)
    expect(page.locator("#home-markets")).to_contain_text("대한민국")
    shot(page, tmp_path / "home-ko.png")

    page.goto(site.url + "/users")
    expect(page.locator("#users")).to_contain_text("전역 관리자")
    shot(page, tmp_path / "users-ko.png")

    # htmx: edit a colleague's roles in place (the CSRF token travels as a header)
    row = page.locator("#users tbody tr", has_text="jiho.park@hanbit.example")
    row.get_by_text("역할 편집").click()
    row.get_by_label("청구 관리자").check()
    shot(page, tmp_path / "users-edit-roles-ko.png")
    row.get_by_role("button", name="역할 저장").click()
    expect(row.locator("td").nth(2)).to_contain_text("청구 관리자")
    assert page.url == site.url + "/users"
    assert not errors, errors  # no script or CSP errors in the browser console


def test_create_and_revoke_a_token_inline(site: Site, browser: Browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
    sign_in_at_home(page, site)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("nightly export")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("[data-secret]").input_value()
    assert secret.startswith("ocsp_")
    shot(page, tmp_path / "token-created.png")

    page.get_by_role("link", name="Back to API tokens").click()
    row = page.locator("#tokens tbody tr", has_text="nightly export")
    expect(row).to_contain_text("Active")
    assert secret not in page.content()  # shown once, never again
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()  # htmx: the row is swapped in place
    expect(row).to_contain_text("Revoked")
    assert page.url == site.url + "/tokens"
    shot(page, tmp_path / "tokens.png")

    page.goto(site.url + "/markets")
    expect(page.locator("tr.market-mine")).to_contain_text("Korea")
    shot(page, tmp_path / "markets.png")
