"""The activation job on the test clock: on the 1st the month's preview becomes current
and the list it replaces history (PC:pricing-and-offers.md; rules.md §11); nothing moves
before the 1st; a second run changes nothing; every change is audited. And who sees which
lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.jobs.registry import JOBS
from opencsp.pricing import lifecycle
from opencsp.pricing.models import PriceList
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog, member, organization, system
from tests.factories.catalog import Row

OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
FIRST = datetime(2026, 12, 1, tzinfo=UTC)
LAST_SECOND = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)


def lists(session) -> dict[tuple[str, date], PriceList]:
    return {(pl.market_id, pl.month): pl for pl in session.scalars(select(PriceList))}


def statuses(session) -> dict[tuple[str, date], str]:
    session.expire_all()
    return {key: pl.status for key, pl in lists(session).items()}


def audited(session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.operation_type == "pricelist.status_changed")
    )


@pytest.fixture()
def months(session):
    offer = catalog.offer(session)
    for month in (OCT, NOV):
        catalog.price_list(session, "united-states", month, [Row(offer, "120")])
    catalog.price_list(
        session, "united-states", DEC, [Row(offer, "132", start=FIRST)], status=ListStatus.PREVIEW
    )
    catalog.price_list(session, "europe", NOV, [Row(offer, "110", currency="EUR")])
    return offer


def test_before_the_first_nothing_moves(session, months) -> None:
    before = statuses(session)
    with clock.frozen(LAST_SECOND):
        summary = lifecycle.activate_lists(session, system(session))
    assert summary.changes == ()
    assert statuses(session) == before
    assert before[("united-states", DEC)] == "preview"
    assert audited(session) == 0


def test_on_the_first_the_preview_becomes_current_and_november_history(session, months) -> None:
    with clock.frozen(FIRST):
        summary = lifecycle.activate_lists(session, system(session))
    assert [(str(c)) for c in summary.changes] == [
        "united-states 2026-11: current -> history",
        "united-states 2026-12: preview -> current",
    ]
    assert (summary.activated, summary.retired) == (1, 1)
    now = statuses(session)
    assert now[("united-states", OCT)] == "history"
    assert now[("united-states", NOV)] == "history"
    assert now[("united-states", DEC)] == "current"
    # Europe has no December list: November still prices it and stays current.
    assert now[("europe", NOV)] == "current"
    assert lists(session)[("united-states", DEC)].activated_at == FIRST
    assert audited(session) == 2


def test_a_second_run_changes_nothing(session, months) -> None:
    with clock.frozen(FIRST):
        first = lifecycle.activate_lists(session, system(session))
        after_first = statuses(session)
    with clock.frozen(datetime(2026, 12, 1, 0, 5, tzinfo=UTC)):
        second = lifecycle.activate_lists(session, system(session))
    assert len(first.changes) == 2
    assert second.changes == ()
    assert str(second) == "every price list already has its status"
    assert statuses(session) == after_first
    assert lists(session)[("united-states", DEC)].activated_at == FIRST
    assert audited(session) == 2


def test_a_missed_first_catches_up_in_one_run(session, months) -> None:
    """The job did not run for weeks: one run converges every list at once."""
    with clock.frozen(datetime(2027, 1, 20, tzinfo=UTC)):
        summary = lifecycle.activate_lists(session, system(session))
    assert statuses(session)[("united-states", DEC)] == "current"  # no January list
    assert statuses(session)[("europe", NOV)] == "current"
    assert summary.activated == 1


def test_the_job_runs_on_the_test_clock(session, months, configure) -> None:
    configure(test_clock=True)
    clock.set_test_clock(session, FIRST)
    with clock.from_database(session):
        message = JOBS["pricing.activate"].run(session, system(session))
    assert message.startswith("2 changed")
    assert statuses(session)[("united-states", DEC)] == "current"
    clock.set_test_clock(session, datetime(2026, 12, 2, tzinfo=UTC))
    with clock.from_database(session):
        assert JOBS["pricing.activate"].run(session, system(session)) == (
            "every price list already has its status"
        )


def test_a_list_imported_late_as_preview_is_activated(session, months) -> None:
    """December's list for Europe arrives after the 1st, still marked preview."""
    catalog.price_list(
        session, "europe", DEC, [Row(months, "115", currency="EUR")], status=ListStatus.PREVIEW
    )
    with clock.frozen(datetime(2026, 12, 3, tzinfo=UTC)):
        lifecycle.activate_lists(session, system(session))
    now = statuses(session)
    assert (now[("europe", NOV)], now[("europe", DEC)]) == ("history", "current")


def test_the_vendor_sees_every_list_newest_first(session, months) -> None:
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,))
    found = lifecycle.list_price_lists(session, vendor.actor)
    assert [(pl.market_id, pl.month) for pl in found] == [
        ("united-states", DEC),
        ("europe", NOV),
        ("united-states", NOV),
        ("united-states", OCT),
    ]


@pytest.mark.parametrize(
    ("market", "expected"),
    [("europe", {("europe", NOV)}), ("DE", {("europe", NOV)}), ("Europe", {("europe", NOV)})],
)
def test_a_market_by_id_or_country_code(session, months, market, expected) -> None:
    found = lifecycle.list_price_lists(session, system(session), market=market)
    assert {(pl.market_id, pl.month) for pl in found} == expected


def test_a_partner_sees_its_own_regions_lists_only(session, months) -> None:
    us_partner = member(session, tier=Tier.DIRECT_BILL, roles=(Role.ADMIN_AGENT,))
    assert {pl.market_id for pl in lifecycle.list_price_lists(session, us_partner.actor)} == {
        "united-states"
    }
    assert lifecycle.list_price_lists(session, us_partner.actor, market="europe") == []


def test_a_partner_elsewhere_sees_its_region(session, months) -> None:
    org = organization(session, Tier.INDIRECT_PROVIDER, country="FR")
    provider = member(session, org, roles=(Role.GLOBAL_ADMIN,))
    assert [pl.market_id for pl in lifecycle.list_price_lists(session, provider.actor)] == [
        "europe"
    ]


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.INDIRECT_RESELLER, (Role.GLOBAL_ADMIN,)),  # resellers never see prices
        (Tier.DIRECT_BILL, (Role.HELPDESK_AGENT,)),  # a role without pricing
    ],
)
def test_without_pricing_read_no_lists(session, months, tier, roles) -> None:
    someone = member(session, tier=tier, roles=roles)
    assert lifecycle.list_price_lists(session, someone.actor) == []
