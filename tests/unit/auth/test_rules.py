"""Roles, what they grant, what a tier takes away, and the rules on emails and passwords.

Partner roles follow PC:permissions-overview.md (reference/csp/rules.md §8); what an
indirect reseller cannot do follows PC:transition-direct-to-indirect.md (rules.md §1.4)."""

from __future__ import annotations

import pytest

from opencsp.auth.errors import (
    RoleNotAllowedForTier,
)
from opencsp.auth.rules import (
    ROLE_PERMISSIONS,
    Role,
    ensure_roles_allowed,
    permissions_for,
    roles_for_tier,
)
from opencsp.core.actor import Perm, Tier

R = Role
P = Perm
PARTNER = {R.GLOBAL_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT, R.HELPDESK_AGENT}
PARTNER |= {R.BILLING_ADMIN, R.USER_MANAGEMENT_ADMIN, R.ACCOUNT_ADMIN}
VENDOR = {R.PROGRAM_ADMIN, R.CATALOG_MANAGER, R.BILLING_OPERATOR}
VENDOR_ONLY_PERMS = {P.PROGRAM_ADMIN, P.CATALOG_MANAGE, P.BILLING_OPERATE}
EVERYONE = {P.TOKENS_OWN, P.PROFILE_READ, P.MARKETS_READ, P.CATALOG_READ}  # "Basic user"

# What an indirect reseller cannot do (rules.md §1.4): buy or manage orders, change
# subscriptions (it reads its customers' subscriptions only, issue 5), view price lists,
# bill customers, create customers; nor attest a customer's acceptance of the MCA, which
# its provider must do (rules.md §5.2).
RESELLER_DENIED = {
    P.ORDERS_MANAGE,
    P.SUBSCRIPTIONS_MANAGE,
    P.PRICING_READ,
    P.CUSTOMERS_CREATE,
    P.CUSTOMERS_MANAGE,
    P.CUSTOMER_RELATIONSHIP_REMOVE,
    P.BILLING_MANAGE,
    P.CUSTOMER_AGREEMENT_ATTEST,
}
# Attesting a customer's acceptance of the MCA takes an Admin agent or a Sales agent
# (PC:confirm-customer-agreement.md, rules.md §5.2): not the Global admin role by itself.
GLOBAL_ADMIN_PERMS = set(Perm) - VENDOR_ONLY_PERMS - {P.CUSTOMER_AGREEMENT_ATTEST}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # full access to everything a partner does; never the vendor's own powers
        (R.GLOBAL_ADMIN, GLOBAL_ADMIN_PERMS),
        (
            R.ADMIN_AGENT,  # customers, subscriptions, pricing, billing, service requests, MCA
            EVERYONE
            | {P.AUDIT_READ, P.CUSTOMERS_READ, P.CUSTOMERS_CREATE, P.CUSTOMERS_MANAGE}
            | {P.CUSTOMER_RELATIONSHIP_REQUEST, P.CUSTOMER_AGREEMENT_ATTEST, P.PRICING_READ}
            | {P.ORDERS_MANAGE, P.SUBSCRIPTIONS_READ, P.SUBSCRIPTIONS_MANAGE}
            | {P.BILLING_READ, P.SUPPORT_MANAGE},
        ),
        (
            R.SALES_AGENT,  # relationships, customer agreement, pricing, subscriptions, MCA
            EVERYONE
            | {P.CUSTOMERS_READ, P.CUSTOMERS_CREATE, P.CUSTOMERS_MANAGE}
            | {P.CUSTOMER_RELATIONSHIP_REQUEST, P.CUSTOMER_AGREEMENT_ATTEST}
            | {P.PRICING_READ, P.ORDERS_MANAGE}
            | {P.SUBSCRIPTIONS_READ, P.SUBSCRIPTIONS_MANAGE},
        ),
        (
            R.HELPDESK_AGENT,  # search, view, edit customers; billing and subscription issues
            EVERYONE
            | {P.CUSTOMERS_READ, P.CUSTOMERS_MANAGE, P.SUBSCRIPTIONS_READ}
            | {P.BILLING_READ, P.SUPPORT_MANAGE},
        ),
        (R.BILLING_ADMIN, EVERYONE | {P.BILLING_READ, P.BILLING_MANAGE, P.PRICING_READ}),
        (
            R.USER_MANAGEMENT_ADMIN,  # users; also among the roles that create customers (§5.4)
            EVERYONE | {P.USERS_READ, P.USERS_MANAGE, P.CUSTOMERS_READ, P.CUSTOMERS_CREATE},
        ),
        (R.ACCOUNT_ADMIN, EVERYONE | {P.USERS_READ, P.USERS_MANAGE, P.PROFILES_MANAGE}),
        (
            R.PROGRAM_ADMIN,  # runs the program, sees across partners, buys nothing
            EVERYONE
            | {P.PROGRAM_ADMIN, P.USERS_READ, P.USERS_MANAGE, P.AUDIT_READ, P.CUSTOMERS_READ}
            | {P.SUBSCRIPTIONS_READ, P.BILLING_READ, P.PRICING_READ},
        ),
        (R.CATALOG_MANAGER, EVERYONE | {P.CATALOG_MANAGE, P.PRICING_READ}),
        (R.BILLING_OPERATOR, EVERYONE | {P.BILLING_OPERATE, P.BILLING_READ, P.PRICING_READ}),
    ],
)
def test_each_role_grants_its_permissions(role: Role, expected: set[Perm]) -> None:
    assert ROLE_PERMISSIONS[role] == expected


@pytest.mark.parametrize(
    ("perm", "holders"),
    [
        # only a Global admin signs the Microsoft Partner Agreement (rules.md §1.6)
        (P.PARTNER_AGREEMENT_SIGN, {R.GLOBAL_ADMIN}),
        # subscription management: Global admin, Admin agent, Sales agent
        (P.ORDERS_MANAGE, {R.GLOBAL_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT}),
        # "view pricing": the price-sheet roles plus Billing admin, and every vendor role
        (P.PRICING_READ, {R.GLOBAL_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT, R.BILLING_ADMIN} | VENDOR),
        # attestation: Admin agent or Sales agent (rules.md §5.2)
        (P.CUSTOMER_AGREEMENT_ATTEST, {R.ADMIN_AGENT, R.SALES_AGENT}),
        # creating customers: Global admin, User management admin, Admin and Sales agent
        (
            P.CUSTOMERS_CREATE,
            {R.GLOBAL_ADMIN, R.USER_MANAGEMENT_ADMIN, R.ADMIN_AGENT, R.SALES_AGENT},
        ),
        # removing a reseller relationship: Global admin (PC:remove-a-relationship.md)
        (P.CUSTOMER_RELATIONSHIP_REMOVE, {R.GLOBAL_ADMIN}),
        (P.BILLING_MANAGE, {R.GLOBAL_ADMIN, R.BILLING_ADMIN}),
        (
            P.USERS_MANAGE,
            {R.GLOBAL_ADMIN, R.USER_MANAGEMENT_ADMIN, R.ACCOUNT_ADMIN, R.PROGRAM_ADMIN},
        ),
        (P.PROGRAM_ADMIN, {R.PROGRAM_ADMIN}),
        (P.CATALOG_MANAGE, {R.CATALOG_MANAGER}),
        (P.BILLING_OPERATE, {R.BILLING_OPERATOR}),
        (P.TOKENS_OWN, set(Role)),
    ],
)
def test_who_holds_a_permission(perm: Perm, holders: set[Role]) -> None:
    assert {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms} == holders


@pytest.mark.parametrize("tier", [Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER])
def test_a_transacting_partners_global_admin_keeps_every_partner_permission(tier: Tier) -> None:
    assert permissions_for(tier, [R.GLOBAL_ADMIN.value]) == GLOBAL_ADMIN_PERMS


@pytest.mark.parametrize("perm", sorted(RESELLER_DENIED))
def test_an_indirect_resellers_global_admin_is_denied_what_the_tier_cannot_do(perm: Perm) -> None:
    granted = permissions_for(Tier.INDIRECT_RESELLER, [R.GLOBAL_ADMIN.value])

    assert perm not in granted
    roles = [R.GLOBAL_ADMIN.value, R.ADMIN_AGENT.value]
    assert perm in permissions_for(Tier.DIRECT_BILL, roles)
    assert perm not in permissions_for(Tier.INDIRECT_RESELLER, roles)


@pytest.mark.parametrize(
    "perm",
    [P.CUSTOMERS_READ, P.USERS_MANAGE, P.SUPPORT_MANAGE, P.PARTNER_AGREEMENT_SIGN, P.BILLING_READ],
)
def test_an_indirect_resellers_global_admin_keeps_the_rest(perm: Perm) -> None:
    assert perm in permissions_for(Tier.INDIRECT_RESELLER, [R.GLOBAL_ADMIN.value])


@pytest.mark.parametrize("role", sorted(roles_for_tier(Tier.INDIRECT_RESELLER)))
def test_no_reseller_role_slips_past_the_tier_denial(role: Role) -> None:
    assert not permissions_for(Tier.INDIRECT_RESELLER, [role.value]) & RESELLER_DENIED


def test_permissions_of_several_roles_add_up() -> None:
    granted = permissions_for(Tier.DIRECT_BILL, [R.BILLING_ADMIN.value, R.HELPDESK_AGENT.value])

    assert granted == ROLE_PERMISSIONS[R.BILLING_ADMIN] | ROLE_PERMISSIONS[R.HELPDESK_AGENT]


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.INDIRECT_RESELLER, [R.SALES_AGENT.value]),
        (Tier.VENDOR, [R.GLOBAL_ADMIN.value]),
        (Tier.DIRECT_BILL, [R.PROGRAM_ADMIN.value]),
        (Tier.DIRECT_BILL, []),
    ],
)
def test_a_role_the_tier_cannot_hold_grants_nothing(tier: Tier, roles: list[str]) -> None:
    assert permissions_for(tier, roles) == frozenset()


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        (Tier.VENDOR, VENDOR),
        (Tier.DIRECT_BILL, PARTNER),
        (Tier.INDIRECT_PROVIDER, PARTNER),
        # Sales agent is for "tier 1 and tier 2" partners only (rules.md §8, [inferred])
        (Tier.INDIRECT_RESELLER, PARTNER - {R.SALES_AGENT}),
    ],
)
def test_roles_a_tier_may_hold(tier: Tier, expected: set[Role]) -> None:
    assert roles_for_tier(tier) == expected


@pytest.mark.parametrize(
    ("tier", "role"),
    [
        (Tier.INDIRECT_RESELLER, R.SALES_AGENT),
        (Tier.VENDOR, R.GLOBAL_ADMIN),
        (Tier.DIRECT_BILL, R.CATALOG_MANAGER),
        (Tier.INDIRECT_PROVIDER, R.PROGRAM_ADMIN),
    ],
)
def test_ensure_roles_allowed_refuses_a_role_outside_the_tier(tier: Tier, role: Role) -> None:
    with pytest.raises(RoleNotAllowedForTier) as raised:
        ensure_roles_allowed(tier, [role])

    assert role.value in raised.value.message
    assert tier.value in raised.value.message


def test_ensure_roles_allowed_accepts_roles_of_the_tier() -> None:
    ensure_roles_allowed(Tier.INDIRECT_RESELLER, [R.GLOBAL_ADMIN, R.HELPDESK_AGENT])
    ensure_roles_allowed(Tier.VENDOR, [R.PROGRAM_ADMIN, R.BILLING_OPERATOR])
