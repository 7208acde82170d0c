"""The ``program.reassess`` job on the clock (rules.md §2a annual reassessment, §2b growth,
§2c restriction): due on each enrollment anniversary, judged on partner ID, support plan
and an assessment passed within 12 months; a notice when not met, restriction after it
unless met again; growth of the billed TTM; idempotent per (partner, cycle). And the
vendor's run for one partner over the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.ids import new_id
from opencsp.jobs.registry import JOBS
from opencsp.notifications.models import Notification
from opencsp.partners import queries as partner_queries
from opencsp.partners import standing
from opencsp.program import evidence
from opencsp.program.models import DirectBillApplication, Reassessment
from opencsp.program.reassessment import run_reassessments
from tests.conftest import NOW
from tests.factories import Member, billing, member, system
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.jobs import units
from tests.factories.revenue import settle


def run_at(session: Session, at: datetime) -> str:
    with clock.frozen(at):
        return run_reassessments(units(session, system(session)))


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)


def enrolled_on(session: Session, who: Member, day: date) -> None:
    enrollment = partner_queries.enrollment_of(session, who.org.id)
    assert enrollment is not None
    enrollment.decided_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    session.flush()


def record(
    session: Session, who: Member, kind: str, outcome: str, on: date, plan: str | None = None
) -> None:
    evidence.record_evidence(
        session, system(session), who.org.id, kind=kind, outcome=outcome, effective_on=on, plan=plan
    )
    session.flush()


def good_evidence(session: Session, who: Member, *, assessed: date = date(2026, 6, 1)) -> None:
    record(session, who, "credit_check", "passed", date(2025, 1, 10))
    record(session, who, "support_plan", "bought", date(2025, 1, 11), plan="PSfP")
    record(session, who, "assessment", "passed", assessed)


def rows(session: Session, who: Member) -> list[Reassessment]:
    return list(
        session.scalars(
            select(Reassessment)
            .where(Reassessment.organization_id == who.org.id)
            .order_by(Reassessment.cycle)
        )
    )


def kinds(session: Session, who: Member) -> list[str]:
    """The notifications of keeping a tier (recording evidence notifies too)."""
    found = session.scalars(
        select(Notification.kind).where(Notification.organization_id == who.org.id)
    )
    return sorted(k for k in found if k != "evidence_recorded")


@pytest.fixture()
def s(session: Session) -> Scene:
    world = scene(session)
    enrolled_on(session, world.direct, date(2025, 11, 21))
    # the other partners are not direct-bill: never reassessed
    return world


def test_met_on_the_first_anniversary(session, s):
    good_evidence(session, s.direct)
    assert run_at(session, NOW) == "met 1"
    [row] = rows(session, s.direct)
    assert (row.cycle, row.due_on, row.outcome, row.notice_until) == (
        1,
        date(2025, 11, 21) + timedelta(days=365),
        "met",
        None,
    )
    required = {r["key"]: r["required"] for r in row.checklist["requirements"]}
    assert required == {
        "partnerId": True,
        "authority": False,
        "supportPlan": True,
        "revenue": False,
        "tenure": False,
        "infrastructure": True,
        "managedService": False,
    }
    assert kinds(session, s.direct) == ["reassessment_met"]
    assert run_at(session, NOW + timedelta(hours=1)) == "nothing due"


@pytest.mark.parametrize(
    ("enrolled", "due"),
    [
        (date(2025, 11, 21), True),  # a year to the day
        (date(2025, 11, 22), False),  # a day short
        (date(2024, 11, 22), True),  # its first anniversary, a year ago (missed run) → cycle 1
        (date(2026, 1, 1), False),  # first year
        (date(2024, 2, 29), True),  # leap-day anchor: due on 2026-02-28
    ],
)
def test_due_on_the_anniversary(session, s, enrolled, due):
    enrolled_on(session, s.direct, enrolled)
    good_evidence(session, s.direct)
    assert run_at(session, NOW) == ("met 1" if due else "nothing due")
    if enrolled == date(2024, 2, 29):
        assert rows(session, s.direct)[0].due_on == date(2026, 2, 28)


def test_the_billing_anniversary_of_an_approved_application_wins(session, s):
    good_evidence(session, s.direct)
    session.add(
        DirectBillApplication(
            id=new_id(),
            organization_id=s.reseller.org.id,
            open_key=None,
            state="approved",
            location_mpn_id=None,
            signer_name="Ji-woo Park",
            signer_email="jiwoo@example.com",
            signer_title=None,
            authority_attested_at=NOW - timedelta(days=900),
            managed_service="Managed backup",
            billing_anniversary=date(2024, 12, 1),
            tenant_domain="direct.example",
            tax_id=None,
            submitted_at=NOW - timedelta(days=900),
            updated_at=NOW - timedelta(days=900),
            decided_at=NOW - timedelta(days=800),
            direct_organization_id=s.direct.org.id,
        )
    )
    session.flush()
    # 2024-12-01 anchor: the latest anniversary come is 2025-12-01, cycle 1
    assert run_at(session, NOW) == "met 1"
    [row] = rows(session, s.direct)
    assert (row.cycle, row.due_on) == (1, date(2025, 12, 1))
    service = {r["key"]: r for r in row.checklist["requirements"]}["managedService"]
    assert service["status"] == "met"


@pytest.mark.parametrize(
    ("assessed", "outcome"),
    [
        (NOW.date() - timedelta(days=365), "met"),  # exactly 12 months ago
        (NOW.date() - timedelta(days=366), "notMet"),  # expired
        (NOW.date(), "met"),
    ],
)
def test_the_assessment_must_be_within_twelve_months(session, s, assessed, outcome):
    good_evidence(session, s.direct, assessed=assessed)
    assert run_at(session, NOW) == f"{outcome} 1"


@pytest.mark.parametrize(
    ("missing", "unmet"),
    [("support_plan", "supportPlan"), ("assessment", "infrastructure")],
)
def test_each_required_row(session, s, missing, unmet):
    for kind, outcome, on, plan in (
        ("credit_check", "passed", date(2025, 1, 10), None),
        ("support_plan", "bought", date(2025, 1, 11), "ASfP"),
        ("assessment", "passed", date(2026, 6, 1), None),
    ):
        if kind != missing:
            record(session, s.direct, kind, outcome, on, plan)
    assert run_at(session, NOW) == "notMet 1"
    [row] = rows(session, s.direct)
    not_met = [
        r["key"] for r in row.checklist["requirements"] if r["required"] and r["status"] != "met"
    ]
    assert not_met == [unmet]


def test_managed_service_required_by_the_setting(session, s, configure):
    good_evidence(session, s.direct)
    configure(managed_service_required=True)
    assert run_at(session, NOW) == "notMet 1"


def test_not_met_notice_then_restriction(session, s):
    good_evidence(session, s.direct, assessed=date(2025, 1, 1))
    assert run_at(session, NOW) == "notMet 1"
    [row] = rows(session, s.direct)
    assert row.notice_until == NOW.date() + timedelta(days=90) == date(2027, 2, 19)
    assert kinds(session, s.direct) == ["reassessment_not_met"]
    note = session.scalar(select(Notification).where(Notification.kind == "reassessment_not_met"))
    assert note is not None and note.params["noticeUntil"] == "2027-02-19"
    # through the last day of the notice: still under notice
    assert run_at(session, at(date(2027, 2, 19))) == "under notice 1"
    assert standing.standing_of(session, s.direct.org.id) is None
    # the day after: restricted
    assert run_at(session, at(date(2027, 2, 20))) == "restricted 1"
    restricted = standing.standing_of(session, s.direct.org.id)
    assert restricted is not None and restricted.status == "restricted"
    assert rows(session, s.direct)[0].restricted_at is not None
    assert kinds(session, s.direct) == ["partner_restricted", "reassessment_not_met"]
    # nothing more on a re-run
    assert run_at(session, at(date(2027, 2, 21))) == "nothing due"


def test_met_again_before_the_notice_ends_clears_it(session, s):
    good_evidence(session, s.direct, assessed=date(2025, 1, 1))
    assert run_at(session, NOW) == "notMet 1"
    record(session, s.direct, "assessment", "passed", date(2026, 12, 1))
    assert run_at(session, at(date(2026, 12, 2))) == "notice cleared 1"
    [row] = rows(session, s.direct)
    assert row.outcome == "met" and row.notice_until == date(2027, 2, 19)
    assert run_at(session, at(date(2027, 3, 1))) == "nothing due"
    assert standing.standing_of(session, s.direct.org.id) is None
    assert kinds(session, s.direct) == ["reassessment_cleared", "reassessment_not_met"]


def test_growth_against_the_previous_cycle(session, s):
    good_evidence(session, s.direct)
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=1)
    billing.charge(session, sub, date(2026, 9, 1), each=Decimal("1500.00"), quantity=1)
    settle(session, date(2026, 9, 1))
    session.add(
        Reassessment(
            id=new_id(),
            organization_id=s.direct.org.id,
            cycle=0,
            due_on=date(2025, 11, 21),
            evaluated_at=NOW - timedelta(days=365),
            outcome="met",
            checklist={},
            ttm_minor=100_000,
            previous_ttm_minor=None,
        )
    )
    session.flush()
    assert run_at(session, NOW) == "met 1"
    row = rows(session, s.direct)[-1]
    assert (row.ttm_minor, row.previous_ttm_minor) == (150_000, 100_000)
    assert row.checklist["growth"] == {
        "billedUsd": "1500.00",
        "previousBilledUsd": "1000.00",
        "changeUsd": "500.00",
        "percent": "50.0",
    }


def test_a_re_run_or_a_second_worker_writes_one_row(session, s):
    good_evidence(session, s.direct)
    assert run_at(session, NOW) == "met 1"
    assert run_at(session, NOW) == "nothing due"
    assert len(rows(session, s.direct)) == 1
    assert kinds(session, s.direct) == ["reassessment_met"]


def test_the_job_is_registered():
    assert JOBS["program.reassess"].batched is run_reassessments


# --- the vendor's run for one partner, over the API ---------------------------------------------


def test_vendor_reassesses_one_partner_now(client, session, s):
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    enrolled_on(session, s.direct, date(2026, 6, 1))  # first year: cycle 0 on demand
    good_evidence(session, s.direct)
    body: dict[str, Any] = {"partnerId": str(s.direct.org.id)}
    r = client.post("/v1/program/reassessments", headers=vendor.headers, json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["cycle"], data["outcome"], data["attributes"]) == (
        0,
        "met",
        {"objectType": "Reassessment"},
    )
    assert data["growth"]["billedUsd"] == "0.00"
    again = client.post("/v1/program/reassessments", headers=vendor.headers, json=body)
    assert again.json()["id"] == data["id"]
    # the partner reads its own; another partner sees none of it
    own = client.get("/v1/program/reassessments", headers=s.direct.headers).json()
    assert [i["id"] for i in own["items"]] == [data["id"]]
    assert (
        client.get("/v1/program/reassessments", headers=s.provider.headers).json()["totalCount"]
        == 0
    )
    # partners can't run it; a partner that isn't direct-bill is 404
    refused = client.post("/v1/program/reassessments", headers=s.direct.headers, json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, 900150)
    other = client.post(
        "/v1/program/reassessments",
        headers=vendor.headers,
        json={"partnerId": str(s.provider.org.id)},
    )
    assert (other.status_code, other.json()["code"]) == (404, 1000)
    run = client.post("/v1/program/reassessments/run", headers=vendor.headers)
    assert run.status_code == 200 and run.json()["job"] == "program.reassess"
