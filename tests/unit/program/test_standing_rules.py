"""The pure rules of keeping and losing a tier, as tables at, before and after each edge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opencsp.program import standing_rules as r
from opencsp.program.eligibility import Checklist, EvidenceFact, Requirement, Status

REC = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("anchor", "today", "cycle", "due_on"),
    [
        (date(2025, 11, 21), date(2025, 11, 21), 0, date(2025, 11, 21)),
        (date(2025, 11, 21), date(2026, 11, 20), 0, date(2025, 11, 21)),
        (date(2025, 11, 21), date(2026, 11, 21), 1, date(2026, 11, 21)),
        (date(2025, 11, 21), date(2027, 11, 22), 2, date(2027, 11, 21)),
        (date(2024, 2, 29), date(2025, 2, 27), 0, date(2024, 2, 29)),
        (date(2024, 2, 29), date(2025, 2, 28), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), date(2028, 2, 29), 4, date(2028, 2, 29)),
    ],
)
def test_due_cycle(anchor, today, cycle, due_on):
    assert r.due_cycle(anchor, today) == r.Cycle(cycle, due_on)


@pytest.mark.parametrize(
    ("day", "after"),
    [(date(2026, 11, 21), date(2027, 11, 21)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_one_year_after(day, after):
    assert r.one_year_after(day) == after


def fact(outcome: str, on: date) -> EvidenceFact:
    return EvidenceFact("assessment", outcome, on, REC)


@pytest.mark.parametrize(
    ("evidence", "status", "reason"),
    [
        ((), Status.NOT_MET, "noAssessment"),
        ((fact("scheduled", date(2026, 12, 1)),), Status.NOT_MET, "noAssessment"),
        ((fact("passed", date(2025, 11, 21)),), Status.MET, None),  # 365 days before
        ((fact("passed", date(2025, 11, 20)),), Status.NOT_MET, "assessmentExpired"),
        (
            (fact("passed", date(2026, 6, 1)), fact("failed", date(2026, 9, 1))),
            Status.NOT_MET,
            None,
        ),
        ((fact("failed", date(2026, 6, 1)), fact("passed", date(2026, 9, 1))), Status.MET, None),
    ],
)
def test_assessment_within_twelve_months(evidence, status, reason):
    row = r.assessment(tuple(evidence), as_of=date(2026, 11, 21))
    assert row.status is status and row.required
    assert row.evidence.get("reason") == reason


def test_reassessment_checklist_reports_applicant_rows():
    keys = ("partnerId", "authority", "supportPlan", "revenue", "tenure")
    applicant = Checklist(
        (
            *(Requirement(key, Status.NOT_MET, True, {}) for key in keys),
            Requirement("infrastructure", Status.MET, True, {}),
            Requirement("managedService", Status.NOT_MET, False, {}),
        )
    )
    judged = r.reassessment_checklist(applicant, (), as_of=date(2026, 11, 21))
    assert {q.key: q.required for q in judged.requirements} == {
        "partnerId": True,
        "authority": False,
        "supportPlan": True,
        "revenue": False,
        "tenure": False,
        "infrastructure": True,
        "managedService": False,
    }
    # infrastructure re-judged: no assessment recorded
    assert judged.get("infrastructure").status is Status.NOT_MET
    assert judged.unmet == ("partnerId", "supportPlan", "infrastructure")
    assert r.outcome(judged) == r.NOT_MET


@pytest.mark.parametrize(
    ("fresh", "today", "action"),
    [
        (r.MET, date(2027, 2, 18), r.FollowUp.CLEAR),
        (r.MET, date(2027, 3, 1), r.FollowUp.CLEAR),
        (r.NOT_MET, date(2027, 2, 19), r.FollowUp.WAIT),
        (r.NOT_MET, date(2027, 2, 20), r.FollowUp.RESTRICT),
    ],
)
def test_follow_up(fresh, today, action):
    assert r.follow_up(fresh=fresh, notice_end=date(2027, 2, 19), today=today) is action


@pytest.mark.parametrize(
    ("now", "previous", "expected"),
    [
        (150_000, 100_000, ("1500.00", "1000.00", "500.00", "50.0")),
        (99_999, 100_000, ("999.99", "1000.00", "-0.01", "0.0")),  # no "-0.0"
        (99_000, 100_000, ("990.00", "1000.00", "-10.00", "-1.0")),
        (100_000, 300_000, ("1000.00", "3000.00", "-2000.00", "-66.7")),
        (100_000, 0, ("1000.00", "0.00", "1000.00", None)),
        (100_000, None, ("1000.00", None, None, None)),
    ],
)
def test_growth(now, previous, expected):
    g = r.growth(now, previous)
    assert (g["billedUsd"], g["previousBilledUsd"], g["changeUsd"], g["percent"]) == expected


@pytest.mark.parametrize(
    ("activated", "today", "period"),
    [
        (date(2024, 11, 10), date(2026, 11, 1), "2026-11"),
        (date(2024, 11, 10), date(2026, 11, 30), "2026-11"),
        (date(2024, 11, 10), date(2026, 10, 31), None),
        (date(2024, 11, 10), date(2026, 12, 1), None),
        (date(2026, 11, 1), date(2026, 11, 21), None),  # first year
        (date(2025, 11, 30), date(2026, 11, 1), "2026-11"),  # first anniversary month
        # onboarded after 2023-04-01: not before April 2024
        (date(2023, 3, 15), date(2024, 3, 31), None),
        (date(2023, 4, 15), date(2024, 4, 1), "2024-04"),
        (date(2022, 3, 15), date(2024, 3, 31), None),  # nobody before the effective month
    ],
)
def test_floor_period(activated, today, period):
    assert r.floor_period(activated, today, effective=date(2024, 4, 1)) == period


@pytest.mark.parametrize(
    ("ttm", "outcome"),
    [("999.99", r.BELOW), ("1000.00", r.ABOVE), ("1000.01", r.ABOVE), ("0.00", r.BELOW)],
)
def test_floor_outcome(ttm, outcome):
    assert r.floor_outcome(Decimal(ttm), Decimal("1000.00")) == outcome
