"""The program's parties: Nimbus Cloud runs the program; two indirect providers sell
through four indirect resellers in two regions (United States and Korea); two direct-bill
partners buy directly (United States and Europe); one company waits for verification.
Customers of every kind of partner, some of which have accepted the customer agreement."""

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
class DemoAddress:
    line1: str
    city: str
    state: str | None
    postal_code: str
    phone: str


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    tier: Tier
    country: str | None
    users: tuple[DemoUser, ...]
    domain: str = ""
    address: DemoAddress | None = None


def _org(
    key: str,
    name: str,
    tier: Tier,
    country: str,
    domain: str,
    address: DemoAddress,
    *users: DemoUser,
) -> DemoOrganization:
    return DemoOrganization(key, name, tier, country, users, domain, address)


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
    _org(
        "provider-us",
        "Tailwind Distribution",
        Tier.INDIRECT_PROVIDER,
        "US",
        "tailwind.example",
        DemoAddress("500 Pine Street", "Seattle", "WA", "98101", "2065550142"),
        DemoUser("admin@tailwind.example", "Grace Hopper", Role.GLOBAL_ADMIN),
        DemoUser("sales@tailwind.example", "Luis Ortega", Role.SALES_AGENT),
        DemoUser("billing@tailwind.example", "Amara Okafor", Role.BILLING_ADMIN),
    ),
    _org(
        "provider-kr",
        "Hanbit Cloud Distribution",
        Tier.INDIRECT_PROVIDER,
        "KR",
        "hanbit.example",
        DemoAddress("152 Teheran-ro", "Seoul", None, "06236", "0255501234"),
        DemoUser("admin@hanbit.example", "Lee Ji-eun", Role.GLOBAL_ADMIN, "ko-KR"),
        DemoUser("agent@hanbit.example", "Park Seo-yeon", Role.ADMIN_AGENT, "ko-KR"),
    ),
    _org(
        "reseller-us-1",
        "Fabrikam Solutions",
        Tier.INDIRECT_RESELLER,
        "US",
        "fabrikam.example",
        DemoAddress("200 Congress Avenue", "Austin", "TX", "78701", "5125550176"),
        DemoUser("admin@fabrikam.example", "Noah Becker", Role.GLOBAL_ADMIN),
        DemoUser("helpdesk@fabrikam.example", "Ava Thompson", Role.HELPDESK_AGENT),
    ),
    _org(
        "reseller-us-2",
        "Litware Consulting",
        Tier.INDIRECT_RESELLER,
        "US",
        "litware.example",
        DemoAddress("77 Summer Street", "Boston", "MA", "02110", "6175550119"),
        DemoUser("admin@litware.example", "Mia Johnson", Role.GLOBAL_ADMIN),
    ),
    _org(
        "reseller-kr-1",
        "Seoul Digital Works",
        Tier.INDIRECT_RESELLER,
        "KR",
        "seouldigital.example",
        DemoAddress("29 Eulji-ro", "Seoul", None, "04523", "0255507788"),
        DemoUser("admin@seouldigital.example", "Choi Min-ho", Role.GLOBAL_ADMIN, "ko-KR"),
    ),
    _org(
        "reseller-kr-2",
        "Busan IT Partners",
        Tier.INDIRECT_RESELLER,
        "KR",
        "busanit.example",
        DemoAddress("55 Jungang-daero", "Busan", None, "48939", "0515550190"),
        DemoUser("admin@busanit.example", "Jung Hae-in", Role.GLOBAL_ADMIN, "ko-KR"),
    ),
    _org(
        "direct-us",
        "Adatum Managed Services",
        Tier.DIRECT_BILL,
        "US",
        "adatum.example",
        DemoAddress("1 Market Street", "San Francisco", "CA", "94105", "4155550163"),
        DemoUser("admin@adatum.example", "Olivia Chen", Role.GLOBAL_ADMIN),
        DemoUser("agent@adatum.example", "Ethan Brooks", Role.ADMIN_AGENT),
        DemoUser("users@adatum.example", "Sofia Rossi", Role.USER_MANAGEMENT_ADMIN),
    ),
    _org(
        "direct-eu",
        "Woodgrove Cloud GmbH",
        Tier.DIRECT_BILL,
        "DE",
        "woodgrove.example",
        DemoAddress("Friedrichstrasse 68", "Berlin", None, "10117", "030555019"),
        DemoUser("admin@woodgrove.example", "Jonas Weber", Role.GLOBAL_ADMIN),
        DemoUser("accounts@woodgrove.example", "Lena Fischer", Role.ACCOUNT_ADMIN),
    ),
)

# A company that has applied and waits for the vendor's verification.
APPLICANT = _org(
    "applicant-us",
    "Contoso Startups",
    Tier.INDIRECT_RESELLER,
    "US",
    "contoso-startups.example",
    DemoAddress("10 Main Street", "Redmond", "WA", "98052", "4255550188"),
    DemoUser("admin@contoso-startups.example", "Riley Morgan", Role.GLOBAL_ADMIN),
)

# provider key -> the resellers it partners with, in its own region
PARTNERSHIPS: dict[str, tuple[str, ...]] = {
    "provider-us": ("reseller-us-1", "reseller-us-2"),
    "provider-kr": ("reseller-kr-1", "reseller-kr-2"),
}


@dataclass(frozen=True)
class DemoCustomer:
    seller: str  # the direct-bill partner or provider that creates it
    reseller: str | None  # the indirect reseller it is created for
    name: str
    domain: str
    country: str
    address: DemoAddress
    contact: tuple[str, str, str]  # first name, last name, email
    agreement: str | None  # "attested", "customer" (its own acceptance) or None


CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "direct-us",
        None,
        "Contoso Pharmaceuticals",
        "contosopharma",
        "US",
        DemoAddress("1 Microsoft Way", "Redmond", "WA", "98052", "4255550101"),
        ("Gena", "Soto", "gena@contosopharma.example"),
        "attested",
    ),
    DemoCustomer(
        "direct-us",
        None,
        "Northwind Traders",
        "northwindtraders",
        "US",
        DemoAddress("400 Broad Street", "Seattle", "WA", "98109", "2065550100"),
        ("Ravi", "Patel", "ravi@northwind.example"),
        None,
    ),
    DemoCustomer(
        "direct-eu",
        None,
        "Fourth Coffee GmbH",
        "fourthcoffee",
        "DE",
        DemoAddress("Unter den Linden 5", "Berlin", None, "10117", "030555011"),
        ("Anna", "Schmidt", "anna@fourthcoffee.example"),
        "customer",
    ),
    DemoCustomer(
        "provider-us",
        None,
        "Proseware Inc.",
        "proseware",
        "US",
        DemoAddress("300 Lenora Street", "Seattle", "WA", "98121", "2065550133"),
        ("Kim", "Akers", "kim@proseware.example"),
        "attested",
    ),
    DemoCustomer(
        "provider-us",
        "reseller-us-1",
        "Wingtip Toys",
        "wingtiptoys",
        "US",
        DemoAddress("1200 Lamar Street", "Houston", "TX", "77010", "7135550144"),
        ("Jesse", "Park", "jesse@wingtiptoys.example"),
        "attested",
    ),
    DemoCustomer(
        "provider-us",
        "reseller-us-2",
        "Alpine Ski House",
        "alpineskihouse",
        "US",
        DemoAddress("15 Main Street", "Concord", "MA", "01742", "9785550127"),
        ("Lena", "Ng", "lena@alpineskihouse.example"),
        None,
    ),
    DemoCustomer(
        "provider-kr",
        "reseller-kr-1",
        "Jeju Green Energy",
        "jejugreen",
        "KR",
        DemoAddress("10 Cheomdan-ro", "Jeju-si", "Jeju-do", "63309", "0645550111"),
        ("Ji-ho", "Kang", "jiho@jejugreen.example"),
        "attested",
    ),
    DemoCustomer(
        "provider-kr",
        "reseller-kr-2",
        "Daehan Logistics",
        "daehanlogistics",
        "KR",
        DemoAddress("97 Chungjang-daero", "Jung-gu", "Busan", "48943", "0515550122"),
        ("Soo-min", "Yoon", "soomin@daehan.example"),
        None,
    ),
)
