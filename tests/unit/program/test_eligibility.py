"""Direct-bill eligibility as pure rules (rules.md §2a): each requirement as a table of
cases around its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from opencsp.program import eligibility as e
from opencsp.program.eligibility import (
    Checklist,
    EligibilityFacts,
    EvidenceFact,
    PartnerIdFact,
    Policy,
    Requirement,
    Status,
)

MET, NOT, PEND = Status.MET, Status.NOT_MET, Status.PENDING
AT = datetime(2025, 6, 1, tzinfo=UTC)


def ev(kind: str, outcome: str, on: str, **detail: Any) -> EvidenceFact:
    return EvidenceFact(kind, outcome, date.fromisoformat(on), AT, detail)


def started(on: str) -> EvidenceFact:
    return ev("credit_check", "scheduled", on)


def passed(on: str) -> EvidenceFact:
    return ev("credit_check", "passed", on)


def failed(on: str) -> EvidenceFact:
    return ev("credit_check", "failed", on)


def plan(on: str, name: str = "ASfP") -> EvidenceFact:
    return ev("support_plan", "bought", on, plan=name)


# --- revenue: USD 299,999.99 vs 300,000.00 -------------------------------------------


@pytest.mark.parametrize(
    ("ttm", "threshold", "status"),
    [
        ("0.00", "300000.00", NOT),
        ("299999.99", "300000.00", NOT),
        ("300000.00", "300000.00", MET),
        ("300000.01", "300000.00", MET),
        ("149999.99", "150000.00", NOT),
        ("150000.00", "150000.00", MET),
    ],
)
def test_revenue_threshold(ttm: str, threshold: str, status: Status) -> None:
    r = e.revenue(
        Decimal(ttm),
        threshold_usd=Decimal(threshold),
        start=date(2024, 5, 1),
        end=date(2025, 5, 1),
        link="/v1/reporting/x",
    )
    assert r.status is status
    assert r.required is True
    assert r.evidence["ttmUsd"] == ttm
    assert r.evidence["thresholdUsd"] == threshold
    assert r.evidence["windowStart"] == "2024-05-01"
    assert r.evidence["windowEnd"] == "2025-05-01"
    assert r.evidence["drillDown"] == "/v1/reporting/x"


def test_revenue_without_a_figure_is_pending() -> None:
    r = e.revenue(None, threshold_usd=Decimal("300000.00"))
    assert r.status is PEND
    assert r.evidence["reason"] == "revenueUnavailable"


# --- tenure: 11 vs 12 whole months ----------------------------------------------------


@pytest.mark.parametrize(
    ("since", "as_of", "months", "status"),
    [
        ("2024-01-01", "2024-12-31", 11, NOT),
        ("2024-01-01", "2025-01-01", 12, MET),
        ("2024-01-15", "2025-01-01", 12, MET),
        ("2024-01-31", "2024-12-01", 11, NOT),
        ("2024-02-01", "2025-01-31", 11, NOT),
        ("2023-06-01", "2025-01-01", 19, MET),
        ("2025-01-01", "2025-01-20", 0, NOT),
    ],
)
def test_tenure_whole_months(since: str, as_of: str, months: int, status: Status) -> None:
    r = e.tenure(date.fromisoformat(since), as_of=date.fromisoformat(as_of), months=12)
    assert (r.status, r.evidence["months"], r.evidence["requiredMonths"]) == (status, months, 12)
    assert r.evidence["transactingSince"] == since[:8] + "01"


def test_tenure_never_transacted() -> None:
    r = e.tenure(None, as_of=date(2025, 1, 1), months=12)
    assert r.status is NOT
    assert r.evidence["reason"] == "neverTransacted"


@pytest.mark.parametrize(("required", "status"), [(11, MET), (12, MET), (13, NOT)])
def test_tenure_follows_the_policy(required: int, status: Status) -> None:
    assert e.tenure(date(2024, 1, 1), as_of=date(2025, 1, 1), months=required).status is status


# --- support plan: credit check before, never during ---------------------------------


@pytest.mark.parametrize(
    ("records", "status", "reason"),
    [
        ([], PEND, "nothingRecorded"),
        ([plan("2025-01-10")], NOT, "noCreditCheck"),
        ([started("2025-01-01")], PEND, "creditCheckRunning"),
        ([started("2025-01-01"), plan("2025-01-03")], NOT, "boughtDuringCheck"),
        ([started("2025-01-05"), plan("2025-01-03")], NOT, "boughtBeforeCheck"),
        ([passed("2025-01-10")], NOT, "noSupportPlan"),
        ([failed("2025-01-10")], NOT, "creditCheckFailed"),
        ([failed("2025-01-10"), plan("2025-01-12")], NOT, "creditCheckFailed"),
        ([started("2025-01-01"), passed("2025-01-10"), plan("2025-01-09")], NOT, "boughtDuringCheck"),  # noqa: E501
        ([started("2025-01-01"), passed("2025-01-10"), plan("2024-12-31")], NOT, "boughtBeforeCheck"),  # noqa: E501
        ([passed("2025-01-10"), plan("2025-01-09")], NOT, "boughtBeforeCheck"),
        ([started("2025-01-01"), passed("2025-01-10"), plan("2025-01-10")], MET, None),
        ([started("2025-01-01"), passed("2025-01-10"), plan("2025-01-11")], MET, None),
        ([passed("2025-01-10"), plan("2025-01-11", "PSfP")], MET, None),
        ([passed("2025-01-10"), plan("2025-01-11", "Unified")], NOT, "noSupportPlan"),
        # a failed check, then a passed one, then the plan
        ([failed("2025-01-05"), passed("2025-02-01"), plan("2025-02-02")], MET, None),
        # a plan bought during the first (failed) check, none after the passed one
        ([started("2025-01-01"), plan("2025-01-02"), failed("2025-01-05"), passed("2025-02-01")],
         NOT, "boughtDuringCheck"),
        # a new check begun after a failed result, still running
        ([failed("2025-01-05"), started("2025-02-01")], PEND, "creditCheckRunning"),
        ([failed("2025-01-05"), started("2025-02-01"), plan("2025-02-03")], NOT, "boughtDuringCheck"),  # noqa: E501
    ],
)  # fmt: skip
def test_support_plan(records: list[EvidenceFact], status: Status, reason: str | None) -> None:
    r = e.support_plan(tuple(records))
    assert r.status is status
    assert r.evidence.get("reason") == reason


def test_support_plan_evidence_names_the_plan_and_the_check() -> None:
    r = e.support_plan((passed("2025-01-10"), plan("2025-01-12", "PSfP")))
    assert r.evidence == {
        "creditCheck": "passed",
        "creditCheckOn": "2025-01-10",
        "plan": "PSfP",
        "boughtOn": "2025-01-12",
    }


# --- partner ID: active, of kind location, in the partner's country -------------------


def pid(
    mpn: int, kind: str = "location", country: str | None = "KR", status: str = "active"
) -> PartnerIdFact:
    return PartnerIdFact(mpn, kind, country, status)


@pytest.mark.parametrize(
    ("ids", "chosen", "status", "reason"),
    [
        ((), None, NOT, "noPartnerId"),
        ((pid(1),), None, MET, None),
        ((pid(1, status="inactive"),), None, NOT, "inactive"),
        ((pid(1, status="suspended"),), None, NOT, "inactive"),
        ((pid(1, country="US"),), None, NOT, "wrongCountry"),
        ((pid(1, kind="global", country=None),), None, NOT, "notLocation"),
        ((pid(1, kind="global", country=None), pid(2)), None, MET, None),
        ((pid(1), pid(2, country="US")), 2, NOT, "wrongCountry"),
        ((pid(1), pid(2)), 2, MET, None),
        ((pid(1),), 9, NOT, "notFound"),
    ],
)
def test_partner_id(
    ids: tuple[PartnerIdFact, ...], chosen: int | None, status: Status, reason: str | None
) -> None:
    r = e.partner_id(ids, country="KR", chosen=chosen)
    assert r.status is status
    assert r.evidence.get("reason") == reason


def test_partner_id_without_a_country_is_not_met() -> None:
    assert e.partner_id((pid(1),), country=None, chosen=None).status is NOT


# --- authority, infrastructure, managed service ---------------------------------------


@pytest.mark.parametrize(
    ("has_app", "attested", "status"),
    [(False, None, PEND), (True, None, NOT), (True, AT, MET)],
)
def test_authority(has_app: bool, attested: datetime | None, status: Status) -> None:
    r = e.authority(has_application=has_app, attested_at=attested, signer_name="Ji-woo")
    assert r.status is status


@pytest.mark.parametrize(
    ("records", "revenue_met", "tenure_met", "status", "stage"),
    [
        ([], False, True, PEND, "awaitingRevenueAndTenure"),
        ([], True, False, PEND, "awaitingRevenueAndTenure"),
        ([], True, True, PEND, "toSchedule"),
        ([ev("assessment", "scheduled", "2025-03-01")], True, True, PEND, "scheduled"),
        ([ev("assessment", "scheduled", "2025-03-01"), ev("assessment", "passed", "2025-03-01")],
         True, True, MET, None),
        ([ev("assessment", "failed", "2025-03-01")], True, True, NOT, None),
        ([ev("assessment", "failed", "2025-03-01"), ev("assessment", "passed", "2025-05-01")],
         True, True, MET, None),
    ],
)  # fmt: skip
def test_infrastructure(
    records: list[EvidenceFact],
    revenue_met: bool,
    tenure_met: bool,
    status: Status,
    stage: str | None,
) -> None:
    r = e.infrastructure(tuple(records), revenue_met=revenue_met, tenure_met=tenure_met)
    assert r.status is status
    assert r.evidence.get("stage") == stage


@pytest.mark.parametrize(
    ("text", "has_app", "required", "status"),
    [
        (None, False, False, PEND),
        ("", True, False, NOT),
        ("   ", True, True, NOT),
        ("Managed M365 security", True, False, MET),
        ("Managed M365 security", True, True, MET),
    ],
)
def test_managed_service(text: str | None, has_app: bool, required: bool, status: Status) -> None:
    r = e.managed_service(text, has_application=has_app, required=required)
    assert (r.status, r.required) == (status, required)


# --- the checklist -------------------------------------------------------------------


def good_facts(**changes: Any) -> EligibilityFacts:
    base: dict[str, Any] = {
        "as_of": date(2025, 6, 1),
        "country": "KR",
        "partner_ids": (pid(1),),
        "has_application": True,
        "signer_name": "Ji-woo",
        "attested_at": AT,
        "managed_service": "",
        "evidence": (
            passed("2025-01-10"),
            plan("2025-01-11"),
            ev("assessment", "passed", "2025-04-01"),
        ),
        "ttm_usd": Decimal("300000.00"),
        "transacting_since": date(2024, 6, 1),
    }
    base.update(changes)
    return EligibilityFacts(**base)


def test_checklist_keys_in_order_and_json() -> None:
    checklist = e.evaluate(good_facts(), Policy())
    assert [r.key for r in checklist.requirements] == list(e.KEYS)
    data = checklist.as_json()
    assert data["eligible"] is True
    assert [r["key"] for r in data["requirements"]] == list(e.KEYS)
    assert Checklist.from_json(data) == checklist


@pytest.mark.parametrize(
    ("changes", "policy", "eligible", "unmet"),
    [
        ({}, Policy(), True, ()),
        # managed service recommended: missing does not block; required: it does
        ({}, Policy(managed_service_required=True), False, ("managedService",)),
        ({"managed_service": "NOC"}, Policy(managed_service_required=True), True, ()),
        ({"ttm_usd": Decimal("299999.99")}, Policy(), False, ("revenue",)),
        ({"transacting_since": date(2024, 7, 1)}, Policy(), False, ("tenure",)),
        ({"transacting_since": date(2024, 7, 1)}, Policy(tenure_months=11), True, ()),
        ({"partner_ids": (pid(1, status="inactive"),)}, Policy(), False, ("partnerId",)),
        ({"partner_ids": (pid(1, country="JP"),)}, Policy(), False, ("partnerId",)),
        ({"attested_at": None}, Policy(), False, ("authority",)),
        ({"evidence": ()}, Policy(), False, ("supportPlan", "infrastructure")),
    ],
)
def test_checklist_eligible(
    changes: dict[str, Any], policy: Policy, eligible: bool, unmet: tuple[str, ...]
) -> None:
    checklist = e.evaluate(good_facts(**changes), policy)
    assert checklist.eligible is eligible
    assert checklist.unmet == unmet


def test_get_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        Checklist(()).get("nope")


def test_requirement_json_is_plain() -> None:
    r = Requirement("revenue", MET, True, {"ttmUsd": "1.00"})
    assert r.as_json() == {
        "key": "revenue",
        "status": "met",
        "required": True,
        "evidence": {"ttmUsd": "1.00"},
    }
