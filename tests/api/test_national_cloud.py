"""A national cloud is its own deployment with its own markets (rules.md §13):
``OPENCSP_MARKETS`` limits the markets this deployment serves and ``OPENCSP_CLOUD_NAME``
names it (``GET /v1/program/cloud``, the console header)."""

from __future__ import annotations

import pytest

from opencsp.core.actor import Tier
from opencsp.markets import queries
from opencsp.markets.errors import UnknownCloudMarket
from tests.factories.customers import create_body
from tests.factories.parties import partner


def test_default_is_the_global_cloud_with_every_market(client, session):
    p = partner(session, Tier.DIRECT_BILL)
    r = client.get("/v1/program/cloud", headers=p.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "global" and body["attributes"] == {"objectType": "Cloud"}
    assert len(body["markets"]) == 15


def test_us_government_serves_only_the_united_states(client, session, configure):
    p = partner(session, Tier.DIRECT_BILL)
    configure(markets="united-states", cloud_name="us-government")
    cloud = client.get("/v1/program/cloud", headers=p.headers).json()
    assert (cloud["name"], cloud["markets"]) == ("us-government", ["united-states"])
    listed = client.get("/v1/program/markets", headers=p.headers).json()
    assert [m["id"] for m in listed["items"]] == ["united-states"]
    assert client.get("/v1/program/markets/europe", headers=p.headers).status_code == 404
    r = client.get("/v1/countryvalidationrules/DE", headers=p.headers)
    assert r.status_code == 404
    assert "not served by this cloud (us-government)" in r.json()["description"]
    assert client.get("/v1/countryvalidationrules/US", headers=p.headers).status_code == 200


@pytest.mark.parametrize(("markets", "created"), [("", True), ("united-states", False)])
def test_a_customer_in_another_cloud_cannot_be_created(
    client, session, configure, markets, created
):
    """A Korean partner enrolled before the cloud was narrowed: in the global cloud it
    creates a Korean customer; in a US-only deployment Korea does not exist."""
    korean = partner(session, Tier.DIRECT_BILL, country="KR")
    configure(markets=markets)
    r = client.post("/v1/customers", headers=korean.headers, json=create_body("KR"))
    if created:
        assert r.status_code == 201, r.text
    else:
        # the partner's own market is not served here: it sells nowhere (2030)
        assert r.status_code == 403, r.text
        assert r.json()["code"] == 2030


def test_us_customer_still_created_in_the_us_cloud(client, session, configure):
    p = partner(session, Tier.DIRECT_BILL)
    configure(markets="United-States, ")
    r = client.post("/v1/customers", headers=p.headers, json=create_body("US"))
    assert r.status_code == 201, r.text


def test_an_unknown_market_is_a_configuration_error(session, configure):
    configure(markets="united-states,atlantis")
    with pytest.raises(UnknownCloudMarket, match="atlantis"):
        queries.list_markets(session)
