"""Direct-bill eligibility as pure rules: one function per requirement of rules.md §2a,
each taking plain facts and returning a ``Requirement`` (met, not met or pending review,
with the JSON-safe evidence and figures behind it); ``evaluate`` puts them together in a
``Checklist``. No session, no clock: ``program.facts`` gathers the facts.

Requirement keys, in this order (rules.md §2a, PC:direct-partner-new-requirements.md):
``partnerId``, ``authority``, ``supportPlan``, ``revenue``, ``tenure``,
``infrastructure``, ``managedService``. The last is a recommendation in
PC:csp-overview.md and a requirement row in PC:direct-partner-new-requirements.md
(rules.md §14): ``required`` only when the policy says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

KEYS = (
    "partnerId",
    "authority",
    "supportPlan",
    "revenue",
    "tenure",
    "infrastructure",
    "managedService",
)
"""Requirement keys, in checklist order."""

SUPPORT_PLANS = frozenset({"ASfP", "PSfP"})
"""Advanced or Premier Support for Partners (rules.md §2a "Support")."""


class Status(StrEnum):
    MET = "met"
    NOT_MET = "notMet"
    PENDING = "pendingReview"


@dataclass(frozen=True)
class Requirement:
    """One row of the checklist. ``evidence`` is JSON-safe: strings, numbers as strings
    for money, ISO dates, bools."""

    key: str
    status: Status
    required: bool
    evidence: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status.value,
            "required": self.required,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Checklist:
    requirements: tuple[Requirement, ...]

    @property
    def eligible(self) -> bool:
        """Every required requirement met (recommended ones never block)."""
        return all(r.status is Status.MET for r in self.requirements if r.required)

    @property
    def unmet(self) -> tuple[str, ...]:
        """The keys of required requirements not met, in checklist order."""
        return tuple(r.key for r in self.requirements if r.required and r.status is not Status.MET)

    def get(self, key: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.key == key:
                return requirement
        raise KeyError(key)

    def as_json(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "requirements": [r.as_json() for r in self.requirements],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checklist:
        """The checklist a snapshot (``as_json``) was taken of."""
        return cls(
            tuple(
                Requirement(r["key"], Status(r["status"]), bool(r["required"]), r["evidence"])
                for r in data.get("requirements", [])
            )
        )


@dataclass(frozen=True)
class Policy:
    """The settings the requirements are judged by (core.config, documented defaults)."""

    ttm_threshold_usd: Decimal = Decimal("300000.00")
    tenure_months: int = 12
    managed_service_required: bool = False


@dataclass(frozen=True)
class PartnerIdFact:
    mpn_id: int
    kind: str
    country: str | None
    status: str


@dataclass(frozen=True)
class EvidenceFact:
    """A fact the vendor recorded (``program.models.Evidence``): ``kind`` credit_check,
    support_plan or assessment; ``outcome`` passed, failed, scheduled or bought."""

    kind: str
    outcome: str
    effective_on: date
    recorded_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityFacts:
    """Everything the requirements are judged on, gathered by ``program.facts``.

    ``attested_at``/``managed_service`` come from the application (``has_application``
    false before the partner applied); ``transacting_since`` is the first month with a
    vendor charge line naming the partner as reseller of record (``program.facts``)."""

    as_of: date
    country: str | None
    partner_ids: tuple[PartnerIdFact, ...] = ()
    location_mpn_id: int | None = None
    has_application: bool = False
    signer_name: str | None = None
    attested_at: datetime | None = None
    managed_service: str | None = None
    evidence: tuple[EvidenceFact, ...] = ()
    ttm_usd: Decimal | None = Decimal("0.00")
    ttm_start: date | None = None
    ttm_end: date | None = None
    ttm_link: str | None = None
    transacting_since: date | None = None


def _usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def partner_id(
    ids: tuple[PartnerIdFact, ...], *, country: str | None, chosen: int | None
) -> Requirement:
    """An active partner ID of kind location in the partner's own country (rules.md §2a
    "PartnerID", §3.2 "must be of type Location" in the same country). When the
    application names one, that one is judged."""
    candidates = [i for i in ids if chosen is None or i.mpn_id == chosen]
    good = [
        i
        for i in candidates
        if i.kind == "location" and i.status == "active" and country and i.country == country
    ]
    if good:
        found = good[0]
        return Requirement(
            "partnerId",
            Status.MET,
            True,
            {"mpnId": found.mpn_id, "country": found.country, "partnerIdStatus": found.status},
        )
    evidence: dict[str, Any] = {"country": country, "reason": "noPartnerId"}
    if candidates:
        found = candidates[0]
        evidence.update(mpnId=found.mpn_id, partnerIdStatus=found.status)
        if found.kind != "location":
            evidence["reason"] = "notLocation"
        elif found.status != "active":
            evidence["reason"] = "inactive"
        else:
            evidence.update(reason="wrongCountry", partnerIdCountry=found.country)
    elif chosen is not None:
        evidence.update(mpnId=chosen, reason="notFound")
    return Requirement("partnerId", Status.NOT_MET, True, evidence)


def authority(
    *, has_application: bool, attested_at: datetime | None, signer_name: str | None
) -> Requirement:
    """The signer's attestation of authority to accept and sign legal agreements for the
    organization (rules.md §2a "Endorsement"), given on the application."""
    if attested_at is not None:
        return Requirement(
            "authority",
            Status.MET,
            True,
            {"signerName": signer_name, "attestedAt": attested_at.isoformat()},
        )
    reason = "notAttested" if has_application else "attestOnApplication"
    status = Status.NOT_MET if has_application else Status.PENDING
    return Requirement("authority", status, True, {"reason": reason})


def _latest(found: list[EvidenceFact]) -> EvidenceFact | None:
    """The latest record by its day, then when it was recorded; on a tie a result
    (passed, failed) comes after what was scheduled."""
    return max(
        found,
        key=lambda e: (e.effective_on, e.recorded_at, e.outcome != "scheduled"),
        default=None,
    )


def support_plan(evidence: tuple[EvidenceFact, ...]) -> Requirement:
    """ASfP or PSfP bought after a passed credit check, never before or during it
    (rules.md §2a "Support": "pass a credit check before buying the plan", "must not buy
    it during the check").

    The vendor records the check's start (outcome ``scheduled``, its ``effective_on`` the
    day it began) and its result (``passed``/``failed``, the day it was known). The latest
    result decides: failed → notMet; passed on day P → met by a plan bought on or after P
    (a plan bought on the day the result is known is bought after it **[inferred]**), a
    plan bought earlier is notMet (``boughtDuringCheck`` when on or after the check's
    start, else ``boughtBeforeCheck``). A passed or failed check without a plan → notMet;
    a check still running → pendingReview, or notMet when a plan was already bought
    during it; a plan with no check → notMet; nothing recorded → pendingReview."""
    checks = [e for e in evidence if e.kind == "credit_check"]
    plans = [
        e
        for e in evidence
        if e.kind == "support_plan"
        and e.outcome == "bought"
        and e.detail.get("plan") in SUPPORT_PLANS
    ]
    result = _latest([c for c in checks if c.outcome in ("passed", "failed")])
    starts = [c for c in checks if c.outcome == "scheduled"]
    start = _latest(starts)
    if result is None:
        if start is None:
            if plans:
                return _support(Status.NOT_MET, "noCreditCheck", _plan_of(plans[0]))
            return _support(Status.PENDING, "nothingRecorded", {})
        return _support_running(start, plans)
    decided = _support_decided(result, starts, plans)
    if decided.status is not Status.MET and start and start.effective_on > result.effective_on:
        return _support_running(start, plans)  # a new check began after the last result
    return decided


def _support(status: Status, reason: str | None, data: dict[str, Any]) -> Requirement:
    if reason:
        data = {**data, "reason": reason}
    return Requirement("supportPlan", status, True, data)


def _plan_of(p: EvidenceFact) -> dict[str, Any]:
    return {"plan": p.detail.get("plan"), "boughtOn": p.effective_on.isoformat()}


def _support_running(start: EvidenceFact, plans: list[EvidenceFact]) -> Requirement:
    """A credit check begun on ``start`` with no result yet."""
    during = [p for p in plans if p.effective_on >= start.effective_on]
    if during:
        return _support(Status.NOT_MET, "boughtDuringCheck", _plan_of(during[0]))
    if plans:
        return _support(Status.NOT_MET, "boughtBeforeCheck", _plan_of(plans[0]))
    began = {"creditCheckStarted": start.effective_on.isoformat()}
    return _support(Status.PENDING, "creditCheckRunning", began)


def _support_decided(
    result: EvidenceFact, starts: list[EvidenceFact], plans: list[EvidenceFact]
) -> Requirement:
    """The latest credit-check result decides (``support_plan``)."""
    checked = {"creditCheck": result.outcome, "creditCheckOn": result.effective_on.isoformat()}
    if result.outcome == "failed":
        return _support(Status.NOT_MET, "creditCheckFailed", checked)
    after = sorted(
        (p for p in plans if p.effective_on >= result.effective_on), key=lambda p: p.effective_on
    )
    if after:
        return _support(Status.MET, None, {**checked, **_plan_of(after[0])})
    if not plans:
        return _support(Status.NOT_MET, "noSupportPlan", checked)
    early = max(plans, key=lambda p: p.effective_on)
    start_on = max(
        (s.effective_on for s in starts if s.effective_on <= result.effective_on), default=None
    )
    during = start_on is not None and early.effective_on >= start_on
    reason = "boughtDuringCheck" if during else "boughtBeforeCheck"
    return _support(Status.NOT_MET, reason, {**checked, **_plan_of(early)})


def revenue(
    ttm_usd: Decimal | None,
    *,
    threshold_usd: Decimal,
    start: date | None = None,
    end: date | None = None,
    link: str | None = None,
) -> Requirement:
    """Trailing-twelve-month cloud revenue as an indirect reseller, excluding perpetual
    software, of at least the threshold (USD 300,000 by default; rules.md §2a "Revenue",
    the ``directBill`` figure of reporting.ttm). The evidence carries the figure, the
    threshold, the window ``[start, end)`` and the drill-down link. No figure (a month's
    FX rate missing, reporting.errors.RevenueRateMissing) → pendingReview."""
    evidence: dict[str, Any] = {"thresholdUsd": _usd(threshold_usd)}
    if start is not None and end is not None:
        evidence.update(windowStart=start.isoformat(), windowEnd=end.isoformat())
    if link:
        evidence["drillDown"] = link
    if ttm_usd is None:
        evidence["reason"] = "revenueUnavailable"
        return Requirement("revenue", Status.PENDING, True, evidence)
    evidence["ttmUsd"] = _usd(ttm_usd)
    status = Status.MET if ttm_usd >= threshold_usd else Status.NOT_MET
    return Requirement("revenue", status, True, evidence)


def whole_months(since: date, as_of: date) -> int:
    """Whole calendar months from the first month ``since`` falls in up to, not
    including, the month of ``as_of`` (transacting since January 2024: 11 on any day of
    December 2024, 12 from 1 January 2025)."""
    return max(0, (as_of.year * 12 + as_of.month) - (since.year * 12 + since.month))


def tenure(transacting_since: date | None, *, as_of: date, months: int) -> Requirement:
    """At least ``months`` (12 by default) whole months transacting as an indirect
    reseller (rules.md §2a "CSP tenure"), counted by ``whole_months`` from the first
    month of a vendor charge line naming the partner as reseller of record."""
    if transacting_since is None:
        return Requirement(
            "tenure",
            Status.NOT_MET,
            True,
            {"months": 0, "requiredMonths": months, "reason": "neverTransacted"},
        )
    count = whole_months(transacting_since, as_of)
    evidence = {
        "months": count,
        "requiredMonths": months,
        "transactingSince": transacting_since.replace(day=1).isoformat(),
    }
    status = Status.MET if count >= months else Status.NOT_MET
    return Requirement("tenure", status, True, evidence)


def infrastructure(
    evidence: tuple[EvidenceFact, ...], *, revenue_met: bool, tenure_met: bool
) -> Requirement:
    """Billing, provisioning, support and security infrastructure, judged by a
    third-party assessment the vendor records, scheduled after revenue and tenure are
    confirmed (rules.md §2a "Capabilities"). The latest assessment record decides: passed
    → met, failed → notMet; otherwise pendingReview, with the stage it waits on
    (``awaitingRevenueAndTenure``, ``toSchedule`` or ``scheduled``)."""
    latest = _latest([e for e in evidence if e.kind == "assessment"])
    if latest is not None and latest.outcome in ("passed", "failed"):
        status = Status.MET if latest.outcome == "passed" else Status.NOT_MET
        return Requirement(
            "infrastructure",
            status,
            True,
            {"assessment": latest.outcome, "assessedOn": latest.effective_on.isoformat()},
        )
    if latest is not None and latest.outcome == "scheduled":
        data = {"stage": "scheduled", "scheduledOn": latest.effective_on.isoformat()}
        return Requirement("infrastructure", Status.PENDING, True, data)
    stage = "toSchedule" if revenue_met and tenure_met else "awaitingRevenueAndTenure"
    return Requirement("infrastructure", Status.PENDING, True, {"stage": stage})


def managed_service(
    description: str | None, *, has_application: bool, required: bool
) -> Requirement:
    """At least one managed service, IP service or customer solution, described by the
    partner on its application (rules.md §2a "Managed service"; recommended unless the
    setting makes it required, rules.md §14)."""
    text = (description or "").strip()
    if text:
        return Requirement("managedService", Status.MET, required, {"description": text})
    if not has_application:
        return Requirement(
            "managedService", Status.PENDING, required, {"reason": "describeOnApplication"}
        )
    return Requirement("managedService", Status.NOT_MET, required, {"reason": "notDescribed"})


def evaluate(facts: EligibilityFacts, policy: Policy) -> Checklist:
    """The checklist of rules.md §2a for ``facts`` under ``policy``, in ``KEYS`` order."""
    rev = revenue(
        facts.ttm_usd,
        threshold_usd=policy.ttm_threshold_usd,
        start=facts.ttm_start,
        end=facts.ttm_end,
        link=facts.ttm_link,
    )
    ten = tenure(facts.transacting_since, as_of=facts.as_of, months=policy.tenure_months)
    return Checklist(
        (
            partner_id(facts.partner_ids, country=facts.country, chosen=facts.location_mpn_id),
            authority(
                has_application=facts.has_application,
                attested_at=facts.attested_at,
                signer_name=facts.signer_name,
            ),
            support_plan(facts.evidence),
            rev,
            ten,
            infrastructure(
                facts.evidence,
                revenue_met=rev.status is Status.MET,
                tenure_met=ten.status is Status.MET,
            ),
            managed_service(
                facts.managed_service,
                has_application=facts.has_application,
                required=policy.managed_service_required,
            ),
        )
    )
