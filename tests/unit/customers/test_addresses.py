"""Address validation (PC:developer/validate-an-address.md, utility-resources.md) as a
table: lengths, the country's address data, states, postal codes, phones, statuses."""

from __future__ import annotations

import pytest

from opencsp.customers.addresses import AddressStatus, validate_address
from opencsp.markets.rules import OperationsCenter
from opencsp.markets.validation import country_information
from tests.factories.customers import valid_address


def info(code: str):
    return country_information(
        code, operations_center=OperationsCenter.AOC, registration_countries=()
    )


@pytest.mark.parametrize("country", ["US", "KR", "IN", "DE", "BR"])
def test_valid_addresses_are_verified_shippable(country):
    check = validate_address(valid_address(country), info=info(country), names_required=True)
    assert check.status is AddressStatus.VERIFIED_SHIPPABLE, check.problems
    assert check.suggested is not None
    assert check.message is None


@pytest.mark.parametrize(
    ("overrides", "status", "fields"),
    [
        ({"addressLine1": None}, AddressStatus.STREET_PARTIAL, {"addressLine1"}),
        ({"addressLine1": "x" * 201}, AddressStatus.STREET_PARTIAL, {"addressLine1"}),
        ({"addressLine1": "x" * 200}, AddressStatus.VERIFIED_SHIPPABLE, set()),
        ({"addressLine2": "x" * 200}, AddressStatus.VERIFIED_SHIPPABLE, set()),
        ({"addressLine2": "x" * 201}, AddressStatus.NONE, {"addressLine2"}),
        ({"postalCode": "9805"}, AddressStatus.NONE, {"postalCode"}),
        ({"postalCode": None}, AddressStatus.NONE, {"postalCode"}),
        ({"state": "XX"}, AddressStatus.NONE, {"state"}),
        ({"state": None}, AddressStatus.NONE, {"state"}),
        ({"city": None}, AddressStatus.NONE, {"city"}),
        ({"firstName": None}, AddressStatus.NONE, {"firstName"}),
        ({"firstName": "x" * 51}, AddressStatus.NONE, {"firstName"}),
        ({"firstName": "x" * 50}, AddressStatus.VERIFIED_SHIPPABLE, set()),
        ({"lastName": ""}, AddressStatus.NONE, {"lastName"}),
        ({"phoneNumber": "12"}, AddressStatus.NONE, {"phoneNumber"}),
        ({"phoneNumber": "(425) 555-0101"}, AddressStatus.VERIFIED_SHIPPABLE, set()),
        ({"phoneNumber": None}, AddressStatus.VERIFIED_SHIPPABLE, set()),
        ({"country": "USA"}, AddressStatus.NONE, {"country"}),
        ({"country": None}, AddressStatus.NONE, {"country"}),
        (
            {"addressLine1": None, "postalCode": "1", "state": "XX"},
            AddressStatus.MULTIPLE,
            {"addressLine1", "postalCode", "state"},
        ),
    ],
)
def test_problems_and_statuses(overrides, status, fields):
    address = valid_address("US", **overrides)
    country = address.get("country")
    check = validate_address(
        address, info=info("US") if country == "US" else None, names_required=True
    )
    assert check.status is status
    assert {p.field for p in check.problems} == fields
    assert check.is_valid is (status is AddressStatus.VERIFIED_SHIPPABLE)
    if fields:
        assert check.suggested is None
        assert check.message and check.message.startswith("Address field invalid for property:")


def test_names_are_optional_outside_a_billing_address():
    address = valid_address("US", firstName=None, lastName=None)
    assert validate_address(address, info=info("US"), names_required=False).is_valid
    assert not validate_address(address, info=info("US"), names_required=True).is_valid


def test_a_country_in_no_market_is_not_validated():
    check = validate_address(valid_address("US", country="RU"), info=None, names_required=True)
    assert check.status is AddressStatus.NOT_VALIDATED
    assert "RU" in (check.message or "")


@pytest.mark.parametrize(
    ("country", "state", "kept"),
    [
        ("US", "wa", "WA"),
        ("US", "Washington", "WA"),
        ("KR", "Seoul", "서울특별시"),
        ("KR", "서울특별시", "서울특별시"),
        ("IN", "Maharashtra", "Maharashtra"),
        ("BR", "sp", "SP"),
    ],
)
def test_states_are_kept_as_the_address_data_names_them(country, state, kept):
    check = validate_address(
        valid_address(country, state=state), info=info(country), names_required=True
    )
    assert check.is_valid, check.problems
    assert check.suggested is not None
    assert check.suggested["state"] == kept


@pytest.mark.parametrize(
    ("state", "valid"),
    [("BE", True), ("Berlin", False), (None, True)],
)
def test_without_a_list_of_states_a_state_is_a_code_of_at_most_two(state, valid):
    check = validate_address(valid_address("DE", state=state), info=info("DE"), names_required=True)
    assert check.is_valid is valid
    if not valid:
        assert [(p.field, p.reason) for p in check.problems] == [("state", "too_long")]


def test_the_postal_code_is_normalized_in_the_suggestion():
    address = {
        "addressLine1": "1 High St",
        "city": "London",
        "postalCode": "sw1a 1aa",
        "country": "gb",
    }
    check = validate_address(address, info=info("GB"), names_required=False)
    assert check.is_valid
    assert check.suggested == {**address, "postalCode": "SW1A 1AA", "country": "GB"}
    assert check.original["country"] == "GB"
