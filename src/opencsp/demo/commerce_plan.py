"""What the demo's partners buy over 13 months, as values: who buys for whom, which demo
offers and how (``demo.commerce`` carries the plan out through the real services).

Only customers that accepted the customer agreement buy (13605 keeps the others empty, a
gap the console shows). Each buyer starts with a suite — the *anchor*, a year paid
upfront that is never cancelled — so its add-ons (rules.md §9h) have their prerequisite,
then buys other online services on monthly or yearly terms, now and then a software
subscription or perpetual software (rules.md §9b); two monthly subscriptions lapse
(``LAPSES``) so the lifecycle's expired and disabled states are there today. Everything
is drawn from a seeded ``random.Random``, so a load is the same story every time for the
same "now"."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from opencsp.catalog.rules import BillingPlan, Segment, TermDuration
from opencsp.demo.catalog import availability_id, product_id
from opencsp.demo.offers import OFFERS, Offer, Sku
from opencsp.demo.parties import (
    EVERY_CUSTOMER,
    EVERY_PARTNER,
    DemoCustomer,
    DemoOrganization,
    served,
)
from opencsp.pricing.rules import month_start

SEED = 20_261_121
MONTHS = 13
"""The 12 months before the current one and the current month: the price lists' history."""

ONLINE = (
    "BBAS",
    "BSTD",
    "ENE5",
    "ENF3",
    "MLP1",
    "CHAT",
    "DRV1",
    "CRMP",
    "CRMS",
    "ERPE",
    "BIPR",
    "IDP1",
    "ROOM",
    "PJOL",
    "DGOL",
    "CRME",
    "ERPP",
)
ANCHORS = ("ENE3", "BPRM")
ADDONS = ("THRP", "CMPL", "VOIC", "EDPP", "XSTR", "PILT")
SOFTWARE = ("SRVS", "UCAL", "DBST", "RDSC")
PERPETUAL = ("OLPP", "OLST", "DG24", "PJ24", "DB25")

P1M, P1Y = TermDuration.P1M, TermDuration.P1Y


@dataclass(frozen=True, slots=True)
class Buyer:
    """A customer that can buy, the partner billed for it and its reseller of record."""

    customer: DemoCustomer
    seller: DemoOrganization
    reseller: DemoOrganization | None
    anchor: str


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a purchase: a demo SKU, its term and plan (None for perpetual
    software), and the seats or licenses."""

    code: str
    sku: str
    term: TermDuration | None
    plan: BillingPlan
    quantity: int

    @property
    def catalog_item_id(self) -> str:
        availability = availability_id(self.code, self.sku, Segment.COMMERCIAL.value)
        return f"{product_id(self.code)}:{self.sku}:{availability}"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A change planned ``after`` a purchase (``demo.commerce_featured``): ``upgrade``
    moves ``seats`` seats (0: all of them) to offer ``to``; ``schedule`` sets the next
    term's instructions (offer ``to``, ``term``, ``plan``, ``seats`` seats; None or 0 keeps
    the current one); ``auto_renew_off`` turns auto-renew off."""

    after: timedelta
    kind: str
    seats: int = 0
    to: str | None = None
    term: TermDuration | None = None
    plan: BillingPlan | None = None


@dataclass(frozen=True, slots=True)
class Purchase:
    """An order to place at ``at``; ``kind`` is anchor, online, addon, software, perpetual,
    lapse or trial (what follow-up changes it may get, drawn at random unless ``follow``
    plans them)."""

    at: datetime
    buyer: Buyer
    line: Line
    kind: str
    follow: tuple[FollowUp, ...] = ()


def _partner(key: str | None) -> DemoOrganization | None:
    return next((p for p in EVERY_PARTNER if p.key == key), None) if key else None


def buyers(*, everywhere: bool = False) -> tuple[Buyer, ...]:
    """Every customer with an accepted customer agreement, with its anchor suite: those of
    the markets this deployment serves (``demo.parties.served``), or ``everywhere``. A
    buyer's anchor is the same in every cloud."""
    found = []
    for n, customer in enumerate(c for c in EVERY_CUSTOMER if c.agreement):
        seller = _partner(customer.seller)
        assert seller is not None
        found.append(Buyer(customer, seller, _partner(customer.reseller), ANCHORS[n % 2]))
    return tuple(found) if everywhere else tuple(b for b in found if served(b.customer))


def offer(code: str) -> Offer:
    return next(o for o in OFFERS if o.code == code)


def base_sku(code: str) -> Sku:
    return offer(code).skus[0]


def months(current: date) -> list[date]:
    """The first day of each of the 13 months, oldest first, ending with ``current``."""
    first = month_start(current)
    out = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(date(year, month + 1, 1))
    return out


def _line(rng: random.Random, code: str, *, most: int = 40, terms: bool = True) -> Line:
    sku = base_sku(code)
    low = sku.min_quantity
    quantity = rng.randint(low, max(low, min(sku.max_quantity, low + most)))
    if not terms:
        return Line(code, sku.id, None, BillingPlan.ONE_TIME, quantity)
    monthly = [t for t in sku.terms if t.duration is P1M]
    term = monthly[0] if monthly and rng.random() < 0.45 else rng.choice(sku.terms)
    return Line(code, sku.id, term.duration, term.billing_plan, quantity)


def _at(rng: random.Random, month: date, earliest: int = 1) -> datetime:
    day, hour = rng.randint(earliest, 27), rng.randint(8, 17)
    return datetime(month.year, month.month, day, hour, rng.choice((0, 15, 30)), tzinfo=UTC)


def _addon_options(buyer: Buyer, months_ago: int) -> list[str]:
    """Add-ons whose prerequisites include the buyer's anchor and that are on the price
    list of the month (``Offer.since``)."""
    return [
        code
        for code in ADDONS
        if buyer.anchor in {r.partition("/")[0] for r in base_sku(code).requires}
        and (offer(code).since is None or months_ago < (offer(code).since or 0))
    ]


LAPSES = (("MLP2", 45), ("DRV2", 100))
"""Monthly subscriptions bought this many days before now and let lapse at once: one is
expired today (less than 30 days after its term end), one disabled (30 to 120 days)."""


def lapses(now: datetime, rng: random.Random) -> list[Purchase]:
    """The purchases of ``LAPSES`` (kind ``lapse``: auto-renew is turned off after it)."""
    found = []
    for (code, days), buyer in zip(LAPSES, buyers(), strict=False):
        sku = base_sku(code)
        line = Line(code, sku.id, P1M, BillingPlan.MONTHLY, rng.randint(5, 20))
        found.append(Purchase(now - timedelta(days=days, hours=2), buyer, line, "lapse"))
    return found


def plan(now: datetime, rng: random.Random) -> list[Purchase]:
    """Every purchase of the 13 months before ``now`` (none at or after it), oldest
    first."""
    purchases: list[Purchase] = []
    calendar = months(now.date())
    for buyer in buyers():
        online = list(ONLINE)
        rng.shuffle(online)
        addons_bought: set[str] = set()
        anchor = Line(buyer.anchor, "0001", P1Y, BillingPlan.ANNUAL, rng.randint(15, 60))
        purchases.append(Purchase(_at(rng, calendar[0], 1), buyer, anchor, "anchor"))
        for index, month in enumerate(calendar):
            months_ago = MONTHS - 1 - index
            earliest = 8 if index == 0 else 1  # after the anchor
            if online and rng.random() < 0.7:
                line = _line(rng, online.pop())
                purchases.append(Purchase(_at(rng, month, earliest), buyer, line, "online"))
            options = [c for c in _addon_options(buyer, months_ago) if c not in addons_bought]
            if index > 0 and options and rng.random() < 0.35:
                code = rng.choice(options)
                addons_bought.add(code)
                most = 500 if code == "XSTR" else 10
                line = _line(rng, code, most=most)
                purchases.append(Purchase(_at(rng, month), buyer, line, "addon"))
            if rng.random() < 0.15:
                line = _line(rng, rng.choice(SOFTWARE), most=16)
                purchases.append(Purchase(_at(rng, month, earliest), buyer, line, "software"))
            if rng.random() < 0.15:
                line = _line(rng, rng.choice(PERPETUAL), most=20, terms=False)
                purchases.append(Purchase(_at(rng, month, earliest), buyer, line, "perpetual"))
    purchases.extend(lapses(now, rng))
    purchases = [p for p in purchases if p.at < now - timedelta(hours=1)]
    return sorted(purchases, key=lambda p: (p.at, p.buyer.customer.name, p.line.code))


@dataclass
class Summary:
    """What the load did: orders placed (and by kind of purchase), changes made by kind,
    trials converted by the renewals job, scheduled next-term changes it applied, steps
    refused."""

    orders: int = 0
    purchases: Counter[str] = field(default_factory=Counter)
    changes: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    order_requests: int = 0
    trials_converted: int = 0
    scheduled_applied: int = 0

    def describe(self) -> str:
        """One line for the load's output."""
        n = self.changes
        changes = ", ".join(f"{kind} {count}" for kind, count in sorted(n.items()))
        return (
            f"commerce: {self.orders} orders ({self.purchases['perpetual']} of perpetual "
            f"software, {n['cancel_purchase']} cancelled), {self.purchases['trial']} trials "
            f"({self.trials_converted} converted to paid), {n['upgrade_full']} full and "
            f"{n['upgrade_partial']} partial upgrades, {n['term_change']} term changes, "
            f"{n['schedule']} scheduled next-term changes ({self.scheduled_applied} applied "
            f"at renewal), {self.order_requests} open order requests; changes: {changes}; "
            f"{len(self.skipped)} steps refused"
        )
