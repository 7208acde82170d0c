"""Checks that read reference data: an address against its country's rules (``POST
/v1/validations/address``, PC:developer/validate-an-address.md, and every customer
address saved), a customer email against the vendor's and the partner's own domains, and
whether a tenant domain is free (``HEAD /v1/domains/{domain}``,
PC:developer/verify-domain-availability.md: 404 means available)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from opencsp.core.config import settings
from opencsp.core.errors import NotFound
from opencsp.customers import addresses, queries, rules
from opencsp.customers.addresses import AddressCheck, AddressStatus
from opencsp.customers.errors import InvalidAddress, PartnerNotInMarket
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners

_ISO2 = re.compile(r"\s*[A-Za-z]{2}\s*")


def check_address(
    session: Session, address: Mapping[str, Any], *, names_required: bool = False
) -> AddressCheck:
    """The address checked with its country's validation data; a country no CSP market
    covers is ``NotValidated``."""
    country = address.get("country")
    info = None
    if isinstance(country, str) and _ISO2.fullmatch(country):
        try:
            info = markets.country_information(session, country)
        except NotFound:
            info = None
    return addresses.validate_address(address, info=info, names_required=names_required)


def valid_billing_address(session: Session, address: Mapping[str, Any]) -> dict[str, str]:
    """The billing address as it will be kept, or a clear refusal listing the fields
    (``data``: one ``{field, message}`` per problem). Only ``VerifiedShippable`` passes;
    a country outside every market can have no partner (2030)."""
    check = check_address(session, address, names_required=True)
    if check.status is AddressStatus.NOT_VALIDATED:
        raise PartnerNotInMarket(country=check.original.get("country", ""))
    if not check.is_valid or check.suggested is None:
        raise InvalidAddress(
            fields=", ".join(dict.fromkeys(p.field for p in check.problems)),
            data=[
                {"field": f"billingProfile.defaultAddress.{p.field}", "message": p.reason}
                for p in check.problems
            ],
        )
    return check.suggested


def own_domains(session: Session, *organization_ids: uuid.UUID) -> list[str]:
    """The partners' own domains: each one's tenant domain and primary contact's."""
    found: list[str] = []
    for organization_id in organization_ids:
        profile = partners.profile_of(session, organization_id)
        if profile is None:
            continue
        for domain in rules.partner_domains(profile.tenant_domain, profile.contact_email):
            if domain not in found:
                found.append(domain)
    return found


def customer_email(session: Session, email: str, *organization_ids: uuid.UUID) -> str:
    """A customer email the rules accept for these partners (PC:developer/create-a-customer.md)."""
    return rules.check_customer_email(
        email,
        vendor_domains=settings().vendor_email_domains,
        partner_domains=own_domains(session, *organization_ids),
    )


def is_domain_taken(session: Session, domain: str) -> bool:
    """Whether ``domain`` (a name, a default domain or any tenant domain) is in use."""
    return queries.domain_in_use(
        session, rules.domain_to_check(domain, suffix=settings().customer_domain_suffix)
    )
