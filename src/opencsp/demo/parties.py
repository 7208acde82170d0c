"""The program's parties: Nimbus Cloud runs the program; two indirect providers sell
through four indirect resellers in two regions (United States and Korea); two direct-bill
partners buy directly (United States and Europe); one company waits for verification.
Customers of every kind of partner, some of which have accepted the customer agreement;
two schools a provider asks the vendor to qualify for the education segment.

In a national cloud (``OPENCSP_MARKETS``, rules.md §13) the demo has only the parties of
the markets the deployment serves: ``PARTNERS`` and ``CUSTOMERS`` are seen through
``served`` each time they are read (``Served``), so every step built from them — the
enrollments, the customers, the commerce plan, the billing — is of those markets only,
while ``EVERY_PARTNER`` and ``EVERY_CUSTOMER`` keep the whole cast."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar, overload

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.markets.queries import served_market_ids
from opencsp.markets.reference import reference_table


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

EVERY_PARTNER: tuple[DemoOrganization, ...] = (
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


EVERY_CUSTOMER: tuple[DemoCustomer, ...] = (
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
    # schools Tailwind asks the vendor to qualify for the education segment (demo.governance)
    DemoCustomer(
        "provider-us",
        None,
        "Lakeshore University",
        "lakeshoreuniversity",
        "US",
        DemoAddress("2 College Avenue", "Madison", "WI", "53706", "6085550150"),
        ("Dana", "Whitfield", "dana@lakeshore.example"),
        None,
    ),
    DemoCustomer(
        "provider-us",
        "reseller-us-2",
        "Bellows College",
        "bellowscollege",
        "US",
        DemoAddress("90 Elm Street", "Burlington", "VT", "05401", "8025550171"),
        ("Marcus", "Hale", "marcus@bellows.example"),
        None,
    ),
)


# --- the parties of the served markets (national clouds) -----------------------------------


class _Located(Protocol):
    @property
    def country(self) -> str | None: ...


_T = TypeVar("_T", bound=_Located)


@lru_cache(maxsize=64)
def _market_of(country: str) -> str:
    return reference_table().countries[country].market_id


def served(party: _Located) -> bool:
    """Whether a party is in a market this deployment serves (``OPENCSP_MARKETS``; every
    market when it is empty, rules.md §13)."""
    ids = served_market_ids()
    return not ids or (party.country is not None and _market_of(party.country) in ids)


class Served(Sequence[_T]):
    """A cast read through ``served`` each time it is read, so a deployment's settings
    (read when the demo loads, not when this module is imported) decide who is in it."""

    def __init__(self, everyone: tuple[_T, ...]) -> None:
        self.everyone = everyone

    def _now(self) -> tuple[_T, ...]:
        return (
            tuple(p for p in self.everyone if served(p)) if served_market_ids() else self.everyone
        )

    @overload
    def __getitem__(self, index: int) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[_T]: ...
    def __getitem__(self, index: int | slice) -> _T | Sequence[_T]:
        return self._now()[index]

    def __len__(self) -> int:
        return len(self._now())

    def __iter__(self) -> Iterator[_T]:
        return iter(self._now())


PARTNERS: Sequence[DemoOrganization] = Served(EVERY_PARTNER)
"""The partners of the served markets (all of them in the global cloud)."""
CUSTOMERS: Sequence[DemoCustomer] = Served(EVERY_CUSTOMER)
"""The customers of the served markets (all of them in the global cloud)."""


def partner(key: str) -> DemoOrganization | None:
    """A served partner by its key; None when its market is not served here."""
    return next((p for p in PARTNERS if p.key == key), None)
