"""The program's parties: Nimbus Cloud runs the program; two indirect providers sell
through four indirect resellers in two regions (United States and Korea); two direct-bill
partners buy directly (United States and Europe)."""

from __future__ import annotations

from dataclasses import dataclass

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    locale: str = "en-US"


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    tier: Tier
    country: str | None
    users: tuple[DemoUser, ...]


VENDOR = DemoOrganization(
    "vendor",
    "Nimbus Cloud",
    Tier.VENDOR,
    "US",
    (
        DemoUser("program.admin@nimbus.example", "Priya Raman", Role.PROGRAM_ADMIN),
        DemoUser("catalog@nimbus.example", "Diego Alvarez", Role.CATALOG_MANAGER),
        DemoUser("billing.ops@nimbus.example", "Min-jun Kim", Role.BILLING_OPERATOR, "ko-KR"),
    ),
)

PARTNERS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        "provider-us",
        "Tailwind Distribution",
        Tier.INDIRECT_PROVIDER,
        "US",
        (
            DemoUser("admin@tailwind.example", "Grace Hopper", Role.GLOBAL_ADMIN),
            DemoUser("sales@tailwind.example", "Luis Ortega", Role.SALES_AGENT),
            DemoUser("billing@tailwind.example", "Amara Okafor", Role.BILLING_ADMIN),
        ),
    ),
    DemoOrganization(
        "provider-kr",
        "Hanbit Cloud Distribution",
        Tier.INDIRECT_PROVIDER,
        "KR",
        (
            DemoUser("admin@hanbit.example", "Lee Ji-eun", Role.GLOBAL_ADMIN, "ko-KR"),
            DemoUser("agent@hanbit.example", "Park Seo-yeon", Role.ADMIN_AGENT, "ko-KR"),
        ),
    ),
    DemoOrganization(
        "reseller-us-1",
        "Fabrikam Solutions",
        Tier.INDIRECT_RESELLER,
        "US",
        (
            DemoUser("admin@fabrikam.example", "Noah Becker", Role.GLOBAL_ADMIN),
            DemoUser("helpdesk@fabrikam.example", "Ava Thompson", Role.HELPDESK_AGENT),
        ),
    ),
    DemoOrganization(
        "reseller-us-2",
        "Litware Consulting",
        Tier.INDIRECT_RESELLER,
        "US",
        (DemoUser("admin@litware.example", "Mia Johnson", Role.GLOBAL_ADMIN),),
    ),
    DemoOrganization(
        "reseller-kr-1",
        "Seoul Digital Works",
        Tier.INDIRECT_RESELLER,
        "KR",
        (DemoUser("admin@seouldigital.example", "Choi Min-ho", Role.GLOBAL_ADMIN, "ko-KR"),),
    ),
    DemoOrganization(
        "reseller-kr-2",
        "Busan IT Partners",
        Tier.INDIRECT_RESELLER,
        "KR",
        (DemoUser("admin@busanit.example", "Jung Hae-in", Role.GLOBAL_ADMIN, "ko-KR"),),
    ),
    DemoOrganization(
        "direct-us",
        "Adatum Managed Services",
        Tier.DIRECT_BILL,
        "US",
        (
            DemoUser("admin@adatum.example", "Olivia Chen", Role.GLOBAL_ADMIN),
            DemoUser("agent@adatum.example", "Ethan Brooks", Role.ADMIN_AGENT),
            DemoUser("users@adatum.example", "Sofia Rossi", Role.USER_MANAGEMENT_ADMIN),
        ),
    ),
    DemoOrganization(
        "direct-eu",
        "Woodgrove Cloud GmbH",
        Tier.DIRECT_BILL,
        "DE",
        (
            DemoUser("admin@woodgrove.example", "Jonas Weber", Role.GLOBAL_ADMIN),
            DemoUser("accounts@woodgrove.example", "Lena Fischer", Role.ACCOUNT_ADMIN),
        ),
    ),
)
