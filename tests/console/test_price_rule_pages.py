"""The console's price rules page: a provider sets a rule for its reseller, sees it and
removes it; a bad percent is shown with its message and nothing written; English and
Korean render; a user without billing access is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.billing import price_rules
from tests.factories import member
from tests.factories.commerce import Scene, scene
from tests.factories.console_pricing import HTML, sign_in

pytestmark = pytest.mark.usefixtures("client")


@pytest.fixture()
def sc(session: Session) -> Scene:
    return scene(session)


@pytest.mark.parametrize(("language", "lang"), [("en", "en"), ("ko", "ko")])
def test_the_page_renders_in_both_languages(
    client: TestClient, sc: Scene, language: str, lang: str
) -> None:
    sign_in(client, sc.provider, language=language)
    page = client.get("/price-rules", headers=HTML)
    assert page.status_code == 200
    assert f'lang="{lang}' in page.text
    assert 'id="set-rule"' in page.text
    assert sc.reseller.org.name in page.text  # offered as a buyer


def test_a_provider_sets_and_removes_a_rule(
    client: TestClient, session: Session, sc: Scene
) -> None:
    csrf = sign_in(client, sc.provider)
    data = {
        "csrf_token": csrf,
        "buyer": str(sc.reseller.org.id),
        "product_id": "*",
        "sku_id": "*",
        "percent": "12.5",
    }
    r = client.post("/price-rules", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/price-rules", headers=HTML).text
    assert 'id="price-rules"' in page and "12.5%" in page
    (rule,) = price_rules.list_rules(session, sc.provider.actor)
    gone = {k: data[k] for k in ("csrf_token", "buyer", "product_id", "sku_id")}
    r = client.post("/price-rules/delete", data=gone, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert price_rules.list_rules(session, sc.provider.actor) == []
    assert rule.percent == Decimal("12.5")


def test_a_bad_percent_is_shown_and_nothing_written(
    client: TestClient, session: Session, sc: Scene
) -> None:
    csrf = sign_in(client, sc.direct)
    data = {"csrf_token": csrf, "buyer": "*", "product_id": "*", "sku_id": "*", "percent": "-100"}
    r = client.post("/price-rules", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 400
    assert "above -100" in r.text and 'value="-100"' in r.text
    assert price_rules.list_rules(session, sc.direct.actor) == []


def test_a_user_without_billing_access_is_refused(
    client: TestClient, session: Session, sc: Scene
) -> None:
    user_admin = member(session, sc.direct.org, roles=(Role.USER_MANAGEMENT_ADMIN,))
    sign_in(client, user_admin)
    assert client.get("/price-rules", headers=HTML).status_code == 403
