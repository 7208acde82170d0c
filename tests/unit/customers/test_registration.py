"""Organization registration numbers and phones (PC:developer/create-a-customer.md,
PC:developer/error-codes.md 600002, 600049, 600050, 600051) as tables."""

from __future__ import annotations

import re

import pytest

from opencsp.core.config import Settings
from opencsp.customers import registration
from opencsp.customers.errors import (
    PhoneNumberMissing,
    RegistrationNumberInvalid,
    RegistrationNumberMissing,
    RegistrationNumberNotSupported,
)

REQUIRED = Settings().registration_number_countries
PHONE = "+1 425 555 0101"

# one valid number per country where python-stdnum validates it, and its kept form
VALID: list[tuple[str, str, str]] = [
    ("AZ", "140 155 5071", "1401555071"),
    ("BR", "16.727.230/0001-97", "16727230000197"),
    ("BY", "200988541", "200988541"),
    ("HU", "HU-12892312", "12892312"),
    ("IN", "ACUPA7085R", "ACUPA7085R"),
    ("IN", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
    ("MD", "1008600038413", "1008600038413"),
    ("PL", "PL 8567346215", "8567346215"),
    ("PL", "192598184", "192598184"),
    ("RU", "1234567894", "1234567894"),
    ("RU", "1022200525819", "1022200525819"),
    ("TH", "0994000617721", "0994000617721"),
    ("TR", "4540536920", "4540536920"),
    ("UA", "32855961", "32855961"),
    ("VE", "V-11470283-4", "V114702834"),
    ("VN", "0100233488", "0100233488"),
    # no python-stdnum identifier: the generic pattern
    ("ZA", "2001/012345/07", "2001/012345/07"),
    ("AE", "CN-1234567", "CN-1234567"),
    ("SA", "1010101010", "1010101010"),
    ("KZ", "123456789012", "123456789012"),
]


def test_the_default_countries_are_the_24_of_the_documentation():
    assert len(REQUIRED) == 24
    assert {"IN", "BR", "TR", "UA", "AE", "VN", "ZA", "PL"} <= set(REQUIRED)
    assert not {"US", "KR", "DE", "JP"} & set(REQUIRED)


@pytest.mark.parametrize(("country", "number", "kept"), VALID)
def test_valid_numbers_are_kept_in_their_compact_form(country, number, kept):
    assert registration.check_registration(country, number, PHONE, required_in=REQUIRED) == kept


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("BR", "16.727.230/0001-98"),  # check digit
        ("IN", "ACUPA7085"),
        ("TR", "4540536921"),
        ("UA", "32855962"),
        ("PL", "1234567890"),
        ("VN", "0100233489"),
        ("ZA", "ab"),
        ("AE", "no digits here"),
        ("SA", "-123456-"),
        ("KZ", "1" * 51),
    ],
)
def test_malformed_numbers_are_600050_with_the_expected_format(country, number):
    with pytest.raises(RegistrationNumberInvalid) as caught:
        registration.check_registration(country, number, PHONE, required_in=REQUIRED)
    assert caught.value.code == 600050
    fmt = registration.format_for(country).pattern
    assert fmt in caught.value.message
    re.compile(fmt)  # the format shown is a real regular expression


@pytest.mark.parametrize("country", sorted(REQUIRED))
def test_every_required_country_refuses_a_missing_number_and_a_missing_phone(country):
    with pytest.raises(RegistrationNumberMissing) as missing:
        registration.check_registration(country, None, PHONE, required_in=REQUIRED)
    assert missing.value.code == 600049
    with pytest.raises(RegistrationNumberMissing):
        registration.check_registration(country, "   ", PHONE, required_in=REQUIRED)
    number = next((n for c, n, _ in VALID if c == country), "ABC-12345")
    with pytest.raises(PhoneNumberMissing) as phone:
        registration.check_registration(country, number, None, required_in=REQUIRED)
    assert phone.value.code == 600051


@pytest.mark.parametrize("country", ["US", "KR", "DE", "JP", "GB", "us"])
def test_elsewhere_no_number_is_taken(country):
    assert registration.check_registration(country, None, None, required_in=REQUIRED) is None
    assert registration.check_registration(country, "", None, required_in=REQUIRED) is None
    with pytest.raises(RegistrationNumberNotSupported) as caught:
        registration.check_registration(country, "12345678", PHONE, required_in=REQUIRED)
    assert caught.value.code == 600002


def test_the_countries_come_from_the_setting():
    assert registration.check_registration("US", "1234", PHONE, required_in=["us"]) == "1234"
    with pytest.raises(RegistrationNumberNotSupported):
        registration.check_registration("IN", "ACUPA7085R", PHONE, required_in=["US"])


def test_every_country_with_a_validator_names_a_real_module():
    for country, fmt in registration.FORMATS.items():
        assert fmt.validators, country
        for name in fmt.validators:
            module = registration._module(name)
            assert callable(module.is_valid)
