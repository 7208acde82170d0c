"""Who is acting: a user of an organization, with the organization's tier and the
permissions its roles grant. Built by ``auth`` and passed to every service call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Tier(StrEnum):
    """The vendor runs the program; partners sit in one of the three CSP tiers
    (PC:csp-supported-partner-relationships.md)."""

    VENDOR = "vendor"
    DIRECT_BILL = "direct_bill"
    INDIRECT_PROVIDER = "indirect_provider"
    INDIRECT_RESELLER = "indirect_reseller"


class Perm(StrEnum):
    """Permissions granted by roles (``auth.rules.ROLE_PERMISSIONS``) and required by routes."""

    PROFILE_READ = "profile.read"
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    TOKENS_OWN = "tokens.own"
    AUDIT_READ = "audit.read"
    MARKETS_READ = "markets.read"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_CREATE = "customers.create"
    CUSTOMERS_MANAGE = "customers.manage"
    CUSTOMER_RELATIONSHIP_REMOVE = "customers.relationship_remove"
    CUSTOMER_RELATIONSHIP_REQUEST = "customers.relationship_request"
    CUSTOMER_AGREEMENT_ATTEST = "agreements.attest_customer"
    PARTNER_AGREEMENT_SIGN = "agreements.sign_partner"
    PARTNER_RELATIONSHIPS_MANAGE = "partner_relationships.manage"
    CATALOG_READ = "catalog.read"
    PRICING_READ = "pricing.read"
    ORDERS_MANAGE = "orders.manage"
    SUBSCRIPTIONS_READ = "subscriptions.read"
    SUBSCRIPTIONS_MANAGE = "subscriptions.manage"
    BILLING_READ = "billing.read"
    BILLING_MANAGE = "billing.manage"
    SUPPORT_MANAGE = "support.manage"
    PROFILES_MANAGE = "profiles.manage"
    PROGRAM_ADMIN = "program.admin"
    CATALOG_MANAGE = "catalog.manage"
    BILLING_OPERATE = "billing.operate"


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID | None
    organization_id: uuid.UUID
    organization_name: str
    tier: Tier
    email: str
    roles: frozenset[str] = field(default_factory=frozenset)
    permissions: frozenset[Perm] = field(default_factory=frozenset)
    token_id: uuid.UUID | None = None

    @property
    def is_system(self) -> bool:
        """The operator at the machine (CLI, jobs): acts for the vendor, holds every permission."""
        return self.user_id is None

    @property
    def is_vendor(self) -> bool:
        return self.tier is Tier.VENDOR

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions
