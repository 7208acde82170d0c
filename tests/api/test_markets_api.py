"""The markets API by its shapes: ``/v1/program/markets`` and Partner Center's
``/v1/countryvalidationrules/{country}`` (sample: country-validation-rules-get.response.json)."""

from __future__ import annotations

import re

import pytest

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import member
from tests.support import reference

ERROR_KEYS = {"code", "description", "data", "source"}


@pytest.fixture()
def headers(session):
    m = member(session)
    session.commit()
    return m.headers


def test_list_markets(client, headers):
    r = client.get("/v1/program/markets", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"totalCount", "items", "links", "attributes"}
    assert body["attributes"]["objectType"] == "Collection"
    assert body["totalCount"] == 15 == len(body["items"])
    assert {item["attributes"]["objectType"] for item in body["items"]} == {"Market"}
    assert sum(len(item["countries"]) for item in body["items"]) == 242
    markets = {item["id"]: item for item in body["items"]}
    assert markets["europe"]["currencies"] == ["CHF", "DKK", "EUR", "GBP", "NOK", "SEK"]
    assert markets["united-states"]["resellerAgreementRegion"] == "AOC"
    assert markets["united-states"]["geographicRegion"] == "NorthAndLatinAmerica"


def test_market_countries_carry_codes_names_and_currencies(client, headers):
    r = client.get("/v1/program/markets/brazil", headers=headers)
    assert r.status_code == 200
    brazil = r.json()
    assert brazil["name"] == "Brazil"
    assert brazil["currencies"] == ["BRL", "USD"]
    [country] = brazil["countries"]
    assert country["iso2Code"] == "BR"
    assert country["name"] == "Brazil"
    scopes = {c["code"]: c["appliesTo"] for c in country["currencies"]}
    assert scopes == {"BRL": "newCommerce", "USD": "traditional"}
    assert all(c["note"] for c in country["currencies"])


def test_vatican_city_is_listed_without_currency(client, headers):
    europe = client.get("/v1/program/markets/europe", headers=headers).json()
    vatican = next(c for c in europe["countries"] if c["iso2Code"] == "VA")
    assert vatican["name"] == "Vatican City"
    assert vatican["currencies"] == []


def test_get_market_by_id(client, headers):
    r = client.get("/v1/program/markets/korea-republic-of", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Korea, Republic of"
    assert body["currencies"] == ["KRW"]
    assert body["resellerAgreementRegion"] == "APOC"
    assert body["attributes"] == {"objectType": "Market"}


def test_unknown_market_is_404_in_the_error_shape(client, headers):
    r = client.get("/v1/program/markets/atlantis", headers=headers)
    assert r.status_code == 404
    assert set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == 1000


def test_country_validation_rules_have_the_samples_keys(client, headers):
    sample = reference.sample("country-validation-rules-get.response.json")
    body = client.get("/v1/countryvalidationrules/US", headers=headers).json()
    assert list(body) == list(sample)
    for key in ("states", "supportedLanguages", "supportedCultures", "countryCallingCodes"):
        assert set(body[key]) == set(sample[key]) == {"value"}
    assert body["attributes"] == sample["attributes"]
    for key, value in sample.items():
        if isinstance(value, bool):
            assert isinstance(body[key], bool), key


def test_country_validation_rules_for_the_us(client, headers):
    r = client.get("/v1/countryvalidationrules/US", headers=headers)
    assert r.status_code == 200
    us = r.json()
    assert us["iso2Code"] == "US"
    assert us["defaultCulture"] == "en-US"
    assert us["isStateRequired"] is True
    assert len(us["states"]["value"]) >= 50
    assert "WA" in us["states"]["value"]
    assert us["isPostalCodeRequired"] is True
    assert re.match(us["postalCodeRegex"], "98052")
    assert re.match(us["postalCodeRegex"], "98052-6399")
    assert not re.match(us["postalCodeRegex"], "980521")
    assert us["countryCallingCodes"] == {"value": ["1"]}
    assert re.match(us["phoneNumberRegex"], "4255550100")
    assert us["supportedLanguages"] == {"value": ["en", "es"]}
    assert us["supportedCultures"] == {"value": ["en-US", "es-US"]}
    assert us["isVatIdSupported"] is False
    assert us["isTaxIdSupported"] is True
    assert us["isRegistrationNumberSupported"] is False
    assert us["resellerAgreementRegion"] == "AOC"
    assert us["geographicRegion"] == "NorthAndLatinAmerica"
    assert us["attributes"] == {"objectType": "CountryInformation"}


@pytest.mark.parametrize("country", ["KR", "kr"])
def test_country_validation_rules_for_korea(client, headers, country):
    kr = client.get(f"/v1/countryvalidationrules/{country}", headers=headers).json()
    assert kr["iso2Code"] == "KR"
    assert kr["defaultCulture"] == "ko-KR"
    assert kr["countryCallingCodes"] == {"value": ["82"]}
    assert kr["resellerAgreementRegion"] == "APOC"


def test_registration_number_is_required_where_the_setting_says(client, headers, configure):
    assert (
        client.get("/v1/countryvalidationrules/BR", headers=headers).json()[
            "isRegistrationNumberSupported"
        ]
        is True
    )
    configure(registration_number_countries='["US"]')
    body = client.get("/v1/countryvalidationrules/US", headers=headers).json()
    assert body["isRegistrationNumberSupported"] is True


@pytest.mark.parametrize(
    ("country", "status"), [("XX", 404), ("RU", 404), ("USA", 400), ("1", 400)]
)
def test_unknown_or_invalid_country(client, headers, country, status):
    r = client.get(f"/v1/countryvalidationrules/{country}", headers=headers)
    assert r.status_code == status
    assert set(r.json()) == ERROR_KEYS
    assert country in r.json()["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/program/markets",
        "/v1/program/markets/europe",
        "/v1/countryvalidationrules/US",
    ],
)
def test_unauthenticated_is_401(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert set(r.json()) == ERROR_KEYS


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.VENDOR, (Role.CATALOG_MANAGER,)),
        (Tier.INDIRECT_RESELLER, (Role.HELPDESK_AGENT,)),
        (Tier.INDIRECT_PROVIDER, (Role.BILLING_ADMIN,)),
    ],
)
def test_every_actor_may_read_markets(client, session, tier, roles):
    m = member(session, tier=tier, roles=roles)
    session.commit()
    for path in ("/v1/program/markets", "/v1/countryvalidationrules/DE"):
        assert client.get(path, headers=m.headers).status_code == 200
