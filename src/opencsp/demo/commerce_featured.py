"""The demo's featured purchases: trials, upgrades, scheduled next-term changes and
perpetual software, each planned on a fixed day rather than drawn at random, so the
console always has one of each to show (``demo.commerce`` places them with the random
plan of ``demo.commerce_plan``, through the same services).

- **Trials** (rules.md §9g: 25 seats, 30 days, auto-renew on, converting to an annual term
  billed monthly): Adatum's for Contoso converts by itself; Hanbit's for Jeju Green
  Energy is scheduled to convert into the paid SKU with 10 seats; Woodgrove's for Fourth Coffee has
  auto-renew turned off before its end and expires; Tailwind's for Proseware is running
  today.
- **Upgrades** (rules.md §9f, to a higher SKU on the same term): full ones (all seats, the
  subscription keeps its id) by Adatum and by Tailwind for Fabrikam's customer, a partial
  one (a second, coterminous subscription) by Woodgrove.
- **Scheduled next-term changes** (``scheduledNextTermInstructions``, rules.md §9f), which
  the renewals job applies: another SKU on an annual term with more seats, fewer seats,
  and a monthly term moving to annual.
- **An immediate term change** (monthly to annual, starting a new term today with the
  old term's unused days credited; rules.md §9f matrix).
- **Perpetual software** bought once by each kind of partner (rules.md §9b), one of them
  cancelled within its 30 days for a full refund (rules.md §9c).
- **Reserved compute priced in USD** (rules.md §11): Hanbit buys it for Jeju Green Energy
  billed monthly, billed in won at each month's FX rate; Woodgrove for Fourth Coffee paid
  upfront, billed in euros at its month's rate."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.demo.commerce_plan import (
    Buyer,
    FollowUp,
    Line,
    Purchase,
    base_sku,
    buyers,
    months,
)
from opencsp.demo.parties import served

P1M, P1Y = TermDuration.P1M, TermDuration.P1Y
MONTHLY, ANNUAL = BillingPlan.MONTHLY, BillingPlan.ANNUAL
TRIAL_SKU = "0002"
TRIAL_SEATS = 25
DAY = timedelta(days=1)
TOP_UP = "top_up"
USD_PRICED = "usd_priced"
FEATURED = frozenset({"trial", "upgrade", "scheduled", "term_change", "large", TOP_UP, USD_PRICED})
"""The kinds of featured purchase whose follow-up changes are planned, never drawn."""

CONTOSO, FOURTH_COFFEE, PROSEWARE, WINGTIP, JEJU = (
    "Contoso Pharmaceuticals",
    "Fourth Coffee GmbH",
    "Proseware Inc.",
    "Wingtip Toys",
    "Jeju Green Energy",
)


def _trial(code: str) -> Line:
    return Line(code, TRIAL_SKU, P1M, BillingPlan.NONE, TRIAL_SEATS)


def _paid(code: str, term: TermDuration, plan: BillingPlan, seats: int) -> Line:
    return Line(code, base_sku(code).id, term, plan, seats)


def _once(code: str, licenses: int) -> Line:
    return Line(code, base_sku(code).id, None, BillingPlan.ONE_TIME, licenses)


def featured(now: datetime) -> list[Purchase]:
    """The featured purchases before ``now`` (module docstring), oldest first: on a fixed
    day of one of the 13 demo months (``months``, index 0 the oldest), or, for the running
    trial, nine days ago."""
    calendar = months(now.date())
    who: dict[str, Buyer] = {b.customer.name: b for b in buyers(everywhere=True)}

    def on(index: int, day: int, hour: int = 10) -> datetime:
        month = calendar[index]
        return datetime(month.year, month.month, day, hour, 0, tzinfo=UTC)

    running_trial = now.replace(minute=0, second=0, microsecond=0) - 9 * DAY
    last_month_end = datetime.combine(calendar[-1], time(21, 0), tzinfo=UTC) - DAY
    plan = [
        # trials
        Purchase(on(3, 10), who[CONTOSO], _trial("BSTD"), "trial"),
        Purchase(
            on(8, 2),
            who[JEJU],
            _trial("BIPR"),
            "trial",
            (FollowUp(7 * DAY, "schedule", seats=10, to="BIPR"),),
        ),
        Purchase(
            on(9, 5),
            who[FOURTH_COFFEE],
            _trial("CRMP"),
            "trial",
            (FollowUp(12 * DAY, "auto_renew_off"),),
        ),
        Purchase(running_trial, who[PROSEWARE], _trial("ENE5"), "trial"),
        # upgrades
        Purchase(
            on(2, 12),
            who[CONTOSO],
            _paid("MLP1", P1Y, MONTHLY, 20),
            "upgrade",
            (FollowUp(50 * DAY, "upgrade", to="MLP2"),),
        ),
        Purchase(
            on(4, 8),
            who[FOURTH_COFFEE],
            _paid("DRV1", P1Y, ANNUAL, 30),
            "upgrade",
            (FollowUp(40 * DAY, "upgrade", seats=10, to="DRV2"),),
        ),
        Purchase(
            on(1, 14),
            who[WINGTIP],
            _paid("BBAS", P1Y, MONTHLY, 15),
            "upgrade",
            (FollowUp(35 * DAY, "upgrade", to="BSTD"),),
        ),
        # scheduled next-term changes
        Purchase(
            on(7, 3),
            who[PROSEWARE],
            _paid("CRMP", P1M, MONTHLY, 12),
            "scheduled",
            (FollowUp(10 * DAY, "schedule", seats=15, to="CRME", term=P1Y, plan=MONTHLY),),
        ),
        Purchase(
            on(5, 20),
            who[WINGTIP],
            _paid("IDP1", P1M, MONTHLY, 40),
            "scheduled",
            (FollowUp(5 * DAY, "schedule", seats=30),),
        ),
        Purchase(
            on(10, 6),
            who[FOURTH_COFFEE],
            _paid("ENF3", P1M, MONTHLY, 18),
            "scheduled",
            (FollowUp(4 * DAY, "schedule", term=P1Y, plan=ANNUAL),),
        ),
        # an immediate term change, monthly to annual (rules.md §9f matrix)
        Purchase(
            on(6, 11),
            who[PROSEWARE],
            _paid("DGOL", P1M, MONTHLY, 8),
            "term_change",
            (FollowUp(12 * DAY, "term_change", term=P1Y, plan=MONTHLY),),
        ),
        # perpetual software, one cancelled within its 30 days for a full refund
        Purchase(on(5, 16), who[CONTOSO], _once("DG24", 5), "perpetual"),
        Purchase(
            on(7, 13),
            who[PROSEWARE],
            _once("PJ24", 2),
            "perpetual",
            (FollowUp(9 * DAY, "cancel_purchase"),),
        ),
        Purchase(on(9, 21), who[JEJU], _once("OLST", 12), "perpetual"),
        Purchase(on(11, 9), who[WINGTIP], _once("PJ24", 3), "perpetual"),
        Purchase(on(10, 17), who[FOURTH_COFFEE], _once("SV25", 2), "perpetual"),
        # reserved compute priced in USD, billed in won and in euros (rules.md §11)
        Purchase(on(4, 15), who[JEJU], _paid("RSVM", P1Y, MONTHLY, 4), USD_PRICED),
        Purchase(on(9, 8), who[FOURTH_COFFEE], _paid("RSVM", P1Y, ANNUAL, 2), USD_PRICED),
        # large deals: Wingtip Toys' company-wide roll-outs, a year paid upfront each, bring
        # its reseller of record just above USD 300,000 (rules.md §2a): the second, on the
        # last evening of last month, is sized to it (``demo.commerce``, ``TOP_UP``)
        Purchase(on(3, 18), who[WINGTIP], _paid("ENE5", P1Y, ANNUAL, 150), "large"),
        Purchase(last_month_end, who[WINGTIP], _paid("CRME", P1Y, ANNUAL, 1), TOP_UP),
    ]
    return sorted(
        (p for p in plan if p.at < now - timedelta(hours=1) and served(p.buyer.customer)),
        key=lambda p: (p.at, p.buyer.customer.name, p.line.code),
    )
