"""``opencsp pricing`` lists, activate, changes and the FX commands, against a real
(committed) database, on the test clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.pricing import fx
from opencsp.pricing.models import PriceList
from opencsp.pricing.rules import ListStatus
from tests.factories import catalog
from tests.factories.catalog import Row

runner = CliRunner()
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
FIRST = datetime(2026, 12, 1, tzinfo=UTC)
HEADER = '"CurrencyCode","USDPerUnit","Month"\r\n'


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    monkeypatch.setenv("OPENCSP_TEST_CLOCK", "true")
    monkeypatch.setattr(support.out, "width", 250)
    settings.cache_clear()
    engine = build_engine(live_database)
    move_clock(engine, NOW)
    yield engine
    engine.dispose()
    settings.cache_clear()


def move_clock(engine, instant: datetime) -> None:
    with unit_of_work(bind=engine) as session:
        clock.set_test_clock(session, instant)


@pytest.fixture()
def lists(cli_env):
    with unit_of_work(bind=cli_env) as session, clock.frozen(NOW):
        offer = catalog.offer(session, title="Nimbus 365 Business")
        gone = catalog.offer(session, title="Nimbus Visio")
        catalog.price_list(
            session,
            "united-states",
            NOV,
            [Row(offer, "120"), Row(gone, "60")],
            status=ListStatus.CURRENT,
        )
        catalog.price_list(
            session,
            "united-states",
            DEC,
            [Row(offer, "132", start=FIRST)],
            status=ListStatus.PREVIEW,
        )
        catalog.price_list(
            session, "europe", NOV, [Row(offer, "110", currency="EUR")], status=ListStatus.CURRENT
        )
    return cli_env


def statuses(engine) -> dict[tuple[str, str], str]:
    with unit_of_work(bind=engine) as session:
        return {
            (pl.market_id, pl.month.isoformat()[:7]): pl.status
            for pl in session.query(PriceList).all()
        }


def run(*args: str):
    return runner.invoke(app, ["pricing", *args])


def test_lists(lists) -> None:
    r = run("lists")
    assert r.exit_code == 0, r.output
    for text in ("united-states", "europe", "2026-12", "preview", "current"):
        assert text in r.output
    only = run("lists", "--market", "DE")
    assert "europe" in only.output and "united-states" not in only.output
    none = run("lists", "--market", "japan")
    assert "No price lists." in none.output


def test_activate_on_the_first_then_nothing(lists) -> None:
    early = run("activate")
    assert early.exit_code == 0, early.output
    assert "already has its status" in early.output
    move_clock(lists, FIRST)
    r = run("activate")
    assert r.exit_code == 0, r.output
    assert "united-states 2026-12: preview -> current" in r.output
    assert "united-states 2026-11: current -> history" in r.output
    assert statuses(lists)[("united-states", "2026-12")] == "current"
    assert "already has its status" in run("activate").output
    job = runner.invoke(app, ["jobs", "run", "pricing.activate"])
    assert job.exit_code == 0 and "already has its status" in job.output


def test_jobs_serve_activates_on_the_clock(lists) -> None:
    """The scheduler runs ``pricing.activate`` on its cadence; before the 1st nothing moves."""
    before = runner.invoke(app, ["jobs", "serve", "--once", "--job", "pricing.activate"])
    assert before.exit_code == 0, before.output
    assert statuses(lists)[("united-states", "2026-12")] == "preview"
    move_clock(lists, FIRST)
    r = runner.invoke(app, ["jobs", "serve", "--once", "--job", "pricing.activate"])
    assert r.exit_code == 0, r.output
    assert "pricing.activate:" in r.output
    assert statuses(lists)[("united-states", "2026-12")] == "current"
    assert statuses(lists)[("united-states", "2026-11")] == "history"
    unknown = runner.invoke(app, ["jobs", "serve", "--once", "--job", "no.such.job"])
    assert unknown.exit_code == 2


def test_changes_a_table_per_kind(lists) -> None:
    r = run("changes", "--market", "US")  # this month against the next
    assert r.exit_code == 0, r.output
    assert "united-states 2026-11 -> 2026-12" in r.output
    assert "Changed (1)" in r.output and "Removed (1)" in r.output
    assert "New: none" in r.output and "End of sale: none" in r.output
    assert "Nimbus Visio" in r.output and "132" in r.output


def test_changes_when_nothing_changed_and_errors(lists) -> None:
    with unit_of_work(bind=lists) as session:
        offer = catalog.offer(session)
        catalog.price_list(session, "europe", DEC, [], status=ListStatus.PREVIEW)
        catalog.price_list(session, "japan", NOV, [Row(offer, "1")], status=ListStatus.CURRENT)
        catalog.price_list(session, "japan", DEC, [Row(offer, "1")], status=ListStatus.PREVIEW)
    same = run("changes", "--market", "japan", "--from", "2026-11", "--to", "202612")
    assert same.exit_code == 0, same.output
    assert "japan 2026-11 -> 2026-12: no changes." in same.output
    missing = run("changes", "--market", "US", "--from", "2026-10")
    assert missing.exit_code == 3  # not found
    backwards = run("changes", "--market", "US", "--from", "2026-12", "--to", "2026-11")
    assert backwards.exit_code == 2


def test_fx_import_export_and_table(cli_env, tmp_path) -> None:
    source = tmp_path / "fx.csv"
    source.write_text(HEADER + '"EUR","1.0823","2026"\r\n"KRW","0.00074","2026"\r\n')
    r = run("fx-import", str(source), "--month", "2026-12")
    assert r.exit_code == 0, r.output
    assert "2026-12: 2 rates (set)" in r.output
    target = tmp_path / "out.csv"
    exported = run("fx-export", "--month", "2026-12", "-o", str(target))
    assert exported.exit_code == 0, exported.output
    assert (
        target.read_bytes()
        == (HEADER + '"EUR","1.0823","202612"\r\n"KRW","0.00074","202612"\r\n').encode()
    )
    to_stdout = run("fx-export", "--month", "202612")
    assert '"KRW","0.00074","202612"' in to_stdout.output
    table = run("fx", "--month", "2026-12")
    assert "0.00074" in table.output and "EUR" in table.output
    assert "No FX rates for 2027-01." in run("fx", "--month", "2027-01").output
    assert run("fx-export", "--month", "2027-01").exit_code == 3


def test_fx_import_rejects_with_every_problem_and_writes_nothing(cli_env, tmp_path) -> None:
    source = tmp_path / "fx.csv"
    source.write_text(HEADER + '"EUR","x","202612"\r\n"QQQ","1","202612"\r\n')
    r = run("fx-import", str(source))
    assert r.exit_code == 2
    assert "line 2 USDPerUnit" in r.output and "line 3 CurrencyCode" in r.output
    with unit_of_work(bind=cli_env) as session:
        assert fx.rates_for(session, DEC) == []


def test_fx_import_of_a_started_month_is_locked(cli_env, tmp_path) -> None:
    with unit_of_work(bind=cli_env) as session:
        catalog.fx_rate(session, "EUR", NOV, "1.07")
    source = tmp_path / "fx.csv"
    source.write_text(HEADER + '"EUR","1.08","202611"\r\n')
    assert run("fx-import", str(source)).exit_code == 5
    with unit_of_work(bind=cli_env) as session:
        assert [r.usd_per_unit for r in fx.rates_for(session, NOV)] == [Decimal("1.07")]
