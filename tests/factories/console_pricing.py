"""Factories for the console's catalog and pricing pages: signing in through the login
form and the members who browse (vendor catalog manager, partners of each tier)."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.pricing.rules import PRICE_LIST_COLUMNS, PRICE_LIST_HEADER
from tests.factories import PASSWORD, Member, member
from tests.factories.parties import partner

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, who: Member, *, language: str = "en") -> str:
    """Sign ``who`` in through the login form in ``language``; returns the CSRF token."""
    client.cookies.set("lang", language)
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": who.user.email, "password": PASSWORD}
    r = client.post("/login", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/", headers=HTML).text)


def catalog_manager(session: Session) -> Member:
    """A user of the vendor holding the Catalog manager role."""
    return member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,))


def direct_partner(session: Session, country: str = "KR") -> Member:
    return partner(session, Tier.DIRECT_BILL, country=country)


def reseller(session: Session, country: str = "KR") -> Member:
    return partner(session, Tier.INDIRECT_RESELLER, country=country)


def price_csv(lines: list[dict[str, str]]) -> bytes:
    """A price-list file in the new-commerce layout (file-formats.md §1): the verbatim
    header and one quoted row per dict (missing columns take sensible values)."""
    defaults = {
        "ProductTitle": "Nimbus 365",
        "Publisher": "Nimbus Corporation",
        "TermDuration": "P1Y",
        "BillingPlan": "Annual",
        "Market": "KR",
        "Currency": "KRW",
        "UnitPrice": "90000",
        "EffectiveStartDate": "12/1/2026 12:00:00 AM",
        "EffectiveEndDate": "11/30/9999 11:59:59 PM",
        "Tags": "License",
    }
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for line in lines:
        values = defaults | line
        writer.writerow([values.get(name, "") for name in PRICE_LIST_COLUMNS])
    return (PRICE_LIST_HEADER + out.getvalue()).encode()
