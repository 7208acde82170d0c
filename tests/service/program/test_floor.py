"""The ``program.floor`` job on the clock (rules.md §3.4): in a reseller's activation
anniversary month, TTM under USD 1,000 (perpetual software included, paid invoices) →
notice to it and its providers, deauthorization on the notice's end, re-enrollment
refused for a year; at USD 1,000.00 nothing happens. Re-runs and killed runs give the
same rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.core import clock
from opencsp.core.actor import Actor, Tier
from opencsp.jobs.registry import JOBS, Units
from opencsp.notifications.models import Notification
from opencsp.partners import queries as partner_queries
from opencsp.partners import standing
from opencsp.partners.models import Partnership
from opencsp.program.floor import run_floor
from opencsp.program.models import FloorCheck
from tests.conftest import NOW
from tests.factories import billing, system
from tests.factories.jobs import units
from tests.factories.parties import partner, partnership
from tests.factories.revenue import RevenueScene, revenue_scene, settle


def activated(session: Session, org_id: object, day: date) -> None:
    enrollment = partner_queries.enrollment_of(session, org_id)  # type: ignore[arg-type]
    assert enrollment is not None
    enrollment.decided_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    session.flush()


def paid(session: Session, rs: RevenueScene, usd: str, *, period: date = date(2026, 10, 1)) -> None:
    """``usd`` of paid revenue with the scene's reseller of record (a perpetual line: it
    counts for the floor)."""
    billing.charge(session, rs.perpetual, period, each=Decimal(usd), quantity=1)
    settle(session, period)


def run_at(session: Session, at: datetime) -> str:
    with clock.frozen(at):
        return run_floor(units(session, system(session)))


def checks(session: Session, org_id: object) -> list[FloorCheck]:
    return list(session.scalars(select(FloorCheck).where(FloorCheck.organization_id == org_id)))


def kinds(session: Session, org_id: object) -> list[str]:
    return sorted(
        session.scalars(select(Notification.kind).where(Notification.organization_id == org_id))
    )


@pytest.fixture()
def rs(session: Session) -> RevenueScene:
    scene = revenue_scene(session)
    activated(session, scene.s.reseller.org.id, date(2024, 11, 10))
    return scene


@pytest.mark.parametrize(
    ("usd", "outcome"),
    [("999.99", "below"), ("1000.00", "met"), ("1000.01", "met"), ("0.01", "below")],
)
def test_the_floor_at_usd_1000(session, rs, usd, outcome):
    paid(session, rs, usd)
    assert run_at(session, NOW) == f"{outcome} 1"
    [row] = checks(session, rs.s.reseller.org.id)
    assert (row.period, row.outcome, row.ttm_minor) == ("2026-11", outcome, int(Decimal(usd) * 100))
    reseller, provider = rs.s.reseller.org.id, rs.s.provider.org.id
    if outcome == "met":
        assert row.deauthorize_on is None
        assert kinds(session, reseller) == [] and kinds(session, provider) == []
    else:
        assert row.deauthorize_on == date(2026, 12, 21)  # 30 days' notice
        assert kinds(session, reseller) == ["floor_below"]
        assert kinds(session, provider) == ["floor_below_reseller"]


def test_unpaid_revenue_does_not_count(session, rs):
    billing.charge(session, rs.perpetual, date(2026, 10, 1), each=Decimal("5000"), quantity=1)
    settle(session, date(2026, 10, 1), short_by=1)
    assert run_at(session, NOW) == "below 1"


@pytest.mark.parametrize(
    ("activated_on", "checked"),
    [
        (date(2024, 11, 30), True),  # anniversary month
        (date(2025, 11, 1), True),  # first anniversary month
        (date(2024, 10, 31), False),  # the month before
        (date(2024, 12, 1), False),  # the month after
        (date(2026, 11, 1), False),  # activated this month: its first year
        (date(2026, 1, 15), False),  # in its first year
    ],
)
def test_only_in_the_anniversary_month_after_the_first_year(session, rs, activated_on, checked):
    activated(session, rs.s.reseller.org.id, activated_on)
    assert run_at(session, NOW) == ("below 1" if checked else "nothing due")


@pytest.mark.parametrize(
    ("effective", "checked"),
    [("2026-11-01", True), ("2026-11-30", True), ("2026-12-01", False)],
)
def test_not_before_the_floor_is_effective(session, rs, configure, effective, checked):
    configure(reseller_floor_effective=effective)
    assert run_at(session, NOW) == ("below 1" if checked else "nothing due")


def test_notice_then_deauthorization_then_no_reenrollment_for_a_year(session, rs):
    reseller, provider = rs.s.reseller.org.id, rs.s.provider.org.id
    paid(session, rs, "999.99")
    assert run_at(session, NOW) == "below 1"
    # the last day of the notice: nothing yet
    assert run_at(session, datetime(2026, 12, 20, 23, 59, tzinfo=UTC)) == "nothing due"
    assert standing.standing_of(session, reseller) is None
    assert run_at(session, datetime(2026, 12, 21, 0, 1, tzinfo=UTC)) == "deauthorized 1"
    row = standing.standing_of(session, reseller)
    assert row is not None and row.status == "deauthorized"
    assert row.reenroll_after == date(2027, 12, 21)
    [check] = checks(session, reseller)
    assert check.deauthorized_at is not None
    assert partner_queries.enrollment_of(session, reseller).state == "rejected"  # type: ignore[union-attr]
    ended = session.scalar(select(Partnership).where(Partnership.reseller_id == reseller))
    assert ended is not None and ended.state == "ended"
    assert kinds(session, reseller) == ["floor_below", "partner_deauthorized"]
    assert kinds(session, provider) == ["floor_below_reseller", "reseller_deauthorized"]
    # re-running changes nothing
    assert run_at(session, datetime(2026, 12, 22, tzinfo=UTC)) == "nothing due"
    assert kinds(session, reseller) == ["floor_below", "partner_deauthorized"]


def test_all_providers_are_told(session, rs):
    second = partner(session, Tier.INDIRECT_PROVIDER)
    partnership(session, second.org, rs.s.reseller.org)
    paid(session, rs, "10.00")
    run_at(session, NOW)
    assert kinds(session, second.org.id) == ["floor_below_reseller"]


def test_re_running_in_the_month_checks_once(session, rs):
    paid(session, rs, "999.99")
    assert run_at(session, NOW) == "below 1"
    assert run_at(session, datetime(2026, 11, 28, tzinfo=UTC)) == "nothing due"
    assert len(checks(session, rs.s.reseller.org.id)) == 1


class Killed(Exception):
    pass


def killed_after(session: Session, actor: Actor, good_units: int) -> Units:
    """Units that commit ``good_units`` times and then die, as a crashed worker."""
    count = 0

    @contextmanager
    def unit() -> Iterator[tuple[Session, Actor]]:
        nonlocal count
        count += 1
        if count > good_units:
            raise Killed()
        with session.begin_nested():
            yield session, actor

    return unit


def test_a_killed_run_completes_on_the_next_with_the_same_rows(session, rs, configure):
    configure(job_batch_size=1)
    more = [partner(session, Tier.INDIRECT_RESELLER) for _ in range(3)]
    for m in more:
        activated(session, m.org.id, date(2023, 11, 2))
    paid(session, rs, "999.99")
    with clock.frozen(NOW), pytest.raises(Killed):
        run_floor(killed_after(session, system(session), 3))
    partial = session.scalar(select(func.count()).select_from(FloorCheck))
    assert partial is not None and 0 < partial < 4
    assert run_at(session, NOW).startswith("below")
    rows = session.scalars(select(FloorCheck.organization_id, FloorCheck.outcome)).all()
    assert len(rows) == 4
    assert run_at(session, NOW) == "nothing due"


def test_the_job_is_registered():
    assert JOBS["program.floor"].batched is run_floor
