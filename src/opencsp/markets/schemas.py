"""Wire shapes: markets (opencsp's ``/v1/program/markets``) and Partner Center's
``CountryInformation`` (sample: ``country-validation-rules-get.response.json``)."""

from __future__ import annotations

from typing import ClassVar

from opencsp.core.http import Resource, WireModel
from opencsp.markets.models import Country, Market
from opencsp.markets.rules import GEOGRAPHIC_REGION, CurrencyScope, OperationsCenter
from opencsp.markets.rules import market_currencies as distinct_currencies
from opencsp.markets.validation import CountryInformation


class CountryCurrencyRead(WireModel):
    code: str
    applies_to: CurrencyScope
    note: str | None = None


class MarketCountryRead(WireModel):
    iso2_code: str
    name: str
    currencies: list[CountryCurrencyRead]

    @classmethod
    def of(cls, country: Country) -> MarketCountryRead:
        return cls(
            iso2_code=country.code,
            name=country.name,
            currencies=[
                CountryCurrencyRead(
                    code=c.currency, applies_to=CurrencyScope(c.applies_to), note=c.note
                )
                for c in country.currencies
            ],
        )


class MarketRead(Resource):
    """A market with its countries; ``currencies`` are the distinct currencies of its
    countries. ``resellerAgreementRegion`` is the operations center ([inferred])."""

    OBJECT_TYPE: ClassVar[str] = "Market"

    id: str
    name: str
    reseller_agreement_region: OperationsCenter
    geographic_region: str
    currencies: list[str]
    countries: list[MarketCountryRead]

    @classmethod
    def of(cls, market: Market) -> MarketRead:
        center = OperationsCenter(market.operations_center)
        countries = [MarketCountryRead.of(c) for c in market.countries]
        return cls(
            id=market.id,
            name=market.name,
            reseller_agreement_region=center,
            geographic_region=GEOGRAPHIC_REGION[center],
            currencies=list(
                distinct_currencies(cur.code for c in countries for cur in c.currencies)
            ),
            countries=countries,
        )


class ValueList(WireModel):
    """Partner Center wraps lists in ``{"value": [...]}`` in this resource."""

    value: list[str]


class CountryInformationRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "CountryInformation"

    iso2_code: str
    default_culture: str | None
    is_state_required: bool
    states: ValueList
    supported_languages: ValueList
    supported_cultures: ValueList
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
    country_calling_codes: ValueList

    @classmethod
    def of(cls, info: CountryInformation) -> CountryInformationRead:
        return cls(
            iso2_code=info.iso2_code,
            default_culture=info.default_culture,
            is_state_required=info.is_state_required,
            states=ValueList(value=list(info.states)),
            supported_languages=ValueList(value=list(info.supported_languages)),
            supported_cultures=ValueList(value=list(info.supported_cultures)),
            is_postal_code_required=info.is_postal_code_required,
            postal_code_regex=info.postal_code_regex,
            is_city_required=info.is_city_required,
            is_vat_id_supported=info.is_vat_id_supported,
            tax_id_format=info.tax_id_format,
            tax_id_sample=info.tax_id_sample,
            phone_number_regex=info.phone_number_regex,
            is_registration_number_supported=info.is_registration_number_supported,
            is_tax_id_supported=info.is_tax_id_supported,
            reseller_agreement_region=info.reseller_agreement_region,
            geographic_region=info.geographic_region,
            country_calling_codes=ValueList(value=list(info.country_calling_codes)),
        )
