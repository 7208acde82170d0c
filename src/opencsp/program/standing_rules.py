"""Pure rules of keeping and losing a tier (issue 7): the annual reassessment of
direct-bill partners (rules.md §2a "Annual reassessment", §2b annual performance
monitoring, §2c restriction) and the reseller revenue floor (rules.md §3.4). Values in,
values out: no session, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from opencsp.program.eligibility import Checklist, EvidenceFact, Requirement, Status

# --- dates ------------------------------------------------------------------------------------


def anniversary(anchor: date, year: int) -> date:
    """``anchor``'s day in ``year``; 29 February falls on the 28th in other years."""
    try:
        return anchor.replace(year=year)
    except ValueError:
        return anchor.replace(year=year, day=28)


def years_since(anchor: date, today: date) -> int:
    """Whole years from ``anchor`` to ``today`` (0 before the first anniversary)."""
    years = today.year - anchor.year
    return years - 1 if anniversary(anchor, today.year) > today else years


def one_year_after(day: date) -> date:
    """The same day a year later (a deauthorized reseller's waiting year, rules.md §3.4)."""
    return anniversary(day, day.year + 1)


# --- the annual reassessment ------------------------------------------------------------------

MET, NOT_MET = "met", "notMet"

REPORTED = frozenset({"authority", "revenue", "tenure"})
"""Requirements of an *applicant* that a direct-bill partner's reassessment reports but
does not require: revenue and tenure as an indirect reseller (rules.md §2a; a direct-bill
partner no longer transacts as one) and the signer's attestation, given once."""

ASSESSMENT_VALID = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Cycle:
    """The reassessment a partner is due: the ``number``-th anniversary of its
    enrollment, on ``due_on``."""

    number: int
    due_on: date


def due_cycle(anchor: date, today: date) -> Cycle:
    """The latest anniversary of ``anchor`` on or before ``today`` (number 0 before the
    first: nothing is due yet, rules.md §2a "Annual reassessment")."""
    years = years_since(anchor, today)
    return Cycle(years, anniversary(anchor, anchor.year + years))


def assessment(evidence: tuple[EvidenceFact, ...], *, as_of: date) -> Requirement:
    """A third-party assessment passed within the last 12 months (rules.md §2a
    "Capabilities ... Annual reassessment required"). The latest result decides: failed →
    notMet; passed on or after ``as_of`` − 365 days → met; passed earlier → notMet
    (``assessmentExpired``); none passed or failed → notMet (``noAssessment``, a
    scheduled one is shown)."""
    results = [e for e in evidence if e.kind == "assessment" and e.outcome in ("passed", "failed")]
    latest = max(results, key=lambda e: (e.effective_on, e.recorded_at), default=None)
    if latest is None:
        data: dict[str, Any] = {"reason": "noAssessment"}
        scheduled = [e for e in evidence if e.kind == "assessment" and e.outcome == "scheduled"]
        if scheduled:
            data["scheduledOn"] = max(e.effective_on for e in scheduled).isoformat()
        return Requirement("infrastructure", Status.NOT_MET, True, data)
    data = {"assessment": latest.outcome, "assessedOn": latest.effective_on.isoformat()}
    if latest.outcome == "failed":
        return Requirement("infrastructure", Status.NOT_MET, True, data)
    if latest.effective_on < as_of - ASSESSMENT_VALID:
        data["reason"] = "assessmentExpired"
        return Requirement("infrastructure", Status.NOT_MET, True, data)
    return Requirement("infrastructure", Status.MET, True, data)


def reassessment_checklist(
    applicant: Checklist, evidence: tuple[EvidenceFact, ...], *, as_of: date
) -> Checklist:
    """The checklist a direct-bill partner is reassessed on, from its live direct-bill
    checklist (``program.facts.direct_bill_checklist``): the ``REPORTED`` rows no longer
    required; the assessment re-judged for the last 12 months (``assessment``); partner
    ID, support plan and the managed service (required as the setting says) as they are."""
    rows: list[Requirement] = []
    for row in applicant.requirements:
        if row.key in REPORTED:
            rows.append(Requirement(row.key, row.status, False, row.evidence))
        elif row.key == "infrastructure":
            rows.append(assessment(evidence, as_of=as_of))
        else:
            rows.append(row)
    return Checklist(tuple(rows))


def outcome(checklist: Checklist) -> str:
    """``met`` when every required row is met, else ``notMet``."""
    return MET if checklist.eligible else NOT_MET


def notice_until(evaluated_on: date, days: int) -> date:
    """The last day of the notice a partner that did not meet its reassessment gets; it
    is restricted by a run after that day if still not met (rules.md §2c)."""
    return evaluated_on + timedelta(days=days)


class FollowUp(StrEnum):
    """What a run does with a reassessment under notice, given a fresh evaluation."""

    WAIT = "wait"  # still not met, notice not over
    CLEAR = "clear"  # met again before the notice ended
    RESTRICT = "restrict"  # still not met after the notice


def follow_up(*, fresh: str, notice_end: date, today: date) -> FollowUp:
    """Met again → clear (whenever it is seen); still not met after ``notice_end`` →
    restrict; otherwise wait."""
    if fresh == MET:
        return FollowUp.CLEAR
    return FollowUp.RESTRICT if today > notice_end else FollowUp.WAIT


def usd(minor: int) -> str:
    return f"{(Decimal(minor) / 100).quantize(Decimal('0.01'))}"


def usd_minor(amount: Decimal) -> int:
    """A USD figure (already rounded to the cent) in cents."""
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def growth(billed_minor: int, previous_minor: int | None) -> dict[str, Any]:
    """Annual performance monitoring (rules.md §2b: "annual performance monitoring for
    business growth", no target set): the ``billed`` TTM in USD now and at the previous
    reassessment, the change, and the percent to one decimal (half up; none without a
    previous figure above zero)."""
    data: dict[str, Any] = {"billedUsd": usd(billed_minor), "previousBilledUsd": None}
    data |= {"changeUsd": None, "percent": None}
    if previous_minor is None:
        return data
    change = billed_minor - previous_minor
    data |= {"previousBilledUsd": usd(previous_minor), "changeUsd": usd(change)}
    if previous_minor > 0:
        percent = (Decimal(change) * 100 / Decimal(previous_minor)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        data["percent"] = f"{percent.copy_abs() if percent.is_zero() else percent}"
    return data


# --- the reseller revenue floor --------------------------------------------------------------

ABOVE, BELOW = "met", "below"


def floor_period(activated_on: date, today: date, *, effective: date) -> str | None:
    """The anniversary month ``today`` is in, as ``YYYY-MM``, when the floor is checked in
    it (rules.md §3.4): the month of the reseller's activation, from its first anniversary
    (new enrollees need not meet it), and not in a month before the floor's effective
    month (so resellers onboarded after 2023-04-01 are not checked before 2024-04-01).
    None otherwise."""
    if today.month != activated_on.month or today.year - activated_on.year < 1:
        return None
    if (today.year, today.month) < (effective.year, effective.month):
        return None
    return f"{today:%Y-%m}"


def floor_outcome(ttm_usd: Decimal, floor_usd: Decimal) -> str:
    """Under the floor (strictly less) is ``below``; at or above it ``met``."""
    return BELOW if ttm_usd < floor_usd else ABOVE


def deauthorize_on(evaluated_on: date, notice_days: int) -> date:
    return evaluated_on + timedelta(days=notice_days)
