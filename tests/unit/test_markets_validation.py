"""Country validation rules computed from the libraries' data (no database)."""

from __future__ import annotations

import re

import pytest

from opencsp.markets import validation
from opencsp.markets.reference import reference_table
from opencsp.markets.rules import OperationsCenter


def info(code, center=OperationsCenter.AOC, registration=()):
    return validation.country_information(
        code, operations_center=center, registration_countries=registration
    )


def test_us_address_rules():
    us = info("US")
    assert us.is_state_required is True
    assert len(us.states) >= 50
    assert {"WA", "NY", "CA", "DC"} <= set(us.states)
    assert us.is_postal_code_required is True
    assert us.is_city_required is True


@pytest.mark.parametrize(
    ("code", "postal", "matches"),
    [
        ("US", "98052", True),
        ("US", "98052-6399", True),
        ("US", "9805", False),
        ("US", "98052-639", False),
        ("KR", "06236", True),
        ("KR", "062361", False),
        ("GB", "SW1A 1AA", True),
        ("GB", "BFPO 1234", True),
        # the library's own "^a|b$" would accept these: every alternative must be anchored
        ("GB", "GIR 0AA trailing", False),
        ("GB", "leading BFPO 12", False),
        ("DE", "10115", True),
        ("BR", "01310-100", True),
    ],
)
def test_postal_code_regex(code, postal, matches):
    regex = info(code).postal_code_regex
    assert regex is not None
    assert (re.match(regex, postal) is not None) is matches


def test_no_postal_code_pattern_where_there_is_no_postal_code():
    # Bonaire, Saba and Sint Eustatius have no postal codes in the address data
    bq = info("BQ")
    assert bq.postal_code_regex is None
    assert bq.is_postal_code_required is False


@pytest.mark.parametrize(
    ("code", "number", "matches"),
    [
        ("US", "4255550100", True),
        ("US", "+14255550100", True),
        ("US", "14255550100", True),
        ("US", "0255550100", False),
        ("KR", "0212345678", True),
        ("KR", "+82212345678", True),
        ("GB", "02079460000", True),
        ("GB", "+442079460000", True),
    ],
)
def test_phone_number_regex(code, number, matches):
    regex = info(code).phone_number_regex
    assert regex is not None
    assert (re.match(regex, number) is not None) is matches


@pytest.mark.parametrize(
    ("code", "calling"),
    [("US", ("1",)), ("CA", ("1",)), ("KR", ("82",)), ("GB", ("44",)), ("BR", ("55",))],
)
def test_calling_codes(code, calling):
    assert info(code).country_calling_codes == calling


def test_a_place_without_phone_metadata_has_no_phone_rules():
    hm = info("HM", OperationsCenter.APOC)
    assert hm.country_calling_codes == ()
    assert hm.phone_number_regex is None


@pytest.mark.parametrize(
    ("code", "default", "languages"),
    [
        ("US", "en-US", ("en", "es")),
        ("KR", "ko-KR", ("ko",)),
        ("JP", "ja-JP", ("ja",)),
        ("CA", "en-CA", ("en", "fr")),
        ("BR", "pt-BR", ("pt",)),
        ("TW", "zh-Hant-TW", None),
        ("TF", "fr-TF", ("fr",)),
    ],
)
def test_languages_and_cultures(code, default, languages):
    result = info(code)
    assert result.default_culture == default
    if languages is not None:
        assert result.supported_languages == languages
    assert result.supported_cultures == tuple(
        f"{lang}-{code}" for lang in result.supported_languages
    )


def test_an_uninhabited_place_has_no_culture():
    hm = info("HM", OperationsCenter.APOC)
    assert hm.supported_languages == ()
    assert hm.default_culture is None


@pytest.mark.parametrize(
    ("code", "vat", "tax"),
    [
        ("US", False, True),
        ("DE", True, True),
        ("KR", True, True),
        ("GB", True, True),
        ("BQ", False, False),
    ],
)
def test_vat_and_tax_ids(code, vat, tax):
    result = info(code)
    assert (result.is_vat_id_supported, result.is_tax_id_supported) == (vat, tax)
    assert result.tax_id_format is None
    assert result.tax_id_sample is None


@pytest.mark.parametrize(
    ("code", "registration", "supported"),
    [
        ("BR", ("BR", "IN"), True),
        ("US", ("BR", "IN"), False),
        ("in", ("IN",), False),
        ("IN", ("in",), True),
    ],
)
def test_registration_number_follows_the_given_countries(code, registration, supported):
    # the code reaching validation is already normalized; the setting may be in any case
    assert info(code, registration=registration).is_registration_number_supported is supported


@pytest.mark.parametrize(
    ("center", "region"),
    [
        (OperationsCenter.AOC, "NorthAndLatinAmerica"),
        (OperationsCenter.EOC, "EuropeMiddleEastAndAfrica"),
        (OperationsCenter.APOC, "AsiaPacific"),
    ],
)
def test_regions_follow_the_operations_center(center, region):
    result = info("US", center)
    assert result.reseller_agreement_region == center.value
    assert result.geographic_region == region


@pytest.mark.parametrize(
    ("code", "known"), [("US", True), ("RU", True), ("XK", True), ("XX", False), ("ZZ", False)]
)
def test_is_country(code, known):
    assert validation.is_country(code) is known


def test_every_csp_country_gets_valid_regexes():
    table = reference_table()
    for code, country in table.countries.items():
        result = info(code, table.markets[country.market_id].operations_center)
        for regex in (result.postal_code_regex, result.phone_number_regex):
            if regex is not None:
                assert regex.startswith("^")
                assert regex.endswith("$")
                re.compile(regex)
        assert validation.is_country(code)
