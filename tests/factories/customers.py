"""Factories for the customers domain's tests: valid addresses per country, request
bodies for ``POST /v1/customers``, and the cast of the visibility matrix."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.customers.models import Customer
from tests.factories import Member, member, organization
from tests.factories.parties import customer, partner, partnership

_seq = itertools.count(1)

# Addresses that pass each country's rules (address data, postal code, phone).
ADDRESSES: dict[str, dict[str, str]] = {
    "US": {
        "addressLine1": "One Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": "US",
        "phoneNumber": "4255550101",
    },
    "KR": {
        "addressLine1": "세종대로 110",
        "city": "중구",
        "state": "서울특별시",
        "postalCode": "04524",
        "country": "KR",
        "phoneNumber": "0221331234",
    },
    "IN": {
        "addressLine1": "1 Marine Drive",
        "city": "Mumbai",
        "state": "Maharashtra",
        "postalCode": "400001",
        "country": "IN",
        "phoneNumber": "02222621234",
    },
    "DE": {
        "addressLine1": "Unter den Linden 1",
        "city": "Berlin",
        "postalCode": "10117",
        "country": "DE",
        "phoneNumber": "030123456",
    },
    "BR": {
        "addressLine1": "Avenida Paulista 1000",
        "city": "São Paulo",
        "state": "SP",
        "postalCode": "01310-100",
        "country": "BR",
        "phoneNumber": "1132450000",
    },
}


def valid_address(of: str = "US", **overrides: Any) -> dict[str, Any]:
    """A valid address in ``of``, with ``overrides`` (None removes a field)."""
    address = {**ADDRESSES[of], "firstName": "Gena", "lastName": "Soto", **overrides}
    return {k: v for k, v in address.items() if v is not None}


def create_body(
    country: str = "US",
    *,
    name: str | None = None,
    domain: str | None = None,
    email: str = "gena@wingtiptoys.example",
    registration: str | None = None,
    associated: object | None = None,
    address: dict[str, Any] | None = None,
    pascal: bool = False,
) -> dict[str, Any]:
    """A create-customer body like the documented sample (PascalCase when ``pascal``)."""
    n = next(_seq)
    company: dict[str, Any] = {"domain": domain or f"wingtip{n}toys", "companyName": None}
    if registration is not None:
        company["organizationRegistrationNumber"] = registration
    body: dict[str, Any] = {
        "companyProfile": company,
        "billingProfile": {
            "email": email,
            "culture": "EN-US",
            "language": "En",
            "companyName": name or f"Wingtip Toys {n}",
            "defaultAddress": address if address is not None else valid_address(country),
        },
    }
    if associated is not None:
        body["associatedPartnerId"] = str(associated)
    if pascal:
        return _pascal(body)
    return body


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Cast:
    """Everyone in the visibility matrix, and customers A (of the direct-bill partner),
    B (the provider's own) and C (created by the provider for its reseller)."""

    vendor: Member
    direct: Member
    provider: Member
    reseller: Member
    other_reseller: Member
    other_direct: Member
    a: Customer
    b: Customer
    c: Customer

    def actor(self, name: str) -> Member:
        member_of: Member = getattr(self, name)
        return member_of


def cast(session: Session) -> Cast:
    vendor = member(session, organization(session, Tier.VENDOR), roles=(Role.PROGRAM_ADMIN,))
    direct = partner(session, Tier.DIRECT_BILL)
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, provider.org, reseller.org)
    other_provider = partner(session, Tier.INDIRECT_PROVIDER)
    other_reseller = partner(session, Tier.INDIRECT_RESELLER, roles=(Role.GLOBAL_ADMIN,))
    partnership(session, other_provider.org, other_reseller.org)
    other_direct = partner(session, Tier.DIRECT_BILL)
    return Cast(
        vendor=vendor,
        direct=direct,
        provider=provider,
        reseller=reseller,
        other_reseller=other_reseller,
        other_direct=other_direct,
        a=customer(session, direct.org, name="Alpha Customer"),
        b=customer(session, provider.org, name="Bravo Customer"),
        c=customer(session, provider.org, reseller=reseller.org, name="Charlie Customer"),
    )
