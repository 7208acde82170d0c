"""The console's navigation, shown by permission: each area appears only to actors whose
roles and tier grant the permission its pages require, so an indirect reseller never sees
price lists (it cannot see them — rules.md §1.4) and only the vendor sees program areas.
Each capability adds its area here when its pages exist; nothing is listed before."""

from __future__ import annotations

from dataclasses import dataclass

from opencsp.console.i18n import N_
from opencsp.core.actor import Actor, Perm, Tier


@dataclass(frozen=True, slots=True)
class Area:
    key: str
    label: str
    perm: Perm
    href: str
    vendor_only: bool = False
    tiers: frozenset[Tier] | None = None  # shown only to these tiers, when given


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    areas: tuple[Area, ...]


PARTNERS = frozenset({Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER})
INDIRECT = frozenset({Tier.INDIRECT_PROVIDER, Tier.INDIRECT_RESELLER})

SECTIONS: tuple[Section, ...] = (
    Section(
        N_("Overview"),
        (
            Area("home", N_("Home"), Perm.PROFILE_READ, "/"),
            Area("inbox", N_("Inbox"), Perm.PROFILE_READ, "/inbox"),  # issue 7, task H
        ),
    ),
    Section(
        N_("Account"),
        (
            Area("profile", N_("Partner profile"), Perm.PROFILE_READ, "/profile", tiers=PARTNERS),
            Area(
                "partnerships",
                N_("Partnerships"),
                Perm.PROFILE_READ,
                "/partnerships",
                tiers=INDIRECT,
            ),
            Area(  # issue 7, task J: the government qualification
                "qualifications",
                N_("Qualifications"),
                Perm.PROFILES_MANAGE,
                "/qualifications",
                tiers=PARTNERS,
            ),
        ),
    ),
    Section(
        N_("Customers"),
        (
            Area("customers", N_("Customers"), Perm.CUSTOMERS_READ, "/customers"),
            Area(
                "customer-invite",
                N_("Invite a customer"),
                Perm.CUSTOMER_RELATIONSHIP_REQUEST,
                "/customers/invite",
                tiers=PARTNERS,
            ),
            Area(
                "order-requests",
                N_("Order requests"),
                Perm.CUSTOMERS_READ,
                "/order-requests",
                tiers=INDIRECT,
            ),
        ),
    ),
    Section(
        N_("Billing"),
        (
            Area("invoices", N_("Invoices"), Perm.BILLING_READ, "/invoices"),
            Area(
                "billing-accounts", N_("Billing accounts"), Perm.BILLING_READ, "/billing/accounts"
            ),
            Area(  # issue 6, task F: the vendor's Billing operator
                "bill-runs",
                N_("Bill runs"),
                Perm.BILLING_OPERATE,
                "/billing/runs",
                vendor_only=True,
            ),
            Area("revenue", N_("Revenue"), Perm.BILLING_READ, "/revenue"),
            Area(
                "price-rules", N_("Price rules"), Perm.BILLING_READ, "/price-rules", tiers=PARTNERS
            ),
        ),
    ),
    Section(
        N_("Program"),
        (
            Area("markets", N_("Markets"), Perm.MARKETS_READ, "/markets"),
            Area("partners", N_("Partners"), Perm.PROGRAM_ADMIN, "/partners", vendor_only=True),
            Area(  # issue 7, task H: keeping and losing a tier
                "program-reassessments",
                N_("Reassessments"),
                Perm.PROGRAM_ADMIN,
                "/program/reassessments",
                vendor_only=True,
            ),
            Area(
                "program-standings",
                N_("Restricted and deauthorized"),
                Perm.PROGRAM_ADMIN,
                "/program/standings",
                vendor_only=True,
            ),
            Area(  # issue 7, task J: customers' and partners' segment qualifications
                "program-qualifications",
                N_("Qualifications"),
                Perm.PROGRAM_ADMIN,
                "/program/qualifications",
                vendor_only=True,
            ),
            Area(
                "directbill",
                N_("Direct bill"),
                Perm.PROFILE_READ,
                "/directbill",
                tiers=frozenset({Tier.INDIRECT_RESELLER}),
            ),
            Area(
                "direct-bill-applications",
                N_("Direct-bill applications"),
                Perm.PROGRAM_ADMIN,
                "/directbill/applications",
                vendor_only=True,
            ),
            Area(
                "transitions",
                N_("Tier transitions"),
                Perm.PROGRAM_ADMIN,
                "/transitions",
                vendor_only=True,
            ),
            Area(
                "transition",
                N_("Change tier"),
                Perm.PARTNER_AGREEMENT_SIGN,
                "/transition",
                tiers=frozenset({Tier.DIRECT_BILL}),
            ),
        ),
    ),
    Section(
        N_("Catalog and pricing"),
        (
            Area("catalog", N_("Catalog"), Perm.CATALOG_READ, "/catalog"),
            Area("price-lists", N_("Price lists"), Perm.PRICING_READ, "/pricing/lists"),
            Area("price-changes", N_("Price changes"), Perm.PRICING_READ, "/pricing/changes"),
            Area("fx-rates", N_("FX rates"), Perm.PRICING_READ, "/pricing/fx"),
        ),
    ),
    Section(
        N_("Agreements"),
        (
            Area(
                "agreement-templates",
                N_("Agreement templates"),
                Perm.PROGRAM_ADMIN,
                "/agreement-templates",
                vendor_only=True,
            ),
            Area(
                "partner-agreement",
                N_("Partner agreement"),
                Perm.PARTNER_AGREEMENT_SIGN,
                "/partner-agreement",
            ),
        ),
    ),
    Section(
        N_("Settings"),
        (
            Area("users", N_("Users"), Perm.USERS_READ, "/users"),
            Area("audit", N_("Audit log"), Perm.AUDIT_READ, "/audit"),
            Area("tokens", N_("API tokens"), Perm.TOKENS_OWN, "/tokens"),
        ),
    ),
)


def is_shown(area: Area, actor: Actor) -> bool:
    if area.tiers is not None and actor.tier not in area.tiers:
        return False
    return actor.can(area.perm) and (actor.is_vendor or not area.vendor_only)


def menu(actor: Actor) -> list[Section]:
    """The sections and areas this actor may open; empty sections are left out."""
    out = []
    for section in SECTIONS:
        areas = tuple(a for a in section.areas if is_shown(a, actor))
        if areas:
            out.append(Section(section.label, areas))
    return out
