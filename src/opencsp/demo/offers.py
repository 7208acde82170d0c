"""What Nimbus Cloud sells in the demo, as a table: products, their SKUs, terms, seat and
ownership limits, segments, prerequisites, upgrade paths and USD base prices.
``demo.catalog`` turns it into ``catalog.specs.ProductSpec`` values.

Every product type of rules.md §9a is present: license-based online services (business
suites capped at 300 seats — small business, rules.md §9i — enterprise suites, mail, chat,
storage, business apps, BI, security and compliance add-ons with prerequisite SKUs
(rules.md §9h), an AI assistant add-on that requires a suite, one-month trials billed
``none``, an attestation-required desktop offer with hybrid benefit), software
subscriptions on P1Y/P3Y and perpetual software bought once (rules.md §9b), and reserved
compute priced in USD only (rules.md §11: reservations are priced in USD and billed in the
partner's currency at the month's FX rate). The names are Nimbus's own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from opencsp.catalog.rules import BillingPlan, ProductType, Segment, TermDuration
from opencsp.catalog.specs import TermSpec


def _terms(*pairs: tuple[TermDuration, BillingPlan]) -> tuple[TermSpec, ...]:
    return tuple(TermSpec(duration, plan) for duration, plan in pairs)


P1M, P1Y, P3Y, ONE = TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y, TermDuration.ONE_TIME
MONTHLY, ANNUAL, TRIENNIAL = BillingPlan.MONTHLY, BillingPlan.ANNUAL, BillingPlan.TRIENNIAL

NCE = _terms((P1M, MONTHLY), (P1Y, MONTHLY), (P1Y, ANNUAL))
NCE_3Y = NCE + _terms((P3Y, MONTHLY), (P3Y, ANNUAL), (P3Y, TRIENNIAL))
YEARLY = _terms((P1Y, MONTHLY), (P1Y, ANNUAL))
SERVER = _terms((P1Y, MONTHLY), (P1Y, ANNUAL), (P3Y, ANNUAL), (P3Y, TRIENNIAL))
TRIAL = _terms((P1M, BillingPlan.NONE))
ONCE = _terms((ONE, BillingPlan.ONE_TIME))


class Territory(Enum):
    """Where an availability is sold: every market but China (which runs on a separate
    cloud, rules.md §4, §13), every market, or the United States market only (government)."""

    WORLD = "world"
    EVERYWHERE = "everywhere"
    UNITED_STATES = "united-states"


Segments = tuple[tuple[Segment, Territory], ...]
COMMERCIAL: Segments = ((Segment.COMMERCIAL, Territory.WORLD),)
EDU = (*COMMERCIAL, (Segment.EDUCATION, Territory.WORLD))
NONPROFIT = (*COMMERCIAL, (Segment.NONPROFIT, Territory.WORLD))
GOV = (*EDU, (Segment.GOVERNMENT, Territory.UNITED_STATES))
EVERYWHERE: Segments = ((Segment.COMMERCIAL, Territory.EVERYWHERE),)


@dataclass(frozen=True, slots=True)
class Sku:
    """A SKU as the demo writes it. ``usd`` is its base price in US dollars: per unit per
    month on an annual commitment for online services and software subscriptions, the
    one-time price for perpetual software. ``requires`` and ``upgrades_to`` name other
    demo SKUs as ``CODE/SKU`` (``CODE`` alone means SKU ``0001``)."""

    id: str
    title: str
    usd: str
    terms: tuple[TermSpec, ...] = NCE
    min_quantity: int = 1
    max_quantity: int = 10_000
    segments: Segments = COMMERCIAL
    ownership_limit: int | None = None
    ownership_type: str = "ConcurrentCount"
    trial: bool = False
    attestation: bool = False
    ends_next_month: bool = False
    requires: tuple[str, ...] = ()
    upgrades_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Offer:
    """A product of the demo; ``since`` is how many months before the demo's current
    month it first appears on a price list (None: on every list of the demo's history);
    ``priced_in_usd``: every market's list prices it in USD only."""

    code: str
    title: str
    product_type: ProductType
    description: str
    skus: tuple[Sku, ...]
    since: int | None = None
    priced_in_usd: bool = False


def _smb(
    title: str,
    usd: str,
    *,
    terms: tuple[TermSpec, ...] = NCE,
    segments: Segments = COMMERCIAL,
    upgrades_to: tuple[str, ...] = (),
) -> Sku:
    """A business-suite SKU: at most 300 seats per customer (rules.md §9i)."""
    return Sku("0001", title, usd, terms, 1, 300, segments, 300, upgrades_to=upgrades_to)


def _trial(title: str, converts_to: str) -> Sku:
    """A one-month free trial: billing plan none, at most 25 seats (rules.md §9k), which
    converts to the paid SKU ``converts_to`` (the catalog's conversion target, listed as
    its upgrade, which the renewals job converts it into; rules.md §9g)."""
    trial = Sku("0002", f"{title} Trial", "0", TRIAL, 1, 25, ownership_limit=25, trial=True)
    return replace(trial, upgrades_to=(converts_to,))


def _online(code: str, title: str, about: str, *skus: Sku, since: int | None = None) -> Offer:
    return Offer(code, title, ProductType.ONLINE_SERVICES, about, skus, since)


def _one(code: str, about: str, sku: Sku, *, since: int | None = None) -> Offer:
    """A license-based product with one SKU of the same title."""
    return Offer(code, sku.title, ProductType.ONLINE_SERVICES, about, (sku,), since)


def _server(code: str, title: str, about: str, sku: str, usd: str, low: int, high: int) -> Offer:
    sku_ = Sku("0001", sku, usd, SERVER, low, high, upgrades_to=_SERVER_UPGRADES.get(code, ()))
    return Offer(code, title, ProductType.SOFTWARE_SUBSCRIPTIONS, about, (sku_,))


def _reserved(code: str, title: str, about: str, *skus: Sku) -> Offer:
    """Reserved capacity, priced in USD on every market's list (rules.md §11)."""
    return Offer(code, title, ProductType.ONLINE_SERVICES, about, skus, priced_in_usd=True)


def _perpetual(
    code: str, title: str, about: str, usd: str, *, high: int = 1000, since: int | None = None
) -> Offer:
    segments = EVERYWHERE if code in _SOLD_IN_CHINA else COMMERCIAL
    sku = Sku("0001", title, usd, ONCE, 1, high, segments=segments)
    return Offer(code, title, ProductType.SOFTWARE_PERPETUAL, about, (sku,), since)


SUITES = ("BBAS", "BSTD", "BPRM", "ENE3", "ENE5")
_SERVER_UPGRADES = {"SRVS": ("SRVD",), "DBST": ("DBEN",)}
_SOLD_IN_CHINA = frozenset({"OLPP", "OLST", "SV25"})

OFFERS: tuple[Offer, ...] = (
    _online(
        "BBAS",
        "Nimbus 365 Business Basic",
        "Web and mobile office apps, business mail and 1 TB of cloud storage per user.",
        _smb("Nimbus 365 Business Basic", "6", segments=NONPROFIT, upgrades_to=("BSTD", "BPRM")),
    ),
    _online(
        "BSTD",
        "Nimbus 365 Business Standard",
        "Everything in Business Basic plus desktop office apps and webinars.",
        _smb("Nimbus 365 Business Standard", "12.5", segments=NONPROFIT, upgrades_to=("BPRM",)),
        _trial("Nimbus 365 Business Standard", "BSTD"),
    ),
    _online(
        "BPRM",
        "Nimbus 365 Business Premium",
        "Business Standard plus advanced security, device management and threat protection.",
        _smb("Nimbus 365 Business Premium", "22", terms=NCE_3Y, segments=NONPROFIT),
        _trial("Nimbus 365 Business Premium", "BPRM"),
    ),
    _online(
        "ENE3",
        "Nimbus 365 E3",
        "Enterprise office apps, mail, chat and storage with compliance and device management.",
        Sku("0001", "Nimbus 365 E3", "36", NCE_3Y, segments=GOV, upgrades_to=("ENE5",)),
        Sku("0002", "Nimbus 365 E3 (no Chat)", "33.75", NCE_3Y, ends_next_month=True),
    ),
    _online(
        "ENE5",
        "Nimbus 365 E5",
        "E3 plus advanced security, voice, analytics and compliance.",
        Sku("0001", "Nimbus 365 E5", "57", NCE_3Y, segments=GOV),
        _trial("Nimbus 365 E5", "ENE5"),
    ),
    _one(
        "ENF3",
        "Apps and mail for frontline workers.",
        Sku("0001", "Nimbus 365 F3", "8", segments=GOV),
    ),
    _one(
        "MLP1",
        "Business mail with a 50 GB mailbox, calendar and contacts.",
        Sku("0001", "Nimbus Mail Plan 1", "4", segments=EDU, upgrades_to=("MLP2",)),
    ),
    _one(
        "MLP2",
        "Business mail with a 100 GB mailbox, unlimited archiving and data-loss prevention.",
        Sku("0001", "Nimbus Mail Plan 2", "8", segments=EDU),
    ),
    _online(
        "CHAT",
        "Nimbus Chat Essentials",
        "Chat, online meetings up to 300 attendees and 10 GB of storage per user.",
        _smb("Nimbus Chat Essentials", "4"),
    ),
    _one(
        "DRV1",
        "1 TB of file storage per user.",
        Sku("0001", "Nimbus Drive Plan 1", "5", upgrades_to=("DRV2",)),
    ),
    _one(
        "DRV2",
        "Unlimited storage with data-loss prevention.",
        Sku("0001", "Nimbus Drive Plan 2", "10"),
    ),
    _one(
        "XSTR",
        "One more GB of shared file storage for the organization.",
        Sku(
            "0001",
            "Nimbus Extra File Storage",
            "0.2",
            terms=YEARLY,
            max_quantity=1000000,
            requires=SUITES,
        ),
    ),
    _online(
        "CRMP",
        "Nimbus CRM Sales Professional",
        "Sales force automation: leads, opportunities, quotes and forecasting.",
        Sku("0001", "Nimbus CRM Sales Professional", "65", upgrades_to=("CRME",)),
        _trial("Nimbus CRM Sales Professional", "CRMP"),
    ),
    _one(
        "CRME",
        "Sales Professional plus sales insights, territories and custom apps.",
        Sku("0001", "Nimbus CRM Sales Enterprise", "105", terms=NCE_3Y),
    ),
    _one(
        "CRMS",
        "Cases, knowledge base and omnichannel.",
        Sku("0001", "Nimbus CRM Customer Service", "95"),
    ),
    _one(
        "ERPE",
        "Finance, sales, purchasing and inventory for growing businesses.",
        Sku("0001", "Nimbus ERP Essentials", "70", upgrades_to=("ERPP",)),
    ),
    _one(
        "ERPP",
        "ERP Essentials plus manufacturing and service management.",
        Sku("0001", "Nimbus ERP Premium", "100", terms=NCE_3Y),
    ),
    _one(
        "ERPT",
        "Read access and light tasks in Nimbus ERP for every employee.",
        Sku("0001", "Nimbus ERP Team Member", "8", requires=("ERPE", "ERPP")),
    ),
    _online(
        "BIPR",
        "Nimbus Insight Pro",
        "Self-service business intelligence: reports, dashboards and sharing.",
        Sku("0001", "Nimbus Insight Pro", "10", segments=EDU, upgrades_to=("BIPP",)),
        _trial("Nimbus Insight Pro", "BIPR"),
    ),
    _one(
        "BIPP",
        "Insight Pro plus large models, paginated reports and AI features.",
        Sku("0001", "Nimbus Insight Premium Per User", "20", segments=EDU),
    ),
    _one(
        "IDP1",
        "Conditional access, self-service password reset and hybrid identity.",
        Sku("0001", "Nimbus Identity Premium P1", "6", segments=GOV, upgrades_to=("IDP2",)),
    ),
    _one(
        "IDP2",
        "P1 plus risk-based access, identity protection and privileged identity management.",
        Sku("0001", "Nimbus Identity Premium P2", "9", segments=GOV),
    ),
    _online(
        "EDPP",
        "Nimbus Endpoint Defense",
        "Next-generation protection, attack surface reduction and device-based access.",
        Sku("0001", "Nimbus Endpoint Defense P1", "3", requires=("ENE3", "BSTD")),
        Sku("0002", "Nimbus Endpoint Defense P2", "5.2", requires=("ENE3", "BSTD")),
    ),
    _one(
        "CMPL",
        "Information protection, insider-risk management and eDiscovery for E3 users.",
        Sku("0001", "Nimbus Compliance Suite", "12", requires=("ENE3", "BPRM")),
    ),
    _one(
        "THRP",
        "Safe links, safe attachments and attack simulation for mail and chat.",
        Sku(
            "0001",
            "Nimbus Threat Protection",
            "2",
            requires=("BBAS", "BSTD", "MLP1", "MLP2", "ENE3"),
        ),
    ),
    _one(
        "PILT",
        "An AI assistant in mail, documents, chat and meetings, grounded in the user's data.",
        Sku("0001", "Nimbus Pilot", "30", terms=YEARLY, requires=SUITES),
        since=5,
    ),
    _one(
        "VOIC",
        "Cloud phone system for chat users.",
        Sku("0001", "Nimbus Voice", "8", requires=("ENE3", "BPRM")),
    ),
    _one(
        "ROOM",
        "Licenses for meeting-room devices.",
        Sku("0001", "Nimbus Meeting Rooms", "40", max_quantity=500),
    ),
    _one(
        "PJOL",
        "Project and portfolio management online.",
        Sku("0001", "Nimbus Project Online", "30"),
    ),
    _one(
        "DGOL",
        "Diagrams and flowcharts online.",
        Sku("0001", "Nimbus Diagram Online", "15", segments=EDU),
    ),
    _one(
        "FLOW",
        "Workflow automation, premium connectors.",
        Sku("0001", "Nimbus Flow Premium", "15"),
        since=9,
    ),
    _online(
        "DESK",
        "Nimbus Desktop Cloud",
        "A personal cloud desktop streamed to any device. The hybrid-benefit SKU requires the "
        "partner to attest that the customer holds eligible desktop licenses.",
        Sku("0001", "Nimbus Desktop Cloud Business 2vCPU", "41", NCE_3Y),
        Sku("0002", "Nimbus Desktop Cloud 2vCPU Hybrid Benefit", "35", NCE_3Y, attestation=True),
        since=3,
    ),
    _server(
        "SRVD",
        "Nimbus Server Datacenter",
        "Server operating system for highly virtualized datacenters, per 2-core pack.",
        "Nimbus Server Datacenter 2 Core",
        "47",
        8,
        1000,
    ),
    _server(
        "SRVS",
        "Nimbus Server Standard",
        "Server operating system for physical or lightly virtualized use, per 2-core pack.",
        "Nimbus Server Standard 2 Core",
        "9",
        8,
        1000,
    ),
    _server(
        "DBEN",
        "Nimbus Database Server Enterprise",
        "Mission-critical relational database, unlimited virtualization, per 2-core pack.",
        "Nimbus Database Server Enterprise 2 Core",
        "470",
        2,
        500,
    ),
    _server(
        "DBST",
        "Nimbus Database Server Standard",
        "Relational database for departmental workloads, per 2-core pack.",
        "Nimbus Database Server Standard 2 Core",
        "123",
        2,
        500,
    ),
    _server(
        "RDSC",
        "Nimbus Server Remote Desktop CAL",
        "A user client access license for remote desktop services.",
        "Nimbus Server Remote Desktop User CAL",
        "6",
        1,
        5000,
    ),
    _server(
        "UCAL",
        "Nimbus Server User CAL",
        "A user client access license for Nimbus Server.",
        "Nimbus Server User CAL",
        "3",
        1,
        5000,
    ),
    _perpetual(
        "OLPP",
        "Nimbus Office LTSC Professional Plus 2024",
        "Locked-down desktop office suite for regulated and disconnected devices.",
        "520",
        high=5000,
    ),
    _perpetual(
        "OLST",
        "Nimbus Office LTSC Standard 2024",
        "Desktop office suite without the database and publishing apps.",
        "380",
        high=5000,
    ),
    _perpetual(
        "SV25",
        "Nimbus Server 2025 Standard",
        "Server operating system, perpetual license per 16 cores.",
        "1070",
        high=500,
        since=8,
    ),
    _perpetual(
        "SD25",
        "Nimbus Server 2025 Datacenter",
        "Server operating system for virtualized datacenters, perpetual, per 16 cores.",
        "6150",
        high=500,
        since=8,
    ),
    _perpetual("DG24", "Nimbus Diagram Professional 2024", "Desktop diagramming.", "580"),
    _perpetual("PJ24", "Nimbus Project Professional 2024", "Desktop project management.", "1130"),
    _perpetual(
        "DB25",
        "Nimbus Database Server 2025 Standard",
        "Relational database, perpetual license per 2 cores.",
        "3950",
        high=500,
    ),
    _reserved(
        "RSVM",
        "Nimbus Reserved Compute",
        "A year of reserved virtual-machine capacity at a discount on pay-as-you-go, per "
        "instance. Priced in US dollars and billed in the partner's currency.",
        Sku("0001", "Nimbus Reserved Compute D2 Instance", "70", YEARLY, max_quantity=200),
    ),
)
