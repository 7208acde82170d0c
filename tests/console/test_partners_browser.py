"""A reseller accepting a provider's partnership, in a real browser: Debian's Chromium,
driven by Playwright, against the real app served by uvicorn on a committed database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from opencsp.core.actor import Tier
from opencsp.core.uow import unit_of_work
from tests.factories.parties import partner
from tests.support.browser import serving, shot, sign_in

pytestmark = pytest.mark.browser

PROVIDER = "Tailwind Distribution"
RESELLER = "Fabrikam Solutions"


@dataclass(frozen=True)
class Site:
    url: str
    provider_email: str
    reseller_email: str


@pytest.fixture()
def site(live_engine: Engine) -> Iterator[Site]:
    with unit_of_work(bind=live_engine) as session:
        provider = partner(session, Tier.INDIRECT_PROVIDER, name=PROVIDER)
        reseller = partner(session, Tier.INDIRECT_RESELLER, name=RESELLER)
        emails = (provider.user.email, reseller.user.email)
    with serving(live_engine) as url:
        yield Site(url, *emails)


def test_a_reseller_accepts_a_providers_partnership(site: Site, browser: Browser, tmp_path: Path):
    errors: list[str] = []

    # the provider's Global admin creates a partnership link
    provider = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = provider.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site.url + "/login")
    sign_in(page, site.provider_email)
    page.get_by_role("link", name="Partnerships").click()
    expect(page.locator("h1")).to_have_text("Partnerships")
    page.get_by_label("Reseller's email (for your records)").fill("admin@fabrikam.example")
    page.get_by_role("button", name="Create partnership link").click()
    link = page.locator("[data-link]").input_value()
    assert link.startswith(site.url + "/partnerships/accept/")
    shot(page, tmp_path / "partnership-link.png")

    # the reseller's Global admin opens it, signs in, ticks the box and authorizes
    reseller = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    other = reseller.new_page()
    other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    other.goto(link)
    expect(other).to_have_url(f"{site.url}/login?next=" + link.removeprefix(site.url))
    sign_in(other, site.reseller_email)
    expect(other).to_have_url(link)
    expect(other.locator("[data-field=provider-name]")).to_have_text(PROVIDER)
    shot(other, tmp_path / "partnership-accept.png")
    other.get_by_label(
        f"I authorize {PROVIDER} as an indirect provider of my organization."
    ).check()
    other.get_by_role("button", name="Authorize indirect provider").click()

    # and sees the provider listed
    expect(other).to_have_url(site.url + "/partnerships?done=partnership_accepted")
    expect(other.locator("#flash")).to_contain_text("You authorized the indirect provider.")
    expect(other.locator("#providers")).to_contain_text(PROVIDER)
    shot(other, tmp_path / "partnerships-reseller.png")

    # the provider now lists the reseller, and its link as accepted
    page.goto(site.url + "/partnerships")
    expect(page.locator("#resellers")).to_contain_text(RESELLER)
    expect(page.locator("#requests [data-status]")).to_have_attribute("data-status", "accepted")
    assert not errors, errors  # no script or CSP errors in the browser console
