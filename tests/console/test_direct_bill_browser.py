"""A direct-bill application from submission to approval in a real browser (Debian's
Chromium through Playwright, the real app served by uvicorn on a committed database, on
the test clock): the reseller applies in the console, the vendor asks for more
information, the reseller answers, the vendor records the evidence and approves, and the
reseller sees its application approved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.uow import unit_of_work
from tests.conftest import NOW
from tests.factories.program import applicant
from tests.support.browser import serving, shot, sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    reseller: str
    vendor: str
    partner_name: str


@pytest.fixture()
def site(live_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("OPENCSP_TEST_CLOCK", "true")
    settings.cache_clear()
    with clock.frozen(NOW), unit_of_work(bind=live_engine) as session:
        a = applicant(session, evidence_recorded=False)
        clock.set_test_clock(session, NOW)
        found = (a.reseller.user.email, a.vendor.user.email, a.reseller.org.name)
    try:
        with serving(live_engine) as url:
            yield Site(url, *found)
    finally:
        settings.cache_clear()


def signed_in(browser: Browser, site: Site, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.goto(site.url + "/login")
    sign_in(page, email)
    return page


def record(page: Page, kind: str, outcome: str, day: str, plan: str = "") -> None:
    page.locator("#evidence-kind").select_option(kind)
    page.locator("#evidence-outcome").select_option(outcome)
    page.locator("#evidence-plan").select_option(plan)
    page.locator("#evidence-day").fill(day)
    page.locator("#record-evidence").click()
    expect(page.get_by_role("status")).to_contain_text("The evidence was recorded.")


def test_an_application_from_submission_to_approval(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    partner = signed_in(browser, site, site.reseller)
    errors: list[str] = []
    partner.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    partner.get_by_role("link", name="Direct bill", exact=True).click()
    expect(partner.locator("h1")).to_have_text("Direct bill")
    expect(partner.locator('[data-requirement="revenue"]')).to_have_attribute("data-status", "met")
    expect(partner.locator("#ttm-progress")).to_have_attribute("value", "100")
    partner.get_by_label("Signer's name").fill("Ji-woo Park")
    partner.get_by_label("Signer's email").fill("jiwoo@contoso-reseller.example")
    partner.get_by_label("Signer's title").fill("CEO")
    partner.locator("#authority_attested").check()
    partner.get_by_label("Managed service, IP service or customer solution").fill("Managed SOC")
    partner.get_by_label("Billing anniversary date").fill("2027-01-01")
    partner.get_by_label("Domain of the direct-bill tenant").fill("contoso-direct.example")
    partner.get_by_role("button", name="Apply", exact=True).click()
    expect(partner.locator("#application-state")).to_have_text("Submitted")
    shot(partner, tmp_path / "direct-bill-submitted.png")

    vendor = signed_in(browser, site, site.vendor)
    vendor.get_by_role("link", name="Direct-bill applications", exact=True).click()
    vendor.get_by_role("link", name=site.partner_name, exact=True).click()
    vendor.get_by_label("Ask the partner for more information").fill("Describe your support desk.")
    vendor.get_by_role("button", name="Request information").click()
    expect(vendor.locator("#application-state")).to_have_text("Information requested")

    partner.reload()
    expect(partner.locator("#message-list")).to_contain_text("Describe your support desk.")
    partner.get_by_label("Your answer").fill("A 24x7 desk in Seoul.")
    partner.get_by_role("button", name="Send the answer").click()
    expect(partner.locator("#application-state")).to_have_text("Submitted")

    vendor.reload()
    expect(vendor.locator("#message-list")).to_contain_text("A 24x7 desk in Seoul.")
    record(vendor, "credit_check", "passed", "2026-01-20")
    record(vendor, "support_plan", "bought", "2026-01-21", "ASfP")
    record(vendor, "assessment", "passed", "2026-10-01")
    expect(vendor.locator("#eligible")).to_have_attribute("data-eligible", "true")
    vendor.get_by_role("button", name="Approve", exact=True).click()
    expect(vendor.locator("#admin-user")).to_have_text("jiwoo@contoso-direct.example")
    expect(vendor.locator("#admin-password")).not_to_be_empty()
    shot(vendor, tmp_path / "direct-bill-approved.png")

    partner.reload()
    expect(partner.locator("#application-state")).to_have_text("Approved")
    assert errors == []
