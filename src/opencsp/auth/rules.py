"""Roles, what they may do, and who may hold them — pure rules, no I/O.

Partner roles and their permissions follow PC:permissions-overview.md (rules.md §8); the
vendor's roles are opencsp's own. A tier can also take permissions away: an indirect
reseller cannot buy, see subscriptions or price lists, or create customers
(PC:transition-direct-to-indirect.md, rules.md §1.4), nor attest a customer's acceptance
of the MCA, which its provider does (PC:confirm-customer-agreement.md, rules.md §5.2).
Attesting takes an Admin agent or a Sales agent; the Global admin role alone does not.
Creating customers: Global admin, User management admin, Admin agent, Sales agent
(rules.md §5.4); removing a reseller relationship: Global admin (rules.md §5.6)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from opencsp.auth.errors import (
    InvalidEmail,
    RoleNotAllowedForTier,
    RoleRequiresGlobalAdmin,
    UnknownRole,
    WeakPassword,
)
from opencsp.core.actor import Perm, Tier


class Role(StrEnum):
    GLOBAL_ADMIN = "global_admin"
    ADMIN_AGENT = "admin_agent"
    SALES_AGENT = "sales_agent"
    HELPDESK_AGENT = "helpdesk_agent"
    BILLING_ADMIN = "billing_admin"
    USER_MANAGEMENT_ADMIN = "user_management_admin"
    ACCOUNT_ADMIN = "account_admin"
    PROGRAM_ADMIN = "program_admin"
    CATALOG_MANAGER = "catalog_manager"
    BILLING_OPERATOR = "billing_operator"


VENDOR_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.CATALOG_MANAGER, Role.BILLING_OPERATOR})
PARTNER_ROLES = frozenset(set(Role) - VENDOR_ROLES)

_EVERYONE = {Perm.TOKENS_OWN, Perm.PROFILE_READ, Perm.MARKETS_READ, Perm.CATALOG_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.GLOBAL_ADMIN: frozenset(
        _EVERYONE
        | {
            Perm.USERS_READ,
            Perm.USERS_MANAGE,
            Perm.AUDIT_READ,
            Perm.CUSTOMERS_READ,
            Perm.CUSTOMERS_CREATE,
            Perm.CUSTOMERS_MANAGE,
            Perm.CUSTOMER_RELATIONSHIP_REQUEST,
            Perm.CUSTOMER_RELATIONSHIP_REMOVE,
            Perm.PARTNER_AGREEMENT_SIGN,
            Perm.PARTNER_RELATIONSHIPS_MANAGE,
            Perm.PRICING_READ,
            Perm.ORDERS_MANAGE,
            Perm.SUBSCRIPTIONS_READ,
            Perm.SUBSCRIPTIONS_MANAGE,
            Perm.BILLING_READ,
            Perm.BILLING_MANAGE,
            Perm.SUPPORT_MANAGE,
            Perm.PROFILES_MANAGE,
        }
    ),
    Role.ADMIN_AGENT: frozenset(
        _EVERYONE
        | {
            Perm.AUDIT_READ,
            Perm.CUSTOMERS_READ,
            Perm.CUSTOMERS_CREATE,
            Perm.CUSTOMERS_MANAGE,
            Perm.CUSTOMER_RELATIONSHIP_REQUEST,
            Perm.CUSTOMER_AGREEMENT_ATTEST,
            Perm.PRICING_READ,
            Perm.ORDERS_MANAGE,
            Perm.SUBSCRIPTIONS_READ,
            Perm.SUBSCRIPTIONS_MANAGE,
            Perm.BILLING_READ,
            Perm.SUPPORT_MANAGE,
        }
    ),
    Role.SALES_AGENT: frozenset(
        _EVERYONE
        | {
            Perm.CUSTOMERS_READ,
            Perm.CUSTOMERS_CREATE,
            Perm.CUSTOMERS_MANAGE,
            Perm.CUSTOMER_RELATIONSHIP_REQUEST,
            Perm.CUSTOMER_AGREEMENT_ATTEST,
            Perm.PRICING_READ,
            Perm.ORDERS_MANAGE,
            Perm.SUBSCRIPTIONS_READ,
            Perm.SUBSCRIPTIONS_MANAGE,
        }
    ),
    Role.HELPDESK_AGENT: frozenset(
        _EVERYONE
        | {
            Perm.CUSTOMERS_READ,
            Perm.CUSTOMERS_MANAGE,
            Perm.SUBSCRIPTIONS_READ,
            Perm.BILLING_READ,
            Perm.SUPPORT_MANAGE,
        }
    ),
    Role.BILLING_ADMIN: frozenset(
        _EVERYONE | {Perm.BILLING_READ, Perm.BILLING_MANAGE, Perm.PRICING_READ}
    ),
    Role.USER_MANAGEMENT_ADMIN: frozenset(
        _EVERYONE | {Perm.USERS_READ, Perm.USERS_MANAGE, Perm.CUSTOMERS_READ, Perm.CUSTOMERS_CREATE}
    ),
    Role.ACCOUNT_ADMIN: frozenset(
        _EVERYONE | {Perm.USERS_READ, Perm.USERS_MANAGE, Perm.PROFILES_MANAGE}
    ),
    Role.PROGRAM_ADMIN: frozenset(
        _EVERYONE
        | {
            Perm.PROGRAM_ADMIN,
            Perm.USERS_READ,
            Perm.USERS_MANAGE,
            Perm.AUDIT_READ,
            Perm.CUSTOMERS_READ,
            Perm.SUBSCRIPTIONS_READ,
            Perm.BILLING_READ,
            Perm.PRICING_READ,
        }
    ),
    Role.CATALOG_MANAGER: frozenset(_EVERYONE | {Perm.CATALOG_MANAGE, Perm.PRICING_READ}),
    Role.BILLING_OPERATOR: frozenset(
        _EVERYONE | {Perm.BILLING_OPERATE, Perm.BILLING_READ, Perm.PRICING_READ}
    ),
}

TIER_DENIED: dict[Tier, frozenset[Perm]] = {
    Tier.INDIRECT_RESELLER: frozenset(
        {
            Perm.ORDERS_MANAGE,
            Perm.SUBSCRIPTIONS_MANAGE,
            Perm.PRICING_READ,
            Perm.CUSTOMERS_CREATE,
            Perm.CUSTOMERS_MANAGE,
            Perm.CUSTOMER_RELATIONSHIP_REMOVE,
            Perm.BILLING_MANAGE,
            Perm.CUSTOMER_AGREEMENT_ATTEST,
        }
    ),
}

PASSWORD_MIN_LENGTH = 10


def parse_role(value: str) -> Role:
    """``Global admin``, ``global_admin`` and ``GlobalAdmin`` all name the same role."""
    folded = value.strip().replace(" ", "").replace("_", "").replace("-", "").lower()
    for role in Role:
        if role.value.replace("_", "") == folded:
            return role
    raise UnknownRole(role=value)


def roles_for_tier(tier: Tier) -> frozenset[Role]:
    """The vendor holds vendor roles only; partners hold Partner Center roles. Sales agent
    exists only for tier 1 and tier 2 partners, not indirect resellers (rules.md §8,
    [inferred])."""
    if tier is Tier.VENDOR:
        return VENDOR_ROLES
    if tier is Tier.INDIRECT_RESELLER:
        return PARTNER_ROLES - {Role.SALES_AGENT}
    return PARTNER_ROLES


def ensure_roles_allowed(tier: Tier, roles: Iterable[Role]) -> None:
    allowed = roles_for_tier(tier)
    for role in roles:
        if role not in allowed:
            raise RoleNotAllowedForTier(role=role.value, tier=tier.value)


def ensure_can_grant(granter_roles: Iterable[str], roles: Iterable[Role]) -> None:
    """Only a Global admin creates or manages Global admins (PC:permissions-overview.md)."""
    if Role.GLOBAL_ADMIN in set(roles) and Role.GLOBAL_ADMIN.value not in set(granter_roles):
        raise RoleRequiresGlobalAdmin()


def permissions_for(tier: Tier, roles: Iterable[str]) -> frozenset[Perm]:
    granted: set[Perm] = set()
    allowed = roles_for_tier(tier)
    for name in roles:
        role = Role(name)
        if role in allowed:
            granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted - TIER_DENIED.get(tier, frozenset()))


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or "" in domain.split("."):  # no empty label: a..b
        raise InvalidEmail(email=value)
    if any(ch.isspace() for ch in email) or email.count("@") != 1 or len(email) > 320:
        raise InvalidEmail(email=value)
    return email


def ensure_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH or password.strip() == "":
        raise WeakPassword(minimum=PASSWORD_MIN_LENGTH)
