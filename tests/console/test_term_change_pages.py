"""The subscription page's term change, billing-cycle change and upgrade into an existing
subscription (rules.md §9f), without a browser, in English and Korean: the options the
matrix allows are offered, each action goes through the service, a refusal shows its
code."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.subscriptions.models import Subscription
from tests.api import test_transitions_api as transitions
from tests.conftest import NOW
from tests.factories.catalog import Offer
from tests.factories.commerce import ANNUAL, P1M, P3Y, Scene, scene, subscription
from tests.factories.console_pricing import HTML, sign_in

pytestmark = pytest.mark.usefixtures("client")

premium = transitions.premium


@pytest.fixture
def sc(session: Session) -> Scene:
    return scene(session)


def page_of(sub: Subscription) -> str:
    return f"/customers/{sub.customer_id}/subscriptions/{sub.id}"


def post(
    client: TestClient, csrf: str, session: Session, sub: Subscription, action: str, **data: str
) -> Any:
    session.expire_all()
    version = str(session.get(Subscription, sub.id).version)  # type: ignore[union-attr]
    body = {"csrf_token": csrf, "version": version, **data}
    return client.post(f"{page_of(sub)}/{action}", data=body, headers=HTML, follow_redirects=False)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_monthly_term_changes_to_annual_now(
    client: TestClient, session: Session, sc: Scene, language: str
) -> None:
    csrf = sign_in(client, sc.direct, language=language)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer, term=P1M, unit_price="12")
    page = client.get(page_of(sub), headers=HTML).text
    assert f'<html lang="{language}">' in page
    assert 'id="change-term"' in page
    assert 'value="P1Y:annual"' in page and 'value="P3Y:triennial"' in page
    assert 'id="change-billing-cycle"' not in page  # not a triennial term
    assert post(client, csrf, session, sub, "term", term_plan="P1Y:annual").status_code == 303
    after = client.get(page_of(sub), headers=HTML).text
    assert 'data-event="changeBillingPlan"' in after and 'data-event="convert"' in after
    session.refresh(sub)
    assert (sub.term_duration, sub.billing_plan, sub.term_number) == ("P1Y", "annual", 2)


def test_a_shorter_term_posted_anyway_shows_800122(
    client: TestClient, session: Session, sc: Scene
) -> None:
    csrf = sign_in(client, sc.direct)
    sub = subscription(session, sc.direct_customer, sc.direct, sc.offer)
    r = post(client, csrf, session, sub, "term", term_plan="P1M:monthly")
    assert r.status_code == 400 and "(code 800122)" in r.text


def test_a_triennial_billing_cycle_changes_from_the_next_cycle(
    client: TestClient, session: Session, sc: Scene
) -> None:
    csrf = sign_in(client, sc.direct)
    sub = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        sc.offer,
        term=P3Y,
        plan=ANNUAL,
        start=date(2025, 3, 1),
        unit_price="324",
    )
    page = client.get(page_of(sub), headers=HTML).text
    assert 'id="change-term"' not in page and 'id="change-billing-cycle"' in page
    assert post(client, csrf, session, sub, "billing-cycle", plan="monthly").status_code == 303
    page = client.get(page_of(sub), headers=HTML).text
    assert 'data-next-plan="monthly"' in page
    assert post(client, csrf, session, sub, "billing-cycle", clear="1").status_code == 303
    assert "data-next-plan=" not in client.get(page_of(sub), headers=HTML).text


def test_upgrade_into_an_existing_subscription(
    client: TestClient, session: Session, sc: Scene, premium: Offer
) -> None:
    csrf = sign_in(client, sc.direct)
    source = subscription(
        session, sc.direct_customer, sc.direct, sc.offer, start=NOW.date() - timedelta(days=60)
    )
    target = subscription(
        session,
        sc.direct_customer,
        sc.direct,
        premium,
        quantity=5,
        start=NOW.date() - timedelta(days=30),
    )
    page = client.get(page_of(source), headers=HTML).text
    assert f'<option value="{target.id}">' in page
    r = post(
        client,
        csrf,
        session,
        source,
        "upgrade",
        to=premium.catalog_item_id,
        quantity="4",
        into=str(target.id),
    )
    assert r.status_code == 303, r.text
    session.refresh(target)
    assert target.quantity == 9
