"""The organization registration number and the phone — pure rules.

In the countries of the ``registration_number_countries`` setting (the 24 of
PC:developer/create-a-customer.md, rules.md §5.4) a customer gives its organization
registration number and a billing phone; everywhere else it gives no number
(PC:developer/error-codes.md): missing number 600049, malformed 600050 (naming the
expected format), missing phone 600051, a number where none is taken 600002.

Formats enforced, per country — python-stdnum's validator (format and check digits) of
the country's company or taxpayer identifier where python-stdnum has one:

===  ==========================================================  ==========================
AZ   VÖEN, taxpayer number                                         ``stdnum.az.voen``
BR   CNPJ, company identifier                                      ``stdnum.br.cnpj``
BY   UNP, payer account number                                     ``stdnum.by.unp``
HU   ANUM, tax number                                              ``stdnum.hu.anum``
IN   PAN or GSTIN                                                  ``stdnum.in_.pan|gstin``
MD   IDNO, company identification number                           ``stdnum.md.idno``
PL   NIP (tax number) or REGON (business register number)          ``stdnum.pl.nip|regon``
RU   INN (taxpayer number) or OGRN (state registration number)     ``stdnum.ru.inn|ogrn``
TH   MOA (memorandum of association number) or TIN                 ``stdnum.th.moa|tin``
TR   VKN, tax identification number                                ``stdnum.tr.vkn``
UA   EDRPOU, enterprise identifier                                 ``stdnum.ua.edrpou``
VE   RIF, fiscal register number                                   ``stdnum.ve.rif``
VN   MST, tax number                                               ``stdnum.vn.mst``
===  ==========================================================  ==========================

Elsewhere (AE, AM, IQ, KG, KZ, MM, SA, SS, TJ, UZ, ZA, and any country added to the
setting) python-stdnum has no company identifier, so a generic pattern is accepted:
4 to 50 letters, digits, spaces, ``.``, ``/`` or ``-``, beginning and ending with a letter
or digit, with at least one digit (``GENERIC_FORMAT``). [inferred] Numbers validated by
python-stdnum are kept in its compact form; others as written, blanks trimmed."""

from __future__ import annotations

import importlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from opencsp.customers.errors import (
    PhoneNumberMissing,
    RegistrationNumberInvalid,
    RegistrationNumberMissing,
    RegistrationNumberNotSupported,
)


@dataclass(frozen=True, slots=True)
class RegistrationFormat:
    pattern: str  # shown in 600050, as Partner Center shows a regular expression
    validators: tuple[str, ...]  # python-stdnum modules, any of which may accept the number


GENERIC_FORMAT = r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 ./-]{2,48}[A-Za-z0-9]$"

FORMATS: dict[str, RegistrationFormat] = {
    "AZ": RegistrationFormat(r"^\d{10}$", ("az.voen",)),
    "BR": RegistrationFormat(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$", ("br.cnpj",)),
    "BY": RegistrationFormat(r"^[0-9A-Z]{2}\d{7}$", ("by.unp",)),
    "HU": RegistrationFormat(r"^(HU)?\d{8}$", ("hu.anum",)),
    "IN": RegistrationFormat(
        r"^([A-Z]{5}\d{4}[A-Z]|\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z])$",
        ("in_.pan", "in_.gstin"),
    ),
    "MD": RegistrationFormat(r"^\d{13}$", ("md.idno",)),
    "PL": RegistrationFormat(r"^(\d{9}|\d{10}|\d{14})$", ("pl.nip", "pl.regon")),
    "RU": RegistrationFormat(r"^(\d{10}|\d{12}|\d{13}|\d{15})$", ("ru.inn", "ru.ogrn")),
    "TH": RegistrationFormat(r"^\d{13}$", ("th.moa", "th.tin")),
    "TR": RegistrationFormat(r"^\d{10}$", ("tr.vkn",)),
    "UA": RegistrationFormat(r"^\d{8}$", ("ua.edrpou",)),
    "VE": RegistrationFormat(r"^[VEJPG]-?\d{8}-?\d$", ("ve.rif",)),
    "VN": RegistrationFormat(r"^\d{10}(-?\d{3})?$", ("vn.mst",)),
}


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{name}")


def format_for(country: str) -> RegistrationFormat:
    return FORMATS.get(country.upper(), RegistrationFormat(GENERIC_FORMAT, ()))


def normalize_registration_number(country: str, number: str) -> str:
    """The number in its kept form, or 600050 with the country's expected format."""
    fmt = format_for(country)
    text = number.strip()
    if not fmt.validators:
        if re.fullmatch(GENERIC_FORMAT, text):
            return text
        raise RegistrationNumberInvalid(format=fmt.pattern)
    for name in fmt.validators:
        module = _module(name)
        if module.is_valid(text):
            return str(module.compact(text))
    raise RegistrationNumberInvalid(format=fmt.pattern)


def check_registration(
    country: str,
    number: str | None,
    phone: str | None,
    *,
    required_in: Collection[str],
) -> str | None:
    """The registration number to keep (None where none is taken), or the documented
    error: in a country of ``required_in`` a missing number is 600049, a malformed one
    600050 and a missing billing phone 600051; elsewhere any number is 600002."""
    code = country.strip().upper()
    given = (number or "").strip()
    if code not in {c.strip().upper() for c in required_in}:
        if given:
            raise RegistrationNumberNotSupported(country=code)
        return None
    if not given:
        raise RegistrationNumberMissing(country=code)
    kept = normalize_registration_number(code, given)
    if not (phone or "").strip():
        raise PhoneNumberMissing(country=code)
    return kept
